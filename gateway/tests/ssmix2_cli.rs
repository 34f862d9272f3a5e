//! `kakehashi ssmix2 import|export` as a user runs them, on a storage tree this test writes from our own
//! SS-MIX2 messages (ISO-2022-JP ADT^A08, RDE^O11 処方 orders, an RDS^O13 dispense in extended storage, a superseded `_2` with its newer `_1`, a
//! deleted `_0`, a broken file name, binary garbage) and on a copy of the NHO support-documents sample
//! tree (../shared, copied into a temporary folder at test time): exit codes, the summary, the rejected
//! files with their reasons, idempotent re-import, `--dry-run`, and export → re-import giving the same
//! resources (read from the store).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kakehashi_mappings::hl7v2::{charset, Charset};
use serde_json::Value;
use sqlx::{Connection as _, Row as _};

const BIN: &str = env!("CARGO_BIN_EXE_kakehashi");

/// A data folder with its config file, in a temporary folder.
struct Data {
    dir: tempfile::TempDir,
}

impl Data {
    fn new() -> Data {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        // TOML literal strings need no escaping of the path.
        std::fs::write(
            dir.path().join("kakehashi.toml"),
            format!("data_dir = '{}'\n", data.display()),
        )
        .expect("config written");
        Data { dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        let config = self.dir.path().join("kakehashi.toml");
        Command::new(BIN)
            .args(args)
            .arg("--config")
            .arg(&config)
            .current_dir(self.dir.path())
            .env_remove("RUST_LOG")
            .output()
            .expect("binary runs")
    }

    /// `ssmix2 import ROOT --format json`: exit code, summary, stderr.
    fn import(&self, root: &Path, extra: &[&str]) -> (Option<i32>, Value, String) {
        let root = root.display().to_string();
        let mut args = vec!["ssmix2", "import", &root, "--format", "json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let summary = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("summary is JSON ({e}): {stdout}"));
        (
            out.status.code(),
            summary,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn export(&self, out_dir: &Path, extra: &[&str]) -> (Option<i32>, Value) {
        let out_dir = out_dir.display().to_string();
        let mut args = vec!["ssmix2", "export", "--out", &out_dir, "--format", "json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let summary = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "summary is JSON ({e}): {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code(), summary)
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("data/kakehashi.db")
    }

    /// Every live resource: `Type/id` → (version, content without meta.lastUpdated).
    fn resources(&self) -> BTreeMap<String, (i64, Value)> {
        query(
            &self.db(),
            |rows| {
                rows.iter()
                    .map(|r| {
                        let key = format!(
                            "{}/{}",
                            r.get::<String, _>("resource_type"),
                            r.get::<String, _>("id")
                        );
                        let mut content: Value =
                            serde_json::from_str(&r.get::<String, _>("content")).expect("JSON");
                        if let Some(meta) = content.get_mut("meta").and_then(Value::as_object_mut) {
                            meta.remove("lastUpdated");
                        }
                        (key, (r.get::<i64, _>("version_id"), content))
                    })
                    .collect()
            },
            "SELECT v.resource_type, v.id, v.version_id, v.content FROM resources r \
            JOIN resource_versions v ON v.resource_type = r.resource_type AND v.id = r.id \
            AND v.version_id = r.version_id WHERE r.deleted = 0",
        )
    }

    /// Every stored message: MSH-10 → (state, file name).
    fn messages(&self) -> BTreeMap<String, (String, String)> {
        query(
            &self.db(),
            |rows| {
                rows.iter()
                    .map(|r| {
                        (
                            r.get::<String, _>("control_id"),
                            (
                                r.get::<String, _>("state"),
                                r.get::<Option<String>, _>("file_name").unwrap_or_default(),
                            ),
                        )
                    })
                    .collect()
            },
            "SELECT control_id, state, file_name FROM hl7v2_messages",
        )
    }
}

fn query<T>(db: &Path, read: impl FnOnce(&[sqlx::sqlite::SqliteRow]) -> T, sql: &'static str) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = format!("sqlite://{}?mode=ro", db.display());
        let mut conn = sqlx::SqliteConnection::connect(&url)
            .await
            .expect("db opens");
        let rows = sqlx::query(sql).fetch_all(&mut conn).await.expect("query");
        read(&rows)
    })
}

const HEADER: &str = "|^~\\&|HIS|KAKEHASHI|SSMIX2|KAKEHASHI|";
const TAIL: &str =
    "|P|2.5||||||~ISO IR87||ISO 2022-1994|SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO";
const PID: &str = "PID|0001||9990001^^^^PI||架橋^花子^^^^^L^I~カケハシ^ハナコ^^^^^L^P||19800214|F|||^^^^150-0001^JPN^H^東京都渋谷区神宮前一丁目１番１号||^PRN^PH^^^^^^^^^03-1234-5678";

/// ADT^A08 (ADT-00 患者基本情報の更新).
fn adt_a08() -> String {
    [
        format!("MSH{HEADER}20261201093000||ADT^A08^ADT_A01|ADT0001{TAIL}"),
        "EVN||20261201093000".into(),
        PID.into(),
        "PV1|0001|O".into(),
    ]
    .join("\r")
        + "\r"
}

/// RDE^O11 (OMP-01 処方オーダ), JAHIS 処方 style: ORC-9 gives the care date, ORC-17 the department.
fn rde_o11(control_id: &str, order: &str, order_control: &str, time: &str, days: u32) -> String {
    [
        format!("MSH{HEADER}{time}||RDE^O11^RDE_O11|{control_id}{TAIL}"),
        PID.into(),
        "PV1|0001|O|01^^^^^C||||110^医師^一郎^^^^^^^L^^^^^I|||01".into(),
        format!("ORC|{order_control}|{order}|||||||20261201100000|||110^医師^一郎^^^^^^^L^^^^^I|||||01^内科^HL70069||||架け橋病院||||||||O^外来患者オーダ^HL70482"),
        "RXE||103835401^ムコダイン錠２５０ｍｇ^HOT9|1||TAB^錠^MR9P|TAB^錠^MR9P||||9|TAB^錠^MR9P".into(),
        format!("TQ1|||1013044400000000&内服・経口・１日３回朝昼夕食後&JAMISDP01|||{days}^D|20261201"),
        "RXR|PO^口^HL70162".into(),
    ]
    .join("\r")
        + "\r"
}

const ADT: &str = "999/000/9990001/-/ADT-00/9990001_-_ADT-00_999999999999999_20261201093000000_-_1";
const RX1: &str = "999/000/9990001/20261201/OMP-01/9990001_20261201_OMP-01_000000000012345_20261201100000000_01_1";
const RX2_OLD: &str = "999/000/9990001/20261201/OMP-01/9990001_20261201_OMP-01_000000000012346_20261201110000000_01_2";
const RX2_NEW: &str = "999/000/9990001/20261201/OMP-01/9990001_20261201_OMP-01_000000000012346_20261201120000000_01_1";
const RX3_DELETED: &str = "999/000/9990001/20261201/OMP-01/9990001_20261201_OMP-01_000000000012347_20261201130000000_01_0";
const GARBAGE: &str = "999/000/9990001/20261201/OMP-01/9990001_20261201_OMP-01_000000000012348_20261201140000000_01_1";
const BROKEN_NAME: &str = "999/000/9990001/20261201/OMP-01/9990001_20261201_OMP-01_12349_1";

fn write(root: &Path, relative: &str, bytes: &[u8]) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
    std::fs::write(path, bytes).expect("file written");
}

fn iso2022jp(text: &str) -> Vec<u8> {
    charset::encode(text, Charset::Iso2022Jp).expect("encodable")
}

/// Our storage tree: five good files and two bad ones.
fn own_tree(root: &Path) {
    write(root, ADT, &iso2022jp(&adt_a08()));
    write(
        root,
        RX1,
        &iso2022jp(&rde_o11(
            "RX0001",
            "000000000012345",
            "NW",
            "20261201100000",
            3,
        )),
    );
    write(
        root,
        RX2_OLD,
        &iso2022jp(&rde_o11(
            "RX0002",
            "000000000012346",
            "NW",
            "20261201110000",
            5,
        )),
    );
    write(
        root,
        RX2_NEW,
        &iso2022jp(&rde_o11(
            "RX0003",
            "000000000012346",
            "XO",
            "20261201120000",
            7,
        )),
    );
    write(
        root,
        RX3_DELETED,
        &iso2022jp(&rde_o11(
            "RX0004",
            "000000000012347",
            "CA",
            "20261201130000",
            3,
        )),
    );
    let garbage: Vec<u8> = (0u32..600).map(|i| (i * 7919 % 251) as u8).collect();
    write(root, GARBAGE, &garbage);
    write(
        root,
        BROKEN_NAME,
        &iso2022jp(&rde_o11("RX0005", "12349", "NW", "20261201150000", 1)),
    );
}

fn counts(summary: &Value, data_type: &str) -> [u64; 6] {
    let c = &summary["data_types"][data_type];
    [
        "files",
        "stored",
        "duplicates",
        "superseded",
        "deleted",
        "rejected",
    ]
    .map(|k| {
        c[k].as_u64()
            .unwrap_or_else(|| panic!("{data_type}.{k} in {summary}"))
    })
}

#[test]
fn own_tree_imports_rejects_bad_files_is_idempotent_and_exports_back_to_the_same_resources() {
    let work = tempfile::tempdir().expect("temp dir");
    let tree = work.path().join("tree");
    own_tree(&tree);
    let data = Data::new();

    // --dry-run checks everything and stores nothing.
    let (code, summary, stderr) = data.import(&tree, &["--dry-run"]);
    assert_eq!(code, Some(65), "{summary} {stderr}");
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["total"]["rejected"], 2, "{summary}");
    if data.db().exists() {
        assert!(data.messages().is_empty());
        assert!(data.resources().is_empty());
    }

    let (code, summary, stderr) = data.import(&tree, &[]);
    assert_eq!(code, Some(65), "{summary} {stderr}");
    assert_eq!(counts(&summary, "ADT-00"), [1, 1, 0, 0, 0, 0], "{summary}");
    assert_eq!(
        counts(&summary, "OMP-01"),
        [6, 2, 0, 1, 1, 2],
        "{summary} {stderr}"
    );
    assert_eq!(summary["total"]["files"], 7);
    // Both bad files are on stderr with their reasons, and nothing was stored for them.
    let line = |path: &str| {
        stderr
            .lines()
            .find(|l| l.starts_with(&format!("rejected {path}: ")))
            .unwrap_or_else(|| panic!("{path} not listed: {stderr}"))
            .to_string()
    };
    assert!(
        line(BROKEN_NAME).contains("path: the file name has 5 parts"),
        "{stderr}"
    );
    assert!(line(GARBAGE).contains("error"), "{stderr}");
    let messages = data.messages();
    assert_eq!(
        messages.keys().collect::<Vec<_>>(),
        ["ADT0001", "RX0001", "RX0002", "RX0003", "RX0004"],
        "{messages:?}"
    );
    assert_eq!(messages["RX0002"], ("superseded".into(), RX2_OLD.into()));
    assert_eq!(messages["RX0003"], ("current".into(), RX2_NEW.into()));
    assert_eq!(messages["RX0004"].0, "deleted");
    // The newer order's resources are stored (the deleted order's are retired by the pipeline).
    let resources = data.resources();
    assert!(
        resources.keys().any(|k| k.ends_with(".RX0003")),
        "{resources:?}"
    );
    // A deleted order retires what it is the record of (its MedicationRequest), not the patient, the
    // doctor or the visit it only refers to.
    assert!(
        resources
            .keys()
            .any(|k| k.starts_with("Patient/") && k.ends_with(".9990001")),
        "{resources:?}"
    );
    assert!(
        resources.keys().any(|k| k.starts_with("Practitioner/")),
        "{resources:?}"
    );
    assert!(
        !resources
            .keys()
            .any(|k| k.starts_with("MedicationRequest/") && k.contains("12347")),
        "{resources:?}"
    );
    assert!(
        resources
            .keys()
            .any(|k| k.starts_with("MedicationRequest/") && k.contains("12346")),
        "{resources:?}"
    );

    // The same tree again: every good file is a duplicate, nothing new is stored.
    let (code, again, _) = data.import(&tree, &[]);
    assert_eq!(code, Some(65));
    assert_eq!(again["total"]["duplicates"], 5, "{again}");
    assert_eq!(again["total"]["stored"], 0);
    assert_eq!(data.resources(), resources);
    assert_eq!(data.messages(), messages);

    // Export: the five messages, at the paths they came from, in ISO-2022-JP with CR separators.
    let exported = work.path().join("exported");
    let (code, out) = data.export(&exported, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out["total"]["files"], 5, "{out}");
    for path in [ADT, RX1, RX2_OLD, RX2_NEW, RX3_DELETED] {
        let bytes = std::fs::read(exported.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            bytes.windows(3).any(|w| w == b"\x1b$B"),
            "{path} not ISO-2022-JP"
        );
        assert!(!bytes.contains(&b'\n'), "{path} has LF");
        let text = charset::decode(&bytes).expect("decodes").text;
        assert!(text.contains("~ISO IR87||ISO 2022-1994"), "{text}");
    }
    assert!(!exported.join(GARBAGE).exists() && !exported.join(BROKEN_NAME).exists());

    // One patient only; another patient gets nothing.
    let (code, other) = data.export(&work.path().join("nobody"), &["--patient", "0000001"]);
    assert_eq!((code, &other["total"]["files"]), (Some(0), &Value::from(0)));
    // Exporting onto existing files refuses to overwrite them.
    let (code, twice) = data.export(&exported, &[]);
    assert_eq!(code, Some(65));
    assert_eq!(twice["total"]["rejected"], 5, "{twice}");

    // The exported tree imports into a new store to the same resources and messages.
    let copy = Data::new();
    let (code, summary, stderr) = copy.import(&exported, &[]);
    assert_eq!(code, Some(0), "{summary} {stderr}");
    assert_eq!(counts(&summary, "OMP-01"), [4, 2, 0, 1, 1, 0]);
    assert_eq!(copy.resources(), resources);
    assert_eq!(copy.messages(), messages);
}

#[test]
fn a_file_renamed_to_2_by_a_newer_version_takes_the_superseded_state_on_the_next_import() {
    let work = tempfile::tempdir().expect("temp dir");
    let tree = work.path().join("tree");
    // Day one: the order as current.
    let first = RX2_OLD.replace("_01_2", "_01_1");
    let old = iso2022jp(&rde_o11(
        "RX0002",
        "000000000012346",
        "NW",
        "20261201110000",
        5,
    ));
    write(&tree, &first, &old);
    let data = Data::new();
    let (code, summary, _) = data.import(&tree, &[]);
    assert_eq!(
        (code, counts(&summary, "OMP-01")),
        (Some(0), [1, 1, 0, 0, 0, 0])
    );
    // Day two: the storage renamed it `_2` and wrote the newer version `_1`.
    std::fs::rename(tree.join(&first), tree.join(RX2_OLD)).expect("renamed");
    let new = iso2022jp(&rde_o11(
        "RX0003",
        "000000000012346",
        "XO",
        "20261201120000",
        7,
    ));
    write(&tree, RX2_NEW, &new);
    let (code, summary, stderr) = data.import(&tree, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(counts(&summary, "OMP-01"), [2, 1, 0, 1, 0, 0], "{summary}");
    let messages = data.messages();
    assert_eq!(messages["RX0002"], ("superseded".into(), RX2_OLD.into()));
    assert_eq!(messages["RX0003"], ("current".into(), RX2_NEW.into()));
    // Once recorded, the renamed file is a duplicate like any other.
    let (_, again, _) = data.import(&tree, &[]);
    assert_eq!(counts(&again, "OMP-01"), [2, 0, 2, 0, 0, 0], "{again}");
    // The export writes the tree as it now is.
    let exported = work.path().join("exported");
    let (code, _) = data.export(&exported, &[]);
    assert_eq!(code, Some(0));
    assert!(exported.join(RX2_OLD).is_file() && exported.join(RX2_NEW).is_file());
    assert!(!exported.join(&first).exists());
}

/// RDS^O13 (調剤実施), which SS-MIX2 has no data type for: kept in extended storage under the
/// Kakehashi-local type `L-DISPENSE^DISPENSE^99ZKH`, dated by RXD-3.
fn rds_o13() -> String {
    [
        format!("MSH{HEADER}20261201113000||RDS^O13^RDS_O13|DS0001{TAIL}"),
        PID.into(),
        "PV1|0001|O|01^^^^^C||||110^医師^一郎^^^^^^^L^^^^^I|||01".into(),
        "ORC|RE|000000000012350||000000000012350_01|CM||||20261201100000||||||||||||||||||O^外来患者オーダ^HL70482".into(),
        "RXE||103835401^ムコダイン錠２５０ｍｇ^HOT9|1||TAB^錠^MR9P|TAB^錠^MR9P||||9|TAB^錠^MR9P".into(),
        "TQ1|||1013044400000000&内服・経口・１日３回朝昼夕食後&JAMISDP01|||3^D|20261201".into(),
        "RXR|PO^口^HL70162".into(),
        "RXD|1|103835401^ムコダイン錠２５０ｍｇ^HOT9|20261201112500|9|TAB^錠^MR9P||||||301^薬剤^三郎^^^^^^^L^^^^^I".into(),
    ]
    .join("\r")
        + "\r"
}

const DISPENSE: &str = "L-DISPENSE^DISPENSE^99ZKH";
const DS1: &str = "999/000/9990001/20261201/L-DISPENSE^DISPENSE^99ZKH/9990001_20261201_L-DISPENSE^DISPENSE^99ZKH_000000000012350_20261201113000000_01_1/main_document.hl7";

#[test]
fn a_dispense_imports_from_its_extended_folder_and_exports_to_the_same_path() {
    let work = tempfile::tempdir().expect("temp dir");
    let tree = work.path().join("tree");
    write(&tree, DS1, &iso2022jp(&rds_o13()));
    let data = Data::new();
    let (code, summary, stderr) = data.import(&tree, &[]);
    assert_eq!(code, Some(0), "{summary} {stderr}");
    assert_eq!(counts(&summary, DISPENSE), [1, 1, 0, 0, 0, 0], "{summary}");
    let resources = data.resources();
    assert!(
        resources
            .keys()
            .any(|k| k.starts_with("MedicationDispense/")),
        "{resources:?}"
    );
    assert_eq!(data.messages()["DS0001"], ("current".into(), DS1.into()));
    let exported = work.path().join("exported");
    let (code, out) = data.export(&exported, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(exported.join(DS1).is_file(), "{out}");
    let copy = Data::new();
    let (code, summary, stderr) = copy.import(&exported, &[]);
    assert_eq!(code, Some(0), "{summary} {stderr}");
    assert_eq!(copy.resources(), resources);
}

#[test]
fn a_missing_root_is_74_and_bad_settings_are_78() {
    let data = Data::new();
    let out = data.run(&["ssmix2", "import", "/nonexistent/ssmix2-root"]);
    assert_eq!(out.status.code(), Some(74));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a folder"));
    std::fs::write(data.dir.path().join("kakehashi.toml"), "data_dirr = 'x'\n").expect("written");
    let out = data.run(&["ssmix2", "export", "--out", "/tmp/unused-ssmix2-out"]);
    assert_eq!(out.status.code(), Some(78));
}

/// The NHO support-documents sample tree, copied without our `.utf8.txt` reading copies (they are not
/// part of the sample; see its SOURCE.txt).
fn copy_sample(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("sample readable") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("folder");
            copy_sample(&entry.path(), &target);
        } else if !entry.file_name().to_string_lossy().ends_with(".utf8.txt") {
            std::fs::copy(entry.path(), &target).expect("copied");
        }
    }
}

#[test]
fn the_nho_sample_tree_imports_and_exports_to_the_same_message() {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpora/ssmix2/nho-support-documents/sample/standard_root");
    let work = tempfile::tempdir().expect("temp dir");
    let tree = work.path().join("standard_root");
    copy_sample(&sample, &tree);
    let file = "012/345/0123456789/20080126/OML-11/0123456789_20080126_OML-11_081251234567800_200802031630123_01_1";
    assert!(tree.join(file).is_file());

    let data = Data::new();
    let (code, summary, stderr) = data.import(&tree, &[]);
    assert_eq!(code, Some(0), "{summary} {stderr}");
    assert_eq!(counts(&summary, "OML-11"), [1, 1, 0, 0, 0, 0]);
    let (code, again, _) = data.import(&tree, &[]);
    assert_eq!(
        (code, &again["total"]["duplicates"]),
        (Some(0), &Value::from(1))
    );

    // A reading copy left in the tree is rejected by its name, and the rest still imports.
    std::fs::write(tree.join(format!("{file}.utf8.txt")), "MSH|^~\\&|").expect("written");
    let (code, _, stderr) = data.import(&tree, &[]);
    assert_eq!(code, Some(65));
    assert!(stderr.contains("condition flag"), "{stderr}");

    let exported = work.path().join("exported");
    let (code, out) = data.export(&exported, &["--patient", "0123456789"]);
    assert_eq!(code, Some(0), "{out}");
    let original = std::fs::read(tree.join(file)).expect("original");
    let written = std::fs::read(exported.join(file)).expect("exported at the same path");
    // The sample is ISO-2022-JP with MSH-18/20 as we write them: the same bytes, plus the final CR.
    assert_eq!(
        written.strip_suffix(b"\r").unwrap_or(&written),
        &original[..]
    );

    let copy = Data::new();
    let (code, summary, stderr) = copy.import(&exported, &[]);
    assert_eq!(code, Some(0), "{summary} {stderr}");
    assert_eq!(
        without_receipt_time(copy.resources()),
        without_receipt_time(data.resources())
    );
}

/// The sample's MSH-7 (`20080203163012345`, 17 digits without the `.` of a DTM fraction) is not a
/// date-time, so Provenance.recorded is the time the gateway received the message, which differs
/// between two imports; everything else must be equal.
fn without_receipt_time(
    mut resources: BTreeMap<String, (i64, Value)>,
) -> BTreeMap<String, (i64, Value)> {
    for (key, (_, content)) in resources.iter_mut() {
        if key.starts_with("Provenance/") {
            if let Some(object) = content.as_object_mut() {
                object.remove("recorded");
            }
        }
    }
    resources
}

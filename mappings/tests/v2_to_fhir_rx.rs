//! Golden tests of the v2 → FHIR pharmacy and diet mappings (OMP-01/02 RDE^O11, OMP-11/12 RAS^O17, OMD
//! OMD^O03, RDS^O13 調剤実施 under `RDS-O13/`; issue #5 step 2): every fixture under `fixtures/hl7v2/{ok,err}/<data type>/` is mapped and
//! compared with the expected `{"bundle", "issues"}` beside it (`UPDATE_GOLDEN=1` rewrites them), and the
//! corpus prescription and injection orders map without error issues.

use std::fs;
use std::path::{Path, PathBuf};

use kakehashi_mappings::hl7v2::{parse_bytes, ParseOptions};
use kakehashi_mappings::v2_to_fhir::{map_message, Mapped, Source};
use serde_json::{json, Value};

/// The fixture folders and the data type each passes in the Source (RDS^O13 is no SS-MIX2 data type:
/// its folder is named after the message, its data type is the table's extended-storage style name).
const DATA_TYPES: &[(&str, &str)] = &[
    ("OMP-01", "OMP-01"),
    ("OMP-02", "OMP-02"),
    ("OMP-11", "OMP-11"),
    ("OMP-12", "OMP-12"),
    ("OMD", "OMD"),
    ("RDS-O13", DISPENSE),
];
const DISPENSE: &str = "L-DISPENSE^DISPENSE^99ZKH";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn map_file(path: &Path, data_type: Option<&str>) -> Result<Mapped, Value> {
    let raw = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed = parse_bytes(&raw, &ParseOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(parsed.batch.messages.len(), 1, "{}", path.display());
    let source = Source {
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        data_type: data_type.map(str::to_string),
        received: "2026-12-02T00:00:00.000Z".into(),
    };
    map_message(&parsed.batch.messages[0], &source)
        .map_err(|e| serde_json::to_value(e.to_issue()).unwrap())
}

fn fixtures(kind: &str) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    for (folder, dt) in DATA_TYPES {
        let dir = root().join("fixtures/hl7v2").join(kind).join(folder);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "hl7") {
                files.push((dt.to_string(), path));
            }
        }
    }
    files.sort();
    files
}

fn actual(result: &Result<Mapped, Value>) -> Value {
    match result {
        Ok(m) => json!({
            "bundle": m.transaction(false),
            "issues": serde_json::to_value(&m.issues).unwrap(),
        }),
        Err(issue) => json!({ "error": issue }),
    }
}

/// Compares every fixture of `kind` with its expected JSON (or rewrites it) and returns the results.
fn check_golden(kind: &str) -> Vec<(PathBuf, Result<Mapped, Value>)> {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut results = Vec::new();
    for (dt, path) in fixtures(kind) {
        let result = map_file(&path, Some(&dt));
        let got = actual(&result);
        let expected_path = path.with_extension("json");
        if update {
            let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
            fs::write(&expected_path, text).unwrap();
        } else {
            let text = fs::read_to_string(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            let expected: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                got,
                expected,
                "{} differs from its golden JSON",
                path.display()
            );
        }
        results.push((path, result));
    }
    results
}

fn resources<'m>(m: &'m Mapped, kind: &str) -> Vec<&'m Value> {
    m.resources
        .iter()
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

fn has_issue(m: &Mapped, severity: &str, position: &str) -> bool {
    serde_json::to_value(&m.issues)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["severity"] == severity && i["expression"] == position)
}

#[test]
fn ok_fixtures_match_their_golden_bundles_without_errors() {
    let results = check_golden("ok");
    for (folder, _) in DATA_TYPES {
        assert!(
            results
                .iter()
                .any(|(p, _)| p.parent().unwrap().ends_with(folder)),
            "no ok fixture for {folder}"
        );
    }
    for (path, result) in &results {
        let mapped = result
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            !mapped.has_errors(),
            "{}: {:#?}",
            path.display(),
            mapped.issues
        );
        let expected_type = match mapped.data_type.as_str() {
            "OMP-01" | "OMP-02" => "MedicationRequest",
            "OMP-11" | "OMP-12" => "MedicationAdministration",
            DISPENSE => "MedicationDispense",
            _ => "NutritionOrder",
        };
        assert!(
            !resources(mapped, expected_type).is_empty(),
            "{}",
            path.display()
        );
    }
    // At least two ok fixtures are ISO-2022-JP (ESC $ B in the bytes).
    let iso = fixtures("ok")
        .iter()
        .filter(|(_, p)| fs::read(p).unwrap().windows(3).any(|w| w == b"\x1b$B"))
        .count();
    assert!(iso >= 2, "{iso} ISO-2022-JP fixtures");
}

#[test]
fn err_fixtures_match_their_golden_answers_and_say_where() {
    let results = check_golden("err");
    let find = |name: &str| {
        results
            .iter()
            .find(|(p, _)| p.file_stem().unwrap() == name)
            .unwrap_or_else(|| panic!("no err fixture {name}"))
            .1
            .as_ref()
            .unwrap()
    };
    let orphan = find("rxe-without-orc");
    assert!(orphan.has_errors());
    assert!(has_issue(orphan, "error", "RXE"));
    let no_system = find("drug-code-without-system");
    assert!(has_issue(no_system, "warning", "RXE-2.3"));
    let bad_dose = find("non-numeric-dose");
    assert!(has_issue(bad_dose, "warning", "RXE[2]-3"));
    // The bad dose is dropped, the rest of the request is kept.
    let second = &resources(bad_dose, "MedicationRequest")[1];
    assert!(second["dosageInstruction"][0]["doseAndRate"][0]
        .get("doseQuantity")
        .is_none());
    assert_eq!(second["dispenseRequest"]["quantity"]["value"], 14);
}

#[test]
fn prescription_groups_become_requests_with_rp_numbers_timing_and_dispense() {
    let path = root().join("fixtures/hl7v2/ok/OMP-01/naifuku-tonyo-gaiyo.hl7");
    let mapped = map_file(&path, Some("OMP-01")).unwrap();
    let requests = resources(&mapped, "MedicationRequest");
    let rxe = fs::read_to_string(&path)
        .unwrap()
        .split('\r')
        .filter(|s| s.starts_with("RXE|"))
        .count();
    assert_eq!(requests.len(), rxe);
    let first = requests[0];
    assert_eq!(
        first["identifier"][0]["system"],
        "urn:oid:1.2.392.100495.20.3.81"
    );
    assert_eq!(first["identifier"][0]["value"], "1");
    assert_eq!(first["identifier"][1]["value"], "1");
    // The second drug of Rp 1 is RP内連番 2.
    assert_eq!(requests[1]["identifier"][0]["value"], "1");
    assert_eq!(requests[1]["identifier"][1]["value"], "2");
    assert_ne!(first["id"], requests[1]["id"]);
    let dosage = &first["dosageInstruction"][0];
    assert_eq!(
        dosage["timing"]["code"]["coding"][0]["code"],
        "1011040000000000"
    );
    assert_eq!(dosage["timing"]["repeat"]["boundsDuration"]["code"], "d");
    assert_eq!(dosage["route"]["coding"][0]["code"], "PO");
    assert_eq!(
        dosage["doseAndRate"][0]["rateRatio"]["denominator"]["unit"],
        "日"
    );
    assert!(first["requester"]["reference"]
        .as_str()
        .unwrap()
        .starts_with("PractitionerRole/"));
    // 頓用: asNeeded and the number of times.
    let tonyo = requests
        .iter()
        .find(|r| r["dosageInstruction"][0]["asNeededBoolean"] == true)
        .expect("a 頓用 request");
    assert_eq!(tonyo["dispenseRequest"]["extension"][0]["valueInteger"], 5);
    // Mapping again gives the same resources.
    assert_eq!(
        map_file(&path, Some("OMP-01")).unwrap().resources,
        mapped.resources
    );
}

#[test]
fn an_administration_refers_to_the_request_of_the_same_order() {
    let pairs = [
        (
            "OMP-01",
            "ok/OMP-01/naifuku-tonyo-gaiyo.hl7",
            "OMP-11",
            "ok/OMP-11/naifuku-jisshi.hl7",
        ),
        (
            "OMP-02",
            "ok/OMP-02/tenteki.hl7",
            "OMP-12",
            "ok/OMP-12/tenteki-jisshi.hl7",
        ),
    ];
    for (odt, order, adt, admin) in pairs {
        let order = map_file(&root().join("fixtures/hl7v2").join(order), Some(odt)).unwrap();
        let admin = map_file(&root().join("fixtures/hl7v2").join(admin), Some(adt)).unwrap();
        let ids: Vec<String> = resources(&order, "MedicationRequest")
            .iter()
            .map(|r| format!("MedicationRequest/{}", r["id"].as_str().unwrap()))
            .collect();
        let administrations = resources(&admin, "MedicationAdministration");
        assert!(!administrations.is_empty());
        for a in administrations {
            let request = a["request"]["reference"].as_str().unwrap();
            assert!(ids.iter().any(|i| i == request), "{request} not in {ids:?}");
        }
    }
}

#[test]
fn a_dispense_is_authorized_by_the_request_of_the_same_order() {
    let pairs = [
        (
            "OMP-01",
            "ok/OMP-01/naifuku-tonyo-gaiyo.hl7",
            "ok/RDS-O13/naifuku-chouzai.hl7",
            "http://jpfhir.jp/fhir/core/StructureDefinition/JP_MedicationDispense",
        ),
        (
            "OMP-02",
            "ok/OMP-02/tenteki.hl7",
            "ok/RDS-O13/tenteki-chouzai.hl7",
            "http://jpfhir.jp/fhir/core/StructureDefinition/JP_MedicationDispense_Injection",
        ),
    ];
    for (odt, order, dispense, profile) in pairs {
        let order = map_file(&root().join("fixtures/hl7v2").join(order), Some(odt)).unwrap();
        let path = root().join("fixtures/hl7v2").join(dispense);
        // No hint: RDS^O13 has one data type, and the injection is told by content.
        let mapped = map_file(&path, None).unwrap();
        assert_eq!(mapped.data_type, DISPENSE);
        let ids: Vec<String> = resources(&order, "MedicationRequest")
            .iter()
            .map(|r| format!("MedicationRequest/{}", r["id"].as_str().unwrap()))
            .collect();
        let rxd = fs::read(&path)
            .unwrap()
            .split(|b| *b == b'\r')
            .filter(|s| s.starts_with(b"RXD|"))
            .count();
        let dispenses = resources(&mapped, "MedicationDispense");
        assert_eq!(dispenses.len(), rxd, "{}", path.display());
        for d in &dispenses {
            assert_eq!(d["meta"]["profile"][0], profile);
            assert_eq!(d["status"], "completed");
            let request = d["authorizingPrescription"][0]["reference"]
                .as_str()
                .unwrap();
            assert!(ids.iter().any(|i| i == request), "{request} not in {ids:?}");
            assert!(d["whenHandedOver"].as_str().unwrap().ends_with("+09:00"));
            assert!(d["quantity"]["value"].is_number());
            assert!(d["dosageInstruction"][0]["text"].is_string());
            assert!(d["performer"][0]["actor"]["reference"]
                .as_str()
                .unwrap()
                .starts_with("Practitioner/"));
        }
    }
    let oral = map_file(
        &root().join("fixtures/hl7v2/ok/RDS-O13/naifuku-chouzai.hl7"),
        None,
    )
    .unwrap();
    let dispenses = resources(&oral, "MedicationDispense");
    assert_eq!(
        dispenses[0]["medicationCodeableConcept"]["coding"][0]["code"],
        "116962101"
    );
    assert_eq!(dispenses[0]["quantity"]["code"], "TAB");
    assert_eq!(dispenses[0]["substitution"]["wasSubstituted"], false);
    // RP内連番 2 of Rp 1, and the 頓用 of Rp 2.
    assert_eq!(dispenses[1]["identifier"][1]["value"], "2");
    assert_eq!(dispenses[2]["identifier"][0]["value"], "2");
    assert_eq!(
        dispenses[2]["dosageInstruction"][0]["asNeededBoolean"],
        true
    );
    let injection = map_file(
        &root().join("fixtures/hl7v2/ok/RDS-O13/tenteki-chouzai.hl7"),
        None,
    )
    .unwrap();
    let d = resources(&injection, "MedicationDispense")[0];
    assert_eq!(d["medicationReference"]["reference"], "#medication");
    assert_eq!(d["contained"][0]["ingredient"].as_array().unwrap().len(), 2);
    assert_eq!(d["contained"][1]["resourceType"], "BodyStructure");
    assert!(d["context"]["reference"]
        .as_str()
        .unwrap()
        .starts_with("Encounter/"));
    // A dispense message without RXD is refused, saying which segment is missing.
    let missing = map_file(
        &root().join("fixtures/hl7v2/err/RDS-O13/rxd-missing.hl7"),
        None,
    )
    .unwrap_err();
    assert_eq!(missing["expression"], "RXD");
}

/// The corpus RDE^O11 messages: as many MedicationRequests as RXE segments, the drug codes the file
/// names, no error issues.
#[test]
fn corpus_orders_map_without_errors() {
    let shared = root().join("../shared/corpora");
    let cases: [(&str, &str, &[&str]); 3] = [
        (
            "ssmix2/acedia-hl7v2-to-fhir/debug/example_prescription.txt",
            "OMP-01",
            &["103835401", "110626901", "100795402", "106238001"],
        ),
        (
            "eprescription/acedia-fhir-prescription/debug/from_v2/example_iso2022jp.txt",
            "OMP-01",
            &["103835401", "110626901", "100795402", "106238001"],
        ),
        (
            "ssmix2/acedia-hl7v2-to-fhir/debug/example_injection.txt",
            "OMP-02",
            &["107750602", "108010001", "107667701", "111177401"],
        ),
    ];
    for (file, data_type, codes) in cases {
        let path = shared.join(file);
        // No storage-path hint: the data type must come from the message itself.
        let mapped = map_file(&path, None).unwrap();
        assert_eq!(mapped.data_type, data_type, "{file}");
        assert!(!mapped.has_errors(), "{file}: {:#?}", mapped.issues);
        let raw = fs::read(&path).unwrap();
        let rxe = raw
            .split(|b| *b == b'\r' || *b == b'\n')
            .filter(|s| s.starts_with(b"RXE|"))
            .count();
        let requests = resources(&mapped, "MedicationRequest");
        assert_eq!(requests.len(), rxe, "{file}");
        let text = serde_json::to_string(&requests).unwrap();
        for code in codes {
            assert!(
                text.contains(&format!("\"code\":\"{code}\"")),
                "{file}: {code}"
            );
        }
        for r in &requests {
            assert!(r["authoredOn"].is_string(), "{file}");
            assert_eq!(
                r["subject"]["reference"],
                "Patient/1319999999.patient.1000000001"
            );
        }
    }
}

#[test]
fn injection_requests_contain_their_drugs_line_and_site() {
    let path = root().join("fixtures/hl7v2/ok/OMP-02/tenteki.hl7");
    let mapped = map_file(&path, Some("OMP-02")).unwrap();
    let requests = resources(&mapped, "MedicationRequest");
    assert_eq!(requests.len(), 2);
    let first = requests[0];
    assert_eq!(
        first["meta"]["profile"][0],
        "http://jpfhir.jp/fhir/core/StructureDefinition/JP_MedicationRequest_Injection"
    );
    // No orderInRp slice in the injection profile; the Rp number from ORC-4 `…_01_001`.
    assert_eq!(first["identifier"][0]["value"], "1");
    assert_eq!(requests[1]["identifier"][0]["value"], "2");
    assert_eq!(first["medicationReference"]["reference"], "#medication");
    let medication = &first["contained"][0];
    assert_eq!(medication["resourceType"], "Medication");
    let ingredients = medication["ingredient"].as_array().unwrap();
    assert_eq!(ingredients.len(), 2);
    assert_eq!(
        ingredients[1]["itemCodeableConcept"]["coding"][0]["code"],
        "100941701"
    );
    assert_eq!(ingredients[1]["strength"]["numerator"]["code"], "VIL");
    let dosage = &first["dosageInstruction"][0];
    assert_eq!(dosage["doseAndRate"][0]["doseQuantity"]["value"], 500);
    assert_eq!(dosage["doseAndRate"][0]["rateQuantity"]["value"], 125);
    assert_eq!(dosage["timing"]["repeat"]["durationUnit"], "h");
    assert_eq!(
        dosage["timing"]["repeat"]["boundsPeriod"]["end"],
        "2026-12-03T14:00:00+09:00"
    );
    assert_eq!(
        dosage["extension"][0]["valueCodeableConcept"]["text"],
        "主管"
    );
    // RXR-6 左 → a contained BodyStructure the site points at.
    assert_eq!(
        dosage["site"]["extension"][0]["valueReference"]["reference"],
        "#site"
    );
    let site = &first["contained"][1];
    assert_eq!(site["resourceType"], "BodyStructure");
    assert_eq!(site["locationQualifier"][0]["coding"][0]["code"], "L");
    // The second Rp (側管, no RXR-6) keeps its site as a plain code.
    assert_eq!(
        requests[1]["dosageInstruction"][0]["site"]["coding"][0]["code"],
        "ARM"
    );
}

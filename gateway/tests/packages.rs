//! Loading FHIR packages: JP Core from its .tgz, the JAMI e-prescription IG from a folder, and the
//! errors for oversized entries, broken JSON and folders that are not packages.

mod common;

use std::io::Write as _;
use std::path::Path;

use common::{JAMI_EPRESCRIPTION, JP_CORE};
use kakehashi::packages::{load, LoadedPackage, PackageError, PackageLimits};
use kakehashi_mappings::fhir::CONFORMANCE_RESOURCE_TYPES;

fn count(package: &LoadedPackage, resource_type: &str) -> usize {
    package
        .resources
        .iter()
        .filter(|f| f.resource["resourceType"] == resource_type)
        .count()
}

fn examples(package: &LoadedPackage) -> usize {
    package
        .resources
        .iter()
        .filter(|f| {
            let rt = f.resource["resourceType"].as_str().unwrap_or("");
            !CONFORMANCE_RESOURCE_TYPES.contains(&rt)
        })
        .count()
}

/// Writes a gzipped tar holding `entries` (path, bytes) to `path`.
fn write_tgz(path: &Path, entries: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).expect("create the tgz");
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut builder = tar::Builder::new(gz);
    for (name, bytes) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, *bytes)
            .expect("append an entry");
    }
    builder
        .into_inner()
        .expect("finish the tar")
        .finish()
        .expect("finish the gzip");
}

const MANIFEST: &[u8] = br#"{"name": "test.pkg", "version": "0.1.0"}"#;
const PATIENT: &[u8] = br#"{"resourceType": "Patient", "id": "p"}"#;

#[test]
fn loads_jp_core_from_its_tgz() {
    let package = load(Path::new(JP_CORE), &PackageLimits::default()).expect("JP Core loads");
    assert_eq!(package.name, "jp-core.r4");
    assert_eq!(package.version, "1.1.1-snap");
    assert!(
        count(&package, "StructureDefinition") >= 73,
        "{}",
        count(&package, "StructureDefinition")
    );
    assert!(examples(&package) >= 20, "{} examples", examples(&package));
    assert!(package
        .resources
        .iter()
        .all(|f| f.file.starts_with("package/")));
    let files: Vec<&str> = package.resources.iter().map(|f| f.file.as_str()).collect();
    let mut sorted = files.clone();
    sorted.sort_unstable();
    assert_eq!(files, sorted, "resources are sorted by file name");
    assert!(!files.contains(&"package/package.json"));
}

#[test]
fn loads_the_jami_eprescription_ig_from_a_folder() {
    let package =
        load(Path::new(JAMI_EPRESCRIPTION), &PackageLimits::default()).expect("the JAMI IG loads");
    assert!(!package.name.is_empty() && !package.version.is_empty());
    assert_eq!(count(&package, "StructureDefinition"), 18);
    assert!(package
        .resources
        .iter()
        .any(|f| f.file.starts_with("Bundle-") && f.resource["resourceType"] == "Bundle"));
}

#[test]
fn a_tgz_reads_examples_and_skips_other_folders_and_index_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tgz = dir.path().join("pkg.tgz");
    write_tgz(
        &tgz,
        &[
            ("package/package.json", MANIFEST),
            (
                "package/.index.json",
                br#"{"index-version": 1, "files": []}"#,
            ),
            ("package/Patient-p.json", PATIENT),
            ("package/examples/Patient-e.json", PATIENT),
            ("package/other/Patient-o.json", PATIENT),
            ("package/openapi/broken.json", b"{not json"),
            ("package/notes.json", br#"{"no": "resourceType"}"#),
        ],
    );
    let package = load(&tgz, &PackageLimits::default()).expect("the tgz loads");
    assert_eq!(
        (package.name.as_str(), package.version.as_str()),
        ("test.pkg", "0.1.0")
    );
    let files: Vec<&str> = package.resources.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(
        files,
        ["package/Patient-p.json", "package/examples/Patient-e.json"]
    );
}

#[test]
fn a_tgz_entry_over_the_limit_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tgz = dir.path().join("big.tgz");
    let big = vec![b' '; 4096];
    write_tgz(
        &tgz,
        &[
            ("package/package.json", MANIFEST),
            ("package/Big.json", &big),
        ],
    );
    let limits = PackageLimits {
        max_file_bytes: 1024,
        ..PackageLimits::default()
    };
    match load(&tgz, &limits) {
        Err(PackageError::TooLarge { file, limit, .. }) => {
            assert_eq!((file.as_str(), limit), ("package/Big.json", 1024));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn a_tar_header_announcing_a_huge_entry_is_refused_before_reading() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tgz = dir.path().join("bomb.tgz");
    let file = std::fs::File::create(&tgz).expect("create the tgz");
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut header = tar::Header::new_gnu();
    header.set_path("package/Bomb.json").expect("path");
    header.set_size(1 << 40);
    header.set_mode(0o644);
    header.set_cksum();
    gz.write_all(header.as_bytes()).expect("write the header");
    gz.finish().expect("finish the gzip");
    match load(&tgz, &PackageLimits::default()) {
        Err(PackageError::TooLarge { file, what, .. }) => {
            assert_eq!(
                (file.as_str(), what),
                ("package/Bomb.json", "bytes per file")
            );
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn too_many_files_or_bytes_in_total_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tgz = dir.path().join("many.tgz");
    let names: Vec<String> = (0..10)
        .map(|i| format!("package/Patient-{i}.json"))
        .collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("package/package.json", MANIFEST)];
    entries.extend(names.iter().map(|n| (n.as_str(), PATIENT)));
    write_tgz(&tgz, &entries);
    let few_files = PackageLimits {
        max_files: 5,
        ..PackageLimits::default()
    };
    assert!(matches!(
        load(&tgz, &few_files),
        Err(PackageError::TooLarge { what: "files", .. })
    ));
    let few_bytes = PackageLimits {
        max_total_bytes: 200,
        ..PackageLimits::default()
    };
    assert!(matches!(
        load(&tgz, &few_bytes),
        Err(PackageError::TooLarge {
            what: "bytes in total",
            ..
        })
    ));
}

#[test]
fn a_folder_file_over_the_limit_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("package.json"), MANIFEST).expect("write");
    std::fs::write(dir.path().join("Big.json"), vec![b' '; 4096]).expect("write");
    let limits = PackageLimits {
        max_file_bytes: 1024,
        ..PackageLimits::default()
    };
    match load(dir.path(), &limits) {
        Err(PackageError::TooLarge { file, .. }) => assert_eq!(file, "Big.json"),
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn broken_json_in_a_folder_names_the_file_and_position() {
    let dir = tempfile::tempdir().expect("temp dir");
    let package = dir.path().join("package");
    std::fs::create_dir(&package).expect("mkdir");
    std::fs::write(package.join("package.json"), MANIFEST).expect("write");
    std::fs::write(package.join("Patient-ok.json"), PATIENT).expect("write");
    std::fs::write(
        package.join("Patient-bad.json"),
        "{\n  \"resourceType\": \"Patient\",\n  oops\n}",
    )
    .expect("write");
    let err = load(dir.path(), &PackageLimits::default()).expect_err("broken JSON fails");
    match &err {
        PackageError::Json {
            file, line, column, ..
        } => {
            assert_eq!(
                (file.as_str(), *line, *column),
                ("package/Patient-bad.json", 3, 3)
            );
        }
        other => panic!("expected Json, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.starts_with("package/Patient-bad.json:3:3: invalid JSON: "),
        "{text}"
    );
}

#[test]
fn a_folder_without_json_is_not_a_package() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("README.md"), "no resources here").expect("write");
    assert!(matches!(
        load(dir.path(), &PackageLimits::default()),
        Err(PackageError::NotAPackage { .. })
    ));
    let manifest_only = tempfile::tempdir().expect("temp dir");
    std::fs::write(manifest_only.path().join("package.json"), MANIFEST).expect("write");
    assert!(matches!(
        load(manifest_only.path(), &PackageLimits::default()),
        Err(PackageError::NotAPackage { .. })
    ));
}

#[test]
fn missing_paths_and_other_files_are_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(matches!(
        load(&dir.path().join("absent.tgz"), &PackageLimits::default()),
        Err(PackageError::Io { .. })
    ));
    let zip = dir.path().join("pkg.zip");
    std::fs::write(&zip, b"PK").expect("write");
    assert!(matches!(
        load(&zip, &PackageLimits::default()),
        Err(PackageError::NotAPackage { .. })
    ));
    let fake = dir.path().join("fake.tgz");
    std::fs::write(&fake, b"not gzip at all").expect("write");
    assert!(matches!(
        load(&fake, &PackageLimits::default()),
        Err(PackageError::Io { .. })
    ));
}

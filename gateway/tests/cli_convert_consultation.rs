//! `kakehashi convert` between the consultation platform's documents and FHIR (issue #6): every example
//! goes to FHIR and back unchanged through the real binary; a document the schema refuses exits 65
//! naming the member.

mod common;

use common::{kakehashi, text};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/consultation/ok");

fn native_format(file: &str) -> Option<&'static str> {
    [
        ("record-", "consultation"),
        ("care-plan-", "careplan"),
        ("consent-", "consent"),
    ]
    .into_iter()
    .find(|(prefix, _)| file.starts_with(prefix))
    .map(|(_, format)| format)
}

#[test]
fn every_example_converts_to_fhir_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut converted = 0;
    for entry in std::fs::read_dir(EXAMPLES).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".fhir.json") {
            continue;
        }
        let format = native_format(&name).expect("examples are named by their kind");
        let out = kakehashi(&[
            "convert",
            "--from",
            format,
            "--to",
            "fhir",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        let bundle: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(bundle["type"], "transaction", "{name}");
        let fhir = dir.path().join(format!("{name}.fhir"));
        std::fs::write(&fhir, &out.stdout).unwrap();
        let out = kakehashi(&[
            "convert",
            "--from",
            "fhir",
            "--to",
            format,
            fhir.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        let back: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let original: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(back, original, "{name}");
        converted += 1;
    }
    assert!(converted >= 12, "{converted} examples");
}

#[test]
fn a_refused_document_exits_65_naming_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("consent.json");
    std::fs::write(&path, r#"{"consentId": "C1", "kind": "everything"}"#).unwrap();
    let out = kakehashi(&[
        "convert",
        "--from",
        "consent",
        "--to",
        "fhir",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(65));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("(kind)"), "{stderr}");
    assert!(stderr.contains("patient"), "{stderr}");
    assert!(out.stdout.is_empty());
}

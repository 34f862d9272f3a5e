//! Golden fixtures of the order and result mappings (OML-01, OML-11, OMG-01/02/03, OMG-11/12, OMG-13,
//! ORU^R30 vital signs): every `fixtures/hl7v2/ok/<TYPE>/*.hl7` maps to the `{"bundle", "issues"}` beside
//! it, every `fixtures/hl7v2/err/<TYPE>/*.hl7` to its `{"error", "issues"}` (warnings and errors only).
//! `UPDATE_GOLDEN=1` rewrites the expected files. Plus checks of single values that must hold whatever
//! the golden files say.

use std::fs;
use std::path::{Path, PathBuf};

use kakehashi_mappings::hl7v2::{parse_bytes, ParseOptions};
use kakehashi_mappings::v2_to_fhir::{map_message, MapError, Mapped, Source};
use kakehashi_mappings::Severity;
use serde_json::{json, Value};

/// The fixture folders of this test and the data type each passes in the Source.
const TYPES: &[(&str, &str)] = &[
    ("OML-01", "OML-01"),
    ("OML-11", "OML-11"),
    ("OMG-01", "OMG-01"),
    ("OMG-02", "OMG-02"),
    ("OMG-03", "OMG-03"),
    ("OMG-11", "OMG-11"),
    ("OMG-12", "OMG-12"),
    ("OMG-13", "OMG-13"),
    ("ORU-R30", "L-OBSERVATIONS^OBSERVATIONS^99ZL01"),
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/hl7v2")
}

fn messages_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "hl7"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn map_file(path: &Path, data_type: &str) -> Result<Mapped, MapError> {
    let raw = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed = parse_bytes(&raw, &ParseOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let message = &parsed.batch.messages[0];
    let source = Source {
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        data_type: Some(data_type.to_string()),
        received: "2026-12-02T00:00:00.000Z".into(),
    };
    map_message(message, &source)
}

fn compare(path: &Path, actual: &Value) {
    let expected_path = path.with_extension("json");
    let text = serde_json::to_string_pretty(actual).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(&expected_path, &text).unwrap();
        return;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1)",
            expected_path.display()
        )
    });
    let expected: Value = serde_json::from_str(&expected).unwrap();
    assert!(
        &expected == actual,
        "{} differs from {}:\n{text}",
        path.display(),
        expected_path.display()
    );
}

#[test]
fn ok_fixtures_map_to_their_golden_bundles() {
    let mut seen = 0;
    for (folder, data_type) in TYPES {
        let files = messages_in(&fixtures().join("ok").join(folder));
        assert!(!files.is_empty(), "no fixture under ok/{folder}");
        for path in files {
            let mapped =
                map_file(&path, data_type).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                !mapped.has_errors(),
                "{}: {:#?}",
                path.display(),
                mapped.issues
            );
            let actual = json!({"bundle": mapped.transaction(false), "issues": mapped.issues});
            compare(&path, &actual);
            seen += 1;
        }
    }
    assert!(seen >= 10, "{seen}");
}

#[test]
fn err_fixtures_give_their_errors_and_warnings() {
    let mut seen = 0;
    for (folder, data_type) in TYPES {
        for path in messages_in(&fixtures().join("err").join(folder)) {
            let actual = match map_file(&path, data_type) {
                Err(e) => json!({"error": e.to_string(), "position": e.position(), "issues": []}),
                Ok(mapped) => {
                    let issues: Vec<_> = mapped
                        .issues
                        .iter()
                        .filter(|i| i.severity != Severity::Information)
                        .collect();
                    assert!(
                        !issues.is_empty(),
                        "{}: no warning or error",
                        path.display()
                    );
                    json!({"error": null, "issues": issues})
                }
            };
            compare(&path, &actual);
            seen += 1;
        }
    }
    assert!(seen >= 3, "{seen}");
}

fn resources<'a>(mapped: &'a Mapped, kind: &str) -> Vec<&'a Value> {
    mapped
        .resources
        .iter()
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

fn ok(folder: &str, name: &str) -> Mapped {
    let data_type = TYPES
        .iter()
        .find(|(f, _)| *f == folder)
        .map(|(_, d)| *d)
        .unwrap();
    map_file(&fixtures().join("ok").join(folder).join(name), data_type).unwrap()
}

#[test]
fn numeric_lab_results_carry_units_ranges_flags_and_links() {
    let mapped = ok("OML-11", "biochemistry.hl7");
    let observations = resources(&mapped, "Observation");
    assert!(observations.len() >= 5);
    let first = observations[0];
    assert_eq!(
        first["meta"]["profile"][0],
        "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Observation_LabResult"
    );
    assert_eq!(first["category"][0]["coding"][0]["code"], "laboratory");
    assert_eq!(
        first["code"]["coding"][0]["system"],
        "http://medis.or.jp/CodeSystem/master-JLAC10-17digits"
    );
    assert!(first["valueQuantity"]["value"].is_number());
    assert!(first["referenceRange"][0]["low"]["value"].is_number());
    assert!(first["specimen"]["reference"]
        .as_str()
        .unwrap()
        .starts_with("Specimen/"));
    assert!(first["basedOn"][0]["reference"]
        .as_str()
        .unwrap()
        .starts_with("ServiceRequest/"));
    assert!(observations
        .iter()
        .any(|o| o["interpretation"][0]["coding"][0]["code"] == "H"));
    let report = resources(&mapped, "DiagnosticReport")[0];
    assert_eq!(report["category"][0]["coding"][0]["code"], "LAB");
    assert_eq!(
        report["result"].as_array().unwrap().len(),
        observations.len()
    );
    // Same message twice: same resources.
    let again = ok("OML-11", "biochemistry.hl7");
    assert_eq!(again.resources, mapped.resources);
}

#[test]
fn culture_results_are_coded_values() {
    let mapped = ok("OML-11", "culture.hl7");
    let observations = resources(&mapped, "Observation");
    assert!(observations
        .iter()
        .any(|o| o["valueCodeableConcept"]["coding"][0]["code"].is_string()));
    assert!(observations.iter().any(|o| o["status"] == "preliminary"));
    let specimen = resources(&mapped, "Specimen")[0];
    assert!(specimen["type"]["coding"][0]["code"].is_string());
    assert!(specimen["collection"]["collectedDateTime"].is_string());
}

#[test]
fn vital_signs_get_their_category_and_loinc_codes() {
    let mapped = ok("ORU-R30", "vital_signs.hl7");
    let observations = resources(&mapped, "Observation");
    assert!(!observations.is_empty());
    for o in &observations {
        assert_eq!(o["category"][0]["coding"][0]["code"], "vital-signs");
        assert_eq!(
            o["meta"]["profile"][0],
            "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Observation_VitalSigns"
        );
    }
    let systolic = observations
        .iter()
        .find(|o| o["code"]["coding"][0]["code"] == "9A751000000000001")
        .expect("systolic blood pressure");
    assert_eq!(systolic["code"]["coding"][1]["code"], "8480-6");
    assert_eq!(systolic["valueQuantity"]["code"], "mm[Hg]");
}

#[test]
fn imaging_done_gives_an_imaging_study_with_its_uid() {
    let mapped = ok("OMG-11", "ct_done.hl7");
    let study = resources(&mapped, "ImagingStudy")[0];
    assert_eq!(
        study["meta"]["profile"][0],
        "http://jpfhir.jp/fhir/core/StructureDefinition/JP_ImagingStudy_Radiology"
    );
    assert_eq!(study["identifier"][0]["system"], "urn:dicom:uid");
    assert!(study["identifier"][0]["value"]
        .as_str()
        .unwrap()
        .starts_with("urn:oid:1.2."));
    assert_eq!(study["identifier"][1]["type"]["coding"][0]["code"], "ACSN");
    let endoscopy = ok("OMG-12", "gastroscopy_done.hl7");
    let procedures = resources(&endoscopy, "Procedure");
    assert!(procedures.len() >= 2);
    assert!(procedures.iter().any(|p| p["partOf"].is_array()));
}

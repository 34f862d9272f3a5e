//! Golden tests of the HL7 v2 → FHIR mapping of the ADT family, ADT^A60 and PPR^ZD1: every
//! `fixtures/hl7v2/ok/<data type>/*.hl7` of those data types is read as bytes (so MSH-18 decoding runs),
//! mapped, and compared with the `{"bundle", "issues"}` beside it; every `fixtures/hl7v2/err/<data
//! type>/*.hl7` with its `{"error"}` or `{"issues"}`. `UPDATE_GOLDEN=1` rewrites the expected files.

use std::fs;
use std::path::{Path, PathBuf};

use kakehashi_mappings::hl7v2::{parse_bytes, Charset, ParseOptions};
use kakehashi_mappings::v2_to_fhir::{map_message, Source};
use serde_json::{json, Value};

const DATA_TYPES: &[&str] = &[
    "ADT-00", "ADT-01", "ADT-12", "ADT-21", "ADT-22", "ADT-31", "ADT-32", "ADT-41", "ADT-42",
    "ADT-51", "ADT-52", "ADT-61", "PPR-01",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/hl7v2")
}

fn messages(kind: &str, data_type: &str) -> Vec<PathBuf> {
    let dir = fixtures().join(kind).join(data_type);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "hl7"));
    files.sort();
    files
}

/// Maps one fixture: `Ok(json)` with the bundle and issues, `Err(json)` with the error.
fn map(path: &Path, data_type: &str) -> (Charset, Result<Value, Value>) {
    let raw = fs::read(path).unwrap();
    let parsed = parse_bytes(&raw, &ParseOptions::default()).unwrap();
    let message = &parsed.batch.messages[0];
    let source = Source {
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        data_type: Some(data_type.to_string()),
        received: "2026-12-02T00:00:00.000Z".into(),
    };
    let result = match map_message(message, &source) {
        Ok(mapped) => Ok(json!({
            "cancel": mapped.cancel,
            "retire": mapped.retire,
            "bundle": mapped.transaction(false),
            "issues": mapped.issues,
        })),
        Err(e) => Err(json!({ "error": e.to_issue() })),
    };
    (parsed.decoded.used, result)
}

fn check(path: &Path, actual: &Value) {
    let expected_path = path.with_extension("json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let mut text = serde_json::to_string_pretty(actual).unwrap();
        text.push('\n');
        fs::write(&expected_path, text).unwrap();
        return;
    }
    let expected: Value = serde_json::from_str(
        &fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} is missing", expected_path.display())),
    )
    .unwrap();
    assert_eq!(
        actual,
        &expected,
        "{} differs from {}",
        path.display(),
        expected_path.display()
    );
}

fn resources<'a>(mapped: &'a Value, kind: &str) -> Vec<&'a Value> {
    mapped["bundle"]["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

#[test]
fn ok_fixtures_map_to_their_golden_bundles_without_errors() {
    let mut iso_2022_jp = 0;
    for data_type in DATA_TYPES {
        let files = messages("ok", data_type);
        assert!(!files.is_empty(), "no ok fixture for {data_type}");
        for path in files {
            let (charset, result) = map(&path, data_type);
            if charset == Charset::Iso2022Jp {
                iso_2022_jp += 1;
            }
            let mapped = result.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let issues = mapped["issues"].as_array().unwrap();
            assert!(
                issues
                    .iter()
                    .all(|i| i["severity"] != "error" && i["severity"] != "fatal"),
                "{}: {issues:?}",
                path.display()
            );
            check(&path, &mapped);
        }
    }
    assert!(iso_2022_jp >= 3, "only {iso_2022_jp} ISO-2022-JP fixtures");
}

#[test]
fn err_fixtures_give_their_golden_errors_and_warnings() {
    let mut seen = 0;
    for data_type in DATA_TYPES {
        for path in messages("err", data_type) {
            seen += 1;
            let (_, result) = map(&path, data_type);
            let actual = match result {
                Err(error) => error,
                Ok(mapped) => json!({ "issues": mapped["issues"] }),
            };
            check(&path, &actual);
        }
    }
    assert!(seen >= 4);
}

fn ok(data_type: &str, name: &str) -> Value {
    let path = fixtures().join("ok").join(data_type).join(name);
    map(&path, data_type).1.unwrap()
}

fn err(data_type: &str, name: &str) -> Result<Value, Value> {
    let path = fixtures().join("err").join(data_type).join(name);
    map(&path, data_type).1
}

#[test]
fn a_stay_is_one_encounter_from_admission_through_transfer_to_discharge() {
    let ids: Vec<(String, String)> = [
        ("ADT-21", "a14-planned-admission.hl7"),
        ("ADT-22", "a01-admission.hl7"),
        ("ADT-22", "a11-admission-cancel.hl7"),
        ("ADT-42", "a02-transfer.hl7"),
        ("ADT-52", "a03-discharge.hl7"),
        ("ADT-52", "a13-discharge-cancel.hl7"),
    ]
    .iter()
    .map(|(dt, name)| {
        let mapped = ok(dt, name);
        let encounter = resources(&mapped, "Encounter")[0];
        (
            encounter["id"].as_str().unwrap().to_string(),
            encounter["status"].as_str().unwrap().to_string(),
        )
    })
    .collect();
    assert!(ids.iter().all(|(id, _)| id == &ids[0].0), "{ids:?}");
    let statuses: Vec<&str> = ids.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "planned",
            "arrived",
            "cancelled",
            "in-progress",
            "finished",
            "in-progress"
        ]
    );
    let cancels: Vec<bool> = [
        ("ADT-22", "a11-admission-cancel.hl7"),
        ("ADT-52", "a13-discharge-cancel.hl7"),
        ("ADT-00", "a23-patient-delete.hl7"),
        ("ADT-22", "a01-admission.hl7"),
    ]
    .iter()
    .map(|(dt, name)| ok(dt, name)["cancel"].as_bool().unwrap())
    .collect();
    assert_eq!(cancels, [true, true, true, false]);
}

#[test]
fn the_encounter_carries_class_period_location_and_doctors() {
    let mapped = ok("ADT-22", "a01-admission.hl7");
    let encounter = resources(&mapped, "Encounter")[0];
    assert_eq!(encounter["class"]["code"], "IMP");
    assert_eq!(encounter["period"]["start"], "2016-11-20T10:30:00+09:00");
    assert_eq!(encounter["identifier"][0]["value"], "1234567");
    assert_eq!(
        encounter["location"][0]["period"]["start"],
        "2016-11-20T10:30:00+09:00"
    );
    let roles: Vec<&str> = encounter["participant"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"][0]["coding"][0]["code"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["ATND", "ADM"]);
    let bed = encounter["location"][0]["location"]["reference"]
        .as_str()
        .unwrap();
    let locations = resources(&mapped, "Location");
    assert_eq!(locations.len(), 3);
    let bed_resource = locations
        .iter()
        .find(|l| format!("Location/{}", l["id"].as_str().unwrap()) == bed)
        .unwrap();
    assert_eq!(bed_resource["physicalType"]["coding"][0]["code"], "bd");
    assert!(bed_resource["partOf"]["reference"].is_string());
    let doctors = resources(&mapped, "Practitioner");
    assert_eq!(doctors[0]["name"][0]["text"], "山田 一郎");
    assert_eq!(
        doctors[0]["identifier"][0]["system"],
        "urn:oid:1.2.392.100495.20.3.41.11319999999"
    );
    // Outpatient: no 来院番号, class AMB, the id from the day.
    let outpatient = ok("ADT-12", "a04-outpatient.hl7");
    let visit = resources(&outpatient, "Encounter")[0];
    assert_eq!(visit["class"]["code"], "AMB");
    assert_eq!(visit["status"], "arrived");
    assert!(visit["id"].as_str().unwrap().contains("20161110"));
}

#[test]
fn the_patient_record_maps_contacts_allergies_coverage_and_observations() {
    let mapped = ok("ADT-00", "a08-patient-update.hl7");
    let patient = resources(&mapped, "Patient")[0];
    assert_eq!(patient["contact"][0]["name"]["text"], "東京 花子");
    assert_eq!(
        patient["contact"][0]["relationship"][0]["coding"][0]["code"],
        "SPO"
    );
    let allergies = resources(&mapped, "AllergyIntolerance");
    assert_eq!(allergies.len(), 2);
    assert_eq!(allergies[0]["category"][0], "medication");
    assert_eq!(allergies[0]["reaction"][0]["severity"], "severe");
    let coverage = resources(&mapped, "Coverage")[0];
    assert_eq!(coverage["extension"][0]["valueString"], "ＡＢＣ１２");
    assert_eq!(coverage["period"]["start"], "2016-04-01");
    let insurer = resources(&mapped, "Organization")[0];
    assert_eq!(insurer["identifier"][0]["value"], "06139999");
    let observations = resources(&mapped, "Observation");
    assert_eq!(observations.len(), 3);
    assert_eq!(
        observations[0]["valueQuantity"]["value"].to_string(),
        "172.5"
    );
    assert_eq!(
        observations[0]["category"][0]["coding"][0]["code"],
        "vital-signs"
    );
    assert!(observations[2].get("category").is_none());
    // A08's PV1 with class N is no visit.
    assert!(resources(&mapped, "Encounter").is_empty());
}

#[test]
fn allergies_and_problems_follow_their_action_codes() {
    let mapped = ok("ADT-61", "a60-allergies.hl7");
    let allergies = resources(&mapped, "AllergyIntolerance");
    let clinical: Vec<Value> = allergies
        .iter()
        .map(|a| a["clinicalStatus"]["coding"][0]["code"].clone())
        .collect();
    assert_eq!(clinical, [json!("active"), json!("active"), Value::Null]);
    assert_eq!(
        allergies[2]["verificationStatus"]["coding"][0]["code"],
        "entered-in-error"
    );
    assert_eq!(
        allergies[0]["reaction"][0]["manifestation"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(allergies[1]["onsetString"], "幼少期");

    let mapped = ok("PPR-01", "zd1-problems.hl7");
    let conditions = resources(&mapped, "Condition");
    assert_eq!(conditions.len(), 3);
    let systems: Vec<&str> = conditions[0]["code"]["coding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["system"].as_str().unwrap())
        .collect();
    assert!(systems.contains(&"http://medis.or.jp/CodeSystem/master-disease-modKeyNumber"));
    assert!(systems.contains(&"http://jpfhir.jp/fhir/core/mhlw/CodeSystem/ICD10-2013-full"));
    assert_eq!(conditions[0]["recorder"]["display"], "山田 一郎");
    assert_eq!(
        conditions[1]["clinicalStatus"]["coding"][0]["code"],
        "resolved"
    );
    assert_eq!(
        conditions[1]["verificationStatus"]["coding"][0]["code"],
        "provisional"
    );
    assert!(conditions[2].get("clinicalStatus").is_none());
    assert_eq!(
        conditions[2]["verificationStatus"]["coding"][0]["code"],
        "entered-in-error"
    );
    // ZI1 stays reported.
    assert!(mapped["issues"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["expression"] == "ZI1"));
}

#[test]
fn bad_input_is_refused_or_warned_about_at_its_position() {
    let missing_pid = err("ADT-00", "missing-pid.hl7").unwrap_err();
    assert_eq!(missing_pid["error"]["expression"], "PID");
    let unknown = err("ADT-00", "unknown-trigger.hl7").unwrap_err();
    assert_eq!(unknown["error"]["code"], "not-supported");
    let missing_pv1 = err("ADT-22", "missing-pv1.hl7").unwrap_err();
    assert_eq!(missing_pv1["error"]["expression"], "PV1");
    let bad_date = err("ADT-00", "bad-birth-date.hl7").unwrap();
    assert!(bad_date["issues"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["severity"] == "warning" && i["expression"] == "PID-7"));
}

//! The consultation mappings both ways (issue #6): every native example in `fixtures/consultation/ok/`
//! (the model picked by its file-name prefix `record-`, `care-plan-`, `consent-`) maps to a transaction
//! Bundle that is the same every time, has deterministic ids only, passes the typed R4 parse, equals the
//! golden `<name>.fhir.json` beside it (`UPDATE_GOLDEN=1` rewrites those), and reads back to exactly the
//! same document, also once a server has replaced the `urn:uuid:` references by `Type/id`.

use std::fs;
use std::path::{Path, PathBuf};

use kakehashi_mappings::consultation::from_fhir::{
    care_plan_from_fhir, consent_from_fhir, record_from_fhir,
};
use kakehashi_mappings::consultation::model::{CarePlan, Consent, ConsultationRecord};
use kakehashi_mappings::consultation::to_fhir::{
    care_plan_to_fhir, consent_to_fhir, record_to_fhir, MapContext,
};
use kakehashi_mappings::fhir::canonicalise;
use serde_json::Value;

const PATIENT_SYSTEM: &str = "urn:oid:1.2.392.100495.20.3.51.11311234567";

fn ctx() -> MapContext {
    MapContext {
        patient_id_system: PATIENT_SYSTEM.into(),
    }
}

/// The native examples: `*.json` but not the golden `*.fhir.json`.
fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/consultation/ok");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".json") && !name.ends_with(".fhir.json")
        })
        .collect();
    files.sort();
    files
}

fn name_of(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// Maps the fixture at `path` to FHIR and back; returns the Bundle and whether the round trip and the
/// second mapping agree (asserting inside).
fn round_trip(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap();
    let name = name_of(path);
    let ctx = ctx();
    macro_rules! both_ways {
        ($ty:ty, $to:ident, $from:ident) => {{
            let native: $ty = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let bundle = $to(&native, &ctx);
            assert_eq!(bundle, $to(&native, &ctx), "{name}: mapping twice differs");
            let back = $from(&bundle).unwrap_or_else(|e| panic!("{name}: {e:#?}"));
            assert_eq!(back, native, "{name}: FHIR → native differs");
            let served = as_served(&bundle);
            let back = $from(&served).unwrap_or_else(|e| panic!("{name} (served): {e:#?}"));
            assert_eq!(
                back, native,
                "{name}: the served resources read back differently"
            );
            bundle
        }};
    }
    if name.starts_with("record-") {
        both_ways!(ConsultationRecord, record_to_fhir, record_from_fhir)
    } else if name.starts_with("care-plan-") {
        both_ways!(CarePlan, care_plan_to_fhir, care_plan_from_fhir)
    } else if name.starts_with("consent-") {
        both_ways!(Consent, consent_to_fhir, consent_from_fhir)
    } else {
        panic!("{name}: no model for this file-name prefix");
    }
}

/// The Bundle as a server returns its resources after the transaction: a searchset whose references
/// are `Type/id` (the Patient given id `p1`) and whose fullUrls are absolute.
fn as_served(bundle: &Value) -> Value {
    let mut ids = std::collections::HashMap::new();
    for entry in bundle["entry"].as_array().unwrap() {
        let r = &entry["resource"];
        let id = r["id"].as_str().unwrap_or("p1");
        ids.insert(
            entry["fullUrl"].as_str().unwrap().to_string(),
            format!("{}/{id}", r["resourceType"].as_str().unwrap()),
        );
    }
    let entries: Vec<Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let mut resource = entry["resource"].clone();
            if resource.get("id").is_none() {
                resource["id"] = "p1".into();
            }
            kakehashi_mappings::fhir::references::rewrite_references(&mut resource, &mut |r| {
                ids.get(r).cloned()
            });
            let local = format!(
                "{}/{}",
                resource["resourceType"].as_str().unwrap(),
                resource["id"].as_str().unwrap()
            );
            serde_json::json!({"fullUrl": format!("https://gateway.example/fhir/{local}"), "resource": resource, "search": {"mode": "match"}})
        })
        .collect();
    serde_json::json!({"resourceType": "Bundle", "type": "searchset", "entry": entries})
}

fn check_golden(path: &Path, bundle: &Value) {
    let golden = path.with_extension("fhir.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let mut text = serde_json::to_string_pretty(bundle).unwrap();
        text.push('\n');
        fs::write(&golden, text).unwrap();
        return;
    }
    let expected: Value = serde_json::from_str(&fs::read_to_string(&golden).unwrap_or_else(|_| {
        panic!(
            "{} is missing (UPDATE_GOLDEN=1 writes it)",
            golden.display()
        )
    }))
    .unwrap();
    assert_eq!(
        bundle,
        &expected,
        "{} differs from {}",
        path.display(),
        golden.display()
    );
}

#[test]
fn every_example_maps_to_its_golden_bundle_and_back_unchanged() {
    let files = fixtures();
    assert!(files.len() >= 7, "only {} examples", files.len());
    let mut kinds = std::collections::BTreeSet::new();
    for path in &files {
        let bundle = round_trip(path);
        let name = name_of(path);
        assert_eq!(bundle["type"], "transaction", "{name}");
        for (i, entry) in bundle["entry"].as_array().unwrap().iter().enumerate() {
            let resource = &entry["resource"];
            let kind = resource["resourceType"].as_str().unwrap();
            kinds.insert(kind.to_string());
            let full_url = entry["fullUrl"].as_str().unwrap();
            assert!(
                full_url.starts_with("urn:uuid:"),
                "{name} entry {i}: {full_url}"
            );
            let request = &entry["request"];
            if kind == "Patient" {
                assert_eq!(request["method"], "POST", "{name}");
                assert_eq!(
                    request["ifNoneExist"],
                    format!(
                        "identifier={PATIENT_SYSTEM}|{}",
                        resource["identifier"][0]["value"].as_str().unwrap()
                    )
                );
                assert_eq!(i, 0, "{name}: the Patient comes first");
            } else {
                let id = resource["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name} entry {i} has no id"));
                assert!(id.starts_with("consultation."), "{name}: {id}");
                assert_eq!(request["method"], "PUT", "{name}");
                assert_eq!(request["url"], format!("{kind}/{id}"), "{name}");
            }
            if let Err(issue) = canonicalise(resource) {
                panic!("{name} entry {i} ({kind}) fails the typed R4 parse: {issue:?}");
            }
        }
        canonicalise(&bundle).unwrap_or_else(|issue| panic!("{name}: Bundle: {issue:?}"));
        check_golden(path, &bundle);
    }
    for kind in [
        "Encounter",
        "Composition",
        "CarePlan",
        "CareTeam",
        "Consent",
        "Observation",
        "QuestionnaireResponse",
        "Provenance",
    ] {
        assert!(kinds.contains(kind), "no example makes a {kind}");
    }
}

fn record_bundle() -> Value {
    let path = fixtures()
        .into_iter()
        .find(|p| name_of(p).starts_with("record-"))
        .unwrap();
    let record: ConsultationRecord =
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    record_to_fhir(&record, &ctx())
}

fn entry_index(bundle: &Value, kind: &str) -> usize {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["resource"]["resourceType"] == kind)
        .unwrap()
}

fn expressions(issues: &[kakehashi_mappings::Issue]) -> Vec<String> {
    issues
        .iter()
        .map(|i| i.expression.clone().unwrap_or_default())
        .collect()
}

#[test]
fn a_record_without_its_encounter_is_an_issue_at_the_composition() {
    let mut bundle = record_bundle();
    let e = entry_index(&bundle, "Encounter");
    bundle["entry"].as_array_mut().unwrap().remove(e);
    let c = entry_index(&bundle, "Composition");
    let issues = record_from_fhir(&bundle).unwrap_err();
    assert!(
        expressions(&issues).contains(&format!("Bundle.entry[{c}].resource.encounter.reference")),
        "{issues:#?}"
    );
    assert!(issues.iter().all(|i| i.is_error()));
}

#[test]
fn an_encounter_that_is_not_virtual_is_refused() {
    let mut bundle = record_bundle();
    let e = entry_index(&bundle, "Encounter");
    bundle["entry"][e]["resource"]["class"]["code"] = "AMB".into();
    let issues = record_from_fhir(&bundle).unwrap_err();
    assert_eq!(
        expressions(&issues),
        [format!("Bundle.entry[{e}].resource.class")],
        "{issues:#?}"
    );
    assert!(issues[0].message.contains("AMB"));
}

#[test]
fn a_section_extension_of_the_wrong_type_is_located() {
    let mut bundle = record_bundle();
    let c = entry_index(&bundle, "Composition");
    let sections = bundle["entry"][c]["resource"]["section"]
        .as_array_mut()
        .unwrap();
    let s = sections
        .iter()
        .position(|s| s["code"]["coding"][0]["code"] == "communication")
        .unwrap();
    let video = &mut sections[s]["extension"][0]["extension"][0];
    assert_eq!(video["url"], "video");
    video.as_object_mut().unwrap().remove("valueBoolean");
    video["valueString"] = "yes".into();
    // And a code outside its list, and an unknown member.
    let first_visit = sections
        .iter()
        .position(|s| s["code"]["coding"][0]["code"] == "first-visit")
        .unwrap();
    let fv = &mut sections[first_visit]["extension"][0]["extension"];
    let basis = fv
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["url"] == "basis")
        .unwrap();
    fv[basis]["valueCode"] = "whim".into();
    fv.as_array_mut()
        .unwrap()
        .push(serde_json::json!({"url": "colour", "valueString": "blue"}));
    let n = fv.as_array().unwrap().len() - 1;
    let issues = record_from_fhir(&bundle).unwrap_err();
    let at = format!("Bundle.entry[{c}].resource.section");
    let mut expected = vec![
        format!("{at}[{first_visit}].extension[0].extension[{basis}].valueCode"),
        format!("{at}[{first_visit}].extension[0].extension[{n}].url"),
        format!("{at}[{s}].extension[0].extension[0].valueString"),
        // The video member is then missing from the communication group.
        format!("{at}[{s}].extension[0]"),
    ];
    let mut got = expressions(&issues);
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "{issues:#?}");
}

#[test]
fn required_groups_and_documents_are_asked_for() {
    let mut bundle = record_bundle();
    let c = entry_index(&bundle, "Composition");
    let sections = bundle["entry"][c]["resource"]["section"]
        .as_array_mut()
        .unwrap();
    sections.retain(|s| s["code"]["coding"][0]["code"] != "feasibility");
    let issues = record_from_fhir(&bundle).unwrap_err();
    assert_eq!(
        expressions(&issues),
        [format!("Bundle.entry[{c}].resource.section")]
    );
    assert!(
        issues[0].message.contains("feasibility"),
        "{}",
        issues[0].message
    );

    // A care plan or consent Bundle is not a record, and neither is a lone resource or garbage.
    let issues =
        record_from_fhir(&serde_json::json!({"resourceType": "Bundle", "type": "collection"}))
            .unwrap_err();
    assert_eq!(expressions(&issues), ["Bundle.entry"]);
    for garbage in [
        serde_json::json!(null),
        serde_json::json!([1, 2]),
        serde_json::json!({"resourceType": "Patient"}),
    ] {
        assert!(record_from_fhir(&garbage).is_err());
        assert!(care_plan_from_fhir(&garbage).is_err());
        assert!(consent_from_fhir(&garbage).is_err());
    }
}

#[test]
fn every_prefix_of_a_broken_bundle_reads_without_panicking() {
    // Each entry removed in turn, and each entry's resource replaced by odd JSON: only issues, never a panic.
    let bundle = record_bundle();
    let n = bundle["entry"].as_array().unwrap().len();
    for i in 0..n {
        let mut cut = bundle.clone();
        cut["entry"].as_array_mut().unwrap().remove(i);
        let _ = record_from_fhir(&cut);
        for odd in [
            serde_json::json!(1),
            serde_json::json!({"resourceType": "Encounter", "class": 7, "section": "x", "extension": {"a": 1}}),
        ] {
            let mut broken = bundle.clone();
            broken["entry"][i]["resource"] = odd;
            let _ = record_from_fhir(&broken);
        }
    }
}

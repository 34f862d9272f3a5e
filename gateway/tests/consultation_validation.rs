//! The FHIR the consultation mappings produce is valid JP Core 1.1.1 (issue #6 tests): every native
//! example under `fixtures/consultation/ok/` (model by file-name prefix) is mapped to its transaction
//! Bundle, and the Bundle (its entries resolving each other's references) and each resource alone are
//! validated against the profiles they claim, with the JP Core package loaded as the server loads
//! configured packages. No error may remain.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::JP_CORE;
use kakehashi::pipeline::validation::build_validator;
use kakehashi_mappings::consultation::model::{CarePlan, Consent, ConsultationRecord};
use kakehashi_mappings::consultation::to_fhir::{
    care_plan_to_fhir, consent_to_fhir, record_to_fhir, MapContext,
};
use kakehashi_mappings::validate::Options;
use serde_json::Value;

fn bundles() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/consultation/ok");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("fixtures/consultation/ok")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let ctx = MapContext {
        patient_id_system: "urn:oid:1.2.392.100495.20.3.51.11311234567".into(),
    };
    let mut out = Vec::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") || name.ends_with(".fhir.json") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        let bundle = if name.starts_with("record-") {
            let record: ConsultationRecord = serde_json::from_str(&text).unwrap();
            record_to_fhir(&record, &ctx)
        } else if name.starts_with("care-plan-") {
            let plan: CarePlan = serde_json::from_str(&text).unwrap();
            care_plan_to_fhir(&plan, &ctx)
        } else if name.starts_with("consent-") {
            let consent: Consent = serde_json::from_str(&text).unwrap();
            consent_to_fhir(&consent, &ctx)
        } else {
            panic!("{name}: no model for this file-name prefix");
        };
        out.push((name, bundle));
    }
    out
}

#[test]
fn mapped_consultation_documents_pass_jp_core_validation() {
    let validator = build_validator(&[PathBuf::from(JP_CORE)]).expect("JP Core loads");
    let options = Options::default();
    let bundles = bundles();
    assert!(bundles.len() >= 7, "only {} examples", bundles.len());
    let mut failures = Vec::new();
    let mut resources = 0;
    for (name, bundle) in &bundles {
        for issue in validator.validate(bundle, &options) {
            if issue.is_error() {
                failures.push(format!(
                    "{name}: {}: {}",
                    issue.expression.as_deref().unwrap_or("-"),
                    issue.message
                ));
            }
        }
        for entry in bundle["entry"].as_array().unwrap() {
            let resource = &entry["resource"];
            resources += 1;
            for issue in validator.validate(resource, &options) {
                if issue.is_error() {
                    failures.push(format!(
                        "{name}: {}/{}: {}: {}",
                        resource["resourceType"].as_str().unwrap_or_default(),
                        resource["id"].as_str().unwrap_or("-"),
                        issue.expression.as_deref().unwrap_or("-"),
                        issue.message
                    ));
                }
            }
        }
    }
    assert!(resources >= 30, "only {resources} resources mapped");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

//! Every official FHIR R4 instance example (the 719 non-conformance resources of
//! `hl7.fhir.r4.examples@4.0.1`) passes base validation against the embedded R4 core definitions, except
//! the few that the package itself gets wrong, listed in `KNOWN_BAD` with the reason.

mod common;

use std::path::PathBuf;
use std::time::Instant;

use kakehashi_mappings::fhir::CONFORMANCE_RESOURCE_TYPES;
use kakehashi_mappings::validate::{Definitions, Options, Validator};
use kakehashi_mappings::Issue;
use serde_json::Value;

/// Examples the official package gets wrong: (file, the error we expect to find, why it is right).
const KNOWN_BAD: &[(&str, &str, &str)] = &[
    (
        "Bundle-10bb101f-a121-4264-a920-67be9cb82c74.json",
        "The fullUrl names Patient/pat12",
        "entry[2] has fullUrl …/Patient/pat12 but holds the Patient with id pat2",
    ),
    (
        "Bundle-3a0707d3-549e-4467-b8b8-5a2ab3800efe.json",
        "The fullUrl names Patient/pat12",
        "entry[3] has fullUrl …/Patient/pat12 but holds the Patient with id pat2",
    ),
    (
        "Bundle-lri-example.json",
        "The fullUrl names Observation/lri-gramstain1",
        "fullUrls …/Observation/lri-gramstain1 … hold Observations with ids gramstain1 …",
    ),
    (
        "Bundle-dataelements.json",
        "bdl-7",
        "fullUrls such as …/de-Quantity.value appear twice with no meta.versionId (bdl-7)",
    ),
    (
        "DeviceMetric-example.json",
        "A reference to DeviceDefinition is not allowed",
        "DeviceMetric.parent is Reference(Device) in R4; the example points at a DeviceDefinition",
    ),
    (
        "DeviceUseStatement-example.json",
        "A reference to Procedure is not allowed",
        "R4 DeviceUseStatement.reasonReference allows Condition, Observation, DiagnosticReport, \
      DocumentReference and Media, not Procedure",
    ),
    (
        "MedicationRequest-medrx0301.json",
        "A reference to Practitioner is not allowed",
        "MedicationRequest.dispenseRequest.performer is Reference(Organization) in R4",
    ),
    (
        "Observation-clinical-gender.json",
        "A reference to Encounter is not allowed",
        "Observation.performer points at an Encounter, which R4 does not allow",
    ),
    (
        "Questionnaire-qs1.json",
        "Questionnaire.item.linkId: minimum required = 1",
        "nested items lack linkId, which is 1..1 (fhir.resources reports the same)",
    ),
];

fn core_validator() -> Validator {
    Validator::new(Definitions::with_r4_core().expect("the embedded R4 core definitions load"))
}

#[test]
fn official_r4_instance_examples_pass_base_validation() {
    let dir = common::r4_package_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the R4 package folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| p.file_name().is_some_and(|n| n != "package.json"))
        .collect();
    files.sort();
    let validator = core_validator();
    let options = Options::default();
    let started = Instant::now();
    let mut tested = 0;
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).unwrap();
        let json: Value = serde_json::from_slice(&bytes).unwrap();
        let rt = json["resourceType"].as_str().unwrap_or_default();
        if CONFORMANCE_RESOURCE_TYPES.contains(&rt) {
            continue;
        }
        tested += 1;
        let errors: Vec<Issue> = validator
            .validate(&json, &options)
            .into_iter()
            .filter(Issue::is_error)
            .collect();
        let known = KNOWN_BAD.iter().find(|(f, _, _)| *f == name);
        match (known, errors.is_empty()) {
            (None, true) => {}
            (None, false) => failures.push(format!(
                "{name}: {}",
                errors
                    .iter()
                    .take(5)
                    .map(|i| format!(
                        "{} at {} [{}]: {}",
                        i.code.as_str(),
                        i.expression.as_deref().unwrap_or("-"),
                        i.rule.as_deref().unwrap_or("-"),
                        i.message
                    ))
                    .collect::<Vec<_>>()
                    .join(" | ")
            )),
            (Some((_, expected, _)), _) => {
                if !errors.iter().any(|i| i.message.contains(expected)) {
                    failures.push(format!(
                        "{name}: listed in KNOWN_BAD for '{expected}', which is no longer reported"
                    ));
                }
            }
        }
    }
    eprintln!(
        "{tested} R4 instance examples validated in {:.1?}; {} failed",
        started.elapsed(),
        failures.len()
    );
    assert_eq!(
        tested, 719,
        "the R4 package should hold 719 instance examples"
    );
    assert!(
        failures.is_empty(),
        "{} official examples fail base validation:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

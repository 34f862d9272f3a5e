//! The JP Core 1.1.1 package examples pass validation against the JP Core profiles they claim (issue
//! #4), with the package loaded from `../shared/corpora/fhir-packages/jp-core.r4-1.1.1-snap.tgz` as the
//! server loads configured packages; and a claimed profile is really applied (a broken example fails).

mod common;

use std::path::PathBuf;

use common::JP_CORE;
use kakehashi::packages::{self, PackageLimits};
use kakehashi::pipeline::validation::build_validator;
use kakehashi_mappings::fhir::CONFORMANCE_RESOURCE_TYPES;
use kakehashi_mappings::validate::Options;
use kakehashi_mappings::Issue;
use serde_json::Value;

fn errors(issues: &[Issue]) -> Vec<String> {
    issues
        .iter()
        .filter(|i| i.is_error())
        .map(|i| {
            format!(
                "{} at {} [{}]: {}",
                i.code.as_str(),
                i.expression.as_deref().unwrap_or("-"),
                i.rule.as_deref().unwrap_or("-"),
                i.message
            )
        })
        .collect()
}

#[test]
fn jp_core_examples_pass_their_claimed_profiles() {
    let path = PathBuf::from(JP_CORE);
    let package = packages::load(&path, &PackageLimits::default()).expect("JP Core loads");
    let validator = build_validator(std::slice::from_ref(&path)).expect("validator");
    let examples: Vec<(&str, &Value)> = package
        .resources
        .iter()
        .filter(|f| {
            let t = f.resource["resourceType"].as_str().unwrap_or_default();
            !CONFORMANCE_RESOURCE_TYPES.contains(&t)
        })
        .map(|f| (f.file.as_str(), &f.resource))
        .collect();
    assert!(examples.len() >= 40, "only {} examples", examples.len());
    let mut failures = Vec::new();
    let mut with_profile = 0;
    for (file, example) in &examples {
        // A few examples (the Specimens) claim no profile: they are checked against the base.
        if let Some(claimed) = example["meta"]["profile"][0].as_str() {
            with_profile += 1;
            assert!(
                validator.definitions().has_structure(claimed),
                "{file} claims {claimed}, which is not loaded"
            );
        }
        let found = errors(&validator.validate(example, &Options::default()));
        if !found.is_empty() {
            failures.push(format!("{file}: {}", found.join(" | ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        with_profile >= 35,
        "only {with_profile} examples claim a profile"
    );
}

#[test]
fn a_jp_core_profile_is_applied_not_just_the_base() {
    let path = PathBuf::from(JP_CORE);
    let validator = build_validator(std::slice::from_ref(&path)).expect("validator");
    let package = packages::load(&path, &PackageLimits::default()).expect("JP Core loads");
    let mut patient = package
        .resources
        .iter()
        .find(|f| f.file.ends_with("Patient-jp-patient-example-1.json"))
        .expect("the JP Core Patient example")
        .resource
        .clone();
    // JP_Patient's name representation extension takes codes from a required value set.
    patient["name"][0]["extension"][0]["valueCode"] = "XYZ".into();
    let issues = validator.validate(&patient, &Options::default());
    let found = errors(&issues);
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("code-invalid at Patient.name[0].extension[0].valueCode")),
        "{found:?}"
    );
    // The same resource against the base definition only: the code is not checked there.
    let base = Options {
        profiles: vec!["http://hl7.org/fhir/StructureDefinition/Patient".into()],
        ..Options::default()
    };
    let base_errors = errors(&validator.validate(&patient, &base));
    assert!(
        !base_errors
            .iter()
            .any(|e| e.contains("Patient.name[0].extension[0].valueCode")),
        "{base_errors:?}"
    );
}

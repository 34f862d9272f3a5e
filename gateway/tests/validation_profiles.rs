//! The JP Core 1.1.1 package examples and the JAMI e-prescription IG examples pass validation against
//! the profiles they claim (issue #4), with the packages loaded from ../shared as the server loads
//! configured packages; and a claimed profile is really applied (a broken example fails).

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::{JAMI_EPRESCRIPTION, JP_CORE};
use kakehashi::packages::{self, PackageLimits};
use kakehashi::pipeline::validation::build_validator;
use kakehashi_mappings::fhir::CONFORMANCE_RESOURCE_TYPES;
use kakehashi_mappings::validate::Options;
use kakehashi_mappings::validate::Validator;
use kakehashi_mappings::Issue;
use serde_json::Value;

/// An issue's code, location and rule: `code at Patient.name[0] [rule]`.
fn key(issue: &Issue) -> String {
    format!(
        "{} at {} [{}]",
        issue.code.as_str(),
        issue.expression.as_deref().unwrap_or("-"),
        issue.rule.as_deref().unwrap_or("-")
    )
}

fn errors(issues: &[Issue]) -> Vec<String> {
    issues
        .iter()
        .filter(|i| i.is_error())
        .map(|i| format!("{}: {}", key(i), i.message))
        .collect()
}

/// The instance examples of a package (not its profiles, value sets and the like), by file name.
fn examples(package: &packages::LoadedPackage) -> Vec<(&str, &Value)> {
    package
        .resources
        .iter()
        .filter(|f| {
            let t = f.resource["resourceType"].as_str().unwrap_or_default();
            !CONFORMANCE_RESOURCE_TYPES.contains(&t)
        })
        .map(|f| (f.file.as_str(), &f.resource))
        .collect()
}

#[test]
fn jp_core_examples_pass_their_claimed_profiles() {
    let path = PathBuf::from(JP_CORE);
    let package = packages::load(&path, &PackageLimits::default()).expect("JP Core loads");
    let validator = build_validator(std::slice::from_ref(&path)).expect("validator");
    let examples = examples(&package);
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

/// The JAMI e-prescription IG (2023-05) was published against JP Core 1.1.0-beta; against JP Core
/// 1.1.1 its issuer Organization example is out of date in two ways, which `to_jp_core_1_1_1` brings
/// forward: the PrefectureNo and InsuranceOrganizationCategory extensions take a `valueCoding` (they
/// took a `valueIdentifier`), and the 10-digit medical institution code's system is
/// `http://jpfhir.jp/fhir/core/IdSystem/…` (the example has `…/Common/IdSystem/…`).
const ISSUER_DRIFT: &[&str] = &[
    "structure at Organization.extension[0].valueIdentifier [-]",
    "structure at Organization.extension[1].valueIdentifier [-]",
    "required at Organization.extension[0].value [Organization.extension:prefectureNo.value[x]]",
    "required at Organization.extension[1].value [Organization.extension:organizationCategory.value[x]]",
    "required at Organization.identifier [Organization.identifier:medicalInstitutionCode]",
];

/// Examples the IG itself gets wrong, with the one error each must still give: the author
/// Practitioner profile's invariant checkQualification-DoctorLicenseExists names the code system
/// `…/CodeSystem/practitioner_certificate_category`, while the IG's CodeSystem, its other three
/// invariants and the example use `…/practitioner-certificate-category`; no conformant author passes it.
const IG_BUGS: &[(&str, &str)] = &[
    (
        "Practitioner-JP-Practitioner-ePreData-author-Example.json",
        "invariant at Practitioner [checkQualification-DoctorLicenseExists]",
    ),
    (
        "Bundle-Bundle-for-JP-MedReq-ePreBundleExample01.json",
        "invariant at Bundle.entry[10].resource [checkQualification-DoctorLicenseExists]",
    ),
    (
        "Bundle-Bundle-for-JP-MedReq-ePreData-Example01.json",
        "invariant at Bundle.entry[9].resource [checkQualification-DoctorLicenseExists]",
    ),
];

/// `resource` (or the Organizations inside it) with the JP Core 1.1.1 forms described at ISSUER_DRIFT.
fn to_jp_core_1_1_1(resource: &mut Value) {
    // `get_mut`, not `[]`: indexing a missing key for writing would add it.
    for entry in resource
        .get_mut("entry")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(inner) = entry.get_mut("resource") {
            to_jp_core_1_1_1(inner);
        }
    }
    if resource["resourceType"] != "Organization" {
        return;
    }
    for extension in resource
        .get_mut("extension")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let url = extension["url"].as_str().unwrap_or_default();
        if !(url.ends_with("/JP_Organization_PrefectureNo")
            || url.ends_with("/JP_Organization_InsuranceOrganizationCategory"))
        {
            continue;
        }
        if let Some(Value::Object(id)) =
            extension.as_object_mut().unwrap().remove("valueIdentifier")
        {
            extension["valueCoding"] =
                serde_json::json!({"system": id["system"], "code": id["value"]});
        }
    }
    for identifier in resource
        .get_mut("identifier")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if identifier["system"]
            == "http://jpfhir.jp/fhir/Common/IdSystem/insurance-medical-institution-no"
        {
            identifier["system"] =
                "http://jpfhir.jp/fhir/core/IdSystem/insurance-medical-institution-no".into();
        }
    }
}

/// Errors without their message: code, location and rule.
fn error_keys(validator: &Validator, resource: &Value) -> Vec<String> {
    validator
        .validate(resource, &Options::default())
        .iter()
        .filter(|i| i.is_error())
        .map(key)
        .collect()
}

/// The JAMI IG as a package, and a validator with JP Core and the IG, loaded once for these tests.
fn jami() -> &'static (packages::LoadedPackage, Validator) {
    static JAMI: OnceLock<(packages::LoadedPackage, Validator)> = OnceLock::new();
    JAMI.get_or_init(|| {
        let paths = [PathBuf::from(JP_CORE), PathBuf::from(JAMI_EPRESCRIPTION)];
        let package = packages::load(&paths[1], &PackageLimits::default()).expect("the IG loads");
        (package, build_validator(&paths).expect("validator"))
    })
}

#[test]
fn jami_eprescription_examples_pass_their_claimed_profiles() {
    let (package, validator) = jami();
    let examples = examples(package);
    assert!(examples.len() >= 28, "only {} examples", examples.len());
    let mut failures = Vec::new();
    for (file, example) in &examples {
        let claimed = example["meta"]["profile"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!claimed.is_empty(), "{file} claims no profile");
        for url in &claimed {
            let url = url.as_str().unwrap_or_default();
            assert!(
                matches!(validator.definitions().profile(url), Some(Ok(_))),
                "{file} claims {url}, which does not compile"
            );
        }
        let mut current = (*example).clone();
        to_jp_core_1_1_1(&mut current);
        let found = error_keys(validator, &current);
        let expected: Vec<String> = IG_BUGS
            .iter()
            .filter(|(f, _)| file.ends_with(f))
            .map(|(_, e)| e.to_string())
            .collect();
        if found != expected {
            failures.push(format!("{file}: {found:?}, expected {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_jami_issuer_example_as_published_fails_on_jp_core_1_1_1_exactly_where_it_drifted() {
    let (package, validator) = jami();
    let issuer = package
        .resources
        .iter()
        .find(|f| {
            f.file
                .ends_with("Organization-JP-Organization-ePreData-issuer-Example.json")
        })
        .expect("the issuer example");
    let mut found = error_keys(validator, &issuer.resource);
    found.sort();
    let mut expected: Vec<String> = ISSUER_DRIFT.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn a_jami_profile_is_applied_below_choices_and_through_references() {
    let (package, validator) = jami();
    let find = |name: &str| {
        package
            .resources
            .iter()
            .find(|f| f.file.ends_with(name))
            .expect(name)
            .resource
            .clone()
    };
    // The profile forbids Timing.repeat.count (max 0), and bounds[x].value reaches only the Duration
    // choice: a boundsPeriod is a Period, not held to Duration's children.
    let mut request = find("MedicationRequest-JP-MedReq-ePreData-Example-naihuku.json");
    request["dosageInstruction"][0]["timing"]["repeat"] = serde_json::json!({
        "boundsPeriod": {"start": "2026-12-01"},
        "count": 3
    });
    let found = error_keys(validator, &request);
    assert_eq!(
        found,
        [
            "structure at MedicationRequest.dosageInstruction[0].timing.repeat.count \
          [MedicationRequest.dosageInstruction.timing.repeat.count]"
        ],
    );
    // Composition.section entries are sliced by the profile of the resource they resolve to: in the
    // Bundle a second health-insurance Coverage goes over healthInsurancePublic's max of 1.
    let mut bundle = find("Bundle-Bundle-for-JP-MedReq-ePreBundleExample01.json");
    to_jp_core_1_1_1(&mut bundle);
    let entries = bundle["entry"][0]["resource"]["section"][0]["entry"]
        .as_array_mut()
        .expect("section entries");
    let first = entries[0].clone();
    entries.push(first);
    let found = error_keys(validator, &bundle);
    assert!(
        found.contains(
            &"structure at Bundle.entry[0].resource.section[0].entry \
              [Composition.section:prescriptionInformation.entry:healthInsurancePublic]"
                .to_string()
        ),
        "{found:?}"
    );
}

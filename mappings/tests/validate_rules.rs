//! One negative test per rule family (issue #4): cardinality, type, format, fixed/pattern, slice,
//! binding, invariant, reference — each asserting the exact code, location and rule. The profile is
//! written here as a differential, so snapshot generation is exercised too. Last, a large Bundle's
//! findings are the same, in the same order, whether its entries are walked in parallel or not.

use std::sync::OnceLock;

use kakehashi_mappings::validate::{Definitions, Options, PackageId, Validator};
use kakehashi_mappings::Issue;
use serde_json::{json, Value};

const PROFILE: &str = "urn:kakehashi:test:StructureDefinition/TestPatient";

/// The R4 core plus the test profile, built once for all the tests.
fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(build)
}

fn build() -> Validator {
    let mut definitions = Definitions::with_r4_core().expect("core");
    let profile = json!({
        "resourceType": "StructureDefinition", "url": PROFILE, "name": "TestPatient", "status": "draft",
        "kind": "resource", "abstract": false, "type": "Patient", "derivation": "constraint",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Patient",
        "differential": {"element": [
            {"id": "Patient.identifier", "path": "Patient.identifier", "min": 1,
             "slicing": {"discriminator": [{"type": "value", "path": "system"}], "rules": "closed"}},
            {"id": "Patient.identifier:local", "path": "Patient.identifier", "sliceName": "local", "min": 1, "max": "1"},
            {"id": "Patient.identifier:local.system", "path": "Patient.identifier.system", "min": 1,
             "fixedUri": "urn:oid:1.2.392.100495.20.3.51.11311234567"},
            {"id": "Patient.maritalStatus", "path": "Patient.maritalStatus",
             "patternCodeableConcept": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "code": "M"}]}}
        ]}
    });
    definitions.add_package(
        PackageId {
            name: "test".into(),
            version: "0".into(),
        },
        [profile],
    );
    Validator::new(definitions)
}

fn good() -> Value {
    json!({"resourceType": "Patient", "meta": {"profile": [PROFILE]},
           "identifier": [{"system": "urn:oid:1.2.392.100495.20.3.51.11311234567", "value": "00012345"}],
           "gender": "female", "birthDate": "1970-01-01"})
}

/// The (code, expression, rule) of each error.
fn errors(v: &Value) -> Vec<(String, String, String)> {
    validator()
        .validate(v, &Options::default())
        .into_iter()
        .filter(Issue::is_error)
        .map(|i| {
            (
                i.code.as_str().to_string(),
                i.expression.unwrap_or_default(),
                i.rule.unwrap_or_default(),
            )
        })
        .collect()
}

fn one(code: &str, at: &str, rule: &str) -> Vec<(String, String, String)> {
    vec![(code.to_string(), at.to_string(), rule.to_string())]
}

#[test]
fn the_good_resource_passes() {
    assert_eq!(errors(&good()), vec![]);
}

#[test]
fn cardinality() {
    let mut p = good();
    p["gender"] = json!(["female", "male"]);
    assert_eq!(errors(&p)[0].0, "structure");
    let mut p = good();
    p.as_object_mut().unwrap().remove("identifier");
    let found = errors(&p);
    assert!(
        found.contains(&(
            "required".into(),
            "Patient.identifier".into(),
            "Patient.identifier".into()
        )),
        "{found:?}"
    );
}

#[test]
fn type_and_unknown_element() {
    let mut p = good();
    p["active"] = json!("yes");
    assert_eq!(errors(&p), one("structure", "Patient.active", ""));
    let mut p = good();
    p["name"] = json!([{"famly": "山田"}]);
    assert_eq!(errors(&p), one("structure", "Patient.name[0].famly", ""));
}

#[test]
fn format() {
    let mut p = good();
    p["birthDate"] = json!("1970-02-30");
    assert_eq!(errors(&p), one("value", "Patient.birthDate", ""));
}

#[test]
fn fixed_and_pattern() {
    let mut p = good();
    p["maritalStatus"] = json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "code": "S"}]});
    assert_eq!(
        errors(&p),
        one("value", "Patient.maritalStatus", "Patient.maritalStatus")
    );
}

#[test]
fn slice() {
    let mut p = good();
    p["identifier"] = json!([{"system": "urn:oid:9.9", "value": "1"}]);
    let found = errors(&p);
    assert!(
        found.contains(&(
            "required".into(),
            "Patient.identifier".into(),
            "Patient.identifier:local".into()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "structure".into(),
            "Patient.identifier[0]".into(),
            "Patient.identifier".into()
        )),
        "{found:?}"
    );
}

#[test]
fn binding() {
    let mut p = good();
    p["gender"] = json!("woman");
    assert_eq!(
        errors(&p),
        one("code-invalid", "Patient.gender", "Patient.gender")
    );
}

#[test]
fn invariant() {
    let mut p = good();
    p["contact"] = json!([{"gender": "male"}]);
    assert_eq!(errors(&p), one("invariant", "Patient.contact[0]", "pat-1"));
}

#[test]
fn reference() {
    let mut p = good();
    p["managingOrganization"] = json!({"reference": "Patient/x"});
    assert_eq!(
        errors(&p),
        one(
            "structure",
            "Patient.managingOrganization.reference",
            "Patient.managingOrganization"
        )
    );
    p["managingOrganization"] = json!({"reference": "Organisation/x"});
    assert_eq!(
        errors(&p),
        one("invalid", "Patient.managingOrganization.reference", "")
    );
}

#[test]
fn a_large_bundle_gives_the_same_findings_in_parallel_and_in_order() {
    // 40 entries (over the parallel threshold), every third one broken in two ways.
    let entries: Vec<Value> = (0..40)
        .map(|i| {
            let mut patient = good();
            patient["id"] = json!(format!("p{i}"));
            if i % 3 == 0 {
                patient["gender"] = json!("unknown-code");
                patient["birthDate"] = json!("1970-13-01");
            }
            json!({"fullUrl": format!("urn:uuid:00000000-0000-0000-0000-{i:012}"), "resource": patient})
        })
        .collect();
    let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": entries});
    let on = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| validator().validate(&bundle, &Options::default()))
    };
    let (one, four) = (on(1), on(4));
    assert_eq!(one, four);
    let broken: Vec<String> = one
        .iter()
        .filter(|i| i.is_error())
        .filter_map(|i| i.expression.clone())
        .collect();
    // In entry order, as a sequential walk gives them.
    let expected: Vec<String> = (0..40)
        .step_by(3)
        .flat_map(|i| {
            [
                format!("Bundle.entry[{i}].resource.gender"),
                format!("Bundle.entry[{i}].resource.birthDate"),
            ]
        })
        .collect();
    assert_eq!(broken, expected);
}

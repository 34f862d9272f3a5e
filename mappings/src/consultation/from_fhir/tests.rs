//! Broken FHIR input to the readers: each problem an error Issue at the FHIRPath of what is wrong.

use serde_json::{json, Value};

use super::*;
use crate::consultation::to_fhir::{
    care_plan_to_fhir, consent_to_fhir, record_to_fhir, MapContext,
};

const OK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/consultation/ok");

fn bundle(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{OK}/{name}")).unwrap();
    let ctx = MapContext {
        patient_id_system: "urn:example:patient".into(),
    };
    if name.starts_with("record-") {
        record_to_fhir(&serde_json::from_str(&text).unwrap(), &ctx)
    } else if name.starts_with("care-plan-") {
        care_plan_to_fhir(&serde_json::from_str(&text).unwrap(), &ctx)
    } else {
        consent_to_fhir(&serde_json::from_str(&text).unwrap(), &ctx)
    }
}

fn index(bundle: &Value, kind: &str) -> usize {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["resource"]["resourceType"] == kind)
        .unwrap()
}

fn at(issues: &[Issue]) -> Vec<&str> {
    issues
        .iter()
        .filter_map(|i| i.expression.as_deref())
        .collect()
}

#[test]
fn a_consent_with_a_bad_status_and_no_method_gives_both_issues() {
    let mut b = bundle("consent-security-risk.json");
    let c = index(&b, "Consent");
    let consent = &mut b["entry"][c]["resource"];
    consent["status"] = "proposed".into();
    consent["extension"]
        .as_array_mut()
        .unwrap()
        .retain(|e| !e["url"].as_str().unwrap().ends_with("consent-method"));
    let issues = consent_from_fhir(&b).unwrap_err();
    let r = format!("Bundle.entry[{c}].resource");
    assert_eq!(
        at(&issues),
        [format!("{r}.status"), r.clone()],
        "{issues:#?}"
    );
    assert!(issues[1].message.contains("method"));
}

#[test]
fn a_reference_to_the_wrong_type_or_nowhere_is_named() {
    let mut b = bundle("record-dtop-first-visit.json");
    let e = index(&b, "Encounter");
    let practitioner = b["entry"][index(&b, "Practitioner")]["fullUrl"].clone();
    b["entry"][e]["resource"]["subject"]["reference"] = practitioner;
    b["entry"][e]["resource"]["serviceProvider"]["reference"] = "Organization/elsewhere".into();
    let c = index(&b, "Composition");
    b["entry"][c]["resource"]["section"][1]["entry"][0]["reference"] = "urn:uuid:0".into();
    let issues = record_from_fhir(&b).unwrap_err();
    assert_eq!(
        at(&issues),
        [
            format!("Bundle.entry[{e}].resource.subject.reference"),
            format!("Bundle.entry[{c}].resource.section[1].entry[0].reference"),
        ],
        "{issues:#?}"
    );
    assert!(issues[0].message.contains("not a Practitioner"));
}

#[test]
fn a_care_team_role_outside_its_list_and_a_bad_year_are_refused() {
    let mut b = bundle("care-plan-hypertension.json");
    let t = index(&b, "CareTeam");
    b["entry"][t]["resource"]["participant"][1]["role"][0]["coding"][0]["code"] = "locum".into();
    let p = index(&b, "Practitioner");
    b["entry"][p]["resource"]["extension"][0] = json!({
        "url": "http://kakehashi.invalid/fhir/StructureDefinition/practitioner-registration-year",
        "valueString": "2008"
    });
    let issues = care_plan_from_fhir(&b).unwrap_err();
    let found = at(&issues);
    assert!(
        found.contains(
            &format!("Bundle.entry[{t}].resource.participant[1].role[0].coding[0].code").as_str()
        ),
        "{issues:#?}"
    );
    assert!(
        found.contains(&format!("Bundle.entry[{p}].resource.extension[0].valueString").as_str()),
        "{issues:#?}"
    );
}

#[test]
fn two_records_in_one_bundle_are_ambiguous() {
    let mut b = bundle("record-dtop-first-visit.json");
    let c = index(&b, "Composition");
    let copy = b["entry"][c].clone();
    b["entry"].as_array_mut().unwrap().push(copy);
    let issues = record_from_fhir(&b).unwrap_err();
    assert_eq!(issues[0].code, crate::issue::IssueCode::MultipleMatches);
    let last = b["entry"].as_array().unwrap().len() - 1;
    assert_eq!(at(&issues), [format!("Bundle.entry[{last}].resource")]);
}

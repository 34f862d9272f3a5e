//! ADT-61 (ADT^A60 アレルギー情報の登録／更新): each IAM → JP_AllergyIntolerance (JAMI ConceptMaps
//! segment-adt-61-iam-to-allergyintolerance, table-v2-0127-to-allergyintolerancecategory,
//! table-v2-0128-to-reactioneventseverity).
//!
//! IAM-2 → category, IAM-3 → code, IAM-4 → reaction.severity, IAM-5 → reaction.manifestation (text; JAMI:
//! 「アレルギー反応情報なし」 when a severity has no reaction), IAM-6 action code → clinicalStatus (`A` 追加 /
//! `U` 更新 → active, `D` 削除 → inactive), IAM-7 → identifier and id (else the allergen code), IAM-9
//! (table 0436) → type, IAM-11 → onsetDateTime (else IAM-12 → onsetString), IAM-13 → recordedDate,
//! IAM-17 (table 0438) → verificationStatus, IAM-18 → asserter (Practitioner).

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::{codeable, date, date_time};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::profiles::{meta, Flavour};
use crate::v2_to_fhir::segments::al1::{set_category, set_severity, CLINICAL, VERIFICATION};
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::xcn::practitioners;

/// What an IAM-6 action code means for clinicalStatus (`None`: not an action code).
pub fn clinical_status_of_action(code: &str) -> Option<&'static str> {
    match code {
        "A" | "U" | "X" => Some("active"),
        "D" => Some("inactive"),
        _ => None,
    }
}

/// verificationStatus (and a clinicalStatus it implies) for an HL7 table 0438 code.
pub fn verification_of(code: &str) -> Option<(&'static str, Option<&'static str>)> {
    match code {
        "C" => Some(("confirmed", None)),
        "I" => Some(("confirmed", Some("inactive"))),
        "U" | "P" | "S" | "D" => Some(("unconfirmed", None)),
        "E" => Some(("entered-in-error", None)),
        _ => None,
    }
}

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    for iam in input.segments("IAM") {
        map_iam(input, out, &patient, &iam);
    }
    Ok(())
}

fn map_iam(input: &Input, out: &mut Output, patient: &str, iam: &Seg) {
    let Some(code) = iam.rep(3).and_then(|r| codeable(&r)) else {
        out.warn(
            iam.position(3),
            "IAM-3 (allergen) is empty; the IAM is not mapped.",
        );
        return;
    };
    let unique = iam.text(7);
    let key = unique
        .clone()
        .or_else(|| iam.component(3, 1))
        .or_else(|| iam.component(3, 2))
        .unwrap_or_default();
    let mut allergy = Map::new();
    allergy.insert("resourceType".into(), build_json!("AllergyIntolerance"));
    allergy.insert(
        "id".into(),
        build_json!(input.id(&["allergy", input.patient_id.as_deref().unwrap_or("-"), &key])),
    );
    if let Some(m) = meta("AllergyIntolerance", Flavour::Default) {
        allergy.insert("meta".into(), m);
    }
    if let Some(id) = &unique {
        allergy.insert(
            "identifier".into(),
            build_json!([{
                "system": format!("urn:kakehashi:hl7v2:allergy-id:{}", input.facility.as_deref().unwrap_or("unknown-facility")),
                "value": id,
            }]),
        );
    }
    let mut clinical = Some("active");
    if let Some(action) = iam.text(6) {
        match clinical_status_of_action(&action) {
            Some(c) => clinical = Some(c),
            None => out.warn(
                iam.position(6),
                format!("IAM-6 '{action}' is not an allergy action code (A, U, D)."),
            ),
        }
    }
    let mut verification = None;
    if let Some(status) = iam.text(17) {
        match verification_of(&status) {
            Some((v, implied)) => {
                verification = Some(v);
                if let Some(c) = implied {
                    clinical = Some(c);
                }
            }
            None => out.warn(
                iam.position(17),
                format!("IAM-17 '{status}' is not an HL7 table 0438 clinical status."),
            ),
        }
    }
    // ait-2: an entered-in-error record has no clinicalStatus.
    if verification == Some("entered-in-error") {
        clinical = None;
    }
    if let Some(c) = clinical {
        allergy.insert(
            "clinicalStatus".into(),
            build_json!({"coding": [{"system": CLINICAL, "code": c}]}),
        );
    }
    if let Some(v) = verification {
        allergy.insert(
            "verificationStatus".into(),
            build_json!({"coding": [{"system": VERIFICATION, "code": v}]}),
        );
    }
    if let Some(sensitivity) = iam.text(9) {
        match sensitivity.as_str() {
            "AL" => {
                allergy.insert("type".into(), build_json!("allergy"));
            }
            "IN" => {
                allergy.insert("type".into(), build_json!("intolerance"));
            }
            _ => {}
        }
    }
    set_category(out, iam, &mut allergy);
    allergy.insert("code".into(), code);
    allergy.insert("patient".into(), build_json!({ "reference": patient }));
    if let Some(raw) = iam.text(11) {
        match date(&raw) {
            Ok(d) => {
                allergy.insert("onsetDateTime".into(), build_json!(d));
            }
            Err(why) => out.warn(iam.position(11), why),
        }
    } else if let Some(text) = iam.text(12) {
        allergy.insert("onsetString".into(), build_json!(text));
    }
    if let Some(raw) = iam.text(13) {
        match date_time(&raw) {
            Ok(t) => {
                allergy.insert("recordedDate".into(), build_json!(t));
            }
            Err(why) => out.warn(iam.position(13), why),
        }
    }
    if let Some(asserter) = practitioners(input, out, iam, 18).into_iter().next() {
        allergy.insert("asserter".into(), asserter);
    }
    let reactions: Vec<String> = iam.reps(5).iter().filter_map(|r| r.text(1)).collect();
    let severity_code = iam.text(4);
    if !reactions.is_empty() || severity_code.is_some() {
        let manifestation: Vec<Value> = if reactions.is_empty() {
            vec![build_json!({ "text": "アレルギー反応情報なし" })]
        } else {
            reactions
                .iter()
                .map(|t| build_json!({ "text": t }))
                .collect()
        };
        let mut reaction = build_json!({ "manifestation": manifestation });
        if !reactions.is_empty() {
            reaction["description"] = build_json!(reactions.join("、"));
        }
        if let Some(code) = severity_code {
            set_severity(out, iam, &code, &mut reaction);
        }
        allergy.insert("reaction".into(), build_json!([reaction]));
    }
    out.push(Value::Object(allergy));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_and_clinical_status_codes() {
        assert_eq!(clinical_status_of_action("A"), Some("active"));
        assert_eq!(clinical_status_of_action("U"), Some("active"));
        assert_eq!(clinical_status_of_action("D"), Some("inactive"));
        assert_eq!(clinical_status_of_action("Z"), None);
        assert_eq!(verification_of("E"), Some(("entered-in-error", None)));
        assert_eq!(verification_of("I"), Some(("confirmed", Some("inactive"))));
    }
}

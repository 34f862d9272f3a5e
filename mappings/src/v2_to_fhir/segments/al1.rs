//! AL1 (ADT-00, OMP-01 …) → JP_AllergyIntolerance (JAMI ConceptMaps segment-adt-00-al1-to-allergyintolerance
//! and table-v2-0127-to-allergyintolerancecategory). AL1-2 アレルゲン分類 → category, AL1-3 アレルゲン →
//! code; AL1-4 重症度 (table 0128, JAMI table-v2-0128-to-reactioneventseverity) and AL1-5 反応 →
//! reaction, as the HL7 v2-to-FHIR IG maps them. AL1 has no record id: the id is the patient and the
//! allergen, so a re-sent list updates the same records.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::codeable;
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::{meta, Flavour};

pub const CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
pub const VERIFICATION: &str =
    "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";

/// AllergyIntolerance.category for an HL7 table 0127 code (JAMI: `MA` 種々のアレルギー and `MC`
/// 種々の禁忌 have no FHIR category).
pub fn category(code: &str) -> Option<&'static str> {
    match code {
        "DA" => Some("medication"),
        "FA" => Some("food"),
        "EA" | "PA" | "LA" => Some("environment"),
        "AA" => Some("biologic"),
        _ => None,
    }
}

/// reaction.severity for an HL7 table 0128 code.
pub fn severity(code: &str) -> Option<&'static str> {
    match code {
        "MI" => Some("mild"),
        "MO" => Some("moderate"),
        "SV" => Some("severe"),
        _ => None,
    }
}

/// Maps every AL1 of the message to an AllergyIntolerance of `patient` (`Patient/{id}`).
pub fn map_allergies(input: &Input, out: &mut Output, patient: &str) {
    for al1 in input.segments("AL1") {
        let Some(code) = al1.rep(3).and_then(|r| codeable(&r)) else {
            out.warn(
                al1.position(3),
                "AL1-3 (allergen) is empty; the AL1 is not mapped.",
            );
            continue;
        };
        let key = al1
            .component(3, 1)
            .or_else(|| al1.component(3, 2))
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
        allergy.insert(
            "clinicalStatus".into(),
            build_json!({"coding": [{"system": CLINICAL, "code": "active"}]}),
        );
        set_category(out, &al1, &mut allergy);
        allergy.insert("code".into(), code);
        allergy.insert("patient".into(), build_json!({ "reference": patient }));
        let manifestation = al1
            .rep(5)
            .and_then(|r| r.text(1))
            .map(|t| build_json!({ "text": t }));
        if let Some(manifestation) = manifestation {
            let mut reaction = build_json!({ "manifestation": [manifestation] });
            if let Some(code) = al1.text(4) {
                set_severity(out, &al1, &code, &mut reaction);
            }
            allergy.insert("reaction".into(), build_json!([reaction]));
        }
        out.push(Value::Object(allergy));
    }
}

/// `category` from field 2 of AL1 or IAM (HL7 table 0127, JAMI ConceptMap
/// table-v2-0127-to-allergyintolerancecategory); MA / MC (miscellaneous) have no FHIR category, any other
/// code outside the table is a warning at that field.
pub fn set_category(out: &mut Output, seg: &Seg, allergy: &mut Map<String, Value>) {
    let Some(kind) = seg.text(2) else { return };
    match category(&kind) {
        Some(c) => {
            allergy.insert("category".into(), build_json!([c]));
        }
        None if matches!(kind.as_str(), "MA" | "MC") => {}
        None => out.warn(
            seg.position(2),
            format!(
                "{}-2 '{kind}' is not an HL7 table 0127 allergen type.",
                seg.name()
            ),
        ),
    }
}

/// `reaction.severity` from field 4 of AL1 or IAM (HL7 table 0128, JAMI ConceptMap
/// table-v2-0128-to-reactioneventseverity); a code outside the table is a warning at that field.
pub fn set_severity(out: &mut Output, seg: &Seg, code: &str, reaction: &mut Value) {
    match severity(code) {
        Some(fhir) => reaction["severity"] = build_json!(fhir),
        None => out.warn(
            seg.position(4),
            format!(
                "{}-4 '{code}' is not an HL7 table 0128 severity.",
                seg.name()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jami_table_0127_and_0128() {
        assert_eq!(category("DA"), Some("medication"));
        assert_eq!(category("LA"), Some("environment"));
        assert_eq!(category("AA"), Some("biologic"));
        assert_eq!(category("MC"), None);
        assert_eq!(severity("SV"), Some("severe"));
        assert_eq!(severity("U"), None);
    }
}

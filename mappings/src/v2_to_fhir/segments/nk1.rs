//! NK1 近親者情報 → Patient.contact (JAMI ConceptMap segment-pid-to-patient, NK1 rows): NK1-2 name,
//! NK1-3 続柄 (HL7 table 0063, plus 0131 `N`), NK1-4 address, NK1-5 / NK1-6 telephone (home / work), NK1-13 勤務先名.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::{address, codeable, contact_point, human_name};
use crate::v2_to_fhir::input::Input;

/// One Patient.contact per NK1 that names somebody or something.
pub fn contacts(input: &Input) -> Vec<Value> {
    let mut contacts = Vec::new();
    for nk1 in input.segments("NK1") {
        let mut contact = Map::new();
        // Patient.contact.relationship is bound (extensible) to the contact roles of table 0131; NK1-3
        // is a table 0063 relationship (SPO 配偶者 …), so the person is also coded as 0131 `N`
        // (next-of-kin), which is what an NK1 without NK1-7 (contact role) names.
        if let Some(mut relationship) = nk1.rep(3).and_then(|r| codeable(&r)) {
            if let Some(codings) = relationship.get_mut("coding").and_then(Value::as_array_mut) {
                codings.push(build_json!({
                    "system": "http://terminology.hl7.org/CodeSystem/v2-0131",
                    "code": "N",
                    "display": "Next-of-Kin",
                }));
            }
            contact.insert("relationship".into(), build_json!([relationship]));
        }
        // Patient.contact.name is 0..1: the first repetition (the kanji name in SS-MIX2).
        if let Some(name) = nk1.reps(2).iter().find_map(human_name) {
            contact.insert("name".into(), name);
        }
        let mut telecom: Vec<Value> = nk1
            .reps(5)
            .iter()
            .filter_map(|r| contact_point(r, "home"))
            .collect();
        telecom.extend(nk1.reps(6).iter().filter_map(|r| contact_point(r, "work")));
        if !telecom.is_empty() {
            contact.insert("telecom".into(), Value::Array(telecom));
        }
        if let Some(a) = nk1.reps(4).iter().find_map(address) {
            contact.insert("address".into(), a);
        }
        if let Some(org) = nk1.rep(13).and_then(|r| r.text(1)) {
            contact.insert("organization".into(), build_json!({ "display": org }));
        }
        if !contact.is_empty() {
            contacts.push(Value::Object(contact));
        }
    }
    contacts
}

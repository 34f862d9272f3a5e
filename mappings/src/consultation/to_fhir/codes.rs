//! The code lists of the consultation formats (`tables/consultation-codes.csv`) and the vital-sign
//! kinds with their LOINC codes (`tables/consultation-vital-signs.csv`), read once.

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use super::names::code_system;
use crate::build_json;

const CODES: &str = include_str!("../../../tables/consultation-codes.csv");
const VITALS: &str = include_str!("../../../tables/consultation-vital-signs.csv");

/// One code of one list.
#[derive(Debug, Deserialize)]
pub struct Code {
    pub list: String,
    pub code: String,
    pub display_ja: String,
    #[allow(dead_code)] // documentation of the code, kept beside the Japanese display
    pub display_en: String,
}

/// One vital-sign kind.
#[derive(Debug, Deserialize)]
pub struct VitalSign {
    pub kind: String,
    pub loinc: String,
    pub loinc_display: String,
    pub display_ja: String,
}

fn codes() -> &'static [Code] {
    static ROWS: OnceLock<Vec<Code>> = OnceLock::new();
    ROWS.get_or_init(|| crate::tables::read("consultation-codes.csv", CODES))
}

pub fn vital_signs() -> &'static [VitalSign] {
    static ROWS: OnceLock<Vec<VitalSign>> = OnceLock::new();
    ROWS.get_or_init(|| crate::tables::read("consultation-vital-signs.csv", VITALS))
}

/// The codes of `list`, in table order.
pub fn list(list: &str) -> impl Iterator<Item = &'static Code> + '_ {
    codes().iter().filter(move |c| c.list == list)
}

/// The row of `code` in `list`.
pub fn find(list_name: &str, code: &str) -> Option<&'static Code> {
    list(list_name).find(|c| c.code == code)
}

/// The Japanese display of `code` in `list`, or the code itself when the list does not know it.
pub fn display(list: &str, code: &str) -> String {
    find(list, code).map_or_else(|| code.to_string(), |c| c.display_ja.clone())
}

/// `{system, code, display}` of `code` in Kakehashi's code system for `list`.
pub fn coding(list: &str, code: &str) -> Value {
    build_json!({"system": code_system(list), "code": code, "display": display(list, code)})
}

/// A CodeableConcept of one Kakehashi coding.
pub fn concept(list: &str, code: &str) -> Value {
    build_json!({"coding": [coding(list, code)]})
}

pub fn vital_sign(kind: &str) -> Option<&'static VitalSign> {
    vital_signs().iter().find(|v| v.kind == kind)
}

pub fn vital_sign_by_loinc(loinc: &str) -> Option<&'static VitalSign> {
    vital_signs().iter().find(|v| v.loinc == loinc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consultation::model::{ConsentKind, Form};

    #[test]
    fn the_tables_read_and_cover_the_model_enums() {
        assert!(codes().len() > 80);
        for form in ["DtoP", "DtoPwithD", "DtoPwithN"] {
            assert!(Form::from_code(form).is_some());
            assert!(find("form", form).is_some(), "{form}");
        }
        assert_eq!(list("form").count(), 3);
        assert_eq!(list("consent-status").count(), 3);
        assert_eq!(display("first-visit-basis", "new-symptom"), "新たな症状");
        assert_eq!(display("first-visit-basis", "unknown"), "unknown");
        assert_eq!(vital_signs().len(), 9);
        assert_eq!(
            vital_sign("heart-rate").map(|v| v.loinc.as_str()),
            Some("8867-4")
        );
        assert_eq!(
            vital_sign_by_loinc("8310-5").map(|v| v.kind.as_str()),
            Some("body-temperature")
        );
        // Every row of a list is unique.
        let mut seen = std::collections::HashSet::new();
        for c in codes() {
            assert!(seen.insert((&c.list, &c.code)), "{} {}", c.list, c.code);
        }
        assert_eq!(ConsentKind::ALL.len(), 5);
    }
}

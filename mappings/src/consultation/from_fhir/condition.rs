//! JP_Condition → a native disease: the name from code.text, the ICD-10 code from the coding in
//! `http://hl7.org/fhir/sid/icd-10`.

use serde_json::Value;

use super::input::Held;
use super::reader::{code_in, Problems};
use crate::consultation::model::Disease;
use crate::consultation::to_fhir::names::ICD10;

pub fn disease(held: &Held<'_>, p: &mut Problems) -> Value {
    let code = &held.resource["code"];
    let at = format!("{}.code", held.at);
    let disease = Disease {
        name: p.required_text(code, &at, "text", "The disease name"),
        icd10: code_in(code, &at, ICD10).map(|(c, _)| c.to_string()),
    };
    serde_json::to_value(disease).unwrap_or_default()
}

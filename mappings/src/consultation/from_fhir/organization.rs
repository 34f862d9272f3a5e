//! JP_Organization → a native institution: name, the 医療機関コード (JP Core's
//! `insurance-medical-institution-no` identifier) and the first phone number as 問い合わせ先.

use super::input::Held;
use super::reader::{identifier, Problems};
use crate::consultation::model::Institution;
use crate::consultation::to_fhir::names::MEDICAL_INSTITUTION_CODE;

pub fn institution(held: &Held<'_>, p: &mut Problems) -> Institution {
    let r = held.resource;
    let contact = r["telecom"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["system"] == "phone")
        .and_then(|t| t["value"].as_str())
        .map(str::to_string);
    Institution {
        name: p.required_text(r, &held.at, "name", "The institution's name"),
        code: identifier(r, MEDICAL_INSTITUTION_CODE).map(str::to_string),
        contact,
    }
}

//! A native institution → JP_Organization (医療機関コード under JP Core's
//! `insurance-medical-institution-no` system, name, 問い合わせ先 as a work phone).

use serde_json::Value;

use super::names::MEDICAL_INSTITUTION_CODE;
use crate::build_json;
use crate::consultation::model::Institution;
use crate::v2_to_fhir::profiles::{meta, Flavour};

pub fn organization(institution: &Institution, id: &str) -> Value {
    build_json!({
        "resourceType": "Organization",
        "id": id,
        "meta": meta("Organization", Flavour::Default),
        "identifier": institution.code.as_deref().map(|c| build_json!([{"system": MEDICAL_INSTITUTION_CODE, "value": c}])),
        "name": &institution.name,
        "telecom": institution.contact.as_deref().map(|c| build_json!([{"system": "phone", "value": c, "use": "work"}])),
    })
}

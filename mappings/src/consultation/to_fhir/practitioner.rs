//! A native doctor → JP_Practitioner (kanji and kana names, 医籍登録年 as a Kakehashi extension; no
//! qualification: the platform holds no 医籍登録番号) and JP_PractitionerRole (the practitioner, the
//! affiliated Organization, the department as specialty text).

use serde_json::Value;

use super::names::{extension_url, JP_PRACTITIONER_ROLE, REGISTRATION_YEAR};
use super::patient::names;
use crate::build_json;
use crate::consultation::model::Doctor;
use crate::v2_to_fhir::profiles::{meta, Flavour};

pub fn practitioner(doctor: &Doctor, id: &str) -> Value {
    let year = doctor.registration_year.map(
        |y| build_json!([{"url": extension_url(REGISTRATION_YEAR), "valueInteger": u32::from(y)}]),
    );
    build_json!({
        "resourceType": "Practitioner",
        "id": id,
        "meta": meta("Practitioner", Flavour::Default),
        "extension": year,
        "name": names(Some(&doctor.name), doctor.name_kana.as_deref()),
    })
}

/// The role of `doctor` (Practitioner `practitioner`) at `organization` (reference, name).
pub fn role(
    doctor: &Doctor,
    id: &str,
    practitioner: &str,
    organization: Option<(String, String)>,
) -> Value {
    build_json!({
        "resourceType": "PractitionerRole",
        "id": id,
        "meta": {"profile": [JP_PRACTITIONER_ROLE]},
        "practitioner": {"reference": practitioner, "display": &doctor.name},
        "organization": organization.map(|(r, name)| build_json!({"reference": r, "display": name})),
        "specialty": doctor.department.as_deref().map(|d| build_json!([{"text": d}])),
    })
}

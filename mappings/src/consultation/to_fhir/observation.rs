//! バイタルデータ → JP_Observation_VitalSigns: category vital-signs, the LOINC code of the kind
//! (`tables/consultation-vital-signs.csv`), valueQuantity with the UCUM unit and the value's text as
//! sent, effectiveDateTime, and who measured as a Kakehashi extension (`vital-measured-by`).

use serde_json::Value;

use super::codes::vital_sign;
use super::names::{extension_url, LOINC, OBSERVATION_CATEGORY, UCUM, VITAL_MEASURED_BY};
use crate::build_json;
use crate::consultation::model::record::Vital;
use crate::v2_to_fhir::profiles::{meta, Flavour};

pub fn vital(vital: &Vital, id: &str, patient: &str, encounter: &str) -> Value {
    let code = match vital_sign(&vital.kind) {
        Some(sign) => build_json!({
            "coding": [{"system": LOINC, "code": &sign.loinc, "display": &sign.loinc_display}],
            "text": &sign.display_ja,
        }),
        None => build_json!({"text": &vital.kind}),
    };
    let measured_by = vital
        .measured_by
        .as_deref()
        .map(|m| build_json!([{"url": extension_url(VITAL_MEASURED_BY), "valueCode": m}]));
    build_json!({
        "resourceType": "Observation",
        "id": id,
        "meta": meta("Observation", Flavour::Vital),
        "extension": measured_by,
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}],
        "code": code,
        "subject": {"reference": patient},
        "encounter": {"reference": encounter},
        "effectiveDateTime": &vital.measured,
        "valueQuantity": {
            "value": vital.value.clone(),
            "unit": &vital.unit,
            "system": UCUM,
            "code": &vital.unit,
        },
    })
}

//! Diseases → JP_Condition: the record's diagnoses (category encounter-diagnosis, with the Encounter)
//! and the care plan's P1 diseases; the code is the ICD-10 code (`http://hl7.org/fhir/sid/icd-10`) when
//! known, with the disease name as text.

use serde_json::Value;

use super::names::{CONDITION_CATEGORY, ICD10};
use crate::build_json;
use crate::consultation::model::Disease;
use crate::v2_to_fhir::profiles::{meta, Flavour};

/// The CodeableConcept of `disease`.
pub fn code(disease: &Disease) -> Value {
    build_json!({
        "coding": disease.icd10.as_deref().map(|c| build_json!([{"system": ICD10, "code": c}])),
        "text": &disease.name,
    })
}

/// The Condition of `disease` for `patient`; `encounter` for a record's diagnosis.
pub fn condition(disease: &Disease, id: &str, patient: &str, encounter: Option<&str>) -> Value {
    let category = encounter.map(|_| {
        build_json!([{"coding": [{"system": CONDITION_CATEGORY, "code": "encounter-diagnosis", "display": "Encounter Diagnosis"}]}])
    });
    build_json!({
        "resourceType": "Condition",
        "id": id,
        "meta": meta("Condition", Flavour::Default),
        "category": category,
        "code": code(disease),
        "subject": {"reference": patient},
        "encounter": encounter.map(|e| build_json!({"reference": e})),
    })
}

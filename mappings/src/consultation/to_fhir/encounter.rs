//! The record's session → JP_Encounter: class `VR` (v3 ActCode virtual), status from the end time,
//! the 診療形態 as type, the period, the doctor as primary performer and the attendees as text, the
//! diagnoses as reasonCode, the doctor's institution as serviceProvider, and the care plan it follows.
//! R4's Encounter.basedOn admits only ServiceRequest, so the CarePlan is a Kakehashi extension
//! (`consultation-care-plan`), as R5's Encounter.basedOn would hold it.

use serde_json::Value;

use super::codes::{concept, display};
use super::condition::code;
use super::names::{
    extension_url, CARE_PLAN_ID_SYSTEM, CARE_PLAN_OF_ENCOUNTER, RECORD_ID_SYSTEM, V3_ACT_CODE,
    V3_PARTICIPATION_TYPE,
};
use crate::build_json;
use crate::consultation::model::ConsultationRecord;
use crate::v2_to_fhir::profiles::{meta, Flavour};

/// The references the Encounter makes to other entries.
pub struct Links {
    pub patient: String,
    pub doctor: String,
    pub service_provider: Option<String>,
}

pub fn encounter(record: &ConsultationRecord, id: &str, links: Links) -> Value {
    let status = if record.period.end.is_some() {
        "finished"
    } else {
        "in-progress"
    };
    let mut participants = vec![build_json!({
        "type": [{"coding": [{"system": V3_PARTICIPATION_TYPE, "code": "PPRF", "display": "primary performer"}]}],
        "individual": {"reference": links.doctor, "display": &record.doctor.name},
    })];
    for attendee in &record.attendees {
        participants.push(build_json!({
            "type": [{"text": format!("同席者（{}）", display("attendee-role", &attendee.role))}],
            "individual": attendee.name.as_deref().map(|n| build_json!({"display": n})),
        }));
    }
    let care_plan = record.care_plan_id.as_deref().map(|plan| {
        build_json!([{
            "url": extension_url(CARE_PLAN_OF_ENCOUNTER),
            "valueReference": {
                "reference": format!("CarePlan/{}", super::care_plan_id(plan)),
                "identifier": {"system": CARE_PLAN_ID_SYSTEM, "value": plan},
            },
        }])
    });
    build_json!({
        "resourceType": "Encounter",
        "id": id,
        "meta": meta("Encounter", Flavour::Default),
        "extension": care_plan,
        "identifier": [{"system": RECORD_ID_SYSTEM, "value": &record.record_id}],
        "status": status,
        "class": {"system": V3_ACT_CODE, "code": "VR", "display": "virtual"},
        "type": [concept("form", record.form.code())],
        "subject": {"reference": links.patient},
        "participant": participants,
        "period": {"start": &record.period.start, "end": record.period.end.as_deref()},
        "reasonCode": record.diagnoses.iter().map(code).collect::<Vec<_>>(),
        "serviceProvider": links.service_provider.map(|r| build_json!({"reference": r})),
    })
}

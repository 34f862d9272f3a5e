//! JP_Encounter → the record's header: the record id (Kakehashi identifier), class `VR` (anything else
//! is not an online consultation), the 診療形態 from type, the period, the patient, the doctor (the
//! primary performer) and the care plan it follows (Kakehashi extension `consultation-care-plan`).

use serde_json::{Map, Value};

use super::extensions::simple;
use super::input::{Held, Input};
use super::patient::patient;
use super::practitioner::doctor_at;
use super::reader::{code_in, identifier, Problems};
use crate::consultation::model::Form;
use crate::consultation::to_fhir::names::{
    code_system, extension_url, CARE_PLAN_ID_SYSTEM, CARE_PLAN_OF_ENCOUNTER, RECORD_ID_SYSTEM,
    V3_ACT_CODE, V3_PARTICIPATION_TYPE,
};
use crate::issue::IssueCode;

/// Reads the Encounter's members of the record into `out`.
pub fn read(input: &Input<'_>, held: &Held<'_>, out: &mut Map<String, Value>, p: &mut Problems) {
    let r = held.resource;
    let at = &held.at;
    match identifier(r, RECORD_ID_SYSTEM) {
        Some(id) => {
            out.insert("recordId".into(), id.into());
        }
        None => p.missing(
            format!("{at}.identifier"),
            &format!("The record id (identifier in {RECORD_ID_SYSTEM})"),
        ),
    }
    let class = &r["class"];
    if class["system"] != V3_ACT_CODE || class["code"] != "VR" {
        p.push(
            IssueCode::CodeInvalid,
            format!("{at}.class"),
            format!(
                "An online consultation's Encounter has class VR ({V3_ACT_CODE}), not {}.",
                class["code"].as_str().unwrap_or("none")
            ),
        );
    }
    match code_in(&r["type"], &format!("{at}.type"), &code_system("form")) {
        Some((code, code_at)) => match Form::from_code(code) {
            Some(form) => {
                out.insert("form".into(), form.code().into());
            }
            None => p.push(
                IssueCode::CodeInvalid,
                code_at,
                format!("'{code}' is not a consultation form."),
            ),
        },
        None => p.missing(format!("{at}.type"), "The consultation form (診療形態)"),
    }
    let period_at = format!("{at}.period");
    let start = p.required_text(&r["period"], &period_at, "start", "The start time");
    let mut period = Map::new();
    period.insert("start".into(), start.into());
    if let Some(end) = p.text(&r["period"], &period_at, "end") {
        period.insert("end".into(), end.into());
    }
    out.insert("period".into(), Value::Object(period));
    let subject_at = format!("{at}.subject");
    if let Some(held) = p.target(input, &r["subject"], &subject_at, "Patient", "The patient") {
        let patient = patient(held, p);
        out.insert(
            "patient".into(),
            serde_json::to_value(patient).unwrap_or_default(),
        );
    }
    read_doctor(input, held, out, p);
    let url = extension_url(CARE_PLAN_OF_ENCOUNTER);
    if let Some(reference) = simple(r, at, &url, "valueReference", p) {
        match reference["identifier"]
            .as_object()
            .filter(|i| i.get("system").and_then(Value::as_str) == Some(CARE_PLAN_ID_SYSTEM))
            .and_then(|i| i.get("value"))
        {
            Some(Value::String(id)) => {
                out.insert("carePlanId".into(), id.clone().into());
            }
            _ => p.missing(
                format!("{at}.extension"),
                &format!("The care plan's identifier (in {CARE_PLAN_ID_SYSTEM})"),
            ),
        }
    }
}

fn read_doctor(input: &Input<'_>, held: &Held<'_>, out: &mut Map<String, Value>, p: &mut Problems) {
    let participants = held.resource["participant"].as_array();
    let primary = participants
        .into_iter()
        .flatten()
        .enumerate()
        .find(|(_, pt)| {
            pt["type"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|t| t["coding"].as_array().into_iter().flatten())
                .any(|c| c["system"] == V3_PARTICIPATION_TYPE && c["code"] == "PPRF")
        });
    let Some((i, participant)) = primary else {
        p.missing(
            format!("{}.participant", held.at),
            "The doctor (a participant of type PPRF)",
        );
        return;
    };
    let at = format!("{}.participant[{i}].individual", held.at);
    if let Some(doctor) = doctor_at(input, &participant["individual"], &at, "The doctor", p) {
        out.insert(
            "doctor".into(),
            serde_json::to_value(doctor).unwrap_or_default(),
        );
    }
}

//! A Bundle → 診療計画: the CarePlan of category `online-consultation-plan`, its Patient and author,
//! the description and the Conditions it addresses as P1, its CareTeam's participants as P8, its note,
//! and its Kakehashi extensions as the other P-items.

use serde_json::{Map, Value};

use super::condition;
use super::extensions::{self, simple};
use super::input::{Held, Input};
use super::patient::patient;
use super::practitioner::doctor_at;
use super::reader::{code_in, identifier, Problems};
use super::record::{native, the_one};
use crate::consultation::model::CarePlan;
use crate::consultation::to_fhir::codes::find;
use crate::consultation::to_fhir::names::{
    code_system, extension_url, CARE_PLAN_DOCUMENT, CARE_PLAN_ID_SYSTEM, PLANNED_DOCTOR_WHEN,
};
use crate::issue::{Issue, IssueCode};

pub fn care_plan_from_fhir(bundle: &Value) -> Result<CarePlan, Vec<Issue>> {
    let input = Input::new(bundle).map_err(|i| vec![i])?;
    let mut p = Problems::default();
    let system = code_system("document-type");
    let plan = the_one(&input, "CarePlan", &system, CARE_PLAN_DOCUMENT, "category")?;
    let r = plan.resource;
    let at = &plan.at;
    let mut out = Map::new();
    match identifier(r, CARE_PLAN_ID_SYSTEM) {
        Some(id) => {
            out.insert("carePlanId".into(), id.into());
        }
        None => p.missing(format!("{at}.identifier"), "The care plan id"),
    }
    if let Some(held) = p.target(
        &input,
        &r["subject"],
        &format!("{at}.subject"),
        "Patient",
        "The patient",
    ) {
        out.insert(
            "patient".into(),
            serde_json::to_value(patient(held, &mut p)).unwrap_or_default(),
        );
    }
    let status = p.required_text(r, at, "status", "The status");
    if find("care-plan-status", &status).is_none() && !status.is_empty() {
        p.push(
            IssueCode::CodeInvalid,
            format!("{at}.status"),
            format!("A care plan is active, completed, revoked or draft, not {status}."),
        );
    }
    out.insert("status".into(), status.into());
    let created = p.required_text(r, at, "created", "The creation time");
    out.insert("created".into(), created.into());
    if let Some(author) = doctor_at(
        &input,
        &r["author"],
        &format!("{at}.author"),
        "The author",
        &mut p,
    ) {
        out.insert(
            "author".into(),
            serde_json::to_value(author).unwrap_or_default(),
        );
    }
    if r["period"].is_object() {
        out.insert("period".into(), r["period"].clone());
    }
    care_content(&input, plan, &mut out, &mut p);
    doctors(&input, plan, &mut out, &mut p);
    if let Some(note) = p.text(&r["note"][0], &format!("{at}.note[0]"), "text") {
        out.insert("note".into(), note.into());
    }
    extensions::members("care-plan", r, at, &input, &mut out, &mut p);
    p.finish(())?;
    native(out)
}

/// P1: the description (treatment) and the addressed Conditions (diseases).
fn care_content(
    input: &Input<'_>,
    plan: &Held<'_>,
    out: &mut Map<String, Value>,
    p: &mut Problems,
) {
    let r = plan.resource;
    let addresses = r["addresses"].as_array().map_or(0, Vec::len);
    let Some(treatment) = p.text(r, &plan.at, "description") else {
        if addresses > 0 {
            p.missing(
                format!("{}.description", plan.at),
                "The treatment (P1) beside the diseases",
            );
        }
        return;
    };
    let mut diseases = Vec::new();
    for (i, reference) in r["addresses"].as_array().into_iter().flatten().enumerate() {
        let at = format!("{}.addresses[{i}]", plan.at);
        if let Some(held) = p.target(input, reference, &at, "Condition", "A disease") {
            diseases.push(condition::disease(held, p));
        }
    }
    let mut content = Map::new();
    content.insert("diseases".into(), Value::Array(diseases));
    content.insert("treatment".into(), treatment.into());
    out.insert("careContent".into(), Value::Object(content));
}

/// P8: the participants of the CareTeam.
fn doctors(input: &Input<'_>, plan: &Held<'_>, out: &mut Map<String, Value>, p: &mut Problems) {
    let team_ref = &plan.resource["careTeam"][0];
    if team_ref.is_null() {
        return;
    }
    let at = format!("{}.careTeam[0]", plan.at);
    let Some(team) = p.target(
        input,
        team_ref,
        &at,
        "CareTeam",
        "The planned doctors' CareTeam",
    ) else {
        return;
    };
    let role_system = code_system("planned-doctor-role");
    let mut doctors = Vec::new();
    for (i, participant) in team.resource["participant"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("{}.participant[{i}]", team.at);
        let mut planned = Map::new();
        if let Some(doctor) = doctor_at(
            input,
            &participant["member"],
            &format!("{at}.member"),
            "A planned doctor",
            p,
        ) {
            planned.insert(
                "doctor".into(),
                serde_json::to_value(doctor).unwrap_or_default(),
            );
        }
        match code_in(&participant["role"], &format!("{at}.role"), &role_system) {
            Some((code, _)) if find("planned-doctor-role", code).is_some() => {
                planned.insert("role".into(), code.into());
            }
            Some((code, code_at)) => p.push(
                IssueCode::CodeInvalid,
                code_at,
                format!("'{code}' is not a planned doctor's role."),
            ),
            None => p.missing(format!("{at}.role"), "The planned doctor's role"),
        }
        let url = extension_url(PLANNED_DOCTOR_WHEN);
        if let Some(when) = simple(participant, &at, &url, "valueString", p).and_then(Value::as_str)
        {
            planned.insert("when".into(), when.into());
        }
        doctors.push(Value::Object(planned));
    }
    out.insert("doctors".into(), Value::Array(doctors));
}

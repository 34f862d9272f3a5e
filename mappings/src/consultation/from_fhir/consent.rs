//! A Bundle → 同意: the Consent whose category is a consent kind (`urn:kakehashi:consultation:consent-kind`),
//! its identifier, Patient, status, dateTime, provision period, and the Kakehashi extensions on the
//! Consent (method, doctor, explained items, note) and on its provision (recording terms, attendee).

use serde_json::{Map, Value};

use super::extensions;
use super::input::{Held, Input};
use super::patient::patient;
use super::reader::{code_in, identifier, Problems};
use super::record::native;
use crate::consultation::model::{Consent, ConsentKind};
use crate::consultation::to_fhir::codes::find;
use crate::consultation::to_fhir::names::{code_system, CONSENT_ID_SYSTEM};
use crate::issue::{Issue, IssueCode};

pub fn consent_from_fhir(bundle: &Value) -> Result<Consent, Vec<Issue>> {
    let input = Input::new(bundle).map_err(|i| vec![i])?;
    let mut p = Problems::default();
    let held = the_consent(&input)?;
    let r = held.resource;
    let at = &held.at;
    let mut out = Map::new();
    match identifier(r, CONSENT_ID_SYSTEM) {
        Some(id) => {
            out.insert("consentId".into(), id.into());
        }
        None => p.missing(format!("{at}.identifier"), "The consent id"),
    }
    if let Some((code, code_at)) = code_in(
        &r["category"],
        &format!("{at}.category"),
        &code_system("consent-kind"),
    ) {
        match ConsentKind::from_code(code) {
            Some(kind) => {
                out.insert("kind".into(), kind.code().into());
            }
            None => p.push(
                IssueCode::CodeInvalid,
                code_at,
                format!("'{code}' is not a consent kind."),
            ),
        }
    }
    if let Some(h) = p.target(
        &input,
        &r["patient"],
        &format!("{at}.patient"),
        "Patient",
        "The patient",
    ) {
        out.insert(
            "patient".into(),
            serde_json::to_value(patient(h, &mut p)).unwrap_or_default(),
        );
    }
    let status = p.required_text(r, at, "status", "The status");
    if find("consent-status", &status).is_none() && !status.is_empty() {
        p.push(
            IssueCode::CodeInvalid,
            format!("{at}.status"),
            format!("A consent is active, rejected or inactive, not {status}."),
        );
    }
    out.insert("status".into(), status.into());
    let date_time = p.required_text(r, at, "dateTime", "The time of consent");
    out.insert("dateTime".into(), date_time.into());
    let provision = &r["provision"];
    if provision["period"].is_object() {
        out.insert("period".into(), provision["period"].clone());
    }
    extensions::members("consent", r, at, &input, &mut out, &mut p);
    extensions::members(
        "consent",
        provision,
        &format!("{at}.provision"),
        &input,
        &mut out,
        &mut p,
    );
    extensions::required("consent", &out, at, &[], &mut p);
    p.finish(())?;
    native(out)
}

/// The one Consent of a consent kind.
fn the_consent<'i, 'a>(input: &'i Input<'a>) -> Result<&'i Held<'a>, Vec<Issue>> {
    let system = code_system("consent-kind");
    let found: Vec<&Held<'a>> = input
        .of_type("Consent")
        .into_iter()
        .filter(|h| code_in(&h.resource["category"], &h.at, &system).is_some())
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(vec![Issue::error(
            IssueCode::Required,
            format!("The Bundle has no Consent with a category in {system}."),
        )
        .at("Bundle.entry")]),
        [_, second, ..] => Err(vec![Issue::error(
            IssueCode::MultipleMatches,
            "The Bundle has several consents; one is read at a time.",
        )
        .at(second.at.clone())]),
    }
}

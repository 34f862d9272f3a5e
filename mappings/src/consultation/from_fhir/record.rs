//! A Bundle → オンライン診療記録: the Composition of type `online-consultation-record` is the
//! anchor; its Encounter gives the header (encounter.rs), its sections the items (sections.rs).

use serde_json::{Map, Value};

use super::input::{Held, Input};
use super::reader::{code_in, Problems};
use super::{encounter, extensions, sections};
use crate::consultation::model::ConsultationRecord;
use crate::consultation::to_fhir::names::{code_system, RECORD_DOCUMENT};
use crate::issue::{Issue, IssueCode};

pub fn record_from_fhir(bundle: &Value) -> Result<ConsultationRecord, Vec<Issue>> {
    let input = Input::new(bundle).map_err(|i| vec![i])?;
    let mut p = Problems::default();
    let composition = the_one(
        &input,
        "Composition",
        &code_system("document-type"),
        RECORD_DOCUMENT,
        "type",
    )?;
    let mut out = Map::new();
    let at = format!("{}.encounter", composition.at);
    let enc = &composition.resource["encounter"];
    if let Some(held) = p.target(&input, enc, &at, "Encounter", "The record's Encounter") {
        encounter::read(&input, held, &mut out, &mut p);
    }
    sections::read(&input, composition, &mut out, &mut p);
    let at = format!("{}.section", composition.at);
    extensions::required("record", &out, &at, &[], &mut p);
    p.finish(())?;
    native(out)
}

/// The single resource of `kind` whose `element` (a CodeableConcept or a list of them) has `code`
/// in `system`: none or several is the error.
pub fn the_one<'i, 'a>(
    input: &'i Input<'a>,
    kind: &str,
    system: &str,
    code: &str,
    element: &str,
) -> Result<&'i Held<'a>, Vec<Issue>> {
    let found: Vec<&Held<'a>> = input
        .of_type(kind)
        .into_iter()
        .filter(|h| {
            let at = format!("{}.{element}", h.at);
            code_in(&h.resource[element], &at, system).is_some_and(|(c, _)| c == code)
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(vec![Issue::error(
            IssueCode::Required,
            format!("The Bundle has no {kind} with {element} {system}#{code}."),
        )
        .at("Bundle.entry")]),
        [_, second, ..] => Err(vec![Issue::error(
            IssueCode::MultipleMatches,
            format!(
                "The Bundle has {} {kind}s with {element} {system}#{code}; one document is read at a time.",
                found.len()
            ),
        )
        .at(second.at.clone())]),
    }
}

/// The native document from its JSON members.
pub fn native<T: serde::de::DeserializeOwned>(out: Map<String, Value>) -> Result<T, Vec<Issue>> {
    serde_json::from_value(Value::Object(out)).map_err(|e| {
        vec![Issue::error(
            IssueCode::Structure,
            format!("The resources do not make a valid native document: {e}"),
        )
        .at("Bundle")]
    })
}

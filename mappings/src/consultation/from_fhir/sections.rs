//! The Composition's sections → the record's items: the entries of the diagnoses, consents,
//! questionnaire and vitals sections (Conditions, Consent references by their Kakehashi identifier,
//! the QuestionnaireResponse, Observations) and the Kakehashi extensions of every section.

use serde_json::{Map, Value};

use super::input::{Held, Input};
use super::reader::{code_in, Problems};
use super::{condition, extensions, observation, questionnaire_response};
use crate::consultation::to_fhir::codes::find;
use crate::consultation::to_fhir::names::{code_system, CONSENT_ID_SYSTEM};
use crate::issue::IssueCode;

pub fn read(
    input: &Input<'_>,
    composition: &Held<'_>,
    out: &mut Map<String, Value>,
    p: &mut Problems,
) {
    let system = code_system("section");
    let sections = composition.resource["section"].as_array();
    for (i, section) in sections.into_iter().flatten().enumerate() {
        let at = format!("{}.section[{i}]", composition.at);
        let Some((code, code_at)) = code_in(&section["code"], &format!("{at}.code"), &system)
        else {
            continue;
        };
        if find("section", code).is_none() {
            p.push(
                IssueCode::CodeInvalid,
                code_at,
                format!("'{code}' is not a section of a consultation record."),
            );
            continue;
        }
        let entries: Vec<(&Value, String)> = section["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(j, e)| (e, format!("{at}.entry[{j}]")))
            .collect();
        match code {
            "diagnoses" => {
                let found = resolved(input, &entries, "Condition", "A diagnosis", p);
                let diseases = found.iter().map(|h| condition::disease(h, p)).collect();
                out.insert("diagnoses".into(), Value::Array(diseases));
            }
            "vitals" => {
                let found = resolved(input, &entries, "Observation", "A vital sign", p);
                let vitals = found.iter().map(|h| observation::vital(h, p)).collect();
                out.insert("vitals".into(), Value::Array(vitals));
            }
            "questionnaire" => {
                let found = resolved(
                    input,
                    &entries,
                    "QuestionnaireResponse",
                    "The questionnaire",
                    p,
                );
                match found.as_slice() {
                    [one] => {
                        out.insert(
                            "questionnaire".into(),
                            questionnaire_response::questionnaire(one, p),
                        );
                    }
                    _ => p.push(
                        IssueCode::Structure,
                        format!("{at}.entry"),
                        "The questionnaire section lists exactly one QuestionnaireResponse.",
                    ),
                }
            }
            "consents" => {
                let ids = entries
                    .iter()
                    .filter_map(|(entry, entry_at)| consent_id(entry, entry_at, p))
                    .collect();
                out.insert("consentIds".into(), Value::Array(ids));
            }
            _ => {}
        }
        extensions::members("record", section, &at, input, out, p);
    }
}

fn resolved<'i, 'a>(
    input: &'i Input<'a>,
    entries: &[(&Value, String)],
    kind: &str,
    what: &str,
    p: &mut Problems,
) -> Vec<&'i Held<'a>> {
    entries
        .iter()
        .filter_map(|(entry, at)| p.target(input, entry, at, kind, what))
        .collect()
}

fn consent_id(entry: &Value, at: &str, p: &mut Problems) -> Option<Value> {
    let identifier = &entry["identifier"];
    match identifier["value"].as_str() {
        Some(id) if identifier["system"] == CONSENT_ID_SYSTEM => Some(id.into()),
        _ => {
            p.missing(
                format!("{at}.identifier"),
                &format!("The consent's id (identifier in {CONSENT_ID_SYSTEM})"),
            );
            None
        }
    }
}

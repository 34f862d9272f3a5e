//! QuestionnaireResponse → the native 事前問診: authored as the answer time, the Kakehashi
//! `questionnaire-title`, and per item its linkId, text and valueString answer.

use serde_json::{Map, Value};

use super::extensions::simple;
use super::input::Held;
use super::reader::Problems;
use crate::consultation::to_fhir::names::{extension_url, QUESTIONNAIRE_TITLE};

pub fn questionnaire(held: &Held<'_>, p: &mut Problems) -> Value {
    let r = held.resource;
    let at = &held.at;
    let mut out = Map::new();
    let answered = p.required_text(r, at, "authored", "The answer time");
    out.insert("answered".into(), answered.into());
    let url = extension_url(QUESTIONNAIRE_TITLE);
    if let Some(title) = simple(r, at, &url, "valueString", p).and_then(Value::as_str) {
        out.insert("title".into(), title.into());
    }
    let mut answers = Vec::new();
    for (i, item) in r["item"].as_array().into_iter().flatten().enumerate() {
        let item_at = format!("{at}.item[{i}]");
        let id = p.required_text(item, &item_at, "linkId", "The question id");
        let question = p.required_text(item, &item_at, "text", "The question");
        let answer_at = format!("{item_at}.answer[0]");
        let answer = p.required_text(&item["answer"][0], &answer_at, "valueString", "The answer");
        let mut a = Map::new();
        a.insert("id".into(), id.into());
        a.insert("question".into(), question.into());
        a.insert("answer".into(), answer.into());
        answers.push(Value::Object(a));
    }
    out.insert("answers".into(), Value::Array(answers));
    Value::Object(out)
}

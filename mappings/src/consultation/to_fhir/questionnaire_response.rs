//! 事前問診 → QuestionnaireResponse (no JP Core profile): status completed, authored when answered,
//! one item per answer (linkId = the question id, text = the question, valueString = the answer), the
//! questionnaire's name as a Kakehashi extension (`questionnaire-title`).

use serde_json::Value;

use super::names::{extension_url, QUESTIONNAIRE_TITLE};
use crate::build_json;
use crate::consultation::model::record::Questionnaire;

pub fn questionnaire_response(
    questionnaire: &Questionnaire,
    id: &str,
    patient: &str,
    encounter: &str,
) -> Value {
    let title = questionnaire
        .title
        .as_deref()
        .map(|t| build_json!([{"url": extension_url(QUESTIONNAIRE_TITLE), "valueString": t}]));
    let items: Vec<Value> = questionnaire
        .answers
        .iter()
        .map(|a| {
            build_json!({
                "linkId": &a.id,
                "text": &a.question,
                "answer": [{"valueString": &a.answer}],
            })
        })
        .collect();
    build_json!({
        "resourceType": "QuestionnaireResponse",
        "id": id,
        "extension": title,
        "status": "completed",
        "subject": {"reference": patient},
        "encounter": {"reference": encounter},
        "authored": &questionnaire.answered,
        "item": items,
    })
}

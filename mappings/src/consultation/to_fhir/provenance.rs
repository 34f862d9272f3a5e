//! The record's Provenance (no JP Core profile): it targets every resource of the Bundle, was recorded
//! at the end of the session (or its start), and names the doctor as author.

use serde_json::Value;

use crate::build_json;

const PARTICIPANT_TYPE: &str = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";

pub fn provenance(id: &str, targets: &[String], recorded: &str, author: &str) -> Value {
    let target: Vec<Value> = targets
        .iter()
        .map(|t| build_json!({"reference": t}))
        .collect();
    build_json!({
        "resourceType": "Provenance",
        "id": id,
        "target": target,
        "recorded": recorded,
        "agent": [{
            "type": {"coding": [{"system": PARTICIPANT_TYPE, "code": "author", "display": "Author"}]},
            "who": {"reference": author},
        }],
    })
}

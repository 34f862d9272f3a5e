//! JP_Patient → the native patient: the first identifier's value as the id, the kanji (`IDE`, or a
//! name without representation) and kana (`SYL`) names by their text (or family and given parts),
//! gender and birthDate. The names rule is shared with Practitioner.

use serde_json::Value;

use super::input::Held;
use super::reader::Problems;
use crate::consultation::model::Patient;
use crate::consultation::to_fhir::names::NAME_REPRESENTATION;

pub fn patient(held: &Held<'_>, p: &mut Problems) -> Patient {
    let r = held.resource;
    let id = r["identifier"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|i| i["value"].as_str());
    if id.is_none() {
        p.missing(
            format!("{}.identifier", held.at),
            "The patient's identifier",
        );
    }
    let (name, name_kana) = names(r, &held.at, p);
    Patient {
        id: id.unwrap_or_default().to_string(),
        name,
        name_kana,
        birth_date: p.text(r, &held.at, "birthDate"),
        gender: p.text(r, &held.at, "gender"),
    }
}

/// (kanji, kana) of `resource.name`.
pub fn names(resource: &Value, at: &str, p: &mut Problems) -> (Option<String>, Option<String>) {
    let mut kanji = None;
    let mut kana = None;
    for (i, name) in resource["name"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let name_at = format!("{at}.name[{i}]");
        let representation = name["extension"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["url"] == NAME_REPRESENTATION)
            .and_then(|e| e["valueCode"].as_str());
        let Some(text) = p.text(name, &name_at, "text").or_else(|| parts(name)) else {
            continue;
        };
        let slot = match representation {
            Some("SYL") => &mut kana,
            _ => &mut kanji,
        };
        if slot.is_none() {
            *slot = Some(text);
        }
    }
    (kanji, kana)
}

/// `family given…` when the name has no text.
fn parts(name: &Value) -> Option<String> {
    let mut words: Vec<&str> = name["family"].as_str().into_iter().collect();
    words.extend(
        name["given"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str),
    );
    (!words.is_empty()).then(|| words.join(" "))
}

//! The native patient → JP_Patient (identifier under the gateway's system, names in JP Core's kanji
//! `IDE` and kana `SYL` representations, gender, birthDate); the HumanName rule shared with
//! Practitioner.

use serde_json::Value;

use super::names::NAME_REPRESENTATION;
use crate::build_json;
use crate::consultation::model::Patient;
use crate::v2_to_fhir::profiles::{meta, Flavour};

/// The Patient resource (no id: it is a conditional create).
pub fn patient(patient: &Patient, system: &str) -> Value {
    build_json!({
        "resourceType": "Patient",
        "meta": meta("Patient", Flavour::Default),
        "identifier": [{"system": system, "value": &patient.id}],
        "name": names(patient.name.as_deref(), patient.name_kana.as_deref()),
        "gender": patient.gender.as_deref(),
        "birthDate": patient.birth_date.as_deref(),
    })
}

/// JP Core names: the kanji name (`IDE`) then the kana name (`SYL`), each with its full text and, when
/// the text has a space between them, family and given parts.
pub fn names(kanji: Option<&str>, kana: Option<&str>) -> Vec<Value> {
    [(kanji, "IDE"), (kana, "SYL")]
        .into_iter()
        .filter_map(|(text, representation)| text.map(|t| name(t, representation)))
        .collect()
}

fn name(text: &str, representation: &str) -> Value {
    let parts = text
        .split_once([' ', '\u{3000}'])
        .map(|(f, g)| (f.trim(), g.trim()))
        .filter(|(f, g)| !f.is_empty() && !g.is_empty());
    build_json!({
        "extension": [{"url": NAME_REPRESENTATION, "valueCode": representation}],
        "text": text,
        "family": parts.map(|(f, _)| f),
        "given": parts.map(|(_, g)| vec![g]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_jp_core() {
        let n = names(Some("山田 花子"), Some("ヤマダ　ハナコ"));
        assert_eq!(n[0]["extension"][0]["valueCode"], "IDE");
        assert_eq!(n[0]["family"], "山田");
        assert_eq!(n[0]["given"][0], "花子");
        assert_eq!(n[1]["extension"][0]["valueCode"], "SYL");
        assert_eq!(n[1]["given"][0], "ハナコ");
        let single = names(Some("マドンナ"), None);
        assert_eq!(single.len(), 1);
        assert!(single[0]["family"].is_null());
        assert_eq!(single[0]["text"], "マドンナ");
    }
}

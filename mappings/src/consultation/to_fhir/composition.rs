//! The record as a document → Composition (no JP Core profile): type オンライン診療記録
//! (`urn:kakehashi:consultation:document-type#online-consultation-record`), the patient, the
//! Encounter, the doctor as author, and one section per item group of requirements.md §1.2/§1.3 in the
//! order of the `section` list (`urn:kakehashi:consultation:section`). Each section has a narrative
//! and its structured values: the Conditions, Observations, QuestionnaireResponse and Consents it
//! lists as entries, or else the Kakehashi extensions of its native member (with the Organizations
//! and Practitioners those refer to as entries).

use serde_json::Value;

use super::bundle::Transaction;
use super::codes::{self, concept, Code};
use super::extensions;
use super::items::children;
use super::names::{kebab, CONSENT_ID_SYSTEM, RECORD_DOCUMENT, RECORD_ID_SYSTEM};
use super::narrative::{bullets, member, text};
use crate::build_json;
use crate::consultation::model::ConsultationRecord;

/// The entries made from the record's resource-valued items.
pub struct Entries {
    pub diagnoses: Vec<String>,
    pub vitals: Vec<String>,
    pub questionnaire: Option<String>,
}

/// The references the Composition makes to other entries.
pub struct Links {
    pub patient: String,
    pub encounter: String,
    pub author: String,
    pub custodian: Option<String>,
}

pub fn composition(
    record: &ConsultationRecord,
    id: &str,
    links: Links,
    sections: Vec<Value>,
) -> Value {
    let date = record.period.end.as_deref().unwrap_or(&record.period.start);
    let title = codes::display("document-type", RECORD_DOCUMENT);
    build_json!({
        "resourceType": "Composition",
        "id": id,
        "identifier": {"system": RECORD_ID_SYSTEM, "value": &record.record_id},
        "status": "final",
        "type": concept("document-type", RECORD_DOCUMENT),
        "subject": {"reference": links.patient},
        "encounter": {"reference": links.encounter},
        "date": date,
        "author": [{"reference": links.author, "display": &record.doctor.name}],
        "title": title,
        "custodian": links.custodian.map(|r| build_json!({"reference": r})),
        "section": sections,
    })
}

/// The sections of `record` (`native` is its JSON).
pub fn sections(
    record: &ConsultationRecord,
    native: &Value,
    entries: &Entries,
    tx: &mut Transaction,
) -> Vec<Value> {
    let mut out = Vec::new();
    for code in codes::list("section") {
        let made = match code.code.as_str() {
            "diagnoses" => diagnoses(record, code, entries),
            "consents" => consents(record, code),
            "questionnaire" => questionnaire(record, code, entries),
            "vitals" => vitals(record, code, entries),
            other => extension_section(native, code, other, tx),
        };
        out.extend(made);
    }
    out
}

fn section(code: &Code, html: String, extension: Vec<Value>, entry: Vec<Value>) -> Value {
    build_json!({
        "extension": extension,
        "title": &code.display_ja,
        "code": concept("section", &code.code),
        "text": text(&html),
        "entry": entry,
    })
}

fn references(refs: &[String]) -> Vec<Value> {
    refs.iter().map(|r| build_json!({"reference": r})).collect()
}

/// The section of the record member whose kebab-case name is `section_code`.
fn extension_section(
    native: &Value,
    code: &Code,
    section_code: &str,
    tx: &mut Transaction,
) -> Option<Value> {
    let row = children("record").find(|r| kebab(r.name()) == section_code)?;
    let value = native.get(row.name()).filter(|v| !v.is_null())?;
    let extension = extensions::member("record", row.name(), value, tx);
    let entry = references(&extensions::references(&extension));
    Some(section(code, member(&row.path, value), extension, entry))
}

fn diagnoses(record: &ConsultationRecord, code: &Code, entries: &Entries) -> Option<Value> {
    if record.diagnoses.is_empty() {
        return None;
    }
    let lines: Vec<String> = record
        .diagnoses
        .iter()
        .map(|d| match &d.icd10 {
            Some(icd) => format!("{} ({icd})", d.name),
            None => d.name.clone(),
        })
        .collect();
    Some(section(
        code,
        bullets(&lines),
        Vec::new(),
        references(&entries.diagnoses),
    ))
}

fn consents(record: &ConsultationRecord, code: &Code) -> Option<Value> {
    if record.consent_ids.is_empty() {
        return None;
    }
    let entry: Vec<Value> = record
        .consent_ids
        .iter()
        .map(|id| {
            build_json!({
                "reference": format!("Consent/{}", super::consent_id(id)),
                "identifier": {"system": CONSENT_ID_SYSTEM, "value": id},
            })
        })
        .collect();
    let lines: Vec<String> = record
        .consent_ids
        .iter()
        .map(|id| format!("同意ID {id}"))
        .collect();
    Some(section(code, bullets(&lines), Vec::new(), entry))
}

fn questionnaire(record: &ConsultationRecord, code: &Code, entries: &Entries) -> Option<Value> {
    let q = record.questionnaire.as_ref()?;
    let mut lines = vec![format!(
        "{}（{}）",
        q.title.as_deref().unwrap_or("事前問診"),
        q.answered
    )];
    lines.extend(
        q.answers
            .iter()
            .map(|a| format!("{}: {}", a.question, a.answer)),
    );
    let entry = references(&entries.questionnaire.iter().cloned().collect::<Vec<_>>());
    Some(section(code, bullets(&lines), Vec::new(), entry))
}

fn vitals(record: &ConsultationRecord, code: &Code, entries: &Entries) -> Option<Value> {
    if record.vitals.is_empty() {
        return None;
    }
    let lines: Vec<String> = record
        .vitals
        .iter()
        .map(|v| {
            let name = codes::vital_sign(&v.kind).map_or(v.kind.as_str(), |s| &s.display_ja);
            format!("{name}: {} {}（{}）", v.value, v.unit, v.measured)
        })
        .collect();
    Some(section(
        code,
        bullets(&lines),
        Vec::new(),
        references(&entries.vitals),
    ))
}

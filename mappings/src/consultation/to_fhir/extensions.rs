//! Native members → Kakehashi extensions, driven by `tables/consultation-items.csv`: a top-level
//! member becomes `http://kakehashi.invalid/fhir/StructureDefinition/<document>-<member>`, an object
//! a complex extension whose sub-extensions are named after its members (in table order), a list one
//! extension per item, an institution or doctor a valueReference to its Organization / Practitioner.

use serde_json::Value;

use super::bundle::Transaction;
use super::items::{children, item, Item, ValueType};
use super::names::{extension_url, member_extension};
use crate::build_json;
use crate::consultation::model::{Doctor, Institution};

/// The extensions of top-level member `member` of `document` (`record`, `care-plan`, `consent`),
/// valued `value` (its native JSON); none when the table does not list the member.
pub fn member(document: &str, member: &str, value: &Value, tx: &mut Transaction) -> Vec<Value> {
    match item(&format!("{document}.{member}")) {
        Some(row) => encode(
            row,
            &extension_url(&member_extension(document, member)),
            value,
            tx,
        ),
        None => Vec::new(),
    }
}

/// The extensions of every top-level member of `document` found in `native` (the document's JSON
/// object), except those in `skip` (placed elsewhere by the caller).
pub fn members(document: &str, native: &Value, skip: &[&str], tx: &mut Transaction) -> Vec<Value> {
    let mut out = Vec::new();
    for row in children(document) {
        if skip.contains(&row.name()) {
            continue;
        }
        if let Some(value) = native.get(row.name()) {
            out.extend(member(document, row.name(), value, tx));
        }
    }
    out
}

fn encode(row: &Item, url: &str, value: &Value, tx: &mut Transaction) -> Vec<Value> {
    match (row.repeats, value) {
        (true, Value::Array(values)) => values
            .iter()
            .filter_map(|v| encode_one(row, url, v, tx))
            .collect(),
        _ => encode_one(row, url, value, tx).into_iter().collect(),
    }
}

fn encode_one(row: &Item, url: &str, value: &Value, tx: &mut Transaction) -> Option<Value> {
    if value.is_null() {
        return None;
    }
    Some(match row.value_type {
        ValueType::Complex => {
            let object = value.as_object()?;
            let mut subs = Vec::new();
            for child in children(&row.path) {
                if let Some(v) = object.get(child.name()) {
                    subs.extend(encode(child, child.name(), v, tx));
                }
            }
            build_json!({"url": url, "extension": subs})
        }
        ValueType::Organization => {
            let institution: Institution = serde_json::from_value(value.clone()).ok()?;
            let reference = tx.organization(&institution);
            build_json!({"url": url, "valueReference": {"reference": reference, "display": institution.name}})
        }
        ValueType::Practitioner => {
            let doctor: Doctor = serde_json::from_value(value.clone()).ok()?;
            let reference = tx.practitioner(&doctor);
            build_json!({"url": url, "valueReference": {"reference": reference, "display": doctor.name}})
        }
        scalar => {
            let mut extension = serde_json::Map::new();
            extension.insert("url".into(), Value::String(url.to_string()));
            extension.insert(scalar.value_key()?.into(), value.clone());
            Value::Object(extension)
        }
    })
}

/// Every `valueReference.reference` inside `extensions` (a section's entries), in order, once each.
pub fn references(extensions: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in extensions {
        if let Some(r) = e["valueReference"]["reference"].as_str() {
            if !out.iter().any(|o| o == r) {
                out.push(r.to_string());
            }
        }
        if let Some(subs) = e["extension"].as_array() {
            for r in references(subs) {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
    }
    out
}

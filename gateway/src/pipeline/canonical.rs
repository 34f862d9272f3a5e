//! The typed round trip's canonical text, by shape. fhirbolt keeps every string primitive as it is given
//! (`id`, `dateTime`, `code`, `uri`… are all `String`s in its model) and orders the output by element
//! names alone, so two resources with the same shape (the same members in the same order, the same
//! numbers, booleans and `resourceType`s, strings in the same places) get the same verdict and the same
//! canonical text up to their strings. A shape seen once is canonicalised a second time with a numbered
//! mark in place of each string, which gives a template: the canonical text cut at the marks, and the
//! order in which the strings come back. Later resources of that shape are written from the template.
//!
//! Written by hand because fhirbolt's round trip costs ~25 µs even for a small Provenance, and each HL7 v2
//! message brings a MessageHeader and a Provenance that differ from the last only in their strings (a
//! quarter of the MLLP path's instructions). Safety: a template is kept only when filling it with the
//! resource it was made for gives exactly fhirbolt's text; shapes are compared in full, not by hash; a
//! resource with an empty string or one with outer whitespace (which no template was checked on) goes
//! the full way; the zone's validation (primitive formats included) runs on every resource as before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use kakehashi_mappings::fhir::canonicalise as round_trip;
use kakehashi_mappings::Issue;
use serde_json::Value;

/// Shapes kept before the map is emptied.
const CAPACITY: usize = 1024;
/// Resources larger than this (canonical bytes) are not templated: at most ~2 × 1024 × 64 KiB kept.
const MAX_TEMPLATED_BYTES: usize = 64 * 1024;
/// Brackets a string's number in the probe (a private-use character: never in an element name, and a
/// probe holds no string of the resource's own).
const MARK: char = '\u{F8FF}';

/// What is known of a shape.
enum Known {
    Template(Arc<Template>),
    /// Its probe failed, or its template did not give fhirbolt's text: always the full way.
    Untemplated,
}

/// `pieces[0] strings[order[0]] pieces[1] … strings[order[n-1]] pieces[n]`, each string JSON-escaped.
struct Template {
    pieces: Vec<String>,
    order: Vec<usize>,
}

type Shapes = HashMap<Vec<u8>, Known, foldhash::fast::FixedState>;

fn shapes() -> &'static Mutex<Shapes> {
    static SHAPES: OnceLock<Mutex<Shapes>> = OnceLock::new();
    SHAPES.get_or_init(|| Mutex::new(HashMap::with_hasher(Default::default())))
}

/// The canonical JSON of `resource`, or the typed round trip's first fault (as
/// `kakehashi_mappings::fhir::canonicalise`, which it equals).
pub fn canonicalise(resource: &Value) -> Result<Vec<u8>, Issue> {
    let mut shape = Vec::with_capacity(512);
    let mut strings = Vec::new();
    walk(resource, &mut shape, &mut strings);
    if strings.iter().any(|s| s.is_empty() || s.trim() != *s) {
        return round_trip(resource);
    }
    let known = {
        let shapes = shapes().lock().unwrap_or_else(|e| e.into_inner());
        match shapes.get(&shape) {
            Some(Known::Template(template)) => Some(Some(template.clone())),
            Some(Known::Untemplated) => Some(None),
            None => None,
        }
    };
    match known {
        Some(Some(template)) => return Ok(template.fill(&strings)),
        Some(None) => return round_trip(resource),
        None => {}
    }
    let canonical = round_trip(resource)?;
    if canonical.len() > MAX_TEMPLATED_BYTES {
        return Ok(canonical);
    }
    let known = match template_of(resource, strings.len()) {
        Some(template) if template.fill(&strings) == canonical => {
            Known::Template(Arc::new(template))
        }
        _ => Known::Untemplated,
    };
    let mut shapes = shapes().lock().unwrap_or_else(|e| e.into_inner());
    if shapes.len() >= CAPACITY {
        shapes.clear();
    }
    shapes.insert(shape, known);
    Ok(canonical)
}

/// Appends `value`'s shape to `shape` (a tag per kind, lengths before contents, members in order, the
/// text of numbers and of `resourceType`) and its other strings, in walk order, to `strings`.
fn walk<'v>(value: &'v Value, shape: &mut Vec<u8>, strings: &mut Vec<&'v str>) {
    fn text(tag: u8, shape: &mut Vec<u8>, text: &str) {
        shape.push(tag);
        shape.extend_from_slice(&(text.len() as u64).to_le_bytes());
        shape.extend_from_slice(text.as_bytes());
    }
    match value {
        Value::Null => shape.push(0),
        Value::Bool(b) => shape.push(if *b { 1 } else { 2 }),
        Value::Number(n) => text(3, shape, &n.to_string()),
        Value::String(s) => {
            shape.push(4);
            strings.push(s);
        }
        Value::Array(items) => {
            shape.push(5);
            shape.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for item in items {
                walk(item, shape, strings);
            }
        }
        Value::Object(members) => {
            shape.push(6);
            shape.extend_from_slice(&(members.len() as u64).to_le_bytes());
            for (key, member) in members {
                text(7, shape, key);
                match member {
                    Value::String(type_name) if is_type_name(key, member) => {
                        text(8, shape, type_name)
                    }
                    _ => walk(member, shape, strings),
                }
            }
        }
    }
}

/// Replaces, in place, the `i`-th string [`walk`] collects with `MARK i MARK`.
fn mark(value: &mut Value, next: &mut usize) {
    match value {
        Value::String(text) => {
            *text = format!("{MARK}{next}{MARK}");
            *next += 1;
        }
        Value::Array(items) => items.iter_mut().for_each(|item| mark(item, next)),
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if !is_type_name(key, member) {
                    mark(member, next);
                }
            }
        }
        _ => {}
    }
}

/// A `resourceType` member: part of the shape (it decides the type), not one of its strings.
fn is_type_name(key: &str, member: &Value) -> bool {
    key == "resourceType" && member.is_string()
}

/// The template of `resource`'s shape (`count` strings): None when the probe does not pass the round
/// trip or does not give back every mark exactly once.
fn template_of(resource: &Value, count: usize) -> Option<Template> {
    let mut marked = resource.clone();
    mark(&mut marked, &mut 0);
    let text = String::from_utf8(round_trip(&marked).ok()?).ok()?;
    let mut pieces = Vec::with_capacity(count + 1);
    let mut order = Vec::with_capacity(count);
    let mut rest = text.as_str();
    while let Some(start) = rest.find(MARK) {
        pieces.push(rest[..start].to_string());
        let after = &rest[start + MARK.len_utf8()..];
        let end = after.find(MARK)?;
        order.push(after[..end].parse::<usize>().ok()?);
        rest = &after[end + MARK.len_utf8()..];
    }
    pieces.push(rest.to_string());
    let mut seen = order.clone();
    seen.sort_unstable();
    (seen.len() == count && seen.iter().enumerate().all(|(i, &n)| i == n))
        .then_some(Template { pieces, order })
}

impl Template {
    fn fill(&self, strings: &[&str]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.pieces.iter().map(String::len).sum::<usize>() + 256);
        for (piece, &i) in self.pieces.iter().zip(&self.order) {
            out.extend_from_slice(piece.as_bytes());
            // serde_json's escaping, as fhirbolt's serialiser writes strings; the quotes are the piece's.
            let quoted = serde_json::to_string(strings[i]).unwrap_or_else(|_| "\"\"".into());
            out.extend_from_slice(&quoted.as_bytes()[1..quoted.len() - 1]);
        }
        if let Some(last) = self.pieces.last() {
            out.extend_from_slice(last.as_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provenance(n: u32, who: &str) -> Value {
        json!({
            "resourceType": "Provenance",
            "id": format!("SEND.provenance.{n}"),
            "target": [{"reference": format!("MessageHeader/SEND.message.{n}")}, {"reference": "Patient/p1"}],
            "recorded": format!("2026-12-02T14:{:02}:00.000Z", n % 60),
            "agent": [{"who": {"display": who}}],
            "entity": [{"role": "source", "what": {"identifier": {"system": "urn:kakehashi:hl7v2:control-id", "value": format!("{n}")}}}]
        })
    }

    #[test]
    fn a_shape_seen_before_gives_the_round_trips_text() {
        for (n, who) in [
            (1, "SEND"),
            (2, "送信\"元\\ \u{1}"),
            (3, "SEND"),
            (4, "a/b</div>"),
        ] {
            let resource = provenance(n, who);
            assert_eq!(
                canonicalise(&resource).unwrap(),
                round_trip(&resource).unwrap(),
                "{resource}"
            );
        }
        let shapes = shapes().lock().unwrap();
        let template = shapes.values().find(|k| matches!(k, Known::Template(_)));
        assert!(template.is_some(), "the Provenance shape has a template");
    }

    #[test]
    fn faults_and_odd_strings_take_the_full_way() {
        let unknown = json!({"resourceType": "Patient", "id": "x", "colour": "blue"});
        assert_eq!(canonicalise(&unknown), round_trip(&unknown));
        assert!(canonicalise(&unknown).is_err());
        let spaced = json!({"resourceType": "Patient", "id": "x", "gender": " male"});
        assert_eq!(canonicalise(&spaced), round_trip(&spaced));
        // Same shape, other resourceType: another shape.
        let mut shape_a = Vec::new();
        let mut shape_b = Vec::new();
        walk(
            &json!({"resourceType": "Patient", "id": "x"}),
            &mut shape_a,
            &mut Vec::new(),
        );
        walk(
            &json!({"resourceType": "Group", "id": "x"}),
            &mut shape_b,
            &mut Vec::new(),
        );
        assert_ne!(shape_a, shape_b);
        // Strings are not part of the shape, numbers are.
        let other_id = json!({"resourceType": "Patient", "id": "y"});
        let mut strings = Vec::new();
        let mut shape_c = Vec::new();
        walk(&other_id, &mut shape_c, &mut strings);
        assert_eq!(shape_a, shape_c);
        assert_eq!(strings, ["y"]);
        let mut shape_d = Vec::new();
        let mut shape_e = Vec::new();
        walk(&json!({"valueInteger": 1}), &mut shape_d, &mut Vec::new());
        walk(&json!({"valueInteger": 2}), &mut shape_e, &mut Vec::new());
        assert_ne!(shape_d, shape_e);
    }

    /// `value` with a suffix on every string but `resourceType`: the same shape, other strings.
    fn varied(value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(format!("{s}9")),
            Value::Array(items) => Value::Array(items.iter().map(varied).collect()),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| match v {
                        _ if is_type_name(k, v) => (k.clone(), v.clone()),
                        _ => (k.clone(), varied(v)),
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Every resource mapped from our HL7 v2 fixtures: written from the template made for a variant of
    /// it, the text is fhirbolt's own.
    #[test]
    fn templates_give_the_round_trips_text_on_every_mapped_fixture() {
        use kakehashi_mappings::hl7v2::{parse_bytes, ParseOptions};
        use kakehashi_mappings::v2_to_fhir::{map_message, Source};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/hl7v2/ok");
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|e| e != "hl7") {
                continue;
            }
            let bytes = std::fs::read(entry.path()).unwrap();
            let parsed = parse_bytes(&bytes, &ParseOptions::default()).unwrap();
            for message in &parsed.batch.messages {
                let source = Source {
                    file_name: None,
                    data_type: None,
                    received: "2026-12-02T00:00:00.000Z".into(),
                };
                let Ok(mapped) = map_message(message, &source) else {
                    continue;
                };
                for resource in &mapped.resources {
                    let Ok(expected) = round_trip(resource) else {
                        continue;
                    };
                    let variant = varied(resource);
                    assert_eq!(canonicalise(&variant), round_trip(&variant));
                    assert_eq!(canonicalise(resource).unwrap(), expected, "{resource}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "only {checked} resources");
        let templates = shapes()
            .lock()
            .unwrap()
            .values()
            .filter(|k| matches!(k, Known::Template(_)))
            .count();
        assert!(templates > 50, "only {templates} shapes have a template");
    }
}

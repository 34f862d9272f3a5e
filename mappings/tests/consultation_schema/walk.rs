//! Walking the native formats' schemas and documents for the schema tests: local `$ref`s followed, the
//! member paths a schema allows and a document has, the members of a document, the described schemas.

use std::collections::BTreeSet;

use kakehashi_mappings::consultation::schema::COMMON_SCHEMA_ID;
use serde_json::Value;

/// Follows a local `$ref` (`#/$defs/x` in `home`, or `urn:kakehashi:schema:common#/$defs/x`) and
/// returns the schema it names with the document it lives in.
pub fn resolve(home: &Value, node: &Value, common: &Value) -> (Value, Value) {
    let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
        return (home.clone(), node.clone());
    };
    let (document, pointer) = match reference.split_once('#') {
        Some(("", pointer)) => (home.clone(), pointer),
        Some((id, pointer)) if id == COMMON_SCHEMA_ID => (common.clone(), pointer),
        _ => panic!("a reference outside the bundled schemas: {reference}"),
    };
    let target = document
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{reference} names nothing"))
        .clone();
    resolve(&document, &target, common)
}

/// Every member path a schema allows (`firstVisit.priorInformation[].source`).
pub fn schema_paths(
    home: &Value,
    node: &Value,
    common: &Value,
    prefix: &str,
    out: &mut BTreeSet<String>,
) {
    let (home, node) = resolve(home, node, common);
    if let Some(properties) = node.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            let path = join(prefix, name);
            out.insert(path.clone());
            schema_paths(&home, property, common, &path, out);
        }
    }
    if let Some(items) = node.get("items") {
        schema_paths(&home, items, common, &format!("{prefix}[]"), out);
    }
}

/// Every member path a document has, in the same notation.
pub fn value_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                let path = join(prefix, name);
                out.insert(path.clone());
                value_paths(member, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                value_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}
/// Where each member of `value` is, as (parent JSON pointer, member name).
pub fn members(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (name, member) in map {
                out.push((pointer.to_string(), name.clone()));
                members(member, &format!("{pointer}/{name}"), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                members(item, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}
pub fn has_japanese(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c,
            '\u{3040}'..='\u{30FF}'    // hiragana, katakana
            | '\u{3400}'..='\u{4DBF}'  // CJK extension A
            | '\u{4E00}'..='\u{9FFF}'  // CJK unified ideographs
            | '\u{FF66}'..='\u{FF9F}') // half-width katakana
    })
}

/// Every `properties` member, `items` schema and `$defs` entry below `node`, by its JSON pointer.
pub fn described_schemas(node: &Value, pointer: &str, out: &mut Vec<(String, Value)>) {
    let Some(object) = node.as_object() else {
        return;
    };
    for keyword in ["properties", "$defs"] {
        if let Some(children) = object.get(keyword).and_then(Value::as_object) {
            for (name, child) in children {
                let at = format!("{pointer}/{keyword}/{name}");
                out.push((at.clone(), child.clone()));
                described_schemas(child, &at, out);
            }
        }
    }
    if let Some(items) = object.get("items") {
        let at = format!("{pointer}/items");
        // An `items` that only points at a described definition needs no words of its own.
        if items.get("$ref").is_none() || items.get("description").is_some() {
            out.push((at.clone(), items.clone()));
        }
        described_schemas(items, &at, out);
    }
}

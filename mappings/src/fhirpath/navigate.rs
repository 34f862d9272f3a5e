//! FHIR JSON navigation: member access with `_x` primitive siblings, choice elements, children.

use serde_json::{Map, Value};

use super::types::{builtin_is_a, choice_suffix_type};
use super::value::{Item, Node};
use super::Env;

/// Calls `f` with `_` + `name` without allocating for ordinary names.
/// `obj[key]`: small objects (most FHIR elements) are scanned, which is cheaper than hashing the key
/// with serde_json's SipHash; larger ones are looked up.
fn get<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    if obj.len() <= 8 {
        obj.iter().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        obj.get(key)
    }
}

fn with_underscore<R>(name: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 80];
    let bytes = name.as_bytes();
    if bytes.len() < buf.len() {
        buf[0] = b'_';
        buf[1..=bytes.len()].copy_from_slice(bytes);
        if let Ok(key) = std::str::from_utf8(&buf[..=bytes.len()]) {
            return f(key);
        }
    }
    f(&format!("_{name}"))
}

/// The object whose keys are the node's children, and whether `_x` siblings pair up inside it (true for
/// an element; false for the `_x` object of a primitive, whose children are `id` and `extension`).
fn child_object<'a>(node: &Node<'a>) -> Option<(&'a Map<String, Value>, bool)> {
    match node.value {
        Some(Value::Object(obj)) => Some((obj, true)),
        _ => node.extra.and_then(Value::as_object).map(|o| (o, false)),
    }
}

/// Whether a choice suffix type fits the JSON value (primitive types need JSON primitives).
fn fits(type_name: &str, value: Option<&Value>) -> bool {
    let primitive = type_name.starts_with(|c: char| c.is_ascii_lowercase());
    match value {
        Some(Value::Object(_)) => !primitive,
        Some(Value::Array(items)) => items
            .iter()
            .all(|v| v.is_null() || v.is_object() != primitive),
        _ => primitive,
    }
}

/// The declared type of the child `key` of `node` (from the model; `None` when unknown).
fn declared<'a>(env: &Env<'a>, node: &Node<'a>, key: &str) -> Option<&'a str> {
    env.model?.child_type(node.type_name?, key)
}

/// Pushes the items of one JSON key: its value (or array of values) paired by index with `_key`.
fn push_pair<'a>(
    value: Option<&'a Value>,
    extra: Option<&'a Value>,
    type_name: Option<&'a str>,
    out: &mut Vec<Item<'a>>,
) {
    let present = |v: Option<&'a Value>| v.filter(|v| !v.is_null());
    match (value, extra) {
        (Some(Value::Array(values)), extra) => {
            let extras = extra.and_then(Value::as_array);
            let len = values.len().max(extras.map_or(0, Vec::len));
            for i in 0..len {
                let v = present(values.get(i));
                let e = present(extras.and_then(|x| x.get(i)));
                if v.is_some() || e.is_some() {
                    out.push(Item::Node(Node::new(v, e, type_name)));
                }
            }
        }
        (None, Some(Value::Array(extras))) => {
            for e in extras.iter().filter(|e| !e.is_null()) {
                out.push(Item::Node(Node::new(None, Some(e), type_name)));
            }
        }
        (v, e) => {
            let (v, e) = (present(v), present(e));
            if v.is_some() || e.is_some() {
                out.push(Item::Node(Node::new(v, e, type_name)));
            }
        }
    }
}

/// Navigates `node.name` into `out`. A capitalised `name` equal to (or a supertype of) the node's
/// type returns the node itself (`Patient.name` on a Patient).
pub(crate) fn member<'a>(env: &Env<'a>, node: &Node<'a>, name: &str, out: &mut Vec<Item<'a>>) {
    if name.starts_with(|c: char| c.is_ascii_uppercase()) {
        if let Some(t) = node.type_name {
            let matches = match env.model {
                Some(m) => m.is_a(t, name),
                None => builtin_is_a(t, name),
            };
            if matches {
                out.push(Item::Node(*node));
                return;
            }
        }
    }
    let Some((obj, pairs)) = child_object(node) else {
        return;
    };
    let value = get(obj, name);
    let extra = if pairs {
        with_underscore(name, |k| get(obj, k))
    } else {
        None
    };
    if value.is_some() || extra.is_some() {
        push_pair(value, extra, declared(env, node, name), out);
        return;
    }
    if !pairs {
        return;
    }
    let model_choice = match (env.model, node.type_name) {
        (Some(m), Some(parent)) => Some(m.is_choice(parent, name)),
        _ => None,
    };
    if model_choice == Some(false) {
        return;
    }
    for (key, v) in obj {
        let (base, is_extra) = match key.strip_prefix('_') {
            Some(base) => (base, true),
            None => (key.as_str(), false),
        };
        let Some(suffix) = base.strip_prefix(name) else {
            continue;
        };
        if !suffix.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        if is_extra && obj.contains_key(base) {
            continue;
        }
        let type_name = if model_choice == Some(true) {
            declared(env, node, base).or_else(|| choice_suffix_type(suffix))
        } else {
            choice_suffix_type(suffix).filter(|t| fits(t, if is_extra { None } else { Some(v) }))
        };
        if type_name.is_none() && model_choice.is_none() {
            continue;
        }
        if is_extra {
            push_pair(None, Some(v), type_name, out);
        } else {
            let extra = with_underscore(base, |k| get(obj, k));
            push_pair(Some(v), extra, type_name, out);
        }
    }
}

/// The type of a child found by `children()`: from the model, else from a choice suffix that fits.
fn child_type<'a>(
    env: &Env<'a>,
    node: &Node<'a>,
    key: &'a str,
    value: Option<&Value>,
) -> Option<&'a str> {
    if let Some(t) = declared(env, node, key) {
        return Some(t);
    }
    key.char_indices()
        .filter(|(i, c)| *i > 0 && c.is_ascii_uppercase())
        .find_map(|(i, _)| choice_suffix_type(&key[i..]).filter(|t| fits(t, value)))
}

/// All child elements of `node` in document order (primitives with their `_x`, array items
/// flattened; `resourceType` excluded). For a primitive: the `id` and `extension` of its `_x`.
pub(crate) fn children<'a>(env: &Env<'a>, node: &Node<'a>, out: &mut Vec<Item<'a>>) {
    let Some((obj, pairs)) = child_object(node) else {
        return;
    };
    for (key, v) in obj {
        if key == "resourceType" || key == "fhir_comments" {
            continue;
        }
        if pairs {
            if let Some(base) = key.strip_prefix('_') {
                if !obj.contains_key(base) {
                    push_pair(None, Some(v), child_type(env, node, base, None), out);
                }
                continue;
            }
            let extra = with_underscore(key, |k| get(obj, k));
            push_pair(Some(v), extra, child_type(env, node, key, Some(v)), out);
        } else {
            push_pair(Some(v), None, declared(env, node, key), out);
        }
    }
}

/// All descendants of `node`, depth first in document order (each element before its own children).
pub(crate) fn descendants<'a>(env: &Env<'a>, node: &Node<'a>, out: &mut Vec<Item<'a>>) {
    let mut kids = Vec::new();
    children(env, node, &mut kids);
    for kid in kids {
        let child = kid.as_node().copied();
        out.push(kid);
        if let Some(child) = child {
            descendants(env, &child, out);
        }
    }
}

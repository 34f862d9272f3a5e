//! Kakehashi extensions → native members, the inverse of `to_fhir::extensions`, driven by the same
//! table (`tables/consultation-items.csv`): every sub-extension must be a member of its parent, every
//! value of the member's FHIR type (and a code of its list), every required member present; an
//! institution or doctor is read from the Organization / Practitioner its valueReference points at.

use serde_json::{Map, Value};

use super::input::Input;
use super::reader::Problems;
use super::{organization, practitioner};
use crate::consultation::to_fhir::codes;
use crate::consultation::to_fhir::items::{children, Item, ValueType};
use crate::consultation::to_fhir::names::{member_extension, EXTENSION_BASE};
use crate::issue::IssueCode;

/// Reads the Kakehashi extensions of `container` (at `at`) that carry top-level members of
/// `document` into `out`; any other Kakehashi extension there is an issue.
pub fn members(
    document: &str,
    container: &Value,
    at: &str,
    input: &Input<'_>,
    out: &mut Map<String, Value>,
    p: &mut Problems,
) {
    for (i, ext) in container["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let ext_at = format!("{at}.extension[{i}]");
        let Some(name) = ext["url"]
            .as_str()
            .and_then(|u| u.strip_prefix(EXTENSION_BASE))
        else {
            continue;
        };
        let Some(row) = children(document).find(|r| member_extension(document, r.name()) == name)
        else {
            p.push(
                IssueCode::Extension,
                format!("{ext_at}.url"),
                format!(
                    "The Kakehashi extension '{name}' is not one this {document} can carry here."
                ),
            );
            continue;
        };
        if let Some(value) = decode(row, ext, &ext_at, input, p) {
            insert(row, value, out, &ext_at, p);
        }
    }
}

/// Issues for the required top-level members of `document` that `out` lacks (besides `except`).
pub fn required(
    document: &str,
    out: &Map<String, Value>,
    at: &str,
    except: &[&str],
    p: &mut Problems,
) {
    for row in children(document).filter(|r| r.required && !except.contains(&r.name())) {
        if !out.contains_key(row.name()) {
            p.missing(at, &format!("{} ({})", row.label_ja, row.name()));
        }
    }
}

fn insert(row: &Item, value: Value, out: &mut Map<String, Value>, at: &str, p: &mut Problems) {
    let name = row.name().to_string();
    if row.repeats {
        match out.entry(name).or_insert_with(|| Value::Array(Vec::new())) {
            Value::Array(items) => items.push(value),
            _ => p.push(IssueCode::Structure, at, "The member is given twice."),
        }
    } else if out.contains_key(&name) {
        p.push(
            IssueCode::Structure,
            at,
            format!("'{name}' may appear only once."),
        );
    } else {
        out.insert(name, value);
    }
}

fn decode(row: &Item, ext: &Value, at: &str, input: &Input<'_>, p: &mut Problems) -> Option<Value> {
    let found = ext
        .as_object()
        .and_then(|o| o.keys().find(|k| k.starts_with("value")).cloned());
    let Some(key) = row.value_type.value_key() else {
        if let Some(found) = found {
            p.push(
                IssueCode::Structure,
                format!("{at}.{found}"),
                format!("'{}' has sub-extensions, not {found}.", row.name()),
            );
            return None;
        }
        return Some(complex(row, ext, at, input, p));
    };
    let value_at = format!("{at}.{key}");
    let Some(value) = ext.get(key) else {
        match found {
            Some(found) => p.push(
                IssueCode::Structure,
                format!("{at}.{found}"),
                format!("'{}' takes {key}, not {found}.", row.name()),
            ),
            None => p.missing(at, &format!("The {key} of '{}'", row.name())),
        }
        return None;
    };
    scalar(row, value, &value_at, input, p)
}

fn complex(row: &Item, ext: &Value, at: &str, input: &Input<'_>, p: &mut Problems) -> Value {
    let mut out = Map::new();
    for (j, sub) in ext["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let sub_at = format!("{at}.extension[{j}]");
        let url = sub["url"].as_str().unwrap_or_default();
        let Some(child) = children(&row.path).find(|c| c.name() == url) else {
            p.push(
                IssueCode::Extension,
                format!("{sub_at}.url"),
                format!("'{url}' is not a member of '{}'.", row.name()),
            );
            continue;
        };
        if let Some(value) = decode(child, sub, &sub_at, input, p) {
            insert(child, value, &mut out, &sub_at, p);
        }
    }
    for child in children(&row.path).filter(|c| c.required) {
        if !out.contains_key(child.name()) {
            p.missing(
                at,
                &format!("The sub-extension '{}' ({})", child.name(), child.label_ja),
            );
        }
    }
    Value::Object(out)
}

fn scalar(
    row: &Item,
    value: &Value,
    at: &str,
    input: &Input<'_>,
    p: &mut Problems,
) -> Option<Value> {
    let fits = match row.value_type {
        ValueType::Boolean => value.is_boolean(),
        ValueType::Integer => value.as_i64().is_some(),
        ValueType::String | ValueType::DateTime | ValueType::Date => value.is_string(),
        ValueType::Code => match (value.as_str(), &row.list) {
            (Some(code), Some(list)) if codes::find(list, code).is_none() => {
                p.push(
                    IssueCode::CodeInvalid,
                    at,
                    format!("'{code}' is not a code of the list {list}."),
                );
                return None;
            }
            (code, _) => code.is_some(),
        },
        ValueType::Organization => {
            let held = p.target(input, value, at, "Organization", row.name())?;
            let institution = organization::institution(held, p);
            return Some(serde_json::to_value(institution).unwrap_or_default());
        }
        ValueType::Practitioner => {
            let held = p.target(input, value, at, "Practitioner", row.name())?;
            let doctor = practitioner::doctor(input, held, p);
            return Some(serde_json::to_value(doctor).unwrap_or_default());
        }
        ValueType::Complex => false,
    };
    if fits {
        Some(value.clone())
    } else {
        p.push(
            IssueCode::Structure,
            at,
            format!("The value of '{}' has the wrong JSON type.", row.name()),
        );
        None
    }
}

/// The `key` value (e.g. `valueCode`) of Kakehashi extension `url` on `node`, outside the table: an
/// issue when the extension has another value[x].
pub fn simple<'v>(
    node: &'v Value,
    at: &str,
    url: &str,
    key: &str,
    p: &mut Problems,
) -> Option<&'v Value> {
    let (ext, ext_at) = super::reader::extension(node, at, url)?;
    match ext.get(key) {
        Some(v) => Some(v),
        None => {
            let found = ext
                .as_object()
                .and_then(|o| o.keys().find(|k| k.starts_with("value")).cloned());
            match found {
                Some(found) => p.push(
                    IssueCode::Structure,
                    format!("{ext_at}.{found}"),
                    format!("The extension {url} takes {key}, not {found}."),
                ),
                None => p.missing(ext_at, &format!("The {key} of {url}")),
            }
            None
        }
    }
}

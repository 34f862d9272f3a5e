//! Extracting the values a resource is found by, following the paths of the search-parameter table.

use serde_json::Value;

use crate::fhir::references::parse_reference;
use crate::fhir::search::date::DateRange;
use crate::fhir::search::params::{registry, ParamType};

/// One indexed value of one search parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexValue {
    /// An Identifier (or Coding): `system|value`.
    Token {
        system: Option<String>,
        code: String,
    },
    /// A literal reference to `Type/id`.
    Reference {
        resource_type: String,
        id: String,
    },
    Date(DateRange),
}

/// Every `(parameter, value)` pair `resource` is indexed under.
pub fn extract_index(resource_type: &str, resource: &Value) -> Vec<(String, IndexValue)> {
    let mut out = Vec::new();
    for param in registry().for_resource(resource_type) {
        let mut nodes = Vec::new();
        let steps: Vec<&str> = param.path.split('.').collect();
        collect(resource, &steps, &mut nodes);
        for node in nodes {
            let value = match param.kind {
                ParamType::Token => token(node),
                ParamType::Reference => reference(node, param.target.as_deref()),
                ParamType::Date => date(node),
            };
            if let Some(value) = value {
                if !out.iter().any(|(p, v)| p == &param.param && v == &value) {
                    out.push((param.param.clone(), value));
                }
            }
        }
    }
    out
}

/// Follows `steps` from `node`, flattening arrays; `name[x]` matches every `nameType` choice.
fn collect<'v>(node: &'v Value, steps: &[&str], out: &mut Vec<&'v Value>) {
    if let Value::Array(items) = node {
        items.iter().for_each(|item| collect(item, steps, out));
        return;
    }
    let Some((step, rest)) = steps.split_first() else {
        out.push(node);
        return;
    };
    let Some(object) = node.as_object() else {
        return;
    };
    if let Some(prefix) = step.strip_suffix("[x]") {
        for (key, child) in object {
            let is_choice = key
                .strip_prefix(prefix)
                .is_some_and(|t| t.starts_with(|c: char| c.is_ascii_uppercase()));
            if is_choice {
                collect(child, rest, out);
            }
        }
    } else if let Some(child) = object.get(*step) {
        collect(child, rest, out);
    }
}

fn token(node: &Value) -> Option<IndexValue> {
    let code = node.get("value").or_else(|| node.get("code"))?.as_str()?;
    let system = node
        .get("system")
        .and_then(Value::as_str)
        .map(str::to_string);
    Some(IndexValue::Token {
        system,
        code: code.to_string(),
    })
}

fn reference(node: &Value, target: Option<&str>) -> Option<IndexValue> {
    let local = parse_reference(node.get("reference")?.as_str()?)?;
    if target.is_some_and(|t| t != local.resource_type) {
        return None;
    }
    Some(IndexValue::Reference {
        resource_type: local.resource_type,
        id: local.id,
    })
}

fn date(node: &Value) -> Option<IndexValue> {
    let range = match node {
        Value::String(s) => DateRange::parse(s)?,
        Value::Object(period) => DateRange::period(
            period.get("start").and_then(Value::as_str),
            period.get("end").and_then(Value::as_str),
        )?,
        _ => return None,
    };
    Some(IndexValue::Date(range))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn observation_is_indexed_by_subject_patient_date_and_identifier() {
        let obs = json!({"resourceType":"Observation","identifier":[{"system":"urn:s","value":"1"}],
            "subject":{"reference":"Patient/p1"},"effectivePeriod":{"start":"2020-01-01"}});
        let index = extract_index("Observation", &obs);
        assert!(index.contains(&(
            "patient".into(),
            IndexValue::Reference {
                resource_type: "Patient".into(),
                id: "p1".into()
            }
        )));
        assert!(index.contains(&(
            "subject".into(),
            IndexValue::Reference {
                resource_type: "Patient".into(),
                id: "p1".into()
            }
        )));
        assert!(index.contains(&(
            "identifier".into(),
            IndexValue::Token {
                system: Some("urn:s".into()),
                code: "1".into()
            }
        )));
        assert!(index
            .iter()
            .any(|(p, v)| p == "date" && matches!(v, IndexValue::Date(_))));
    }

    #[test]
    fn patient_parameter_keeps_only_patient_references() {
        let obs = json!({"resourceType":"Observation","subject":{"reference":"Group/g1"}});
        let index = extract_index("Observation", &obs);
        assert!(!index.iter().any(|(p, _)| p == "patient"));
        assert!(index.iter().any(|(p, _)| p == "subject"));
    }
}

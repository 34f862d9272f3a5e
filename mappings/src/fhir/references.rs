//! Reading and rewriting `Reference.reference` values (FHIR R4 §2.3.0 references, Bundle §3.3.1.4).

use serde_json::Value;

use crate::fhir::resource_types::is_valid_id;

/// A literal reference to a resource on this server: `Type/id` (optionally `/_history/v`), relative or
/// absolute. Contained (`#x`) and `urn:` references are not literal server references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalReference {
    pub resource_type: String,
    pub id: String,
}

/// Parses `Patient/123`, `http://host/fhir/Patient/123`, `Patient/123/_history/2`.
pub fn parse_reference(reference: &str) -> Option<LocalReference> {
    if reference.starts_with('#') || reference.starts_with("urn:") {
        return None;
    }
    let mut parts: Vec<&str> = reference.split('/').collect();
    if parts.len() >= 4 && parts[parts.len() - 2] == "_history" {
        parts.truncate(parts.len() - 2);
    }
    let (ty, id) = match parts.as_slice() {
        [.., ty, id] => (*ty, *id),
        _ => return None,
    };
    let type_ok = ty.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && ty.chars().all(|c| c.is_ascii_alphabetic());
    (type_ok && is_valid_id(id)).then(|| LocalReference {
        resource_type: ty.to_string(),
        id: id.to_string(),
    })
}

/// The contained resource `#id` of `resource` (a reference's target inside the same resource).
pub fn contained<'v>(resource: &'v Value, id: &str) -> Option<&'v Value> {
    resource
        .get("contained")?
        .as_array()?
        .iter()
        .find(|c| c.get("id").and_then(Value::as_str) == Some(id))
}

/// The relative literal references (`Type/id`: no base URL, no version) inside `value` at any depth, each
/// once, in document order.
pub fn relative_references(value: &Value) -> Vec<LocalReference> {
    fn walk(value: &Value, out: &mut Vec<LocalReference>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("reference") {
                    if r.split('/').count() == 2 {
                        if let Some(found) = parse_reference(r).filter(|f| !out.contains(f)) {
                            out.push(found);
                        }
                    }
                }
                map.values().for_each(|child| walk(child, out));
            }
            Value::Array(items) => items.iter().for_each(|child| walk(child, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut out);
    out
}

/// Calls `f` on every `reference` string inside `value` (any depth, including contained resources).
pub fn rewrite_references(value: &mut Value, f: &mut dyn FnMut(&str) -> Option<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "reference" {
                    if let Value::String(s) = child {
                        if let Some(new) = f(s) {
                            *s = new;
                        }
                        continue;
                    }
                }
                rewrite_references(child, f);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| rewrite_references(item, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relative_references_are_found_once_each() {
        let resource = json!({
            "subject": {"reference": "Patient/p1"},
            "section": [{"entry": [{"reference": "Observation/o1"}, {"reference": "urn:uuid:x"}, {"reference": "Patient/p1"}]}],
            "author": [{"reference": "http://elsewhere/fhir/Practitioner/1"}, {"reference": "Practitioner/1/_history/2"}]
        });
        let found: Vec<String> = relative_references(&resource)
            .into_iter()
            .map(|r| format!("{}/{}", r.resource_type, r.id))
            .collect();
        assert_eq!(found, ["Patient/p1", "Observation/o1"]);
    }

    #[test]
    fn parses_relative_absolute_and_versioned() {
        let want = Some(LocalReference {
            resource_type: "Patient".into(),
            id: "p1".into(),
        });
        assert_eq!(parse_reference("Patient/p1"), want);
        assert_eq!(parse_reference("https://x.example/fhir/Patient/p1"), want);
        assert_eq!(parse_reference("Patient/p1/_history/3"), want);
        assert_eq!(parse_reference("#c1"), None);
        assert_eq!(
            parse_reference("urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"),
            None
        );
    }

    #[test]
    fn rewrites_nested_references() {
        let mut v = json!({"subject":{"reference":"urn:uuid:1"},"x":[{"reference":"urn:uuid:1"},{"reference":"Patient/2"}]});
        rewrite_references(&mut v, &mut |r| {
            (r == "urn:uuid:1").then(|| "Patient/abc".to_string())
        });
        assert_eq!(v["subject"]["reference"], "Patient/abc");
        assert_eq!(v["x"][0]["reference"], "Patient/abc");
        assert_eq!(v["x"][1]["reference"], "Patient/2");
    }
}

//! The resources of an incoming Bundle (transaction, collection, searchset, document …) with the
//! FHIRPath of each (`Bundle.entry[3].resource`), and reference resolution among them: by fullUrl
//! (`urn:uuid:…`, absolute URLs) or by `Type/id` (relative, absolute or versioned), so a Bundle made by
//! `to_fhir` and the same resources as a server returns them (ids in place of `urn:uuid:`s) both read.

use std::collections::HashMap;

use serde_json::Value;

use crate::fhir::references::parse_reference;
use crate::issue::{Issue, IssueCode};

/// One resource of the Bundle and where it is.
pub struct Held<'a> {
    pub resource: &'a Value,
    pub at: String,
}

impl<'a> Held<'a> {
    pub fn kind(&self) -> &'a str {
        self.resource["resourceType"].as_str().unwrap_or_default()
    }
}

pub struct Input<'a> {
    held: Vec<Held<'a>>,
    by_url: HashMap<&'a str, usize>,
    by_type_id: HashMap<(&'a str, &'a str), usize>,
}

impl<'a> Input<'a> {
    pub fn new(bundle: &'a Value) -> Result<Self, Issue> {
        if bundle["resourceType"] != "Bundle" {
            return Err(Issue::error(
                IssueCode::Structure,
                "A consultation document is read from a Bundle of its resources.",
            )
            .at("Bundle.resourceType"));
        }
        let mut input = Input {
            held: Vec::new(),
            by_url: HashMap::new(),
            by_type_id: HashMap::new(),
        };
        for (i, entry) in bundle["entry"].as_array().into_iter().flatten().enumerate() {
            let Some(resource) = entry.get("resource").filter(|r| r.is_object()) else {
                continue;
            };
            let n = input.held.len();
            if let Some(url) = entry["fullUrl"].as_str() {
                input.by_url.insert(url, n);
            }
            if let (Some(t), Some(id)) =
                (resource["resourceType"].as_str(), resource["id"].as_str())
            {
                input.by_type_id.insert((t, id), n);
            }
            input.held.push(Held {
                resource,
                at: format!("Bundle.entry[{i}].resource"),
            });
        }
        Ok(input)
    }

    /// The resources of type `kind`, in entry order.
    pub fn of_type(&self, kind: &str) -> Vec<&Held<'a>> {
        self.held.iter().filter(|h| h.kind() == kind).collect()
    }

    /// The resource `reference` points at, when it is in the Bundle.
    pub fn resolve(&self, reference: &str) -> Option<&Held<'a>> {
        let n = self.by_url.get(reference).copied().or_else(|| {
            let local = parse_reference(reference)?;
            self.by_type_id
                .get(&(local.resource_type.as_str(), local.id.as_str()))
                .copied()
        })?;
        self.held.get(n)
    }

    /// Whether `reference` points at `target`.
    pub fn points_at(&self, reference: &str, target: &Held<'_>) -> bool {
        self.resolve(reference)
            .is_some_and(|h| std::ptr::eq(h.resource, target.resource))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_resolve_by_full_url_and_by_type_and_id() {
        let bundle = json!({"resourceType": "Bundle", "type": "searchset", "entry": [
            {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient"}},
            {"fullUrl": "http://x/fhir/Encounter/e1", "resource": {"resourceType": "Encounter", "id": "e1"}},
            {"search": {"mode": "outcome"}}
        ]});
        let input = Input::new(&bundle).unwrap();
        assert_eq!(input.resolve("urn:uuid:1").unwrap().kind(), "Patient");
        let e = input.resolve("Encounter/e1").unwrap();
        assert_eq!(e.at, "Bundle.entry[1].resource");
        assert!(input.points_at("http://y/Encounter/e1/_history/2", e));
        assert!(input.resolve("Encounter/e2").is_none());
        assert_eq!(input.of_type("Encounter").len(), 1);
        assert!(Input::new(&json!({"resourceType": "Patient"})).is_err());
    }
}

//! Bundle rules beyond the invariants (R4 §2.36 Bundle, §3.1.0.11 transactions): the index of entries
//! by fullUrl used to resolve references, fullUrl against the resource's type and id, and each
//! transaction or batch request against the entry's resource.

use foldhash::{HashMap, HashMapExt};

use serde_json::Value;

use crate::fhir::references::parse_reference;
use crate::issue::{Issue, IssueCode};

/// The entries of a Bundle by `fullUrl` (and by `Type/id` for entries with RESTful fullUrls).
pub struct BundleIndex<'r> {
    pub bundle_type: Option<&'r str>,
    by_url: HashMap<&'r str, &'r Value>,
    by_type_id: HashMap<String, &'r Value>,
}

impl<'r> BundleIndex<'r> {
    pub fn new(bundle: &'r Value) -> Self {
        let mut by_url = HashMap::new();
        let mut by_type_id = HashMap::new();
        for entry in bundle["entry"].as_array().into_iter().flatten() {
            let Some(resource) = entry.get("resource") else {
                continue;
            };
            if let Some(url) = entry.get("fullUrl").and_then(Value::as_str) {
                by_url.insert(url, resource);
            }
            if let (Some(t), Some(id)) = (
                resource.get("resourceType").and_then(Value::as_str),
                resource.get("id").and_then(Value::as_str),
            ) {
                by_type_id.insert(format!("{t}/{id}"), resource);
            }
        }
        BundleIndex {
            bundle_type: bundle.get("type").and_then(Value::as_str),
            by_url,
            by_type_id,
        }
    }

    /// The entry resource a reference points at: by full URL (`urn:uuid:…`, absolute) or by `Type/id`.
    pub fn resolve(&self, reference: &str) -> Option<&'r Value> {
        if let Some(r) = self.by_url.get(reference) {
            return Some(r);
        }
        let local = parse_reference(reference)?;
        self.by_type_id
            .get(&format!("{}/{}", local.resource_type, local.id))
            .copied()
    }

    /// Whether every reference must resolve inside this Bundle.
    pub fn is_self_contained(&self) -> bool {
        matches!(
            self.bundle_type,
            Some("transaction" | "batch" | "document" | "message")
        )
    }
}

/// The Bundle-level issues of `bundle` (at `path`).
pub fn check(bundle: &Value, path: &str) -> Vec<Issue> {
    let mut issues = Vec::new();
    let bundle_type = bundle.get("type").and_then(Value::as_str);
    let transactional = matches!(bundle_type, Some("transaction" | "batch"));
    for (i, entry) in bundle["entry"].as_array().into_iter().flatten().enumerate() {
        let at = format!("{path}.entry[{i}]");
        let resource = entry.get("resource");
        let rtype = resource
            .and_then(|r| r.get("resourceType"))
            .and_then(Value::as_str);
        let rid = resource.and_then(|r| r.get("id")).and_then(Value::as_str);
        if let (Some(full_url), Some(t)) = (entry.get("fullUrl").and_then(Value::as_str), rtype) {
            if let Some(local) = parse_reference(full_url) {
                let (url_type, url_id) = (local.resource_type.as_str(), local.id.as_str());
                if url_type == t && rid.is_some_and(|id| id != url_id) {
                    issues.push(
                        Issue::error(
                            IssueCode::Invalid,
                            format!("The fullUrl names {url_type}/{url_id} but the resource id is different."),
                        )
                        .at(format!("{at}.fullUrl"))
                        .rule("bdl-fullUrl"),
                    );
                }
            }
        }
        if !transactional {
            continue;
        }
        let Some(request) = entry.get("request") else {
            continue;
        };
        let method = request
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let url = request
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if matches!(method, "POST" | "PUT") && resource.is_none() {
            issues.push(
                Issue::error(
                    IssueCode::Required,
                    format!("A {method} entry must carry the resource."),
                )
                .at(format!("{at}.resource")),
            );
            continue;
        }
        let Some(t) = rtype else {
            continue;
        };
        // Absolute request URLs name the server too; only relative ones are compared.
        // Operations (`ValueSet/$expand`) take Parameters, not the type in the URL.
        let operation = url.split('?').next().unwrap_or_default().contains('$');
        if matches!(method, "POST" | "PUT" | "PATCH") && !url.contains("://") && !operation {
            let url_type = url.split(['/', '?']).next().unwrap_or_default();
            if url_type != t {
                issues.push(
                    Issue::error(
                        IssueCode::Invalid,
                        format!("The request URL is for {url_type}, but the entry holds a {t}."),
                    )
                    .at(format!("{at}.request.url")),
                );
            } else if method == "PUT" {
                let url_id = url.split('?').next().and_then(|u| u.split('/').nth(1));
                if let (Some(url_id), Some(id)) = (url_id, rid) {
                    if url_id != id {
                        issues.push(
                            Issue::error(
                                IssueCode::Invalid,
                                format!("The request URL names {t}/{url_id} but the resource id is different."),
                            )
                            .at(format!("{at}.request.url")),
                        );
                    }
                }
            }
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn put_url_must_match_the_resource() {
        let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "id": "a"},
             "request": {"method": "PUT", "url": "Patient/b"}},
            {"resource": {"resourceType": "Patient"}, "request": {"method": "POST", "url": "Observation"}}
        ]});
        let index = BundleIndex::new(&bundle);
        let issues = check(&bundle, "Bundle");
        let at: Vec<_> = issues
            .iter()
            .map(|i| i.expression.clone().unwrap())
            .collect();
        assert_eq!(
            at,
            ["Bundle.entry[0].request.url", "Bundle.entry[1].request.url"]
        );
        assert!(index.resolve("urn:uuid:1").is_some());
        assert!(index.resolve("Patient/a").is_some());
        assert!(index.resolve("http://example.org/fhir/Patient/a").is_some());
    }
}

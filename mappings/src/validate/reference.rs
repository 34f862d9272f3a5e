//! Reference checks (R4 §2.3.0 references): the form of `Reference.reference` (relative `Type/id`,
//! absolute URL, `urn:uuid:`/`urn:oid:`, contained `#id`, conditional in transactions), the target
//! type against `targetProfile`, and, inside a Bundle, resolution to an entry.

use serde_json::Value;

use crate::fhir::is_valid_id;
use crate::issue::{Issue, IssueCode};
use crate::validate::bundle::BundleIndex;
use crate::validate::definitions::Definitions;
use crate::validate::profile::Element;

/// The issues of Reference `value` of `element`.
pub fn check(
    defs: &Definitions,
    element: &Element,
    value: &Value,
    path: &str,
    bundle: Option<&BundleIndex<'_>>,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    let Some(reference) = value.get("reference").and_then(Value::as_str) else {
        return issues;
    };
    let at = format!("{path}.reference");
    let allowed = allowed_types(defs, element);
    let mut target_type: Option<String> = value
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_string);
    if reference.starts_with('#') {
        // Contained references are checked by the ref-1 and dom-3 invariants.
        return issues;
    }
    if reference.starts_with("urn:uuid:") || reference.starts_with("urn:oid:") {
        match bundle.and_then(|b| b.resolve(reference)) {
            Some(target) => {
                target_type = target
                    .get("resourceType")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            }
            None if bundle.is_some_and(BundleIndex::is_self_contained) => issues.push(
                Issue::error(
                    IssueCode::NotFound,
                    "The reference does not resolve to an entry of this Bundle.",
                )
                .at(at.clone()),
            ),
            None => {}
        }
    } else if reference.contains('?') {
        // A conditional reference, resolved by the server in a transaction.
        let t = reference.split('?').next().unwrap_or_default();
        if !defs.is_resource_type(t) {
            issues.push(
                Issue::error(
                    IssueCode::Invalid,
                    format!("A conditional reference must start with a resource type, not '{t}'."),
                )
                .at(at.clone()),
            );
        }
        target_type = Some(t.to_string());
    } else if let Some((t, id)) = type_and_id(reference) {
        if !defs.is_resource_type(t) {
            if !reference.contains("://") {
                issues.push(
                    Issue::error(
                        IssueCode::Invalid,
                        format!(
                            "'{t}' is not a resource type, so '{t}/…' is not a valid reference."
                        ),
                    )
                    .at(at.clone()),
                );
            }
        } else {
            if !is_valid_id(id) {
                issues.push(
                    Issue::error(
                        IssueCode::Invalid,
                        "The id part of the reference is not a valid FHIR id.",
                    )
                    .at(at.clone()),
                );
            }
            target_type = Some(t.to_string());
            if let Some(target) = bundle.and_then(|b| b.resolve(reference)) {
                target_type = target
                    .get("resourceType")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
        }
    } else if !reference.contains(':') {
        issues.push(
            Issue::error(
                IssueCode::Invalid,
                "A reference is Type/id, an absolute URL, urn:uuid:, urn:oid: or #id.",
            )
            .at(at.clone()),
        );
    }
    if let (Some(t), false) = (&target_type, allowed.is_empty()) {
        if !allowed.iter().any(|a| a == t || a == "Resource") {
            issues.push(
                Issue::error(
                    IssueCode::Structure,
                    format!(
                        "A reference to {t} is not allowed here; allowed: {}.",
                        allowed.join(", ")
                    ),
                )
                .at(at)
                .rule(element.id.clone()),
            );
        }
    }
    issues
}

/// The resource types `targetProfile` allows (empty: any).
pub(crate) fn allowed_types(defs: &Definitions, element: &Element) -> Vec<String> {
    element
        .types
        .iter()
        .filter(|t| t.code == "Reference")
        .flat_map(|t| t.target_profiles.iter())
        .filter_map(|url| {
            defs.structure(url)
                .and_then(|sd| sd.get("type"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| url.rsplit('/').next().map(str::to_string))
        })
        .collect()
}

/// `Patient/1`, `Patient/1/_history/2`, `http://x/fhir/Patient/1` → (`Patient`, `1`), whatever the
/// parts hold: unlike `fhir::references::parse_reference` (valid literal references only), this keeps a
/// malformed id so the issue can say which part is wrong.
fn type_and_id(reference: &str) -> Option<(&str, &str)> {
    let base = reference.split("/_history/").next()?;
    let mut parts = base.rsplitn(3, '/');
    let id = parts.next()?;
    let t = parts.next()?;
    Some((t, id))
}

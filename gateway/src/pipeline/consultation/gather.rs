//! Collecting a stored document back together: a resource and what it references (the Composition's
//! section entries, the Practitioners and their PractitionerRoles, the Patient …), as a collection
//! Bundle for the FHIR → native mappings.

use std::collections::HashSet;

use kakehashi_mappings::fhir::references::relative_references;
use serde_json::{json, Value};

use super::Consultation;
use crate::pipeline::{now_ms, Fhir, FhirError};

/// How far references are followed from the first resource (Encounter → Composition is found by the
/// caller; Composition → section entry → Practitioner is two steps).
const MAX_DEPTH: usize = 3;
/// At most this many resources in one document (a record has a few dozen).
const MAX_RESOURCES: usize = 500;

/// Reads `Type/id` (404 when absent) and every resource it references, breadth first.
pub async fn gather(fhir: &Fhir, roots: &[(String, String)]) -> Result<Value, FhirError> {
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut resources: Vec<Value> = Vec::new();
    let mut frontier: Vec<(String, String)> = roots.to_vec();
    for depth in 0..=MAX_DEPTH {
        let mut next = Vec::new();
        for (resource_type, id) in frontier {
            if !seen.insert((resource_type.clone(), id.clone())) || resources.len() >= MAX_RESOURCES
            {
                continue;
            }
            let resource = match read(fhir, &resource_type, &id).await {
                Ok(resource) => resource,
                // A root must exist; a dangling reference further in is left out.
                Err(e) if depth == 0 => return Err(e),
                Err(e) if e.status == 404 || e.status == 410 => continue,
                Err(e) => return Err(e),
            };
            references(&resource, &mut next);
            resources.push(resource);
        }
        // A PractitionerRole (the doctor's institution and department) points at its Practitioner
        // and is pointed at by nothing: look it up.
        for (resource_type, id) in seen.clone() {
            if resource_type != "Practitioner" || depth == MAX_DEPTH {
                continue;
            }
            let params = vec![("practitioner".to_string(), format!("Practitioner/{id}"))];
            for (role, _) in fhir.search("PractitionerRole", &params).await?.matches {
                next.push(("PractitionerRole".to_string(), role));
            }
        }
        frontier = next;
    }
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|resource| {
            let url = format!(
                "{}/{}",
                resource["resourceType"].as_str().unwrap_or_default(),
                resource["id"].as_str().unwrap_or_default()
            );
            json!({"fullUrl": url, "resource": resource})
        })
        .collect();
    Ok(json!({"resourceType": "Bundle", "type": "collection", "entry": entries}))
}

impl Consultation {
    /// `gather` as the zone may see it: hospital identifiers replaced by tokens, and the Patient named
    /// by its token only (a Patient imported from the hospital may carry more identifiers than the one
    /// the platform knows).
    pub(super) async fn gather_as_zone_sees(
        &self,
        roots: &[(String, String)],
    ) -> Result<Value, FhirError> {
        let mut bundle = gather(&self.fhir, roots).await?;
        self.xref.outbound(&mut bundle, now_ms()).await?;
        keep_only_token_identifiers(&mut bundle, self.xref.token_system());
        Ok(bundle)
    }
}

/// Leaves the Patients of `bundle` only their token identifiers.
fn keep_only_token_identifiers(bundle: &mut Value, token_system: &str) {
    let Some(entries) = bundle["entry"].as_array_mut() else {
        return;
    };
    for entry in entries {
        let resource = &mut entry["resource"];
        if resource["resourceType"] != "Patient" {
            continue;
        }
        if let Some(identifiers) = resource["identifier"].as_array_mut() {
            identifiers.retain(|i| i["system"] == token_system);
        }
    }
}

/// The stored content of `Type/id`.
pub async fn read(fhir: &Fhir, resource_type: &str, id: &str) -> Result<Value, FhirError> {
    let stored = fhir.read(resource_type, id).await?;
    let content = stored.content.unwrap_or_default();
    serde_json::from_str(&content).map_err(|e| {
        FhirError::new(
            500,
            kakehashi_mappings::Issue::error(
                kakehashi_mappings::IssueCode::Exception,
                format!("stored {resource_type}/{id} is not JSON: {e}"),
            ),
        )
    })
}

/// Every relative literal reference (`Type/id`) inside `node`.
fn references(node: &Value, out: &mut Vec<(String, String)>) {
    out.extend(
        relative_references(node)
            .into_iter()
            .map(|r| (r.resource_type, r.id)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_relative_references_only() {
        let resource = json!({
            "resourceType": "Composition",
            "subject": {"reference": "Patient/p1"},
            "section": [{"entry": [{"reference": "Observation/o1"}, {"reference": "urn:uuid:x"}]}],
            "author": [{"reference": "http://elsewhere/fhir/Practitioner/1"}]
        });
        let mut found = Vec::new();
        references(&resource, &mut found);
        assert_eq!(
            found,
            vec![
                ("Patient".to_string(), "p1".to_string()),
                ("Observation".to_string(), "o1".to_string())
            ]
        );
    }
}

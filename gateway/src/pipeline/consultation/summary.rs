//! The first-visit summary, the consultation zone's one named query into hospital data (issue #6,
//! requirements.md §1.2 "first-visit medical info used", seed 002): a doctor at a first online visit
//! may rely on regional-network information. `GET /consultation/patients/{token}/summary` answers the
//! patient's allergies, conditions, current medications and recent laboratory results held in the
//! hospital zone (e.g. imported from SS-MIX2), only when the patient's consent to share regional-network
//! data is on record, with no HIS-internal identifiers: resource ids and references become zone tokens,
//! business identifiers are left out, the patient is named by the token the platform asked with.

use std::collections::HashMap;

use kakehashi_mappings::consultation::model::ConsentKind;
use kakehashi_mappings::fhir::concepts::has_code;
use kakehashi_mappings::fhir::references::{relative_references, rewrite_references};
use kakehashi_mappings::{Issue, IssueCode};
use serde_json::{json, Value};

use super::gather::read;
use super::Consultation;
use crate::pipeline::{now_ms, FhirError};

/// The system of the tokens that stand for hospital resource ids (`Type/id`).
const RESOURCE_SYSTEM: &str = "urn:kakehashi:resource";
/// How many laboratory results, newest first.
const RECENT_RESULTS: usize = 20;
/// At most this many resources of each kind are read.
const PER_KIND: &str = "200";

impl Consultation {
    /// The summary for the patient behind `token`: 404 when no hospital patient stands behind it, 403
    /// without an active sharing consent.
    pub async fn summary(&self, token: &str) -> Result<Value, FhirError> {
        let unknown = || FhirError::not_found("No patient is known to this zone by that id.");
        let (system, value) = self.xref.local_of(token).await?.ok_or_else(unknown)?;
        let identifier = vec![("identifier".to_string(), format!("{system}|{value}"))];
        let found = self.fhir.search("Patient", &identifier).await?;
        let (patient_id, _) = found.matches.first().cloned().ok_or_else(unknown)?;
        let patient = format!("Patient/{patient_id}");
        if !self.sharing_consented(&patient).await? {
            return Err(FhirError::new(
                403,
                Issue::error(
                    IssueCode::Forbidden,
                    "The patient has no active consent to share regional-network data on record (Consent category regional-network-sharing).",
                ),
            ));
        }
        let mut entries = Vec::new();
        for (resource_type, keep) in [
            ("AllergyIntolerance", is_current as fn(&Value) -> bool),
            ("Condition", is_current),
            ("MedicationRequest", is_current),
        ] {
            for resource in self.of_patient(resource_type, &patient).await? {
                if keep(&resource) {
                    entries.push(resource);
                }
            }
        }
        let mut results: Vec<Value> = self
            .of_patient("Observation", &patient)
            .await?
            .into_iter()
            .filter(is_laboratory)
            .collect();
        results.sort_by(|a, b| effective(b).cmp(effective(a)));
        results.truncate(RECENT_RESULTS);
        entries.extend(results);
        let mut out = Vec::with_capacity(entries.len());
        for mut resource in entries {
            self.hide_hospital_names(&mut resource, token).await?;
            out.push(json!({"resource": resource}));
        }
        Ok(json!({
            "resourceType": "Bundle",
            "type": "collection",
            "total": out.len(),
            "entry": out,
        }))
    }

    async fn sharing_consented(&self, patient: &str) -> Result<bool, FhirError> {
        let now = chrono::DateTime::from_timestamp_millis(now_ms()).unwrap_or_default();
        for consent in self.of_patient("Consent", patient).await? {
            let kind = has_code(
                &consent["category"],
                ConsentKind::RegionalNetworkSharing.code(),
            );
            let at = |s: &Value| {
                s.as_str()
                    .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            };
            let period = &consent["provision"]["period"];
            let started = at(&period["start"]).is_none_or(|s| s <= now);
            let not_ended = at(&period["end"]).is_none_or(|e| now <= e);
            if kind && consent["status"] == "active" && started && not_ended {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn of_patient(
        &self,
        resource_type: &str,
        patient: &str,
    ) -> Result<Vec<Value>, FhirError> {
        let params = vec![
            ("patient".to_string(), patient.to_string()),
            ("_count".to_string(), PER_KIND.to_string()),
        ];
        let found = self.fhir.search(resource_type, &params).await?;
        let mut resources = Vec::with_capacity(found.matches.len());
        for (id, _) in &found.matches {
            resources.push(read(&self.fhir, resource_type, id).await?);
        }
        Ok(resources)
    }

    /// Ids and references become tokens, business identifiers and provenance-only members go, the
    /// patient is named by `patient_token`.
    async fn hide_hospital_names(
        &self,
        resource: &mut Value,
        patient_token: &str,
    ) -> Result<(), FhirError> {
        let resource_type = resource["resourceType"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let id = resource["id"].as_str().unwrap_or_default().to_string();
        let own = self
            .xref
            .token_of(RESOURCE_SYSTEM, &format!("{resource_type}/{id}"), now_ms())
            .await?;
        let patient =
            json!({"identifier": {"system": self.xref.token_system(), "value": patient_token}});
        if let Some(map) = resource.as_object_mut() {
            map.insert("id".into(), Value::String(own));
            map.remove("identifier");
            map.remove("meta");
            map.remove("text");
            for member in ["subject", "patient"] {
                if map.contains_key(member) {
                    map.insert(member.into(), patient.clone());
                }
            }
        }
        let mut tokens = HashMap::new();
        for found in relative_references(resource) {
            let reference = format!("{}/{}", found.resource_type, found.id);
            let token = self
                .xref
                .token_of(RESOURCE_SYSTEM, &reference, now_ms())
                .await?;
            tokens.insert(reference, format!("{}/{token}", found.resource_type));
        }
        rewrite_references(resource, &mut |r| tokens.get(r).cloned());
        strip_identifiers(resource);
        Ok(())
    }
}

fn is_current(resource: &Value) -> bool {
    let status = resource["status"].as_str();
    let clinical = resource["clinicalStatus"]["coding"][0]["code"].as_str();
    !matches!(
        status,
        Some("cancelled" | "entered-in-error" | "stopped" | "completed")
    ) && !matches!(clinical, Some("resolved" | "inactive"))
}

fn is_laboratory(observation: &Value) -> bool {
    has_code(&observation["category"], "laboratory")
}

fn effective(observation: &Value) -> &str {
    observation["effectiveDateTime"]
        .as_str()
        .or_else(|| observation["effectivePeriod"]["start"].as_str())
        .or_else(|| observation["issued"].as_str())
        .unwrap_or_default()
}

/// Business identifiers inside the resource (Reference.identifier of orders, contained resources'
/// identifiers) are hospital numbers: they go, except the patient's zone token.
fn strip_identifiers(node: &mut Value) {
    match node {
        Value::Object(map) => {
            let is_token = map
                .get("identifier")
                .and_then(|i| i.get("system"))
                .and_then(Value::as_str)
                .is_some_and(|s| s.starts_with("urn:kakehashi:xref:"));
            if !is_token {
                map.remove("identifier");
            }
            map.values_mut().for_each(strip_identifiers);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_identifiers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_go_except_the_patients_token() {
        let mut resource = json!({
            "resourceType": "MedicationRequest",
            "identifier": [{"system": "urn:oid:1.2.392.100495.20.3.81.1", "value": "RX1"}],
            "subject": {"identifier": {"system": "urn:kakehashi:xref:consultation", "value": "T1"}},
            "basedOn": [{"identifier": {"system": "urn:order", "value": "O1"}}],
            "contained": [{"resourceType": "Medication", "identifier": [{"value": "x"}]}]
        });
        strip_identifiers(&mut resource);
        assert!(resource.get("identifier").is_none());
        assert_eq!(resource["subject"]["identifier"]["value"], "T1");
        assert!(resource["basedOn"][0].get("identifier").is_none());
        assert!(resource["contained"][0].get("identifier").is_none());
    }

    #[test]
    fn references_are_replaced_everywhere() {
        let mut resource = json!({"a": {"reference": "Encounter/1319999999.visit.1"}, "b": [{"reference": "Encounter/1319999999.visit.1"}]});
        let found: Vec<String> = relative_references(&resource)
            .into_iter()
            .map(|r| format!("{}/{}", r.resource_type, r.id))
            .collect();
        assert_eq!(found, vec!["Encounter/1319999999.visit.1".to_string()]);
        rewrite_references(&mut resource, &mut |r| {
            (r == found[0]).then(|| "Encounter/T9".to_string())
        });
        assert_eq!(resource["a"]["reference"], "Encounter/T9");
        assert_eq!(resource["b"][0]["reference"], "Encounter/T9");
    }

    #[test]
    fn current_and_laboratory_are_told_apart() {
        assert!(is_current(&json!({"status": "active"})));
        assert!(!is_current(&json!({"status": "stopped"})));
        assert!(!is_current(
            &json!({"clinicalStatus": {"coding": [{"code": "resolved"}]}})
        ));
        assert!(is_laboratory(
            &json!({"category": [{"coding": [{"code": "laboratory"}]}]})
        ));
        assert!(!is_laboratory(
            &json!({"category": [{"coding": [{"code": "vital-signs"}]}]})
        ));
    }
}

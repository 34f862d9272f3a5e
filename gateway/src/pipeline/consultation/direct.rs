//! FHIR sent directly by the platform (a transaction Bundle to the consultation zone's `/fhir`) ends in
//! the same stored resources as the native API, under the same checks: a Bundle holding an
//! オンライン診療記録 Composition is read back into a record and gets the doctor check and the
//! guideline rules (422 naming every failed rule; warnings stored as DetectedIssue entries); an
//! online-consultation CarePlan gets rule P2 (P3 holds in the pipeline for every write).

use kakehashi_mappings::consultation as mapping;
use kakehashi_mappings::consultation::to_fhir::names::RECORD_DOCUMENT;
use kakehashi_mappings::fhir::concepts::has_code;
use kakehashi_mappings::{rules, Issue, Severity};
use serde_json::Value;

use super::doctor::check_submitter;
use super::retention::is_consultation_plan;
use super::submit::{add_detected_issues, resources};
use super::Consultation;
use crate::pipeline::FhirError;
use crate::zones::identity::Identity;

impl Consultation {
    /// Checks a transaction Bundle on its way to the store; may add DetectedIssue entries for warnings.
    pub async fn check_fhir_transaction(
        &self,
        bundle: &mut Value,
        who: &Identity,
    ) -> Result<(), FhirError> {
        if has(bundle, "Composition", |r| {
            has_code(&r["type"], RECORD_DOCUMENT)
        }) {
            let record = mapping::record_from_fhir(bundle).map_err(|issues| FhirError {
                status: 400,
                issues,
            })?;
            let findings = self.record_findings(&record, bundle, who).await?;
            refuse_blocks(&findings)?;
            let encounter = encounter_reference(bundle).unwrap_or_default();
            add_detected_issues(bundle, &findings, &encounter);
        }
        if has(bundle, "CarePlan", is_consultation_plan) {
            let plan = mapping::care_plan_from_fhir(bundle).map_err(|issues| FhirError {
                status: 400,
                issues,
            })?;
            check_submitter(who, &plan.author.name, "author.name")?;
            refuse_blocks(&rules::check_care_plan(&plan))?;
        }
        Ok(())
    }
}

fn refuse_blocks(findings: &[Issue]) -> Result<(), FhirError> {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        return Err(FhirError {
            status: 422,
            issues: findings.to_vec(),
        });
    }
    Ok(())
}

fn has(bundle: &Value, resource_type: &str, what: impl Fn(&Value) -> bool) -> bool {
    resources(bundle).any(|r| r["resourceType"] == resource_type && what(r))
}

/// How the Bundle's other entries may refer to its Encounter: its fullUrl (rewritten by the
/// transaction), else `Encounter/id`.
fn encounter_reference(bundle: &Value) -> Option<String> {
    let entry = bundle["entry"]
        .as_array()?
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Encounter")?;
    entry["fullUrl"].as_str().map(str::to_string).or_else(|| {
        entry["resource"]["id"]
            .as_str()
            .map(|id| format!("Encounter/{id}"))
    })
}

//! The platform's native consultation formats → FHIR R4 JP Core 1.1.1 transaction Bundles (issue #6,
//! requirements.md §1.2, §1.3, §2.2): a record becomes an Encounter and a Composition with its
//! resources, a care plan a CarePlan, a consent a Consent. Ids are deterministic, so the same document
//! sent again changes nothing; `from_fhir` reads every Bundle made here back to the same document.

mod bundle;
mod care_plan;
mod care_team;
pub(crate) mod codes;
mod composition;
mod condition;
mod consent;
mod encounter;
pub(crate) mod extensions;
pub(crate) mod items;
pub mod names;
pub(crate) mod narrative;
mod observation;
mod organization;
mod patient;
mod practitioner;
mod provenance;
mod questionnaire_response;
mod record;

use serde_json::Value;

use crate::consultation::model::{CarePlan, Consent, ConsultationRecord};
use crate::v2_to_fhir::ids::make;

/// What the mappings need from the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapContext {
    /// Identifier system of `patient.id` (the gateway passes its zone-token system or a configured one).
    pub patient_id_system: String,
}

/// A transaction Bundle (type `transaction`) with every resource of the document.
pub fn record_to_fhir(record: &ConsultationRecord, ctx: &MapContext) -> Value {
    record::record_to_fhir(record, ctx)
}

/// A transaction Bundle with the CarePlan, its CareTeam, Conditions, Practitioners and Patient.
pub fn care_plan_to_fhir(plan: &CarePlan, ctx: &MapContext) -> Value {
    care_plan::care_plan_to_fhir(plan, ctx)
}

/// A transaction Bundle with the Consent, its Patient and the explaining doctor.
pub fn consent_to_fhir(consent: &Consent, ctx: &MapContext) -> Value {
    consent::consent_to_fhir(consent, ctx)
}

/// The id of the Encounter of record `record_id`.
pub fn record_encounter_id(record_id: &str) -> String {
    make(&["consultation", "encounter", record_id])
}

/// The id of the Composition (the オンライン診療記録 document) of record `record_id`.
pub fn record_composition_id(record_id: &str) -> String {
    make(&["consultation", "record", record_id, "composition"])
}

/// The id of the CarePlan of care plan `id`.
pub fn care_plan_id(id: &str) -> String {
    make(&["consultation", "care-plan", id])
}

/// The id of the Consent of consent `id`.
pub fn consent_id(id: &str) -> String {
    make(&["consultation", "consent", id])
}

#[cfg(test)]
mod tests;

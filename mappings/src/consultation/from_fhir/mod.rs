//! FHIR R4 → the platform's native consultation formats (issue #6): reads the resources as the gateway
//! holds them (a Bundle of type transaction, collection, searchset or document, in particular the
//! Bundles `to_fhir` makes, with `urn:uuid:` or `Type/id` references) back to the native document.
//! Every problem is an `Issue` with the FHIRPath of what is wrong; nothing here panics on input.

mod care_plan;
mod condition;
mod consent;
mod encounter;
mod extensions;
mod input;
mod observation;
mod organization;
mod patient;
mod practitioner;
mod questionnaire_response;
mod reader;
mod record;
mod sections;

use serde_json::Value;

use crate::consultation::model::{CarePlan, Consent, ConsultationRecord};
use crate::issue::Issue;

/// The consultation record of `bundle` (anchored on its Composition of type
/// `online-consultation-record`).
pub fn record_from_fhir(bundle: &Value) -> Result<ConsultationRecord, Vec<Issue>> {
    record::record_from_fhir(bundle)
}

/// The care plan of `bundle` (its CarePlan of category `online-consultation-plan`).
pub fn care_plan_from_fhir(bundle: &Value) -> Result<CarePlan, Vec<Issue>> {
    care_plan::care_plan_from_fhir(bundle)
}

/// The consent of `bundle` (its Consent whose category is a consent kind).
pub fn consent_from_fhir(bundle: &Value) -> Result<Consent, Vec<Issue>> {
    consent::consent_from_fhir(bundle)
}

#[cfg(test)]
mod tests;

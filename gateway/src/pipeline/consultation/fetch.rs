//! Reading a submitted document back in the platform's native form (`GET /consultation/{kind}/{id}`),
//! with hospital identifiers replaced by the zone's tokens first.

use kakehashi_mappings::consultation::{self as mapping, schema::Format};
use serde_json::Value;

use super::Consultation;
use crate::pipeline::FhirError;

/// The document kinds of the consultation API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Record,
    CarePlan,
    Consent,
}

impl Document {
    /// From the path segment: `records`, `care-plans`, `consents`.
    pub fn from_segment(segment: &str) -> Option<Document> {
        match segment {
            "records" => Some(Document::Record),
            "care-plans" => Some(Document::CarePlan),
            "consents" => Some(Document::Consent),
            _ => None,
        }
    }

    /// The name a policy rule's `resources` give this kind (zones/policy.rs).
    pub fn policy_name(self) -> &'static str {
        match self {
            Document::Record => "ConsultationRecord",
            Document::CarePlan => "CarePlan",
            Document::Consent => "Consent",
        }
    }

    pub fn segment(self) -> &'static str {
        match self {
            Document::Record => "records",
            Document::CarePlan => "care-plans",
            Document::Consent => "consents",
        }
    }
}

impl Consultation {
    /// The stored document `id` of `kind` as native JSON; 404 when there is none.
    pub async fn fetch(&self, kind: Document, id: &str) -> Result<Value, FhirError> {
        let roots: Vec<(String, String)> = match kind {
            Document::Record => vec![
                ("Composition".into(), mapping::record_composition_id(id)),
                ("Encounter".into(), mapping::record_encounter_id(id)),
            ],
            Document::CarePlan => vec![("CarePlan".into(), mapping::care_plan_id(id))],
            Document::Consent => vec![("Consent".into(), mapping::consent_id(id))],
        };
        let bundle = self.gather_as_zone_sees(&roots).await?;
        let format = match kind {
            Document::Record => Format::ConsultationRecord,
            Document::CarePlan => Format::CarePlan,
            Document::Consent => Format::Consent,
        };
        mapping::native_from_fhir(format, &bundle).map_err(|issues| FhirError {
            status: 500,
            issues,
        })
    }
}

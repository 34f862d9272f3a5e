//! Reading a submitted document back in the platform's native form (`GET /consultation/{kind}/{id}`),
//! with hospital identifiers replaced by the zone's tokens first.

use kakehashi_mappings::consultation::{self as mapping, schema::Format};
use serde_json::Value;

use super::gather::gather;
use super::Consultation;
use crate::pipeline::{now_ms, FhirError};

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
        let mut bundle = gather(&self.fhir, &roots).await?;
        self.xref.outbound(&mut bundle, now_ms()).await?;
        keep_only_token_identifiers(&mut bundle, self.xref.token_system());
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

/// A Patient imported from the hospital may carry more identifiers than the one the platform knows
/// (the token): the native document names the patient by the token only.
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

//! A pharmacy posts the result of the dispensing it holds (issue #7): a FHIR MedicationDispense, or a
//! Bundle of them; the prescription opens again for the next split dispensing or closes.

use std::net::IpAddr;

use kakehashi_mappings::fhir::json::resource_type_of;
use serde_json::Value;

use super::retrieve::check_number;
use super::{dispenser_of, Hub, HubError};
use crate::pipeline::{now_ms, FhirError};
use crate::store::eprescriptions::PrescriptionState;
use crate::zones::identity::Identity;

impl Hub {
    /// Records `result` for the prescription holding `number`; its id and its state afterwards.
    pub async fn dispensed(
        &self,
        number: &str,
        result: &Value,
        peer: Option<IpAddr>,
        who: &Identity,
    ) -> Result<(String, PrescriptionState), HubError> {
        check_number(number)?;
        check_result(result)?;
        let prescription = self.find(number, None, peer, who).await?;
        let recorded = self
            .store
            .eprescription_record_dispensing(
                &prescription.id,
                &dispenser_of(who),
                &result.to_string(),
                now_ms(),
            )
            .await?;
        recorded
            .map(|state| (prescription.id, state))
            .ok_or_else(|| {
                HubError::new(
                FhirError::conflict(
                    "This prescription is not being dispensed by this client; retrieve it first.",
                ),
                "not-dispensing",
            )
            })
    }
}

/// A MedicationDispense, or a Bundle whose entries are all MedicationDispense (and at least one).
fn check_result(result: &Value) -> Result<(), HubError> {
    let kind = |v: &Value| resource_type_of(v).ok().map(str::to_owned);
    match resource_type_of(result).ok() {
        Some("MedicationDispense") => Ok(()),
        Some("Bundle") => {
            let entries = result
                .get("entry")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let all = !entries.is_empty()
                && entries.iter().all(|e| {
                    e.get("resource").and_then(kind).as_deref() == Some("MedicationDispense")
                });
            if all {
                Ok(())
            } else {
                Err(HubError::invalid(
                    "malformed-dispensing",
                    "A dispensing Bundle must hold one or more MedicationDispense entries (Bundle.entry.resource).",
                ))
            }
        }
        _ => Err(HubError::invalid(
            "malformed-dispensing",
            "The dispensing result must be a FHIR MedicationDispense or a Bundle of them (resourceType).",
        )),
    }
}

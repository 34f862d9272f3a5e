//! FHIR R4 JP Core → HL7 v2.5 SS-MIX2 messages (issue #5 step 3), the reverse of `v2_to_fhir`: each
//! resource is written back into the segments and fields the JAMI SS-MIX2→FHIR ConceptMaps
//! (`../shared/corpora/mapping-specs/jami-ssmix2-to-fhir`) map it from, so that v2 → FHIR → v2 → FHIR
//! keeps every mapped field (`tests/v2_round_trip.rs`).
//!
//! - Patient → ADT^A08 (ADT-00), only for a Patient no other resource of the input refers to: the
//!   PID of every other message carries the same data, and an ADT-00 per clinical message would store
//!   the same patient record again and again.
//! - Encounter → ADT^A04 (ambulatory, ADT-12) / ADT^A01 (inpatient in progress, ADT-22) / ADT^A03
//!   (finished inpatient, ADT-52); AllergyIntolerance → ADT^A60 (ADT-61); Condition → PPR^ZD1
//!   (PPR-01); MedicationRequest → RDE^O11 (OMP-01, one message per prescription ORC-2 group);
//!   Observation → OUL^R22 (OML-11, one message per specimen / order).
//! - Every message carries the PID of the Patient the resource's `subject` / `patient` names, which must
//!   be in the same input (an error issue otherwise). Other resource types are skipped with an
//!   information issue; Practitioner, Location, Organization and Specimen are read where referenced.
//! - Times: a FHIR dateTime is written as an HL7 TS in Japan time without a zone
//!   (`2016-08-21T16:15:23+09:00` → `20160821161523`; other zones are converted to +09:00), because
//!   SS-MIX2 receivers read a TS without a zone as Japan time and `v2_to_fhir` reads it back as
//!   `+09:00`; the instant is kept, the original offset is not.
//! - Codes: `coding[0]` → CWE-1/2/3, `coding[1]` → CWE-4/5/6, the system written with its v2 name
//!   (`v2_to_fhir::coding::v2_name`); a system with no v2 name is written as its URI with a warning.

mod allergy;
mod condition;
mod context;
pub mod datatypes;
mod encounter;
mod medication_request;
mod observation;
mod patient;

pub use context::{Converted, Header, OutMessage};

use serde_json::Value;

use crate::Issue;

/// Maps resources (or Bundles of any type: their `entry[].resource`) to SS-MIX2 messages; `Err` with
/// every issue when any is an error.
pub fn to_v2(resources: &[Value], header: &Header) -> Result<Vec<OutMessage>, Vec<Issue>> {
    let converted = convert(resources, header);
    if converted.issues.iter().any(Issue::is_error) {
        Err(converted.issues)
    } else {
        Ok(converted.messages)
    }
}

/// Like [`to_v2`], with the information and warning issues of a successful mapping as well. An empty
/// `header.sending_facility` is taken from the first Patient's 患者番号 system (JP Core
/// `urn:oid:1.2.392.100495.20.3.51.1` + 医療機関コード), so the patient ids read back the same.
pub fn convert(resources: &[Value], header: &Header) -> Converted {
    let mut own = header.clone();
    if own.sending_facility.is_empty() {
        let probe = context::Context::new(resources, header);
        if let Some(facility) = probe
            .entries
            .iter()
            .filter(|e| e.kind() == "Patient")
            .find_map(|e| patient::facility_of(e.resource))
        {
            own.sending_facility = facility;
        }
    }
    let header = &own;
    let mut ctx = context::Context::new(resources, header);
    let mut messages = Vec::new();
    for index in 0..ctx.entries.len() {
        let entry = ctx.entries[index].clone();
        let kind = entry
            .resource
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let produced = match kind {
            "Patient" if patient::needs_own_message(&ctx, &entry) => patient::map(&mut ctx, &entry),
            "Encounter" if !ctx.is_referenced(&entry, &["encounter"]) => {
                encounter::map(&mut ctx, &entry)
            }
            "Patient" | "Encounter" | "Practitioner" | "DiagnosticReport" | "ServiceRequest"
            | "PractitionerRole" | "Location" | "Organization" | "Specimen" | "Medication" => {
                continue
            }
            "MessageHeader" | "Provenance" => continue,
            "MedicationRequest" => medication_request::map(&mut ctx, &entry),
            "Observation" if observation::is_lab(entry.resource) => {
                observation::map(&mut ctx, &entry)
            }
            "Observation" => {
                // Goes into the patient's ADT^A08; without a Patient in the input that is an error.
                if ctx.resolve_element(entry.resource.get("subject")).is_none() {
                    patient::pid_of(&mut ctx, &entry, "subject");
                }
                continue;
            }
            "AllergyIntolerance" => allergy::map(&mut ctx, &entry),
            "Condition" => {
                // One message per patient with every condition of it, as SS-MIX2 stores them.
                if !ctx.first_of_patient(&entry) {
                    continue;
                }
                condition::map(&mut ctx, &entry)
            }
            _ => {
                ctx.info(
                    &entry.position,
                    format!("A {kind} is not mapped to HL7 v2 (yet); it was skipped."),
                );
                continue;
            }
        };
        messages.extend(produced);
    }
    Converted {
        messages,
        issues: ctx.issues,
    }
}

//! FHIR R4 JP Core → HL7 v2.5 SS-MIX2 messages (issue #5 step 3), the reverse of `v2_to_fhir`: each
//! resource is written back into the segments and fields the JAMI SS-MIX2→FHIR ConceptMaps
//! (`../shared/corpora/mapping-specs/jami-ssmix2-to-fhir`) map it from, so that v2 → FHIR → v2 → FHIR
//! keeps every mapped field (`tests/v2_round_trip.rs`).
//!
//! - Patient → ADT^A08 (ADT-00: PID, NK1, PV1 `N`, the patient's own OBX and AL1), for a Patient no
//!   other resource of the input refers to, or one with records only ADT-00 carries (身長・体重 OBX,
//!   AL1-only allergies): the PID of every other message carries the same data, and an ADT-00 per
//!   clinical message would store the same patient record again and again.
//! - Encounter → the ADT event its state stands for (`encounter.rs`): ambulatory → ADT^A04 (ADT-12),
//!   inpatient arrived → ADT^A01 (ADT-22), finished → ADT^A03 (ADT-52), and the planned, leave,
//!   transfer and cancelled states → A14 / A27, A21 / A22, A15 / A16 / A02, A11, A54; an Encounter a
//!   Condition refers to goes into that PPR^ZD1 as its PV1 instead.
//! - AllergyIntolerance → ADT^A60 (ADT-61, one per patient, an IAM per allergy); Condition → PPR^ZD1
//!   (PPR-01, one per patient); MedicationRequest → RDE^O11 (OMP-01, one per patient and order number
//!   ORC-2); MedicationDispense → RDS^O13 (the local extended type `L-DISPENSE^DISPENSE^99ZKH`, one per
//!   patient and order number); laboratory Observation → OUL^R22 (OML-11, one per patient and specimen, an OBR/ORC per
//!   ServiceRequest).
//! - Every message carries the PID of the Patient the resource's `subject` / `patient` names, which must
//!   be in the same input (an error issue otherwise). Other resource types are skipped with an
//!   information issue; Practitioner, Location, Organization and Specimen are read where referenced.
//! - Times: a FHIR dateTime is written as an HL7 TS in Japan time without a zone
//!   (`2016-08-21T16:15:23+09:00` → `20160821161523`; other zones are converted to +09:00), because
//!   SS-MIX2 receivers read a TS without a zone as Japan time and `v2_to_fhir` reads it back as
//!   `+09:00`; the instant is kept, the original offset is not.
//! - Codes: `coding[0]` → CWE-1/2/3, `coding[1]` → CWE-4/5/6, the system written with its v2 name
//!   (`v2_to_fhir::coding::v2_name`); a system with no v2 name is written as its URI.

mod allergy;
mod condition;
mod context;
pub mod datatypes;
mod encounter;
mod medication_dispense;
mod medication_request;
mod observation;
mod patient;
mod rx_segments;

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
            // An Encounter a Condition, a MedicationRequest, a MedicationDispense or a result refers
            // to is the PV1 of that PPR^ZD1, RDE^O11, RDS^O13 or OUL^R22.
            "Encounter"
                if ![
                    "Condition",
                    "MedicationRequest",
                    "MedicationDispense",
                    "Observation",
                ]
                .iter()
                .any(|kind| {
                    ctx.of_kind(kind).iter().any(|c| {
                        ctx.resolve_element(encounter::visit_of(c.resource))
                            .is_some_and(|e| e.reference() == entry.reference())
                    })
                }) =>
            {
                encounter::map(&mut ctx, &entry)
            }
            "Patient" | "Encounter" | "Practitioner" | "DiagnosticReport" | "ServiceRequest"
            | "PractitionerRole" | "Location" | "Organization" | "Specimen" | "Medication" => {
                continue
            }
            "MessageHeader" | "Provenance" => continue,
            "MedicationRequest" => medication_request::map(&mut ctx, &entry),
            "MedicationDispense" => medication_dispense::map(&mut ctx, &entry),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hl7v2::Message;
    use crate::Severity;
    use serde_json::json;

    fn header() -> Header {
        Header {
            sending_facility: "1319999999".into(),
            timestamp: "20261202093000".into(),
            ..Header::default()
        }
    }

    fn patient() -> Value {
        json!({"resourceType": "Patient", "id": "p1",
            "identifier": [{"system": "urn:oid:1.2.392.100495.20.3.51.11319999999", "value": "1000000001"}],
            "name": [{"family": "山田", "given": ["太郎"], "use": "official"}],
            "gender": "male", "birthDate": "1979-11-01"})
    }

    #[test]
    fn a_bundle_of_any_type_gives_one_message_per_record_with_the_patient_s_pid() {
        let bundle = json!({"resourceType": "Bundle", "type": "searchset", "entry": [
            {"fullUrl": "urn:uuid:0a1b", "resource": patient()},
            {"resource": {"resourceType": "Encounter", "id": "e1", "status": "arrived",
                "class": {"code": "AMB"}, "subject": {"reference": "urn:uuid:0a1b"},
                "period": {"start": "2026-12-01T23:15:00Z"}}},
            {"resource": {"resourceType": "Basic", "id": "b"}}]});
        let converted = convert(&[bundle], &header());
        assert_eq!(converted.messages.len(), 1, "{:?}", converted.issues);
        let out = &converted.messages[0];
        assert_eq!(out.data_type, "ADT-12");
        let m = Message::parse(&out.text).unwrap();
        assert_eq!(m.value("MSH-9").as_deref(), Some("ADT^A04^ADT_A01"));
        assert_eq!(m.value("MSH-10").as_deref(), Some("KH1"));
        assert_eq!(m.value("PID-3.1").as_deref(), Some("1000000001"));
        assert_eq!(m.value("PID-3.5").as_deref(), Some("PI"));
        assert_eq!(m.value("PV1-2").as_deref(), Some("O"));
        // 23:15 UTC is 08:15 the next day in Japan.
        assert_eq!(m.value("PV1-44").as_deref(), Some("20261202081500"));
        let info = &converted.issues[0];
        assert_eq!(info.severity, Severity::Information);
        assert_eq!(info.expression.as_deref(), Some("Bundle.entry[2].resource"));
        // The Patient is referenced, so it gets no ADT^A08 of its own; alone it does.
        let alone = to_v2(&[patient()], &header()).unwrap();
        assert_eq!(alone.len(), 1);
        assert_eq!(alone[0].data_type, "ADT-00");
    }

    #[test]
    fn a_record_without_its_patient_is_an_error() {
        let condition = json!({"resourceType": "Condition", "id": "c1",
            "code": {"coding": [{"system": "http://medis.or.jp/CodeSystem/master-disease-keyNumber", "code": "20054946", "display": "高血圧症"}]},
            "subject": {"reference": "Patient/elsewhere"}});
        let issues = to_v2(&[condition], &header()).unwrap_err();
        assert!(issues
            .iter()
            .any(|i| i.is_error() && i.expression.as_deref() == Some("Condition.subject")));
        let nameless = json!({"resourceType": "Patient", "id": "p"});
        let issues = to_v2(&[nameless], &header()).unwrap_err();
        assert!(issues[0].message.contains("PID-3"), "{issues:?}");
    }

    #[test]
    fn the_sending_facility_defaults_to_the_patient_id_system() {
        let h = Header {
            timestamp: "20261202093000".into(),
            ..Header::default()
        };
        let out = to_v2(&[patient()], &h).unwrap();
        let m = Message::parse(&out[0].text).unwrap();
        assert_eq!(m.value("MSH-4").as_deref(), Some("1319999999"));
        assert_eq!(m.get("MSH-18").as_deref(), Some("~ISO IR87"));
    }

    #[test]
    fn odd_input_gives_issues_not_panics() {
        let odd = [
            json!(null),
            json!([1, 2]),
            json!({"resourceType": "Bundle"}),
            json!({"resourceType": "Bundle", "entry": [{"resource": 3}, {"fullUrl": 1}]}),
            json!({"resourceType": "Encounter", "class": "AMB", "subject": "Patient/1"}),
            json!({"resourceType": "Observation", "subject": {"reference": 5}, "valueQuantity": {"value": "x"}}),
            json!({"resourceType": "MedicationRequest", "subject": {"reference": "Patient/p1"},
                "dosageInstruction": [{"timing": {"repeat": {"boundsDuration": {}}}}]}),
            json!({"resourceType": "Patient", "id": "p1", "identifier": [{"value": "1"}],
                "name": [{"given": [1]}], "birthDate": "1999-02-30", "telecom": [{}], "address": [{"line": [1]}]}),
        ];
        for value in &odd {
            let converted = convert(std::slice::from_ref(value), &header());
            for m in &converted.messages {
                assert!(Message::parse(&m.text).is_ok(), "{value}: {}", m.text);
            }
        }
        let all = convert(&odd, &header());
        assert!(all.issues.iter().any(Issue::is_error));
    }
}

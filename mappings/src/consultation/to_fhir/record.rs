//! オンライン診療記録 → one transaction Bundle: Patient, Encounter, Composition (with its sections),
//! Practitioner / PractitionerRole / Organization for the doctors and institutions, Condition per
//! diagnosis, Observation per vital sign, QuestionnaireResponse, and a Provenance over all of them.

use serde_json::Value;

use super::bundle::{full_url, Transaction};
use super::composition::{self, Entries};
use super::encounter::{self, Links};
use super::{condition, observation, provenance, questionnaire_response, MapContext};
use crate::consultation::model::ConsultationRecord;

pub fn record_to_fhir(record: &ConsultationRecord, ctx: &MapContext) -> Value {
    let mut tx = Transaction::new("record", &record.record_id, &record.patient, ctx);
    let patient = tx.patient();
    let encounter_id = super::record_encounter_id(&record.record_id);
    let encounter_ref = full_url("Encounter", &encounter_id);
    let doctor = tx.practitioner(&record.doctor);
    let service_provider = record
        .doctor
        .institution
        .as_ref()
        .map(|i| tx.organization(i));

    let mut entries = Entries {
        diagnoses: Vec::new(),
        vitals: Vec::new(),
        questionnaire: None,
    };
    for (n, disease) in record.diagnoses.iter().enumerate() {
        let id = tx.id("condition", Some(n));
        let resource = condition::condition(disease, &id, &patient, Some(&encounter_ref));
        entries.diagnoses.push(tx.put(resource));
    }
    for (n, vital) in record.vitals.iter().enumerate() {
        let id = tx.id("observation", Some(n));
        let resource = observation::vital(vital, &id, &patient, &encounter_ref);
        entries.vitals.push(tx.put(resource));
    }
    if let Some(q) = &record.questionnaire {
        let id = tx.id("questionnaire-response", None);
        let resource =
            questionnaire_response::questionnaire_response(q, &id, &patient, &encounter_ref);
        entries.questionnaire = Some(tx.put(resource));
    }

    let native = serde_json::to_value(record).unwrap_or_default();
    let sections = composition::sections(record, &native, &entries, &mut tx);
    let links = Links {
        patient: patient.clone(),
        doctor: doctor.clone(),
        service_provider: service_provider.clone(),
    };
    tx.put(encounter::encounter(record, &encounter_id, links));
    let composition_id = tx.id("composition", None);
    let links = composition::Links {
        patient,
        encounter: encounter_ref,
        author: doctor.clone(),
        custodian: service_provider,
    };
    tx.put(composition::composition(
        record,
        &composition_id,
        links,
        sections,
    ));

    let recorded = record.period.end.as_deref().unwrap_or(&record.period.start);
    let provenance_id = tx.id("provenance", None);
    let targets = tx.full_urls();
    tx.put(provenance::provenance(
        &provenance_id,
        &targets,
        recorded,
        &doctor,
    ));
    tx.finish()
}

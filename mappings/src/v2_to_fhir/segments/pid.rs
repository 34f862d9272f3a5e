//! PID (with NK1 → Patient.contact, `nk1.rs`) → JP_Patient (JAMI ConceptMap segment-pid-to-patient).
//! The patient's id is the sending facility plus PID-3.1; PID-3 with a 10-digit MSH-4 gets JP Core's
//! 患者番号 system `urn:oid:1.2.392.100495.20.3.51.1` + 医療機関コード (jp-standards.md §1.5).

use crate::build_json;
use serde_json::{Map, Value};

use super::nk1;
use crate::v2_to_fhir::datatypes::{address, contact_point, date, date_time, human_name};
use crate::v2_to_fhir::input::Input;
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::profiles::{meta, Flavour};

/// The Identifier system of the sending facility's patient ids.
pub fn patient_id_system(input: &Input) -> String {
    match input.facility.as_deref() {
        Some(f) if f.len() == 10 && f.bytes().all(|b| b.is_ascii_digit()) => {
            format!("urn:oid:1.2.392.100495.20.3.51.1{f}")
        }
        Some(f) => format!("urn:kakehashi:hl7v2:patient-id:{}", f),
        None => "urn:kakehashi:hl7v2:patient-id:unknown-facility".to_string(),
    }
}

/// Maps the PID segment to a Patient and returns its reference. Every message type with a PID calls it.
pub fn map_patient(input: &Input, out: &mut Output) -> Result<String, MapError> {
    let pid = input.require("PID")?;
    let id = input.patient_id_for_fhir().ok_or(MapError::MissingField {
        position: "PID-3".into(),
    })?;
    let mut patient = Map::new();
    patient.insert("resourceType".into(), build_json!("Patient"));
    patient.insert("id".into(), build_json!(id));
    if let Some(m) = meta("Patient", Flavour::Default) {
        patient.insert("meta".into(), m);
    }
    let system = patient_id_system(input);
    let identifiers: Vec<Value> = pid
        .reps(3)
        .iter()
        .filter_map(|r| {
            r.text(1)
                .map(|v| build_json!({"system": &system, "value": v}))
        })
        .collect();
    patient.insert("identifier".into(), Value::Array(identifiers));
    let names: Vec<Value> = pid.reps(5).iter().filter_map(human_name).collect();
    if !names.is_empty() {
        patient.insert("name".into(), Value::Array(names));
    }
    let mut telecom: Vec<Value> = pid
        .reps(13)
        .iter()
        .filter_map(|r| contact_point(r, "home"))
        .collect();
    telecom.extend(pid.reps(14).iter().filter_map(|r| contact_point(r, "work")));
    if !telecom.is_empty() {
        patient.insert("telecom".into(), Value::Array(telecom));
    }
    if let Some(gender) = pid.text(8) {
        let fhir = match gender.as_str() {
            "M" => "male",
            "F" => "female",
            "O" | "A" | "N" => "other",
            _ => "unknown",
        };
        patient.insert("gender".into(), build_json!(fhir));
    }
    if let Some(birth) = pid.text(7) {
        match date(&birth) {
            Ok(d) => {
                patient.insert("birthDate".into(), build_json!(d));
            }
            Err(why) => out.warn(pid.position(7), why),
        }
    }
    // PID-29/30: 死亡日時 / 死亡フラグ.
    match (pid.text(29), pid.text(30)) {
        (Some(ts), _) => match date_time(&ts) {
            Ok(t) => {
                patient.insert("deceasedDateTime".into(), build_json!(t));
            }
            Err(why) => out.warn(pid.position(29), why),
        },
        (None, Some(flag)) => {
            patient.insert("deceasedBoolean".into(), build_json!(flag == "Y"));
        }
        _ => {}
    }
    let addresses: Vec<Value> = pid.reps(11).iter().filter_map(address).collect();
    if !addresses.is_empty() {
        patient.insert("address".into(), Value::Array(addresses));
    }
    let contacts = nk1::contacts(input);
    if !contacts.is_empty() {
        patient.insert("contact".into(), Value::Array(contacts));
    }
    // PID-33 最終更新日時 is the sender's bookkeeping (JAMI: not mapped); it is read so it is not reported.
    pid.mark(&[33]);
    Ok(out.push(Value::Object(patient)))
}

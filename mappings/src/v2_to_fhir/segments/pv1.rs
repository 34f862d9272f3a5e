//! PV1 / PV2 (and EVN-6) → JP_Encounter, JP_Location and the doctors' JP_Practitioner (JAMI ConceptMaps
//! segment-pv1-to-encounter, segment-adt-xx-pv1-to-encounter, table-v2-0004-to-v3-actcode,
//! table-v2-0003-to-encounterstatus / -encounterlocationstatus; `mappings/tables/v2-0003-encounter-status.csv`).
//!
//! - id: one Encounter per visit: the sending facility, the patient and the 来院番号 PV1-19 when the
//!   sender gives one, else the patient class and the day of the visit (PV1-44, PV2-8 or MSH-7), so an
//!   admission, its transfers (A02) and its discharge update the same Encounter.
//! - status / location.status: by trigger event for ADT; a PV1 in any other message is `in-progress`.
//! - class: PV1-2 `O` → AMB, `I` → IMP, `E` → EMER (v3-ActCode). Any other class (`N` 該当なし in A08)
//!   is no visit: nothing is mapped.
//! - period: PV1-44 入院日時 / PV1-45 退院日時; for ADT-21 (入院予定) PV2-8 / PV2-9 and for ADT-51
//!   (退院予定) PV2-9 as the planned end. location.period as the JAMI message map says (EVN-6 for
//!   transfers and leave, PV1-44 for ADT-22, PV1-45 for ADT-52, PV2-8/9/47 for the planned events).
//! - PV1-3 病棟^病室^病床 → Location (ward ⊃ room ⊃ bed, `partOf`), the most specific one in
//!   Encounter.location (for A02 also PV1-6, the location left, as a `completed` entry); PV1-10 診療科 → serviceType (JAMI 診療科コード); PV1-7 主治医 (ATND), PV1-8
//!   紹介医 (REF), PV1-9 コンサルト医 (CON), PV1-17 入院時医師 (ADM) → participant; PV1-19 → identifier;
//!   PV1-36 退院区分 → hospitalization.dischargeDisposition.

use crate::build_json;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::xcn::practitioners;
use crate::v2_to_fhir::datatypes::{codeable, date_time};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::{meta, Flavour};

const STATUS_TABLE: &str = include_str!("../../../tables/v2-0003-encounter-status.csv");
/// JAMI SS-MIX2 診療科コード (jp-standards.md §1.6).
pub const DEPARTMENT_SYSTEM: &str = "http://jami.jp/SS-MIX2/CodeSystem/ClinicalDepartment";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const PARTICIPATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

#[derive(Debug, Deserialize)]
struct StatusRow {
    trigger: String,
    encounter_status: String,
    location_status: String,
}

fn status_rows() -> &'static [StatusRow] {
    static ROWS: OnceLock<Vec<StatusRow>> = OnceLock::new();
    ROWS.get_or_init(|| crate::tables::read("v2-0003-encounter-status.csv", STATUS_TABLE))
}

/// Encounter.status and Encounter.location.status for a message: by ADT trigger event (JAMI table
/// v2-0003), `in-progress` / `active` for anything else.
pub fn statuses(message_type: &str, trigger: &str) -> (&'static str, &'static str) {
    if message_type == "ADT" {
        if let Some(row) = status_rows().iter().find(|r| r.trigger == trigger) {
            return (&row.encounter_status, &row.location_status);
        }
    }
    ("in-progress", "active")
}

/// Encounter.class for PV1-2 (HL7 table 0004 → v3-ActCode, JAMI ConceptMap table-v2-0004-to-v3-actcode
/// plus `E` 救急).
pub fn class_of(patient_class: &str) -> Option<Value> {
    let (code, display) = match patient_class {
        "O" => ("AMB", "ambulatory"),
        "I" => ("IMP", "inpatient encounter"),
        "E" => ("EMER", "emergency"),
        _ => return None,
    };
    Some(build_json!({"system": ACT_CODE, "code": code, "display": display}))
}

/// The Identifier system of the sending facility's 来院番号 (PV1-19).
pub fn visit_number_system(input: &Input) -> String {
    format!(
        "urn:kakehashi:hl7v2:visit-number:{}",
        input.facility.as_deref().unwrap_or("unknown-facility")
    )
}

/// Maps the message's PV1 (with PV2 and EVN-6 for ADT) to an Encounter and returns `Encounter/{id}`;
/// `None` when the message has no PV1 or the PV1 names no visit (PV1-2 not O/I/E).
pub fn map_encounter(input: &Input, out: &mut Output) -> Option<String> {
    let pv1 = input.segment("PV1")?;
    let class_code = pv1.text(2)?;
    let Some(class) = class_of(&class_code) else {
        if class_code != "N" {
            out.warn(
                pv1.position(2),
                format!("PV1-2 '{class_code}' is not a patient class this gateway maps (O, I, E); no Encounter is mapped."),
            );
        }
        return None;
    };
    let data_type = input.data_type.data_type.as_str();
    let adt = input.data_type.message_type == "ADT";
    let pv2 = if adt { input.segment("PV2") } else { None };
    let (status, location_status) =
        statuses(&input.data_type.message_type, &input.data_type.trigger);

    let when = |seg: &Seg, field: usize, out: &mut Output| -> Option<String> {
        let raw = seg.text(field)?;
        match date_time(&raw) {
            Ok(t) => Some(t),
            Err(why) => {
                out.warn(seg.position(field), why);
                None
            }
        }
    };
    let admitted = when(&pv1, 44, out);
    let discharged = when(&pv1, 45, out);
    let planned_in = match (&pv2, data_type) {
        (Some(pv2), "ADT-21" | "ADT-41") => when(pv2, 8, out),
        _ => None,
    };
    let planned_out = match (&pv2, data_type) {
        (Some(pv2), "ADT-21" | "ADT-51") => when(pv2, 9, out),
        _ => None,
    };
    let planned_back = match (&pv2, data_type) {
        (Some(pv2), "ADT-31") => when(pv2, 47, out),
        _ => None,
    };
    let occurred = match data_type {
        "ADT-31" | "ADT-32" | "ADT-41" | "ADT-42" => {
            input.segment("EVN").and_then(|evn| when(&evn, 6, out))
        }
        _ => None,
    };

    // The visit's key: 来院番号, else class + day.
    let patient = input.patient_id.clone().unwrap_or_else(|| "-".into());
    let visit_number = pv1.text(19);
    let id = match &visit_number {
        Some(number) => input.id(&["encounter", &patient, number]),
        None => {
            let day = admitted
                .as_deref()
                .or(if data_type == "ADT-21" {
                    planned_in.as_deref()
                } else {
                    None
                })
                .map(day_of)
                .or_else(|| {
                    input
                        .message
                        .value("MSH-7")
                        .map(|ts| ts.trim().chars().take(8).collect())
                })
                .unwrap_or_else(|| "-".into());
            input.id(&["encounter", &patient, &class_code, &day])
        }
    };

    let mut encounter = Map::new();
    encounter.insert("resourceType".into(), build_json!("Encounter"));
    encounter.insert("id".into(), build_json!(id));
    if let Some(m) = meta("Encounter", Flavour::Default) {
        encounter.insert("meta".into(), m);
    }
    if let Some(number) = visit_number {
        encounter.insert(
            "identifier".into(),
            build_json!([{"system": visit_number_system(input), "value": number}]),
        );
    }
    encounter.insert("status".into(), build_json!(status));
    encounter.insert("class".into(), class);
    if let Some(department) = pv1.rep(10) {
        let concept = if department.text(3).is_some() {
            codeable(&department)
        } else {
            department.text(1).map(|code| {
                let mut coding = build_json!({"system": DEPARTMENT_SYSTEM, "code": code});
                if let Some(name) = department.text(2) {
                    coding["display"] = build_json!(name);
                }
                build_json!({"coding": [coding]})
            })
        };
        if let Some(concept) = concept {
            encounter.insert("serviceType".into(), concept);
        }
    }
    if let Some(patient) = input.patient_reference() {
        encounter.insert("subject".into(), build_json!({ "reference": patient }));
    }
    let mut participants = Vec::new();
    for (field, role, display) in [
        (7, "ATND", "attender"),
        (8, "REF", "referrer"),
        (9, "CON", "consultant"),
        (17, "ADM", "admitter"),
    ] {
        for individual in practitioners(input, out, &pv1, field) {
            participants.push(build_json!({
                "type": [{"coding": [{"system": PARTICIPATION, "code": role, "display": display}]}],
                "individual": individual,
            }));
        }
    }
    if !participants.is_empty() {
        encounter.insert("participant".into(), Value::Array(participants));
    }
    let start = admitted.clone().or_else(|| {
        (data_type == "ADT-21")
            .then(|| planned_in.clone())
            .flatten()
    });
    let end = discharged.clone().or_else(|| planned_out.clone());
    if let Some(period) = period(start, end) {
        encounter.insert("period".into(), period);
    }
    if let Some(disposition) = pv1.rep(36).and_then(|r| codeable(&r)) {
        encounter.insert(
            "hospitalization".into(),
            build_json!({ "dischargeDisposition": disposition }),
        );
    }
    let location_start = match data_type {
        "ADT-22" => admitted.clone(),
        "ADT-21" => planned_in.clone(),
        "ADT-41" => planned_in.clone().or(occurred.clone()),
        "ADT-31" | "ADT-32" | "ADT-42" => occurred.clone(),
        _ => None,
    };
    let location_end = match data_type {
        "ADT-52" => discharged.clone(),
        "ADT-51" => planned_out.clone(),
        "ADT-31" => planned_back.clone(),
        _ => None,
    };
    let mut locations = Vec::new();
    // A transfer (A02) names the location left in PV1-6: kept as a completed stay that ended then.
    if data_type == "ADT-42" && !input.data_type.cancel {
        if let Some(mut prior) = map_location(input, out, &pv1, 6) {
            prior["status"] = build_json!("completed");
            if let Some(period) = period(None, occurred.clone()) {
                prior["period"] = period;
            }
            locations.push(prior);
        }
    }
    if let Some(mut location) = map_location(input, out, &pv1, 3) {
        location["status"] = build_json!(location_status);
        if let Some(period) = period(location_start, location_end) {
            location["period"] = period;
        }
        locations.push(location);
    }
    if !locations.is_empty() {
        encounter.insert("location".into(), Value::Array(locations));
    }
    Some(out.push(Value::Object(encounter)))
}

/// `YYYYMMDD` of a FHIR date/dateTime.
fn day_of(fhir: &str) -> String {
    fhir.chars().filter(char::is_ascii_digit).take(8).collect()
}

fn period(start: Option<String>, end: Option<String>) -> Option<Value> {
    let mut p = Map::new();
    if let Some(s) = start {
        p.insert("start".into(), build_json!(s));
    }
    if let Some(e) = end {
        p.insert("end".into(), build_json!(e));
    }
    (!p.is_empty()).then_some(Value::Object(p))
}

/// PV1-3 (or PV1-6, the prior location; PL: point of care 病棟 ^ room 病室 ^ bed 病床) → one JP_Location
/// per level present, each `partOf` the one above; returns the Encounter.location element for the most
/// specific level.
fn map_location(input: &Input, out: &mut Output, pv1: &Seg, field: usize) -> Option<Value> {
    let rep = pv1.rep(field)?;
    let mut parent: Option<String> = None;
    let mut last: Option<String> = None;
    let mut names: Vec<String> = Vec::new();
    let mut key: Vec<String> = vec!["location".into()];
    // PL-6 person location type (table 0305): `N` nursing unit (病棟) or none makes the point of care a
    // ward; `C` clinic, `D` department … (an outpatient's 診療科 or 外来) have no FHIR physical type.
    let ward = matches!(rep.text(6).as_deref(), None | Some("N"));
    for (c, kind, kind_display) in [(1, "wa", "Ward"), (2, "ro", "Room"), (3, "bd", "Bed")] {
        let Some(name) = rep.text(c) else {
            continue;
        };
        key.push(format!("{kind}-{name}"));
        let parts: Vec<&str> = key.iter().map(String::as_str).collect();
        let mut location = build_json!({
            "resourceType": "Location",
            "id": input.id(&parts),
            "status": "active",
            "name": name.clone(),
            "mode": "instance",
        });
        if c > 1 || ward {
            location["physicalType"] = build_json!({"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
                "code": kind,
                "display": kind_display,
            }]});
        }
        if let Some(m) = meta("Location", Flavour::Default) {
            location["meta"] = m;
        }
        if let Some(parent) = &parent {
            location["partOf"] = build_json!({ "reference": parent });
        }
        let reference = out.push(location);
        parent = Some(reference.clone());
        last = Some(reference);
        names.push(name);
    }
    // The display names every level (`3A 301 2`): the bed's own name alone says little.
    Some(build_json!({"location": {"reference": last?, "display": names.join(" ")}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_jami_event_table_and_other_messages_are_in_progress() {
        assert_eq!(statuses("ADT", "A14"), ("planned", "planned"));
        assert_eq!(statuses("ADT", "A27"), ("cancelled", "planned"));
        assert_eq!(statuses("ADT", "A01"), ("arrived", "active"));
        assert_eq!(statuses("ADT", "A11"), ("cancelled", "active"));
        assert_eq!(statuses("ADT", "A21"), ("onleave", "active"));
        assert_eq!(statuses("ADT", "A03"), ("finished", "completed"));
        // Cancelling a discharge puts the stay back in progress, it does not cancel it.
        assert_eq!(statuses("ADT", "A13"), ("in-progress", "active"));
        assert_eq!(statuses("RDE", "O11"), ("in-progress", "active"));
        assert_eq!(statuses("ADT", "A08"), ("in-progress", "active"));
    }

    #[test]
    fn patient_class_maps_to_act_code() {
        assert_eq!(class_of("O").unwrap()["code"], "AMB");
        assert_eq!(class_of("I").unwrap()["code"], "IMP");
        assert_eq!(class_of("E").unwrap()["code"], "EMER");
        assert!(class_of("N").is_none());
        assert!(class_of("i").is_none());
    }

    #[test]
    fn an_orders_pv1_is_an_in_progress_visit_with_its_doctor_and_clinic() {
        use crate::hl7v2::Message;
        use crate::v2_to_fhir::{data_type_of, Source};
        let text = "MSH|^~\\&|HIS|0123456789|GW|0123456789|20080203163012||RDE^O11^RDE_O11|M1|P|2.5\rPID|||42^^^^PI\rPV1|0001|O|2^^^^^C||||ishi01^テスト^医師^^^^^^^L^^^^^I|||002\rRXE||1\r";
        let message = Message::parse(text).unwrap();
        let source = Source::default();
        let data_type = data_type_of(&message, None).unwrap();
        let input = Input::new(&message, &source, data_type).unwrap();
        let mut out = Output::default();
        let reference = map_encounter(&input, &mut out).unwrap();
        // No 来院番号 and no PV1-44: the visit is the patient's outpatient visit of the MSH-7 day.
        assert_eq!(reference, "Encounter/0123456789.encounter.42.O.20080203");
        let encounter = out
            .resources()
            .iter()
            .find(|r| r["resourceType"] == "Encounter")
            .unwrap();
        assert_eq!(encounter["status"], "in-progress");
        assert_eq!(encounter["serviceType"]["coding"][0]["code"], "002");
        assert_eq!(
            encounter["participant"][0]["individual"]["display"],
            "テスト 医師"
        );
        let clinic = out
            .resources()
            .iter()
            .find(|r| r["resourceType"] == "Location")
            .unwrap();
        assert!(clinic.get("physicalType").is_none());
        assert!(out.has("Practitioner/0123456789.practitioner.ishi01"));
    }

    #[test]
    fn every_status_row_is_a_fhir_code() {
        let encounter = [
            "planned",
            "arrived",
            "triaged",
            "in-progress",
            "onleave",
            "finished",
            "cancelled",
        ];
        let location = ["planned", "active", "reserved", "completed"];
        assert_eq!(status_rows().len(), 19);
        for row in status_rows() {
            assert!(
                encounter.contains(&row.encounter_status.as_str()),
                "{}",
                row.trigger
            );
            assert!(
                location.contains(&row.location_status.as_str()),
                "{}",
                row.trigger
            );
        }
    }
}

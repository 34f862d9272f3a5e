//! ORC (with its OBR, `obr.rs`) → ServiceRequest (JAMI ConceptMap segment-oml-11-orc-to-servicerequest;
//! HL7 v2-to-FHIR IG ORC[ServiceRequest] for what JAMI leaves open): ORC-2/3 → identifier (PLAC /
//! FILL), ORC-4 → requisition, ORC-5 (table 0038, else ORC-1 table 0119) → status, ORC-9 → authoredOn,
//! ORC-12 (else OBR-16) → requester, a JP_Practitioner (`xcn.rs`); the message's Encounter (PV1,
//! `pv1.rs`) → encounter.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::date_time;
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::{meta, Flavour};
use crate::v2_to_fhir::segments::obr;
use crate::v2_to_fhir::segments::xcn::practitioner_reference;

const IDENTIFIER_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";

/// The system of the sending facility's placer (`kind` = `placer`) or filler order numbers.
pub fn order_number_system(input: &Input, kind: &str) -> String {
    format!(
        "urn:kakehashi:hl7v2:{kind}-order-number:{}",
        input.facility.as_deref().unwrap_or("unknown-facility")
    )
}

/// The order number that identifies the order group: ORC-2, else OBR-2, else ORC-3 / OBR-3.
pub fn order_key(orc: Option<&Seg>, obr: Option<&Seg>) -> Option<String> {
    let get = |s: Option<&Seg>, n: usize| s.and_then(|s| s.text(n));
    get(orc, 2)
        .or_else(|| get(obr, 2))
        .or_else(|| get(orc, 3))
        .or_else(|| get(obr, 3))
}

/// The ServiceRequest of one ORC/OBR group, not yet added (callers add category, specimen, supporting
/// information and notes, then `out.push` it). `None` when the group has neither segment. Its id is the
/// order number plus OBR-4.1, so every message about the order updates the same resource.
pub fn service_request(
    input: &Input,
    out: &mut Output,
    orc: Option<&Seg>,
    obr: Option<&Seg>,
    subject: &str,
    encounter: Option<&str>,
) -> Option<Value> {
    if orc.is_none() && obr.is_none() {
        return None;
    }
    let key = order_key(orc, obr).unwrap_or_else(|| input.control_id.clone());
    let code = obr
        .and_then(|o| o.component(4, 1))
        .unwrap_or_else(|| "-".into());
    let mut r = Map::new();
    r.insert("resourceType".into(), build_json!("ServiceRequest"));
    r.insert(
        "id".into(),
        build_json!(input.id(&["servicerequest", &key, &code])),
    );
    if let Some(m) = meta("ServiceRequest", Flavour::Default) {
        r.insert("meta".into(), m);
    }
    let mut identifiers = Vec::new();
    let placer = orc
        .and_then(|o| o.text(2))
        .or_else(|| obr.and_then(|o| o.text(2)));
    let filler = orc
        .and_then(|o| o.text(3))
        .or_else(|| obr.and_then(|o| o.text(3)));
    if let Some(p) = placer {
        identifiers.push(order_identifier(input, "placer", "PLAC", &p));
    }
    if let Some(f) = filler {
        identifiers.push(order_identifier(input, "filler", "FILL", &f));
    }
    if !identifiers.is_empty() {
        r.insert("identifier".into(), Value::Array(identifiers));
    }
    if let Some(group) = orc.and_then(|o| o.text(4)) {
        r.insert(
            "requisition".into(),
            build_json!({"system": order_number_system(input, "placer-group"), "value": group}),
        );
    }
    r.insert("status".into(), build_json!(status(out, orc)));
    r.insert("intent".into(), build_json!("order"));
    r.insert("subject".into(), build_json!({ "reference": subject }));
    if let Some(e) = encounter {
        r.insert("encounter".into(), build_json!({ "reference": e }));
    }
    if let Some(orc) = orc {
        if let Some(t) = orc.text(9) {
            match date_time(&t) {
                Ok(t) => {
                    r.insert("authoredOn".into(), build_json!(t));
                }
                Err(why) => out.warn(orc.position(9), why),
            }
        }
    }
    let requester = orc
        .and_then(|o| o.rep(12))
        .or_else(|| obr.and_then(|o| o.rep(16)));
    if let Some(rep) = requester {
        if let Some(reference) = practitioner_reference(input, out, &rep) {
            r.insert("requester".into(), reference);
        }
    }
    if let (Some(obr), Some(orc)) = (obr, orc) {
        // OBR-16 repeats ORC-12 in SS-MIX2 messages: it is read (and mapped) when ORC-12 is empty.
        if orc.text(12).is_some() {
            obr.mark(&[16]);
        }
    }
    if let Some(obr) = obr {
        obr::order_details(input, out, obr, &mut r);
    }
    Some(Value::Object(r))
}

fn order_identifier(input: &Input, kind: &str, type_code: &str, value: &str) -> Value {
    build_json!({
        "type": {"coding": [{"system": IDENTIFIER_TYPE, "code": type_code}]},
        "system": order_number_system(input, kind),
        "value": value,
    })
}

/// ORC-5 order status (HL7 table 0038) → ServiceRequest.status; when empty, ORC-1 order control
/// (table 0119). Both read; neither → `active`.
fn status(out: &mut Output, orc: Option<&Seg>) -> &'static str {
    let Some(orc) = orc else { return "active" };
    // ORC-1 decides the interaction (JAMI); its meaning for the status is used when ORC-5 is empty.
    let control = orc.text(1);
    match orc.text(5).as_deref() {
        Some("CM") => "completed",
        Some("IP") | Some("SC") | Some("A") => "active",
        Some("CA") | Some("DC") => "revoked",
        Some("HD") => "on-hold",
        Some("ER") => "entered-in-error",
        Some(other) => {
            out.warn(
                orc.position(5),
                format!("ORC-5 '{other}' is not an order status of HL7 table 0038; status set to unknown."),
            );
            "unknown"
        }
        None => match control.as_deref() {
            Some("CA") | Some("OC") | Some("DC") | Some("OD") | Some("CR") => "revoked",
            Some("HD") | Some("OH") => "on-hold",
            _ => "active",
        },
    }
}

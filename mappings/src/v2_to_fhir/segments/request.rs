//! One order group (ORC TQ1* OBR NTE* DG1* {OBX NTE*}) → a ServiceRequest (`orc.rs`, `obr.rs`) with
//! the category of its SS-MIX2 data type, TQ1-7 → occurrence and TQ1-9 → priority when OBR gives none
//! (HL7 v2-to-FHIR IG TQ1[ServiceRequest]), DG1-3 → reasonCode, NTE → note, and the OBX of the order
//! (身長・体重 and other order information) → Observations in `supportingInfo`.

use crate::build_json;
use serde_json::Value;

use crate::v2_to_fhir::datatypes::{codeable, date_time};
use crate::v2_to_fhir::input::Input;
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::Flavour;
use crate::v2_to_fhir::segments::groups::OrderGroup;
use crate::v2_to_fhir::segments::obx;
use crate::v2_to_fhir::segments::orc::{order_key, service_request};
use crate::v2_to_fhir::segments::results::{observations, Links};

const SNOMED: &str = "http://snomed.info/sct";
/// The system of SS-MIX2 data type codes (`OMG-01`), kept beside the SNOMED CT category.
pub const DATA_TYPE_SYSTEM: &str = "urn:kakehashi:ssmix2:data-type";

/// The ServiceRequest category of an SS-MIX2 data type (FHIR R4 servicerequest-category codes; 内視鏡 and
/// 生理検査 as diagnostic procedures), with the data type itself as a second coding.
pub fn category(input: &Input) -> Value {
    let data_type = input.data_type.data_type.as_str();
    let (code, display) = match data_type {
        "OMG-01" | "OMG-11" => ("363679005", "Imaging"),
        "OMG-02" | "OMG-12" | "OMG-03" | "OMG-13" => ("103693007", "Diagnostic procedure"),
        _ => ("108252007", "Laboratory procedure"),
    };
    build_json!({
        "coding": [
            {"system": SNOMED, "code": code, "display": display},
            {"system": DATA_TYPE_SYSTEM, "code": data_type, "display": &input.data_type.meaning},
        ],
        "text": &input.data_type.meaning,
    })
}

/// Maps the order part of `group` and adds the ServiceRequest; returns its reference. The OBX of the
/// group become JP_Observation_Common resources in `supportingInfo` (`supporting = true`); with
/// `supporting = false` the caller maps them as results.
pub fn order_request(
    input: &Input,
    out: &mut Output,
    group: &OrderGroup,
    subject: &str,
    encounter: Option<&str>,
    specimen: Option<&str>,
    supporting: bool,
) -> Option<String> {
    let orc = group.orc.as_ref();
    let obr = group.obr.as_ref();
    let mut r = service_request(input, out, orc, obr, subject, encounter)?;
    r["category"] = build_json!([category(input)]);
    if let Some(s) = specimen {
        r["specimen"] = build_json!([{ "reference": s }]);
    }
    for tq1 in group.others("TQ1") {
        if r.get("occurrenceDateTime").is_none() && r.get("occurrencePeriod").is_none() {
            if let Some(t) = tq1.component(7, 1) {
                match date_time(&t) {
                    Ok(t) => r["occurrenceDateTime"] = build_json!(t),
                    Err(why) => out.warn(tq1.position(7), why),
                }
            }
        }
        if r.get("priority").is_none() {
            match tq1.text(9).as_deref() {
                Some("S") => r["priority"] = build_json!("stat"),
                Some("A") => r["priority"] = build_json!("asap"),
                Some("R") => r["priority"] = build_json!("routine"),
                Some(other) => out.warn(
                    tq1.position(9),
                    format!(
                        "TQ1-9 priority '{other}' is not S, A or R (HL7 table 0485); not mapped."
                    ),
                ),
                None => {}
            }
        }
    }
    let reasons: Vec<Value> = group
        .others("DG1")
        .iter()
        .filter_map(|dg1| dg1.rep(3).as_ref().and_then(codeable))
        .collect();
    if !reasons.is_empty() {
        let list = r
            .as_object_mut()
            .and_then(|m| m.get_mut("reasonCode"))
            .and_then(Value::as_array_mut);
        match list {
            Some(list) => list.extend(reasons),
            None => r["reasonCode"] = Value::Array(reasons),
        }
    }
    let notes = obx::notes(&group.notes);
    if !notes.is_empty() {
        match r.get_mut("note").and_then(Value::as_array_mut) {
            Some(list) => list.extend(notes),
            None => r["note"] = Value::Array(notes),
        }
    }
    let reference = out.push(r.clone());
    if supporting && !group.results.is_empty() {
        let links = Links {
            subject,
            encounter,
            specimen: None,
            request: None,
            key: vec![
                order_key(orc, obr).unwrap_or_else(|| input.control_id.clone()),
                "order-information".into(),
            ],
            issued: None,
            time_fallback: false,
        };
        let info = observations(input, out, group, Flavour::Default, &links);
        r["supportingInfo"] = Value::Array(
            info.iter()
                .map(|(o, _)| build_json!({ "reference": o }))
                .collect(),
        );
        out.push(r);
    }
    Some(reference)
}

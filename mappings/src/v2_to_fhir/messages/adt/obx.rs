//! ADT-00 OBX 患者の属性（身長・体重・血液型 …） → JP_Observation_Common (JAMI ConceptMap
//! segment-adt-00-obx-to-observation): OBX-2 value type → value[x] (NM → valueQuantity, CWE/CE →
//! valueCodeableConcept, anything else → valueString), OBX-3 → code (JC10 身長 9N001 / 体重 9N006 →
//! category vital-signs), OBX-5/6 → value and unit, OBX-7 → referenceRange.text, OBX-8 →
//! interpretation, OBX-11 → status `final` (JAMI: fixed), OBX-14 → effectiveDateTime. The id is the
//! patient and the item code: a re-sent patient record updates the same Observation.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::{codeable, date_time, quantity};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::{meta, Flavour};

/// JLAC10 analyte codes of 身長 and 体重 (the first 5 characters of the 17-digit code).
const VITAL_ANALYTES: &[&str] = &["9N001", "9N006"];

pub fn map_observations(input: &Input, out: &mut Output, patient: &str) {
    for obx in input.segments("OBX") {
        map_observation(input, out, patient, &obx);
    }
}

fn map_observation(input: &Input, out: &mut Output, patient: &str, obx: &Seg) {
    let Some(item) = obx.rep(3) else {
        out.warn(
            obx.position(3),
            "OBX-3 (item) is empty; the OBX is not mapped.",
        );
        return;
    };
    let Some(code) = codeable(&item) else {
        out.warn(
            obx.position(3),
            "OBX-3 (item) is empty; the OBX is not mapped.",
        );
        return;
    };
    let key = item.text(1).or_else(|| item.text(2)).unwrap_or_default();
    let mut observation = Map::new();
    observation.insert("resourceType".into(), build_json!("Observation"));
    observation.insert(
        "id".into(),
        build_json!(input.id(&[
            "observation",
            input.patient_id.as_deref().unwrap_or("-"),
            &key
        ])),
    );
    if let Some(m) = meta("Observation", Flavour::Default) {
        observation.insert("meta".into(), m);
    }
    obx.mark(&[11]);
    observation.insert("status".into(), build_json!("final"));
    let vital = item.text(3).as_deref() == Some("JC10")
        && item
            .text(1)
            .is_some_and(|c| VITAL_ANALYTES.iter().any(|a| c.starts_with(a)));
    if vital {
        observation.insert(
            "category".into(),
            build_json!([{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "vital-signs",
            }]}]),
        );
    }
    observation.insert("code".into(), code);
    observation.insert("subject".into(), build_json!({ "reference": patient }));
    if let Some(raw) = obx.text(14) {
        match date_time(&raw) {
            Ok(t) => {
                observation.insert("effectiveDateTime".into(), build_json!(t));
            }
            Err(why) => out.warn(obx.position(14), why),
        }
    }
    let value_type = obx.text(2).unwrap_or_else(|| "ST".into());
    if let Some(value) = obx.rep(5) {
        match value_type.as_str() {
            "NM" => {
                let unit = obx.rep(6);
                match value.text(1).and_then(|v| quantity(&v, unit.as_ref())) {
                    Some(q) => {
                        observation.insert("valueQuantity".into(), q);
                    }
                    None => out.warn(obx.position(5), "OBX-5 is not a number (OBX-2 NM)."),
                }
            }
            "CWE" | "CE" => {
                if let Some(c) = codeable(&value) {
                    observation.insert("valueCodeableConcept".into(), c);
                }
            }
            _ => {
                let texts: Vec<String> = obx.reps(5).iter().filter_map(|r| r.text(1)).collect();
                observation.insert("valueString".into(), build_json!(texts.join("\n")));
            }
        }
    }
    if let Some(range) = obx.text(7) {
        observation.insert("referenceRange".into(), build_json!([{ "text": range }]));
    }
    let flags: Vec<Value> = obx
        .reps(8)
        .iter()
        .filter_map(|r| {
            r.text(1).map(|c| {
                build_json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": c}]})
            })
        })
        .collect();
    if !flags.is_empty() {
        observation.insert("interpretation".into(), Value::Array(flags));
    }
    out.push(Value::Object(observation));
}

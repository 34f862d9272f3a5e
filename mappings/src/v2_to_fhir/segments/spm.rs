//! SPM → Specimen (JAMI ConceptMap segment-oml-11-spm-to-specimen: SPM-4 → type, SPM-8 → bodySite,
//! SPM-17 → collection.collected; HL7 v2-to-FHIR IG SPM[Specimen] for SPM-2 → identifier, SPM-10 →
//! collection.bodySite, SPM-12 → collection.quantity, SPM-14 → note, SPM-18 → receivedTime, SPM-27 →
//! container.type). SPM-4 holds a JLAC10 材料コード (`JC10`) or an HL7 table 0487 code. JP Core 1.1.1
//! has no Specimen profile.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::coding::system_uri;
use crate::v2_to_fhir::datatypes::{codeable, date_time, decimal};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::Output;

/// Maps one SPM, adds the Specimen and returns its reference.
pub fn specimen(input: &Input, out: &mut Output, spm: &Seg, subject: &str) -> String {
    let specimen_id = spm.rep(2).and_then(|r| r.sub(1, 1).or_else(|| r.text(1)));
    let occurrence = spm.occurrence().to_string();
    let id = match &specimen_id {
        Some(s) => input.id(&["specimen", s]),
        None => input.id(&["specimen", &input.control_id, &occurrence]),
    };
    let mut s = Map::new();
    s.insert("resourceType".into(), build_json!("Specimen"));
    s.insert("id".into(), build_json!(id));
    if let Some(v) = specimen_id {
        s.insert(
            "identifier".into(),
            build_json!([{
                "system": format!("urn:kakehashi:hl7v2:specimen-id:{}", input.facility.as_deref().unwrap_or("unknown-facility")),
                "value": v,
            }]),
        );
    }
    if let Some(t) = spm.rep(4).as_ref().and_then(codeable) {
        s.insert("type".into(), t);
    }
    s.insert("subject".into(), build_json!({ "reference": subject }));
    if let Some(t) = spm.text(18) {
        match date_time(&t) {
            Ok(t) => {
                s.insert("receivedTime".into(), build_json!(t));
            }
            Err(why) => out.warn(spm.position(18), why),
        }
    }
    let mut collection = Map::new();
    if let Some(rep) = spm.rep(17) {
        let start = rep.text(1).map(|t| (t, rep.at(1)));
        let end = rep.text(2).map(|t| (t, rep.at(2)));
        let mut times = Vec::new();
        for (t, at) in [start, end].into_iter().flatten() {
            match date_time(&t) {
                Ok(t) => times.push(Some(t)),
                Err(why) => {
                    out.warn(at, why);
                    times.push(None);
                }
            }
        }
        match (rep.text(2).is_some(), times.as_slice()) {
            (false, [Some(t)]) => {
                collection.insert("collectedDateTime".into(), build_json!(t));
            }
            (true, [a, b]) => {
                let mut p = Map::new();
                if let Some(a) = a {
                    p.insert("start".into(), build_json!(a));
                }
                if let Some(b) = b {
                    p.insert("end".into(), build_json!(b));
                }
                if !p.is_empty() {
                    collection.insert("collectedPeriod".into(), Value::Object(p));
                }
            }
            _ => {}
        }
    }
    if let Some(rep) = spm.rep(12) {
        if let Some(value) = rep.text(1) {
            match value.parse::<f64>() {
                Ok(n) => {
                    let mut q = Map::new();
                    q.insert("value".into(), decimal(&value, n));
                    if let Some(unit) = rep.sub(2, 2).or_else(|| rep.sub(2, 1)) {
                        q.insert("unit".into(), build_json!(unit));
                    }
                    if let (Some(code), Some(system)) = (rep.sub(2, 1), rep.sub(2, 3)) {
                        q.insert("system".into(), build_json!(system_uri(&system)));
                        q.insert("code".into(), build_json!(code));
                    }
                    collection.insert("quantity".into(), Value::Object(q));
                }
                Err(_) => out.warn(
                    rep.at(1),
                    format!("SPM-12 collection amount '{value}' is not a number; not mapped."),
                ),
            }
        }
    }
    if let Some(site) = spm
        .rep(8)
        .as_ref()
        .and_then(codeable)
        .or_else(|| spm.rep(10).as_ref().and_then(codeable))
    {
        collection.insert("bodySite".into(), site);
    }
    if !collection.is_empty() {
        s.insert("collection".into(), Value::Object(collection));
    }
    if let Some(container) = spm.rep(27).as_ref().and_then(codeable) {
        s.insert("container".into(), build_json!([{ "type": container }]));
    }
    let notes: Vec<Value> = spm
        .reps(14)
        .iter()
        .filter_map(|r| r.text(1))
        .map(|t| build_json!({ "text": t }))
        .collect();
    if !notes.is_empty() {
        s.insert("note".into(), Value::Array(notes));
    }
    out.push(Value::Object(s))
}

//! JP_MedicationDispense(_Injection) → RDS^O13 (調剤実施, the Kakehashi-local extended data type
//! `L-DISPENSE^DISPENSE^99ZKH`), the reverse of `v2_to_fhir::messages::rds_o13`: one message per patient
//! and order number (ORC-2, the requestIdentifier), the dispenses in Rp order, one ORC group per Rp
//! number and RP内連番 (dispenses sharing them are RXD 1, 2, … of one group). ORC-2 / ORC-4 from the
//! identifiers, ORC-29 from the category; the dosageInstruction → RXE-3/5/19/23/24 (asNeeded → RXE-27
//! `22` 頓用), TQ1 and RXR as for a MedicationRequest (`rx_segments.rs`); RXD-2 drug, RXD-3
//! whenHandedOver, RXD-4/5 quantity, RXD-7 処方箋番号, RXD-9 notes, RXD-10 performer, RXD-11
//! substitution; an injection's contained JP_Medication → RXD-6 form and one RXC per ingredient after
//! the RXD (a contained Medication with a code and no ingredient → RXD-2).

use serde_json::Value;

use super::context::{Context, Entry, OutMessage};
use super::datatypes::{code_of, cwe, items, quantity_value, s, ts, unit};
use super::encounter::{visit, xcn_all};
use super::patient::pid_of;
use super::rx_segments::{
    components, contained, dose_and_rate, identifier, order_group, placer_group,
    prescription_number, route, timing, ORDER_IN_RP, REQUEST_ID,
};
use crate::hl7v2::SegmentBuilder;

/// The data type `v2_to_fhir` gives RDS^O13 (`tables/ssmix2-data-types.csv`).
pub const DATA_TYPE: &str = "L-DISPENSE^DISPENSE^99ZKH";
const ORDER_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v2-0482";
const INJECTION_PROFILE: &str =
    "http://jpfhir.jp/fhir/core/StructureDefinition/JP_MedicationDispense_Injection";

fn is_injection(md: &Value) -> bool {
    md.get("meta")
        .map(|m| items(m, "profile"))
        .unwrap_or_default()
        .iter()
        .any(|p| p.as_str() == Some(INJECTION_PROFILE))
}

/// The ORC group a dispense belongs to: ORC-4 and the RP内連番.
fn group_key(md: &Value) -> (String, String) {
    (
        placer_group(md),
        identifier(md, ORDER_IN_RP).unwrap_or_default().to_string(),
    )
}

/// One RDS^O13 per patient, order number and kind (prescription / injection), written for the first
/// dispense of it.
pub fn map(ctx: &mut Context, entry: &Entry) -> Vec<OutMessage> {
    let group = order_group(ctx, entry, "MedicationDispense", is_injection);
    if group.is_empty() {
        return Vec::new();
    }
    let injection = is_injection(entry.resource);
    let Some(pid) = pid_of(ctx, entry, "subject") else {
        return Vec::new();
    };
    let mut message = ctx.message("RDS", "O13", "RDS_O13");
    message.push_all(pid);
    if let Some(pv1) = visit(ctx, &group) {
        message.push(pv1);
    }
    let mut previous: Option<(String, String)> = None;
    let mut counter = 0;
    for dispense in &group {
        let this = group_key(dispense.resource);
        if previous.as_ref() != Some(&this) {
            counter = 0;
            for segment in order(ctx, dispense) {
                message.push(segment);
            }
            previous = Some(this);
        }
        counter += 1;
        for segment in rxd(ctx, dispense, injection, counter) {
            message.push(segment);
        }
    }
    vec![OutMessage {
        data_type: DATA_TYPE.into(),
        text: message.to_hl7(),
    }]
}

/// ORC, RXE, TQ1 and RXR of the order a dispense fulfils (its Dosage as the order gave it).
fn order(ctx: &mut Context, entry: &Entry) -> Vec<SegmentBuilder> {
    let md = entry.resource;
    let mut orc = SegmentBuilder::new("ORC");
    orc.field(1, "RE");
    orc.field(2, identifier(md, REQUEST_ID).unwrap_or_default());
    orc.field(4, &placer_group(md));
    if let Some(category) = md.get("category") {
        if code_of(Some(category), Some(ORDER_TYPE)).is_some() {
            cwe(&mut orc, 29, 1, category);
        }
    }
    let dosage = items(md, "dosageInstruction")
        .first()
        .cloned()
        .unwrap_or(Value::Null);
    let mut rxe = SegmentBuilder::new("RXE");
    dose_and_rate(&mut rxe, &dosage);
    if dosage.get("asNeededBoolean").and_then(Value::as_bool) == Some(true) {
        rxe.repetition(27, &["22", "頓用", "JHSP0003"]);
    }
    let mut segments = vec![orc];
    if (1..=27).any(|f| rxe.repetitions(f) > 0) {
        segments.push(rxe);
    }
    let mut tq1 = SegmentBuilder::new("TQ1");
    timing(ctx, entry, &mut tq1, &dosage);
    segments.push(tq1);
    let rxr = route(md, &dosage);
    if (1..=6).map(|f| rxr.repetitions(f)).sum::<usize>() > 0 {
        segments.push(rxr);
    }
    segments
}

/// RXD (and the RXC of an injection's drugs) of one dispense.
fn rxd(ctx: &mut Context, entry: &Entry, injection: bool, counter: usize) -> Vec<SegmentBuilder> {
    let md = entry.resource;
    let mut rxd = SegmentBuilder::new("RXD");
    rxd.field(1, &counter.to_string());
    let mut rxcs = Vec::new();
    if injection {
        rxcs = components(md, &mut rxd);
        if rxcs.is_empty() {
            let reference = md
                .get("medicationReference")
                .and_then(|r| s(r, "reference"));
            if let Some(code) = contained(md, reference).and_then(|m| m.get("code")) {
                cwe(&mut rxd, 2, 1, code);
            }
        }
    } else if let Some(drug) = md.get("medicationCodeableConcept") {
        cwe(&mut rxd, 2, 1, drug);
    }
    if let Some(t) = s(md, "whenHandedOver") {
        match ts(t) {
            Ok(t) => {
                rxd.field(3, &t);
            }
            Err(why) => ctx.warn(&entry.at("whenHandedOver"), why),
        }
    }
    if let Some(q) = md.get("quantity") {
        rxd.field(4, &quantity_value(q).unwrap_or_default());
        unit(&mut rxd, 5, q);
    }
    if let Some(number) = prescription_number(md) {
        rxd.field(7, number);
    }
    for note in items(md, "note") {
        rxd.repetition(9, &[s(note, "text").unwrap_or_default()]);
    }
    if let Some(performer) = items(md, "performer")
        .first()
        .and_then(|p| ctx.resolve_element(p.get("actor")))
    {
        xcn_all(&mut rxd, 10, performer.resource);
    }
    if let Some(substitution) = md.get("substitution") {
        let code = match code_of(substitution.get("type"), None) {
            Some("G") => "G",
            Some("TE") => "T",
            Some("N") => "N",
            _ => "",
        };
        rxd.field(11, code);
    }
    let mut segments = vec![rxd];
    segments.extend(rxcs);
    segments
}

//! JP_MedicationRequest → RDE^O11 (SS-MIX2 OMP-01 処方オーダ: MSH, PID, then per request ORC, RXE, TQ1,
//! RXR), the reverse of `v2_to_fhir::messages::rde_o11` (JAMI ConceptMap
//! segment-omp-01-rxe-to-medicationrequest). One message per patient and order number (ORC-2, the
//! requestIdentifier), the requests in Rp order. ORC-2 / ORC-4 from the identifiers (ORC-4 kept verbatim
//! by `v2_to_fhir`, else `{ORC-2}_{Rp番号 as 2 digits}`), ORC-1/5 from status, ORC-9 authoredOn, ORC-10
//! recorder, ORC-12 requester (a PractitionerRole gives ORC-17 診療科 and ORC-21/22 the facility),
//! ORC-29 / RXE-21 / RXE-27 from the categories, RXE-2 drug (HOT9 / YJ), RXE-3/5 dose, RXE-7 調剤指示,
//! RXE-10/11 調剤量, RXE-12, RXE-15 処方箋番号, RXE-19 1日量, TQ1-3 用法 (JAMI code in the subcomponents),
//! TQ1-6 日数, TQ1-7/8 period of use, TQ1-11 / TQ1-14 頓用, RXR-1/2/4 route, site, method.
//! Injections (JP_MedicationRequest_Injection) → RDE^O11 of OMP-02: RXE-2 注射種別 (JHSI0002) from the
//! categories, the contained JP_Medication's form → RXE-6 and ingredients → RXC (RXC-1 `B` 主剤 for the
//! first, `A` 副剤 for the others: FHIR does not keep which was which), rateQuantity → RXE-23/24, the
//! contained BodyStructure → RXR-2 / RXR-6, the line extension → RXR-5.

use serde_json::Value;

use super::context::{Context, Entry, OutMessage};
use super::datatypes::{cwe, items, quantity_value, s, ts, unit, xad};
use super::encounter::{visit, xcn_all};
use super::patient::pid_of;
use super::rx_segments::{
    components, dose_and_rate, identifier, order_group, placer_group, prescription_number, route,
    timing, REQUEST_ID,
};
use crate::hl7v2::SegmentBuilder;

const ORDER_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v2-0482";
const MERIT9_CATEGORY: &str =
    "http://jpfhir.jp/fhir/core/CodeSystem/JP_MedicationCategoryMERIT9_CS";
const INSTRUCTION_FOR_DISPENSE: &str = "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_MedicationRequest_DispenseRequest_InstructionForDispense";
const EXPECTED_REPEAT_COUNT: &str = "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_MedicationRequest_DispenseRequest_ExpectedRepeatCount";
const INJECTION_PROFILE: &str =
    "http://jpfhir.jp/fhir/core/StructureDefinition/JP_MedicationRequest_Injection";

fn is_injection(mr: &Value) -> bool {
    mr.get("meta")
        .map(|m| items(m, "profile"))
        .unwrap_or_default()
        .iter()
        .any(|p| p.as_str() == Some(INJECTION_PROFILE))
}

/// One RDE^O11 per patient, order number and kind (prescription OMP-01 / injection OMP-02), written
/// for the first request of it.
pub fn map(ctx: &mut Context, entry: &Entry) -> Vec<OutMessage> {
    let group = order_group(ctx, entry, "MedicationRequest", is_injection);
    if group.is_empty() {
        return Vec::new();
    }
    let injection = is_injection(entry.resource);
    let Some(pid) = pid_of(ctx, entry, "subject") else {
        return Vec::new();
    };
    let mut message = ctx.message("RDE", "O11", "RDE_O11");
    message.push_all(pid);
    if let Some(pv1) = visit(ctx, &group) {
        message.push(pv1);
    }
    for request in &group {
        for segment in order(ctx, request, injection) {
            message.push(segment);
        }
    }
    vec![OutMessage {
        data_type: if injection { "OMP-02" } else { "OMP-01" }.into(),
        text: message.to_hl7(),
    }]
}

/// ORC, RXE, TQ1, RXR of one request.
fn order(ctx: &mut Context, entry: &Entry, injection: bool) -> Vec<SegmentBuilder> {
    let mr = entry.resource;
    let mut orc = SegmentBuilder::new("ORC");
    let (control, status) = match s(mr, "status") {
        Some("active") | Some("draft") => ("NW", ""),
        Some("completed") => ("NW", "CM"),
        Some("cancelled") => ("CA", ""),
        Some("stopped") => ("DC", ""),
        Some("on-hold") => ("HD", ""),
        _ => ("", ""),
    };
    orc.field(1, control).field(5, status);
    let placer = identifier(mr, REQUEST_ID).unwrap_or_default();
    orc.field(2, placer);
    let group = placer_group(mr);
    orc.field(4, &group);
    if let Some(t) = s(mr, "authoredOn") {
        match ts(t) {
            Ok(t) => {
                orc.field(9, &t);
            }
            Err(why) => ctx.warn(&entry.at("authoredOn"), why),
        }
    }
    if let Some(recorder) = ctx.resolve_element(mr.get("recorder")) {
        xcn_all(&mut orc, 10, recorder.resource);
    }
    if let Some(requester) = ctx.resolve_element(mr.get("requester")) {
        requester_fields(ctx, &mut orc, requester.resource);
    }

    let mut rxe = SegmentBuilder::new("RXE");
    if let Some(drug) = mr.get("medicationCodeableConcept") {
        cwe(&mut rxe, 2, 1, drug);
    }
    for category in items(mr, "category") {
        let system = items(category, "coding")
            .first()
            .and_then(|c| s(c, "system"));
        match system {
            Some(ORDER_TYPE) => cwe(&mut orc, 29, 1, category),
            Some(sys) if sys.ends_with("JHSP0003") || sys.ends_with("JHSI0009") => {
                cwe(&mut rxe, 27, 1, category)
            }
            Some(sys) if injection && sys.ends_with("JHSI0002") => cwe(&mut rxe, 2, 1, category),
            Some(MERIT9_CATEGORY) => {
                let rep = rxe.repetitions(21) + 1;
                cwe(&mut rxe, 21, rep, category);
                rxe.set(21, rep, 3, 1, "MR9P");
            }
            _ => {
                let rep = rxe.repetitions(21) + 1;
                cwe(&mut rxe, 21, rep, category);
            }
        }
    }
    if let Some(number) = prescription_number(mr) {
        rxe.field(15, number);
    }
    let dosage = items(mr, "dosageInstruction")
        .first()
        .cloned()
        .unwrap_or(Value::Null);
    dose_and_rate(&mut rxe, &dosage);
    let mut tq1 = SegmentBuilder::new("TQ1");
    if let Some(dispense) = mr.get("dispenseRequest") {
        for ext in items(dispense, "extension") {
            match s(ext, "url") {
                Some(INSTRUCTION_FOR_DISPENSE) => {
                    if let Some(c) = ext.get("valueCodeableConcept") {
                        cwe(&mut rxe, 7, 1, c);
                    }
                }
                Some(EXPECTED_REPEAT_COUNT) => {
                    if let Some(n) = ext.get("valueInteger").and_then(Value::as_i64) {
                        tq1.field(14, &n.to_string());
                    }
                }
                _ => {}
            }
        }
        if let Some(q) = dispense.get("quantity") {
            rxe.field(10, &quantity_value(q).unwrap_or_default());
            unit(&mut rxe, 11, q);
        }
        if let Some(n) = dispense
            .get("numberOfRepeatsAllowed")
            .and_then(Value::as_u64)
        {
            rxe.field(12, &n.to_string());
        }
    }
    timing(ctx, entry, &mut tq1, &dosage);
    let rxr = route(mr, &dosage);
    let rxcs = if injection {
        components(mr, &mut rxe)
    } else {
        Vec::new()
    };
    let mut segments = vec![orc, rxe, tq1];
    if (1..=6).map(|f| rxr.repetitions(f)).sum::<usize>() > 0 {
        segments.push(rxr);
    }
    segments.extend(rxcs);
    segments
}

/// ORC-12 (and ORC-17, ORC-21, ORC-22 when the requester is a PractitionerRole).
fn requester_fields(ctx: &Context, orc: &mut SegmentBuilder, requester: &Value) {
    if s(requester, "resourceType") != Some("PractitionerRole") {
        xcn_all(orc, 12, requester);
        return;
    }
    if let Some(p) = ctx.resolve_element(requester.get("practitioner")) {
        xcn_all(orc, 12, p.resource);
    }
    if let Some(specialty) = items(requester, "specialty").first() {
        cwe(orc, 17, 1, specialty);
    }
    if let Some(org) = ctx.resolve_element(requester.get("organization")) {
        let o = org.resource;
        orc.component(21, 1, s(o, "name").unwrap_or_default());
        if let Some(id) = items(o, "identifier").first().and_then(|i| s(i, "value")) {
            orc.component(21, 10, id);
        }
        for (i, address) in items(o, "address").iter().enumerate() {
            xad(orc, 22, i + 1, address);
        }
    }
}

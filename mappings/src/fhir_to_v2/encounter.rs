//! JP_Encounter → ADT^A04 (外来受付, ADT-12: ambulatory or emergency), ADT^A01 (入院実施, ADT-22:
//! inpatient not finished) or ADT^A03 (退院実施, ADT-52: finished inpatient) with MSH, EVN, PID, PV1:
//! the reverse of `v2_to_fhir::segments::pv1` (JAMI ConceptMaps segment-pv1-to-encounter,
//! table-v2-0004-to-v3-actcode). PV1-2 class, PV1-3 ward^room^bed from the Location chain, PV1-7/8/9/17
//! doctors by participant type, PV1-10 診療科 (serviceType), PV1-19 来院番号 (identifier), PV1-36
//! 退院区分, PV1-44/45 period.

use serde_json::Value;

use super::context::{Context, Entry, OutMessage};
use super::datatypes::{code_of, cwe, items, s, ts, xpn};
use super::patient::pid_of;
use crate::hl7v2::SegmentBuilder;
use crate::IssueCode;

/// JAMI SS-MIX2 診療科コード, written without a system name as SS-MIX2 senders do.
const DEPARTMENT_SYSTEM: &str = "http://jami.jp/SS-MIX2/CodeSystem/ClinicalDepartment";

pub fn map(ctx: &mut Context, entry: &Entry) -> Vec<OutMessage> {
    let encounter = entry.resource;
    let class = encounter.get("class").and_then(|c| s(c, "code"));
    let (patient_class, trigger, data_type) = match (class, s(encounter, "status")) {
        (Some("AMB"), _) => ("O", "A04", "ADT-12"),
        (Some("EMER"), _) => ("E", "A04", "ADT-12"),
        (Some("IMP"), Some("finished")) => ("I", "A03", "ADT-52"),
        (Some("IMP"), _) => ("I", "A01", "ADT-22"),
        (other, _) => {
            ctx.error(
                &entry.at("class"),
                IssueCode::NotSupported,
                format!(
                    "Encounter.class '{}' has no SS-MIX2 ADT event (AMB, EMER, IMP are mapped).",
                    other.unwrap_or_default()
                ),
            );
            return Vec::new();
        }
    };
    let Some(pid) = pid_of(ctx, entry, "subject") else {
        return Vec::new();
    };
    let pv1 = pv1(ctx, entry, patient_class);
    let structure = if trigger == "A03" {
        "ADT_A03"
    } else {
        "ADT_A01"
    };
    let mut message = ctx.message("ADT", trigger, structure);
    message.push(ctx.evn()).push(pid).push(pv1);
    vec![OutMessage {
        data_type: data_type.into(),
        text: message.to_hl7(),
    }]
}

/// The PV1 of an Encounter.
pub fn pv1(ctx: &mut Context, entry: &Entry, patient_class: &str) -> SegmentBuilder {
    let encounter = entry.resource;
    let mut seg = SegmentBuilder::new("PV1");
    seg.field(1, "0001").field(2, patient_class);
    if let Some(location) = items(encounter, "location").first() {
        point_of_care(ctx, &mut seg, location);
    }
    for participant in items(encounter, "participant") {
        let role = items(participant, "type")
            .iter()
            .find_map(|t| code_of(Some(t), None));
        let field = match role {
            Some("ATND") => 7,
            Some("REF") => 8,
            Some("CON") => 9,
            Some("ADM") => 17,
            _ => continue,
        };
        let rep = seg.repetitions(field) + 1;
        xcn(ctx, &mut seg, field, rep, participant.get("individual"));
    }
    if let Some(concept) = encounter.get("serviceType") {
        let department = items(concept, "coding")
            .iter()
            .find(|c| s(c, "system") == Some(DEPARTMENT_SYSTEM));
        match department {
            Some(coding) => {
                seg.component(10, 1, s(coding, "code").unwrap_or_default())
                    .component(10, 2, s(coding, "display").unwrap_or_default());
            }
            None => cwe(&mut seg, 10, 1, concept),
        }
    }
    if let Some(number) = items(encounter, "identifier")
        .first()
        .and_then(|i| s(i, "value"))
    {
        seg.field(19, number);
    }
    if let Some(disposition) = encounter
        .get("hospitalization")
        .and_then(|h| h.get("dischargeDisposition"))
    {
        cwe(&mut seg, 36, 1, disposition);
    }
    if let Some(period) = encounter.get("period") {
        for (key, field) in [("start", 44), ("end", 45)] {
            if let Some(t) = s(period, key) {
                match ts(t) {
                    Ok(t) => {
                        seg.field(field, &t);
                    }
                    Err(why) => ctx.warn(&entry.at(&format!("period.{key}")), why),
                }
            }
        }
    }
    seg
}

/// PV1-3 病棟^病室^病床 from the Location an Encounter.location names and the ones it is `partOf`.
fn point_of_care(ctx: &Context, seg: &mut SegmentBuilder, location: &Value) {
    let mut current = ctx.resolve_element(location.get("location"));
    if current.is_none() {
        let display = location
            .get("location")
            .and_then(|l| s(l, "display"))
            .unwrap_or_default();
        seg.component(3, 1, display);
        return;
    }
    let mut depth = 0;
    while let Some(place) = current {
        let level = match code_of(place.resource.get("physicalType"), None) {
            Some("ro") => 2,
            Some("bd") => 3,
            _ => 1,
        };
        seg.component(3, level, s(place.resource, "name").unwrap_or_default());
        depth += 1;
        if depth > 3 {
            break;
        }
        current = ctx.resolve_element(place.resource.get("partOf"));
    }
}

/// Writes an XCN (staff id ^ family ^ given ^ … ^ name type `L` ^ … ^ representation) for a reference
/// to a Practitioner: its first identifier and first name; the reference's display when the
/// Practitioner is not in the input.
pub fn xcn(
    ctx: &Context,
    seg: &mut SegmentBuilder,
    field: usize,
    rep: usize,
    reference: Option<&Value>,
) {
    let Some(reference) = reference else {
        return;
    };
    let Some(practitioner) = ctx.resolve_element(Some(reference)) else {
        seg.set(
            field,
            rep,
            2,
            1,
            s(reference, "display").unwrap_or_default(),
        );
        return;
    };
    let p = practitioner.resource;
    if let Some(id) = items(p, "identifier").first().and_then(|i| s(i, "value")) {
        seg.set(field, rep, 1, 1, id);
    }
    if let Some(name) = items(p, "name").first() {
        xcn_name(seg, field, rep, name);
    }
}

/// Writes a Practitioner as an XCN with one repetition per name (the staff id in the first), as JAHIS
/// orders name a doctor in kanji and kana.
pub fn xcn_all(seg: &mut SegmentBuilder, field: usize, practitioner: &Value) {
    let id = items(practitioner, "identifier")
        .first()
        .and_then(|i| s(i, "value"))
        .unwrap_or_default();
    let names = items(practitioner, "name");
    let first = seg.repetitions(field) + 1;
    seg.set(field, first, 1, 1, id);
    for (i, name) in names.iter().enumerate() {
        xcn_name(seg, field, first + i, name);
    }
}

/// XCN-2..7 (XPN-1..6 shifted by one), XCN-10 name type, XCN-15 representation.
fn xcn_name(seg: &mut SegmentBuilder, field: usize, rep: usize, name: &Value) {
    let mut scratch = SegmentBuilder::new("XCN");
    xpn(&mut scratch, 1, 1, 1, name);
    let parts = scratch.values(1, 1);
    for (c, value) in parts.iter().enumerate().take(6) {
        seg.set(field, rep, c + 2, 1, value);
    }
    seg.set(field, rep, 10, 1, parts.get(6).map_or("", String::as_str))
        .set(field, rep, 15, 1, parts.get(7).map_or("", String::as_str));
}

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

/// The ADT event an Encounter's state stands for: trigger, structure, SS-MIX2 data type.
fn event(encounter: &Value) -> Option<(&'static str, &'static str, &'static str)> {
    let class = encounter.get("class").and_then(|c| s(c, "code"))?;
    if matches!(class, "AMB" | "EMER") {
        return Some(("A04", "ADT_A01", "ADT-12"));
    }
    if class != "IMP" {
        return None;
    }
    let (current, _) = locations(encounter);
    let location_status = current.and_then(|l| s(l, "status"));
    let period = current.and_then(|l| l.get("period"));
    let (start, end) = (
        period.and_then(|p| s(p, "start")).is_some(),
        period.and_then(|p| s(p, "end")).is_some(),
    );
    Some(match (s(encounter, "status"), location_status) {
        (Some("planned"), _) => ("A14", "ADT_A05", "ADT-21"),
        (Some("cancelled"), Some("planned")) => ("A27", "ADT_A21", "ADT-21"),
        (Some("cancelled"), _) => ("A11", "ADT_A09", "ADT-22"),
        (Some("onleave"), _) => ("A21", "ADT_A21", "ADT-31"),
        (Some("finished"), _) => ("A03", "ADT_A03", "ADT-52"),
        (Some("arrived"), _) => ("A01", "ADT_A01", "ADT-22"),
        (_, Some("planned")) if end && !start => ("A16", "ADT_A16", "ADT-51"),
        (_, Some("planned")) => ("A15", "ADT_A16", "ADT-41"),
        (_, _) if start && items(encounter, "location").len() > 1 => ("A02", "ADT_A02", "ADT-42"),
        (_, _) if start => ("A22", "ADT_A21", "ADT-32"),
        _ => ("A54", "ADT_A54", "ADT-01"),
    })
}

/// The current location entry (the last one not `completed`) and the one left (a `completed` one).
fn locations(encounter: &Value) -> (Option<&Value>, Option<&Value>) {
    let list = items(encounter, "location");
    let current = list
        .iter()
        .rev()
        .find(|l| s(l, "status") != Some("completed"))
        .or(list.last());
    let prior = list.iter().find(|l| s(l, "status") == Some("completed"));
    (current, prior)
}

/// The ADT message of an Encounter that no other resource of the input refers to. Its state picks the
/// event (`event`): ambulatory → A04; inpatient arrived → A01, finished → A03, planned → A14, on leave
/// → A21, cancelled → A11 / A27, in progress with a planned location → A15 / A16, after a move → A02 /
/// A22, else A54; the times go where `v2_to_fhir` reads them for that event (PV1-44/45, PV2-8/9/47,
/// EVN-6).
pub fn map(ctx: &mut Context, entry: &Entry) -> Vec<OutMessage> {
    let encounter = entry.resource;
    let Some((trigger, structure, data_type)) = event(encounter) else {
        let class = encounter.get("class").and_then(|c| s(c, "code"));
        ctx.error(
            &entry.at("class"),
            IssueCode::NotSupported,
            format!(
                "Encounter.class '{}' has no SS-MIX2 ADT event (AMB, EMER, IMP are mapped).",
                class.unwrap_or_default()
            ),
        );
        return Vec::new();
    };
    let Some(pid) = pid_of(ctx, entry, "subject") else {
        return Vec::new();
    };
    let class = match encounter.get("class").and_then(|c| s(c, "code")) {
        Some("AMB") => "O",
        Some("EMER") => "E",
        _ => "I",
    };
    let mut pv1 = pv1(ctx, entry, class);
    let mut pv2 = SegmentBuilder::new("PV2");
    let mut evn = ctx.evn();
    let (current, prior) = locations(encounter);
    let location_time = |key: &str| {
        current
            .and_then(|l| l.get("period"))
            .and_then(|p| s(p, key))
            .and_then(|t| ts(t).ok())
            .unwrap_or_default()
    };
    let period_time = |key: &str| {
        encounter
            .get("period")
            .and_then(|p| s(p, key))
            .and_then(|t| ts(t).ok())
            .unwrap_or_default()
    };
    match data_type {
        "ADT-21" => {
            let planned_in = location_time("start");
            pv2.field(8, &planned_in).field(9, &period_time("end"));
            pv1.clear(45);
            if period_time("start") == planned_in {
                pv1.clear(44);
            }
        }
        "ADT-41" => {
            pv2.field(8, &location_time("start"));
        }
        "ADT-51" => {
            let planned_out = location_time("end");
            pv2.field(9, &planned_out);
            if period_time("end") == planned_out {
                pv1.clear(45);
            }
        }
        "ADT-31" => {
            evn.field(6, &location_time("start"));
            pv2.set(47, 1, 1, 1, &location_time("end"));
        }
        "ADT-32" | "ADT-42" => {
            evn.field(6, &location_time("start"));
        }
        _ => {}
    }
    if data_type == "ADT-42" {
        if let Some(prior) = prior {
            point_of_care(ctx, &mut pv1, 6, prior);
        }
    }
    let mut message = ctx.message("ADT", trigger, structure);
    message.push(evn).push_all(pid).push(pv1);
    if pv2.repetitions(8) + pv2.repetitions(9) + pv2.repetitions(47) > 0 {
        message.push(pv2);
    }
    vec![OutMessage {
        data_type: data_type.into(),
        text: message.to_hl7(),
    }]
}

/// The PV1 of the first Encounter the records refer to (`encounter`), for the messages that carry
/// one (PPR^ZD1, RDE^O11).
pub fn visit(ctx: &mut Context, records: &[Entry]) -> Option<SegmentBuilder> {
    let encounter = records
        .iter()
        .find_map(|r| ctx.resolve_element(visit_of(r.resource)))?;
    let class = match encounter.resource.get("class").and_then(|c| s(c, "code")) {
        Some("IMP") => "I",
        Some("EMER") => "E",
        _ => "O",
    };
    Some(pv1(ctx, &encounter, class))
}

/// The Encounter reference of a record: `encounter`, or a MedicationDispense's `context`.
pub fn visit_of(record: &Value) -> Option<&Value> {
    record.get("encounter").or_else(|| record.get("context"))
}

/// The PV1 of an Encounter.
pub fn pv1(ctx: &mut Context, entry: &Entry, patient_class: &str) -> SegmentBuilder {
    let encounter = entry.resource;
    let mut seg = SegmentBuilder::new("PV1");
    seg.field(1, "0001").field(2, patient_class);
    if let (Some(location), _) = locations(encounter) {
        point_of_care(ctx, &mut seg, 3, location);
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
fn point_of_care(ctx: &Context, seg: &mut SegmentBuilder, field: usize, location: &Value) {
    let mut current = ctx.resolve_element(location.get("location"));
    if current.is_none() {
        let display = location
            .get("location")
            .and_then(|l| s(l, "display"))
            .unwrap_or_default();
        seg.component(field, 1, display);
        return;
    }
    let mut depth = 0;
    while let Some(place) = current {
        let level = match code_of(place.resource.get("physicalType"), None) {
            Some("ro") => 2,
            Some("bd") => 3,
            _ => 1,
        };
        seg.component(field, level, s(place.resource, "name").unwrap_or_default());
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

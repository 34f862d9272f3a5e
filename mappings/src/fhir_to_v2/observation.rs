//! Observations → OBX, the reverse of `v2_to_fhir::segments::obx` (JAMI ConceptMap
//! segment-oml-11-obx-to-observation) and of the ADT-00 OBX mapper, and laboratory results →
//! OUL^R22 (SS-MIX2 OML-11 検体検査結果通知: MSH, PID, then per specimen SPM and per order OBR, ORC, OBX,
//! NTE), after JAMI segment-oml-11-{spm,obr,orc}-to-*. A result's Specimen (`specimen`), ServiceRequest
//! (`basedOn`) and DiagnosticReport (the one listing it in `result`) give SPM, ORC and OBR.
//! Observations that are neither laboratory results nor tied to a specimen or an order (身長, 体重, 血液型
//! of ADT-00: JP_Observation_Common) go into the patient's ADT^A08 (`patient.rs`).
//!
//! OBX-14 is written from effectiveDateTime unless it equals the order's time (OBR-7 or SPM-17), which
//! `v2_to_fhir` puts into effectiveDateTime when OBX-14 is empty.

use crate::v2_to_fhir::segments::obx::{unit_rows, SUB_ID_SYSTEM};
use serde_json::Value;

use super::context::{Context, Entry, OutMessage};
use super::datatypes::{code_of, cwe, items, quantity_value, s, system_name, ts, unit};
use super::encounter::{visit, xcn};
use super::patient::pid_of;
use crate::hl7v2::SegmentBuilder;

const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";

/// The ISO+ spelling of a UCUM code where it differs (`mm[Hg]` → `mm(hg)`), so that OBX-6 reads back
/// as the same UCUM code.
/// (The lab mappers' table `tables/iso-units-ucum.csv`, read the other way round.)
fn iso_unit(ucum: &str) -> Option<String> {
    let rows = unit_rows();
    if rows
        .iter()
        .any(|r| r.ucum == ucum && r.iso.eq_ignore_ascii_case(ucum))
    {
        return None;
    }
    rows.iter().find(|r| r.ucum == ucum).map(|r| r.iso.clone())
}

/// OBX-6 from a Quantity: its unit as CWE, UCUM codes in their ISO+ spelling.
fn obx_unit(seg: &mut SegmentBuilder, quantity: &Value) {
    unit(seg, 6, quantity);
    if s(quantity, "system") == Some(UCUM) {
        if let Some(iso) = s(quantity, "code").and_then(iso_unit) {
            seg.set(6, 1, 1, 1, &iso);
        }
    }
}
const IDENTIFIER_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";

/// Whether an Observation is a laboratory result (category `laboratory`, or tied to a specimen or an
/// order), which goes into OUL^R22; any other goes into ADT^A08.
pub fn is_lab(observation: &Value) -> bool {
    observation.get("specimen").is_some()
        || observation.get("basedOn").is_some()
        || items(observation, "category")
            .iter()
            .any(|c| code_of(Some(c), None) == Some("laboratory"))
}

/// An order group: the ServiceRequest (if any) and its results.
struct Group<'a> {
    request: Option<Entry<'a>>,
    results: Vec<Entry<'a>>,
}

/// One OUL^R22 per patient and specimen, written for the first result of it.
pub fn map(ctx: &mut Context, entry: &Entry) -> Vec<OutMessage> {
    let specimen_of = |ctx: &Context, e: &Entry| {
        ctx.resolve_element(e.resource.get("specimen"))
            .map(|s| s.reference())
            .unwrap_or_default()
    };
    let key = (ctx.patient_key(entry), specimen_of(ctx, entry));
    let results: Vec<Entry> = ctx
        .of_kind("Observation")
        .into_iter()
        .filter(|e| is_lab(e.resource))
        .filter(|e| (ctx.patient_key(e), specimen_of(ctx, e)) == key)
        .collect();
    if results.first().map(|e| e.position.as_str()) != Some(entry.position.as_str()) {
        return Vec::new();
    }
    let Some(pid) = pid_of(ctx, entry, "subject") else {
        return Vec::new();
    };
    let mut groups: Vec<Group> = Vec::new();
    for result in results {
        let request = result
            .resource
            .get("basedOn")
            .and_then(Value::as_array)
            .and_then(|b| b.first())
            .and_then(|r| ctx.resolve_element(Some(r)));
        let reference = request.as_ref().map(Entry::reference);
        match groups
            .iter_mut()
            .find(|g| g.request.as_ref().map(Entry::reference) == reference)
        {
            Some(g) => g.results.push(result),
            None => groups.push(Group {
                request,
                results: vec![result],
            }),
        }
    }
    let mut message = ctx.message("OUL", "R22", "OUL_R22");
    message.push_all(pid);
    let all: Vec<Entry> = groups
        .iter()
        .flat_map(|g| g.results.iter().cloned())
        .collect();
    if let Some(pv1) = visit(ctx, &all) {
        message.push(pv1);
    }
    let specimen = ctx.resolve_element(entry.resource.get("specimen"));
    let mut spm = SegmentBuilder::new("SPM");
    spm.field(1, "1");
    let mut specimen_time = None;
    if let Some(specimen) = &specimen {
        specimen_time = spm_fields(ctx, &mut spm, specimen);
    }
    message.push(spm);
    for (i, group) in groups.iter().enumerate() {
        let report = ctx.entries.iter().find(|e| {
            e.kind() == "DiagnosticReport"
                && items(e.resource, "result").iter().any(|r| {
                    ctx.resolve_element(Some(r))
                        .is_some_and(|o| o.reference() == group.results[0].reference())
                })
        });
        let report = report.cloned();
        let (obr, orc, notes, order_time) =
            order(ctx, group.request.as_ref(), report.as_ref(), i + 1);
        message.push(obr);
        for note in notes {
            message.push(note);
        }
        message.push(orc);
        let fallback = order_time.or(specimen_time.clone());
        for (n, result) in group.results.iter().enumerate() {
            let (obx, notes) = obx(ctx, result, n + 1, true, fallback.as_deref());
            message.push(obx);
            for note in notes {
                message.push(note);
            }
        }
    }
    vec![OutMessage {
        data_type: "OML-11".into(),
        text: message.to_hl7(),
    }]
}

/// SPM from a Specimen; returns the collection time written to SPM-17.
fn spm_fields(ctx: &mut Context, spm: &mut SegmentBuilder, specimen: &Entry) -> Option<String> {
    let sp = specimen.resource;
    if let Some(id) = items(sp, "identifier").first().and_then(|i| s(i, "value")) {
        spm.field(2, id);
    }
    if let Some(kind) = sp.get("type") {
        cwe(spm, 4, 1, kind);
    }
    let collection = sp.get("collection");
    let mut time = None;
    if let Some(c) = collection {
        if let Some(site) = c.get("bodySite") {
            cwe(spm, 8, 1, site);
        }
        if let Some(q) = c.get("quantity") {
            spm.component(12, 1, &quantity_value(q).unwrap_or_default());
            let code = s(q, "code");
            spm.set(12, 1, 2, 1, code.or(s(q, "unit")).unwrap_or_default());
            if code.is_some() {
                spm.set(12, 1, 2, 2, s(q, "unit").unwrap_or_default()).set(
                    12,
                    1,
                    2,
                    3,
                    &s(q, "system").map(system_name).unwrap_or_default(),
                );
            }
        }
        if let Some(t) = s(c, "collectedDateTime").and_then(|t| ts(t).ok()) {
            spm.component(17, 1, &t);
            time = Some(t);
        } else if let Some(p) = c.get("collectedPeriod") {
            for (key, comp) in [("start", 1), ("end", 2)] {
                if let Some(t) = s(p, key).and_then(|t| ts(t).ok()) {
                    spm.component(17, comp, &t);
                    if comp == 1 {
                        time = Some(t);
                    }
                }
            }
        }
    }
    for (i, note) in items(sp, "note").iter().enumerate() {
        spm.set(14, i + 1, 1, 1, s(note, "text").unwrap_or_default());
    }
    if let Some(t) = s(sp, "receivedTime") {
        match ts(t) {
            Ok(t) => {
                spm.field(18, &t);
            }
            Err(why) => ctx.warn(&specimen.at("receivedTime"), why),
        }
    }
    if let Some(container) = items(sp, "container").first().and_then(|c| c.get("type")) {
        cwe(spm, 27, 1, container);
    }
    time
}

fn order_number<'v>(resource: &'v Value, type_code: &str) -> Option<&'v str> {
    items(resource, "identifier")
        .iter()
        .find(|i| {
            i.get("type")
                .is_some_and(|t| code_of(Some(t), Some(IDENTIFIER_TYPE)) == Some(type_code))
        })
        .and_then(|i| s(i, "value"))
}

/// OBR (with its NTE) and ORC from a ServiceRequest and DiagnosticReport; returns OBR-7 too.
fn order(
    ctx: &mut Context,
    request: Option<&Entry>,
    report: Option<&Entry>,
    set_id: usize,
) -> (
    SegmentBuilder,
    SegmentBuilder,
    Vec<SegmentBuilder>,
    Option<String>,
) {
    let mut obr = SegmentBuilder::new("OBR");
    let mut orc = SegmentBuilder::new("ORC");
    let mut notes = Vec::new();
    obr.field(1, &set_id.to_string());
    orc.field(1, "SC");
    let empty = Value::Null;
    let sr = request.map_or(&empty, |r| r.resource);
    let dr = report.map_or(&empty, |r| r.resource);
    for (field, code) in [(2, "PLAC"), (3, "FILL")] {
        let number = order_number(sr, code).or_else(|| order_number(dr, code));
        if let Some(n) = number {
            obr.field(field, n);
            if request.is_some() {
                orc.field(field, n);
            }
        }
    }
    if let Some(group) = sr.get("requisition").and_then(|r| s(r, "value")) {
        orc.field(4, group);
    }
    let status = match s(sr, "status") {
        Some("completed") => "CM",
        Some("active") => "IP",
        Some("revoked") => "CA",
        Some("on-hold") => "HD",
        Some("entered-in-error") => "ER",
        _ => "",
    };
    orc.field(5, status);
    if let Some(t) = s(sr, "authoredOn").and_then(|t| ts(t).ok()) {
        orc.field(9, &t);
    }
    if sr.get("requester").is_some() {
        xcn(ctx, &mut orc, 12, 1, sr.get("requester"));
        xcn(ctx, &mut obr, 16, 1, sr.get("requester"));
    }
    if let Some(code) = sr.get("code").or_else(|| dr.get("code")) {
        cwe(&mut obr, 4, 1, code);
    }
    obr.field(
        5,
        match s(sr, "priority") {
            Some("stat") => "S",
            Some("asap") => "A",
            Some("routine") => "R",
            _ => "",
        },
    );
    let (start, end) = match (sr.get("occurrencePeriod"), dr.get("effectivePeriod")) {
        (Some(p), _) | (None, Some(p)) => (s(p, "start"), s(p, "end")),
        (None, None) => (s(sr, "occurrenceDateTime"), None),
    };
    let start = start
        .or_else(|| s(sr, "occurrenceDateTime"))
        .and_then(|t| ts(t).ok());
    if let Some(t) = &start {
        obr.field(7, t);
    }
    if let Some(t) = end.and_then(|t| ts(t).ok()) {
        obr.field(8, &t);
    }
    for (i, reason) in items(sr, "reasonCode").iter().enumerate() {
        cwe(&mut obr, 31, i + 1, reason);
    }
    if let Some(t) = s(dr, "issued").and_then(|t| ts(t).ok()) {
        obr.field(22, &t);
    }
    for category in items(dr, "category") {
        if let Some(code) = code_of(Some(category), None).filter(|c| *c != "LAB") {
            obr.field(24, code);
        }
    }
    let result_status = match s(dr, "status") {
        Some("final") => "F",
        Some("corrected") => "C",
        Some("preliminary") => "P",
        Some("partial") => "A",
        Some("cancelled") => "X",
        Some("registered") => "I",
        _ => "",
    };
    obr.field(25, result_status);
    for (i, note) in items(sr, "note").iter().enumerate() {
        let mut nte = SegmentBuilder::new("NTE");
        nte.field(1, &(i + 1).to_string())
            .field(3, s(note, "text").unwrap_or_default());
        notes.push(nte);
    }
    (obr, orc, notes, start)
}

/// One OBX (and an NTE per note) from an Observation; `fallback` is the order's time, which OBX-14
/// is left empty for.
pub fn obx(
    ctx: &mut Context,
    entry: &Entry,
    set_id: usize,
    lab: bool,
    fallback: Option<&str>,
) -> (SegmentBuilder, Vec<SegmentBuilder>) {
    let o = entry.resource;
    let mut seg = SegmentBuilder::new("OBX");
    seg.field(1, &set_id.to_string());
    if let Some(code) = o.get("code") {
        // A LOINC coding beside another one was added by `v2_to_fhir` for vital signs.
        let mut code = code.clone();
        if let Some(list) = code.get_mut("coding").and_then(Value::as_array_mut) {
            if list.len() > 1 {
                list.retain(|c| s(c, "system") != Some(LOINC));
            }
        }
        cwe(&mut seg, 3, 1, &code);
    }
    if let Some(sub_id) = o
        .get("identifier")
        .and_then(Value::as_array)
        .and_then(|ids| ids.iter().find(|i| s(i, "system") == Some(SUB_ID_SYSTEM)))
        .and_then(|i| s(i, "value"))
    {
        seg.field(4, sub_id);
    }
    let mut value_type = "";
    if let Some(q) = o.get("valueQuantity") {
        value_type = "NM";
        let value = quantity_value(q).unwrap_or_default();
        match s(q, "comparator") {
            Some(c) => {
                value_type = "SN";
                seg.component(5, 1, c).component(5, 2, &value);
            }
            None => {
                seg.field(5, &value);
            }
        }
        obx_unit(&mut seg, q);
    } else if let Some(text) = s(o, "valueString") {
        value_type = "ST";
        seg.field(5, text);
    } else if let Some(c) = o.get("valueCodeableConcept") {
        value_type = "CWE";
        cwe(&mut seg, 5, 1, c);
    } else if let Some(t) = s(o, "valueDateTime") {
        value_type = "TS";
        match ts(t) {
            Ok(t) => {
                seg.field(5, &t);
            }
            Err(why) => ctx.warn(&entry.at("valueDateTime"), why),
        }
    } else if let Some(r) = o.get("valueRatio") {
        value_type = "SN";
        let (n, d) = (r.get("numerator"), r.get("denominator"));
        seg.component(5, 2, &n.and_then(quantity_value).unwrap_or_default())
            .component(5, 3, ":")
            .component(5, 4, &d.and_then(quantity_value).unwrap_or_default());
        if let Some(n) = n {
            obx_unit(&mut seg, n);
        }
    } else if let Some(r) = o.get("valueRange") {
        value_type = "SN";
        let (l, h) = (r.get("low"), r.get("high"));
        seg.component(5, 2, &l.and_then(quantity_value).unwrap_or_default())
            .component(5, 3, "-")
            .component(5, 4, &h.and_then(quantity_value).unwrap_or_default());
        if let Some(l) = l {
            obx_unit(&mut seg, l);
        }
    }
    seg.field(2, value_type);
    if let Some(text) = items(o, "referenceRange")
        .first()
        .and_then(|r| s(r, "text"))
    {
        seg.field(7, text);
    }
    for (i, flag) in items(o, "interpretation").iter().enumerate() {
        seg.set(
            8,
            i + 1,
            1,
            1,
            code_of(Some(flag), None).unwrap_or_default(),
        );
    }
    let status = if lab {
        match s(o, "status") {
            Some("final") => "F",
            Some("corrected") => "C",
            Some("preliminary") => "P",
            Some("cancelled") => "X",
            Some("registered") => "I",
            Some("entered-in-error") => "D",
            _ => "",
        }
    } else {
        "F"
    };
    seg.field(11, status);
    if let Some(t) = s(o, "effectiveDateTime") {
        match ts(t) {
            Ok(t) if Some(t.as_str()) == fallback => {}
            Ok(t) => {
                seg.field(14, &t);
            }
            Err(why) => ctx.warn(&entry.at("effectiveDateTime"), why),
        }
    }
    let notes = items(o, "note")
        .iter()
        .enumerate()
        .map(|(i, note)| {
            let mut nte = SegmentBuilder::new("NTE");
            nte.field(1, &(i + 1).to_string())
                .field(3, s(note, "text").unwrap_or_default());
            nte
        })
        .collect();
    (seg, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ucum_codes_get_their_iso_spelling_back_where_it_differs() {
        assert_eq!(iso_unit("mm[Hg]").as_deref(), Some("mm(hg)"));
        assert_eq!(iso_unit("/min"), None);
        assert_eq!(iso_unit("kg"), None);
        assert_eq!(iso_unit("mg/dL"), None);
    }
}

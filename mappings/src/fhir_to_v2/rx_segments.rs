//! The segments of a pharmacy order group that MedicationRequest → RDE^O11 and MedicationDispense →
//! RDS^O13 both write, the reverse of `v2_to_fhir::segments::{rx_order, rx_dosage, rx_medication}`:
//! ORC-4 from the identifiers, the Dosage → RXE-3/5/19/23/24, TQ1 and RXR, the contained injection
//! drugs → field 6 and RXC.

use serde_json::Value;

use super::context::{Context, Entry};
use super::datatypes::{cwe, cwe_sub, items, quantity_value, s, ts, unit};
use crate::hl7v2::SegmentBuilder;

pub const RP_NUMBER: &str = "urn:oid:1.2.392.100495.20.3.81";
pub const ORDER_IN_RP: &str = "urn:oid:1.2.392.100495.20.3.82";
pub const REQUEST_ID: &str = "http://jpfhir.jp/fhir/core/IdSystem/resourceInstance-identifier";
pub const PLACER_GROUP: &str = "urn:kakehashi:hl7v2:placer-group-number";
pub const PRESCRIPTION_NUMBER_PREFIX: &str = "urn:oid:1.2.392.100495.20.3.11.1";
pub const LOCAL_PRESCRIPTION_NUMBER: &str = "urn:kakehashi:hl7v2:prescription-number";
const PERIOD_OF_USE: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_MedicationDosage_PeriodOfUse";
const LINE: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_MedicationDosage_Line";
const BODY_SITE: &str = "http://hl7.org/fhir/StructureDefinition/bodySite";
const MERIT9_FORM: &str = "http://jpfhir.jp/fhir/core/CodeSystem/JP_MedicationFormMERIT9_CS";
const JAMI_BODY_SITE: &str = "http://jami.jp/CodeSystem/MedicationBodySiteExternal";

/// The `kind` resources (MedicationRequest or MedicationDispense) written in one message with `entry`:
/// the same patient, order number and kind (prescription or injection, as `is_injection` says), in Rp
/// order (the Rp number, then the order in the Rp; the stable sort keeps the input order otherwise).
/// Empty unless `entry` is the first of them in the input: the first writes the message for them all.
pub fn order_group<'a>(
    ctx: &Context<'a>,
    entry: &Entry,
    kind: &str,
    is_injection: fn(&Value) -> bool,
) -> Vec<Entry<'a>> {
    let order_key = |e: &Entry| {
        (
            ctx.patient_key(e),
            identifier(e.resource, REQUEST_ID)
                .unwrap_or_default()
                .to_string(),
        )
    };
    let injection = is_injection(entry.resource);
    let key = order_key(entry);
    let mut group: Vec<Entry<'a>> = ctx
        .of_kind(kind)
        .into_iter()
        .filter(|e| is_injection(e.resource) == injection && order_key(e) == key)
        .collect();
    if group.first().map(|e| e.position.as_str()) != Some(entry.position.as_str()) {
        return Vec::new();
    }
    let number = |e: &Entry, system: &str| -> u64 {
        identifier(e.resource, system)
            .and_then(|v| v.parse().ok())
            .unwrap_or(u64::MAX)
    };
    group.sort_by_key(|e| (number(e, RP_NUMBER), number(e, ORDER_IN_RP)));
    group
}

/// The 処方箋番号 among the identifiers (RXE-15 of an order, RXD-7 of a dispense).
pub fn prescription_number(resource: &Value) -> Option<&str> {
    items(resource, "identifier").iter().find_map(|i| {
        let system = s(i, "system")?;
        (system.starts_with(PRESCRIPTION_NUMBER_PREFIX) || system == LOCAL_PRESCRIPTION_NUMBER)
            .then(|| s(i, "value"))
            .flatten()
    })
}

pub fn identifier<'v>(resource: &'v Value, system: &str) -> Option<&'v str> {
    items(resource, "identifier")
        .iter()
        .find(|i| s(i, "system") == Some(system))
        .and_then(|i| s(i, "value"))
}

/// The `#id` a Dosage.site's bodySite extension names.
pub fn site_structure(site: &Value) -> Option<&str> {
    items(site, "extension")
        .iter()
        .find(|e| s(e, "url") == Some(BODY_SITE))
        .and_then(|e| e.get("valueReference"))
        .and_then(|r| s(r, "reference"))
}

/// The contained resource a local reference (`#medication`) names.
pub fn contained<'v>(resource: &'v Value, reference: Option<&str>) -> Option<&'v Value> {
    let id = reference?.strip_prefix('#')?;
    items(resource, "contained")
        .iter()
        .find(|c| s(c, "id") == Some(id))
}

/// ORC-4: kept verbatim by `v2_to_fhir`, else `{ORC-2}_{Rp番号 as 2 digits}`.
pub fn placer_group(resource: &Value) -> String {
    let placer = identifier(resource, REQUEST_ID).unwrap_or_default();
    match identifier(resource, PLACER_GROUP) {
        Some(g) => g.to_string(),
        None => match identifier(resource, RP_NUMBER) {
            Some(rp) if !placer.is_empty() => {
                let rp = rp
                    .parse::<u64>()
                    .map_or(rp.to_string(), |n| format!("{n:02}"));
                format!("{placer}_{rp}")
            }
            Some(rp) => rp.to_string(),
            None => String::new(),
        },
    }
}

/// Dosage.doseAndRate → RXE-3/5 dose, RXE-23/24 rate (injections), RXE-19 1日量 (rateRatio).
pub fn dose_and_rate(rxe: &mut SegmentBuilder, dosage: &Value) {
    if let Some(dr) = items(dosage, "doseAndRate").first() {
        if let Some(dose) = dr.get("doseQuantity") {
            rxe.field(3, &quantity_value(dose).unwrap_or_default());
            unit(rxe, 5, dose);
        }
        if let Some(rate) = dr.get("rateQuantity") {
            rxe.field(23, &quantity_value(rate).unwrap_or_default());
            unit(rxe, 24, rate);
        }
        if let Some(numerator) = dr.get("rateRatio").and_then(|r| r.get("numerator")) {
            rxe.component(19, 1, &quantity_value(numerator).unwrap_or_default());
            let code = s(numerator, "code");
            rxe.set(
                19,
                1,
                2,
                1,
                code.or(s(numerator, "unit")).unwrap_or_default(),
            );
            if code.is_some() {
                rxe.set(19, 1, 2, 2, s(numerator, "unit").unwrap_or_default())
                    .set(
                        19,
                        1,
                        2,
                        3,
                        &s(numerator, "system")
                            .map(super::datatypes::system_name)
                            .unwrap_or_default(),
                    );
            }
        }
    }
}

/// Dosage.route / site (the resource's contained BodyStructure, or a plain code) / method / the line
/// extension → RXR-1, RXR-2 and RXR-6, RXR-4, RXR-5.
pub fn route(resource: &Value, dosage: &Value) -> SegmentBuilder {
    let mut rxr = SegmentBuilder::new("RXR");
    if let Some(route) = dosage.get("route") {
        cwe(&mut rxr, 1, 1, route);
    }
    if let Some(site) = dosage.get("site") {
        match contained(resource, site_structure(site)) {
            Some(body) => {
                if let Some(location) = body.get("location") {
                    cwe(&mut rxr, 2, 1, location);
                }
                if let Some(qualifier) = items(body, "locationQualifier").first() {
                    cwe(&mut rxr, 6, 1, qualifier);
                }
            }
            None => {
                cwe(&mut rxr, 2, 1, site);
                if items(site, "coding").first().and_then(|c| s(c, "system"))
                    == Some(JAMI_BODY_SITE)
                {
                    rxr.set(2, 1, 3, 1, "JAMISDP01");
                }
            }
        }
    }
    if let Some(method) = dosage.get("method") {
        cwe(&mut rxr, 4, 1, method);
    }
    if let Some(line) = items(dosage, "extension")
        .iter()
        .find(|e| s(e, "url") == Some(LINE))
        .and_then(|e| e.get("valueCodeableConcept"))
    {
        cwe(&mut rxr, 5, 1, line);
    }
    rxr
}

/// The contained JP_Medication of an injection (`medicationReference`): its form → field 6 of `head`
/// (RXE-6 of an order, RXD-6 of a dispense) and its ingredients → RXC (RXC-1 `B` 主剤 for the first,
/// `A` 副剤 for the others: FHIR does not keep which was which).
pub fn components(resource: &Value, head: &mut SegmentBuilder) -> Vec<SegmentBuilder> {
    let mut rxcs = Vec::new();
    if let Some(medication) = contained(
        resource,
        resource
            .get("medicationReference")
            .and_then(|r| s(r, "reference")),
    ) {
        if let Some(form) = medication.get("form") {
            cwe(head, 6, 1, form);
            if items(form, "coding").first().and_then(|c| s(c, "system")) == Some(MERIT9_FORM) {
                head.set(6, 1, 3, 1, "MR9P");
            }
        }
        for (i, ingredient) in items(medication, "ingredient").iter().enumerate() {
            let mut rxc = SegmentBuilder::new("RXC");
            rxc.field(1, if i == 0 { "B" } else { "A" });
            if let Some(item) = ingredient.get("itemCodeableConcept") {
                cwe(&mut rxc, 2, 1, item);
            }
            if let Some(n) = ingredient
                .get("strength")
                .and_then(|st| st.get("numerator"))
            {
                rxc.field(3, &quantity_value(n).unwrap_or_default());
                unit(&mut rxc, 4, n);
            }
            rxcs.push(rxc);
        }
    }
    rxcs
}

/// TQ1-3 用法 (and the 補足用法 codes), TQ1-6 日数, TQ1-7/8 period, TQ1-11 text, TQ1-13 duration.
pub fn timing(ctx: &mut Context, entry: &Entry, tq1: &mut SegmentBuilder, dosage: &Value) {
    let timing = dosage.get("timing");
    let mut rep = 0;
    if let Some(code) = timing.and_then(|t| t.get("code")) {
        rep += 1;
        cwe_sub(tq1, 3, rep, 1, code);
    }
    for instruction in items(dosage, "additionalInstruction") {
        if items(instruction, "coding").is_empty() {
            tq1.field(11, s(instruction, "text").unwrap_or_default());
        } else {
            rep += 1;
            cwe_sub(tq1, 3, rep, 1, instruction);
        }
    }
    let repeat = timing.and_then(|t| t.get("repeat"));
    if let Some(bounds) = repeat.and_then(|r| r.get("boundsDuration")) {
        tq1.component(6, 1, &quantity_value(bounds).unwrap_or_default());
        let code = match s(bounds, "code") {
            Some("d") => "D",
            Some("wk") => "W",
            Some("h") => "H",
            Some("min") => "M",
            Some(other) => other,
            None => "D",
        };
        tq1.set(6, 1, 2, 1, code)
            .set(6, 1, 2, 2, s(bounds, "unit").unwrap_or_default())
            .set(6, 1, 2, 3, "ISO+");
    }
    let period = items(dosage, "extension")
        .iter()
        .find(|e| s(e, "url") == Some(PERIOD_OF_USE))
        .and_then(|e| e.get("valuePeriod"))
        .or_else(|| repeat.and_then(|r| r.get("boundsPeriod")));
    if let Some(period) = period {
        for (key, field) in [("start", 7), ("end", 8)] {
            if let Some(t) = s(period, key) {
                match ts(t) {
                    Ok(t) => {
                        tq1.field(field, &t);
                    }
                    Err(why) => ctx.warn(&entry.at("dosageInstruction"), why),
                }
            }
        }
    }
    if let Some(duration) = repeat.and_then(|r| r.get("duration")) {
        let value = match duration {
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        tq1.component(13, 1, &value);
        tq1.component(
            13,
            2,
            repeat
                .and_then(|r| s(r, "durationUnit"))
                .unwrap_or_default(),
        );
    }
}

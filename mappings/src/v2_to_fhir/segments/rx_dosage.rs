//! TQ1 and RXR of a pharmacy order group → the elements of a JP_MedicationDosage(_Injection) Dosage, and
//! the quantity helpers the RXE / RXA / RXC mappers share (JAMI ConceptMaps segment-omp-01-rxe-to-
//! medicationrequest and segment-omp-12-rxa-to-medicationadministration; JP Core 1.1.1 JP_MedicationDosage:
//! timing.code = JAMI 16桁用法, boundsDuration in 日 / UCUM `d`, PeriodOfUse extension for TQ1-7/8), and
//! the whole Dosage of a group (`dosage_instruction`) that MedicationRequest (RDE^O11) and
//! MedicationDispense (RDS^O13) both carry.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::coding::system_uri;
use crate::v2_to_fhir::datatypes::{codeable, codeable_sub, date_time, decimal};
use crate::v2_to_fhir::input::{Rep, Seg};
use crate::v2_to_fhir::output::Output;

pub const PERIOD_OF_USE: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_MedicationDosage_PeriodOfUse";
pub const LINE: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_MedicationDosage_Line";
/// The standard extension JP_MedicationDosage_Injection slices `site.extension:bodySite` with.
const BODY_SITE: &str = "http://hl7.org/fhir/StructureDefinition/bodySite";
const UCUM: &str = "http://unitsofmeasure.org";
/// JAMI 外用部位 (3桁): senders write it in RXR-2 under the usage table's name JAMISDP01.
const JAMI_BODY_SITE: &str = "http://jami.jp/CodeSystem/MedicationBodySiteExternal";

/// What TQ1 gives a Dosage, plus the total number of occurrences (TQ1-14, 頓用回数) which JP Core
/// carries on the dispense request.
#[derive(Default)]
pub struct Timing {
    pub dosage: Map<String, Value>,
    pub occurrences: Option<i64>,
}

/// Maps the TQ1 segments of a group into `dosage` (timing, text, additionalInstruction, PeriodOfUse
/// extension or boundsPeriod for injections).
pub fn timing(tq1s: &[Seg], injection: bool, out: &mut Output) -> Timing {
    let mut t = Timing::default();
    let mut code: Option<Value> = None;
    let mut additional: Vec<Value> = Vec::new();
    let mut repeat = Map::new();
    let mut period = Map::new();
    let mut texts: Vec<String> = Vec::new();
    for tq1 in tq1s {
        // TQ1-3 repeat pattern (RPT): the code is a CWE in the subcomponents of RPT-1.
        for rep in tq1.reps(3) {
            let Some(concept) = codeable_sub(&rep, 1) else {
                continue;
            };
            let table = rep.sub(1, 3).unwrap_or_default();
            if code.is_none() && table != "JAMISDP02" {
                if let Some(text) = concept["text"].as_str() {
                    texts.push(text.to_string());
                }
                code = Some(concept);
            } else {
                additional.push(concept);
            }
        }
        // TQ1-6 service duration (CQ: `3^D&日&ISO+`).
        if let Some(rep) = tq1.rep(6) {
            if let Some(d) = duration(&rep, injection, &tq1.position(6), out) {
                repeat.insert("boundsDuration".into(), d);
            }
        }
        for (field, key) in [(7, "start"), (8, "end")] {
            if let Some(ts) = tq1.text(field) {
                match date_time(&ts) {
                    Ok(v) => {
                        period.insert(key.into(), build_json!(v));
                    }
                    Err(why) => out.warn(tq1.position(field), why),
                }
            }
        }
        // TQ1-11 text instruction (`1日2回まで`).
        if let Some(text) = tq1.text(11) {
            additional.push(build_json!({ "text": text }));
        }
        // TQ1-13 occurrence duration (`5^hr`): how long one administration lasts.
        if let Some(rep) = tq1.rep(13) {
            match rep.text(1).map(|v| (v.parse::<f64>(), v)) {
                Some((Ok(n), v)) => {
                    repeat.insert("duration".into(), decimal(&v, n));
                    if let Some(unit) = rep.text(2).or_else(|| rep.sub(2, 1)) {
                        match time_unit(&unit) {
                            Some(u) => {
                                repeat.insert("durationUnit".into(), build_json!(u));
                            }
                            None => out.warn(
                                rep.at(2),
                                format!("'{unit}' is not a unit of time this mapping knows."),
                            ),
                        }
                    }
                }
                Some((Err(_), v)) => out.warn(rep.at(1), format!("'{v}' is not a number.")),
                None => {}
            }
        }
        // TQ1-14 total occurrences.
        if let Some(n) = tq1.text(14) {
            match n.parse::<i64>() {
                Ok(n) => t.occurrences = Some(n),
                Err(_) => out.warn(tq1.position(14), format!("'{n}' is not a whole number.")),
            }
        }
    }
    if !period.is_empty() {
        if injection || !period.contains_key("start") {
            repeat.insert("boundsPeriod".into(), Value::Object(period));
        } else {
            t.dosage.insert(
                "extension".into(),
                build_json!([{ "url": PERIOD_OF_USE, "valuePeriod": period }]),
            );
        }
    }
    if !texts.is_empty() {
        t.dosage.insert("text".into(), build_json!(texts.join(" ")));
    }
    if !additional.is_empty() {
        t.dosage
            .insert("additionalInstruction".into(), Value::Array(additional));
    }
    let mut timing = Map::new();
    if !repeat.is_empty() {
        timing.insert("repeat".into(), Value::Object(repeat));
    }
    if let Some(code) = code {
        timing.insert("code".into(), code);
    }
    if !timing.is_empty() {
        t.dosage.insert("timing".into(), Value::Object(timing));
    }
    t
}

/// A TQ1-6 duration. JP_MedicationDosage fixes boundsDuration to 日 / `d`: weeks are turned into days,
/// other units are warned about (injections keep any unit of time).
fn duration(rep: &Rep, injection: bool, position: &str, out: &mut Output) -> Option<Value> {
    let value = rep.text(1)?;
    let Ok(number) = value.parse::<f64>() else {
        out.warn(rep.at(1), format!("'{value}' is not a number."));
        return None;
    };
    let unit = rep.sub(2, 1).unwrap_or_else(|| "D".into());
    let ucum = time_unit(&unit);
    match ucum {
        Some("d") => Some(
            build_json!({"value": decimal(&value, number), "unit": "日", "system": UCUM, "code": "d"}),
        ),
        Some("wk") if !injection => {
            let days = number * 7.0;
            let days = if days.fract() == 0.0 {
                build_json!(days as i64)
            } else {
                build_json!(days)
            };
            Some(build_json!({"value": days, "unit": "日", "system": UCUM, "code": "d"}))
        }
        Some(u) if injection => {
            let text = rep.sub(2, 2).unwrap_or_else(|| u.to_string());
            Some(
                build_json!({"value": decimal(&value, number), "unit": text, "system": UCUM, "code": u}),
            )
        }
        _ => {
            out.warn(
                position.to_string(),
                format!("TQ1-6 unit '{unit}' cannot be written as days (JP_MedicationDosage boundsDuration is in 日)."),
            );
            None
        }
    }
}

/// An ISO+ / ANSI+ / UCUM unit of time as a UCUM code (`D` → `d`, `hr` → `h`).
pub fn time_unit(unit: &str) -> Option<&'static str> {
    match unit.trim() {
        "S" | "s" | "sec" => Some("s"),
        "M" | "min" => Some("min"),
        "H" | "h" | "hr" => Some("h"),
        "D" | "d" => Some("d"),
        "W" | "wk" => Some("wk"),
        "L" | "mo" => Some("mo"),
        "Y" | "a" => Some("a"),
        _ => None,
    }
}

/// RXR-1 route, RXR-2 site, RXR-4 method into `dosage` (the first RXR; JAHIS sends one per group), and
/// for injections RXR-5 (主管 / 側管) as the JP_MedicationDosage_Line extension and RXR-6 (左右, HL7
/// table 0495) as JP Core's injection examples do: a contained BodyStructure (location RXR-2,
/// locationQualifier RXR-6) the site points at with the `bodySite` extension. Returns that
/// BodyStructure (id `site`) for the caller to contain.
pub fn route(
    rxrs: &[Seg],
    injection: bool,
    patient: &str,
    dosage: &mut Map<String, Value>,
) -> Option<Value> {
    let rxr = rxrs.first()?;
    if let Some(route) = rxr.rep(1).as_ref().and_then(codeable) {
        dosage.insert("route".into(), route);
    }
    let mut body_structure = None;
    if let Some(rep) = rxr.rep(2) {
        if let Some(mut site) = codeable(&rep) {
            if rep.text(3).as_deref() == Some("JAMISDP01") {
                site["coding"][0]["system"] = build_json!(JAMI_BODY_SITE);
            }
            let qualifier = if injection {
                rxr.rep(6).as_ref().and_then(codeable)
            } else {
                None
            };
            if let Some(qualifier) = qualifier {
                body_structure = Some(build_json!({
                    "resourceType": "BodyStructure",
                    "id": "site",
                    "location": site.clone(),
                    "locationQualifier": [qualifier],
                    "patient": {"reference": patient},
                }));
                let text = format!(
                    "{}{}",
                    body_structure
                        .as_ref()
                        .map_or("", |b| b["locationQualifier"][0]["text"]
                            .as_str()
                            .unwrap_or_default()),
                    site["text"].as_str().unwrap_or_default()
                );
                site = build_json!({
                    "extension": [{"url": BODY_SITE, "valueReference": {"reference": "#site"}}],
                    "text": text,
                });
            }
            dosage.insert("site".into(), site);
        }
    }
    if let Some(method) = rxr.rep(4).as_ref().and_then(codeable) {
        dosage.insert("method".into(), method);
    }
    if injection {
        if let Some(line) = rxr.rep(5).as_ref().and_then(codeable) {
            let ext = build_json!({"url": LINE, "valueCodeableConcept": line});
            match dosage.get_mut("extension").and_then(Value::as_array_mut) {
                Some(list) => list.push(ext),
                None => {
                    dosage.insert("extension".into(), build_json!([ext]));
                }
            }
        }
    }
    body_structure
}

/// A Quantity from an amount field and a CWE unit field (RXE-3/5, RXE-10/11, RXA-6/7, RXC-3/4), with a
/// warning at the amount's position when it is not a number. `None` when the amount is empty.
pub fn amount(seg: &Seg, value_field: usize, unit_field: usize, out: &mut Output) -> Option<Value> {
    // The unit is read even when the amount is empty (`""` in both for 外用), so it is not reported.
    let unit = seg.rep(unit_field);
    let value = seg.text(value_field)?;
    match quantity(&value, unit.as_ref().map(UnitParts::Components)) {
        Some(q) => Some(q),
        None => {
            out.warn(
                seg.position(value_field),
                format!("'{value}' is not a number; the amount is not mapped."),
            );
            None
        }
    }
}

/// Where a CWE unit sits: in the components of a field, or in the subcomponents of one component (CQ).
pub enum UnitParts<'r, 'a> {
    Components(&'r Rep<'a>),
    Subcomponents(&'r Rep<'a>, usize),
}

impl UnitParts<'_, '_> {
    fn get(&self, n: usize) -> Option<String> {
        match self {
            UnitParts::Components(r) => r.text(n),
            UnitParts::Subcomponents(r, c) => r.sub(*c, n),
        }
    }
}

/// A Quantity from a number and a CWE unit (code, text, system → code, unit, system).
pub fn quantity(value: &str, unit: Option<UnitParts>) -> Option<Value> {
    let number: f64 = value.trim().parse().ok()?;
    let mut q = Map::new();
    q.insert("value".into(), decimal(value.trim(), number));
    if let Some(unit) = unit {
        if let Some(text) = unit.get(2).or_else(|| unit.get(1)) {
            q.insert("unit".into(), build_json!(text));
        }
        if let Some(system) = unit.get(3) {
            q.insert("system".into(), build_json!(system_uri(&system)));
        }
        if let Some(code) = unit.get(1) {
            q.insert("code".into(), build_json!(code));
        }
    }
    Some(Value::Object(q))
}

/// A 1日量 (RXE-19, CQ `3^TAB&錠&MR9P`) as JP_MedicationRatio_DosePerDay: the amount per 1 日.
pub fn dose_per_day(seg: &Seg, field: usize, out: &mut Output) -> Option<Value> {
    let rep = seg.rep(field)?;
    let value = rep.text(1)?;
    let Some(numerator) = quantity(&value, Some(UnitParts::Subcomponents(&rep, 2))) else {
        out.warn(
            rep.at(1),
            format!("'{value}' is not a number; the daily dose is not mapped."),
        );
        return None;
    };
    Some(build_json!({
        "numerator": numerator,
        "denominator": {"value": 1, "unit": "日", "system": UCUM, "code": "d"},
    }))
}

/// The JP_MedicationDosage(_Injection) of an order group, as MedicationRequest.dosageInstruction and
/// MedicationDispense.dosageInstruction both carry it: TQ1 timing and text, RXR route/site/method, and
/// when the group has its RXE, RXE-3/5 dose, RXE-19 1日量 (prescriptions) or RXE-23/24 rate
/// (injections). `as_needed` (頓用, JHSP0003 `22`) sets asNeededBoolean. Returns the Dosage and the
/// BodyStructure its site points at, if any.
pub fn dosage_instruction(
    rxe: Option<&Seg>,
    tq1s: &[Seg],
    rxrs: &[Seg],
    injection: bool,
    as_needed: bool,
    patient: &str,
    out: &mut Output,
) -> (Map<String, Value>, Option<Value>) {
    let t = timing(tq1s, injection, out);
    let mut d = t.dosage;
    let site = route(rxrs, injection, patient, &mut d);
    // JP Core asks for dosageInstruction.text; without a TQ1-3 用法 (injections), it is written from
    // the method, route and site, as JP Core's injection example does (`静脈注射 静脈内 左腕`).
    if !d.contains_key("text") {
        let parts: Vec<&str> = ["method", "route", "site"]
            .iter()
            .filter_map(|k| d.get(*k).and_then(|v| v["text"].as_str()))
            .collect();
        if !parts.is_empty() {
            d.insert("text".into(), build_json!(parts.join(" ")));
        }
    }
    if as_needed {
        d.insert("asNeededBoolean".into(), build_json!(true));
    }
    let mut dose_and_rate = Map::new();
    if let Some(rxe) = rxe {
        if let Some(dose) = amount(rxe, 3, 5, out) {
            dose_and_rate.insert("doseQuantity".into(), dose);
        }
        if !injection {
            if let Some(per_day) = dose_per_day(rxe, 19, out) {
                dose_and_rate.insert("rateRatio".into(), per_day);
            }
        } else if let Some(rate) = amount(rxe, 23, 24, out) {
            dose_and_rate.insert("rateQuantity".into(), rate);
        }
    }
    if !dose_and_rate.is_empty() {
        d.insert("doseAndRate".into(), build_json!([dose_and_rate]));
    }
    (d, site)
}

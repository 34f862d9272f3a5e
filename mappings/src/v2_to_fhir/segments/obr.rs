//! OBR → the order part of a ServiceRequest (JAMI ConceptMap segment-oml-11-orc-to-servicerequest:
//! OBR-4 → code, OBR-7/8 → occurrencePeriod; HL7 v2-to-FHIR IG OBR[ServiceRequest]: OBR-5 → priority,
//! OBR-13 → note, OBR-31 → reasonCode) and → DiagnosticReport (JAMI ConceptMap
//! segment-oml-11-obr-to-diagnosticreport: OBR-2/3 → identifier, OBR-4 → code, OBR-7/8 →
//! effectivePeriod, OBR-22 → issued; OBR-24 → category, OBR-25 (table 0123) → status from the v2-to-FHIR IG).

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::coding::system_uri;
use crate::v2_to_fhir::datatypes::{codeable, date_time};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::{meta, Flavour};
use crate::v2_to_fhir::segments::orc::{order_key, order_number_system};

/// OBR-7 / OBR-8 as a FHIR Period (`start`, `end`), `None` when OBR-7 is empty or not a time.
pub fn period(out: &mut Output, obr: &Seg) -> Option<Value> {
    let mut p = Map::new();
    for (n, key) in [(7, "start"), (8, "end")] {
        if let Some(t) = obr.text(n) {
            match date_time(&t) {
                Ok(t) => {
                    p.insert(key.into(), build_json!(t));
                }
                Err(why) => out.warn(obr.position(n), why),
            }
        }
    }
    (!p.is_empty()).then_some(Value::Object(p))
}

/// Adds what OBR says about the order to a ServiceRequest: code, priority, occurrence, note, reason.
pub fn order_details(
    _input: &Input,
    out: &mut Output,
    obr: &Seg,
    request: &mut Map<String, Value>,
) {
    // OBR-2 / OBR-3 repeat ORC-2 / ORC-3 (the identifiers are taken from either).
    obr.mark(&[2, 3]);
    if let Some(code) = obr.rep(4).as_ref().and_then(codeable) {
        request.insert("code".into(), code);
    }
    if let Some(priority) = obr.text(5) {
        match priority.as_str() {
            "S" => request.insert("priority".into(), build_json!("stat")),
            "A" => request.insert("priority".into(), build_json!("asap")),
            "R" => request.insert("priority".into(), build_json!("routine")),
            other => {
                out.warn(
                    obr.position(5),
                    format!(
                        "OBR-5 priority '{other}' is not S, A or R (HL7 table 0027); not mapped."
                    ),
                );
                None
            }
        };
    }
    if let Some(p) = period(out, obr) {
        match (p.get("start"), p.get("end")) {
            (Some(start), None) => request.insert("occurrenceDateTime".into(), start.clone()),
            _ => request.insert("occurrencePeriod".into(), p),
        };
    }
    if let Some(info) = obr.text(13) {
        let notes = request
            .entry("note")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = notes.as_array_mut() {
            list.push(build_json!({ "text": info }));
        }
    }
    let reasons: Vec<Value> = obr.reps(31).iter().filter_map(codeable).collect();
    if !reasons.is_empty() {
        request.insert("reasonCode".into(), Value::Array(reasons));
    }
}

/// OBR-25 result status (HL7 table 0123) → DiagnosticReport.status; empty → from the results
/// (`fallback`).
fn status(out: &mut Output, obr: &Seg, fallback: &str) -> String {
    match obr.text(25).as_deref() {
        None => fallback.to_string(),
        Some("F") => "final".into(),
        Some("C") => "corrected".into(),
        Some("P") => "preliminary".into(),
        Some("A") | Some("R") => "partial".into(),
        Some("X") => "cancelled".into(),
        Some("I") | Some("O") | Some("S") => "registered".into(),
        Some(other) => {
            out.warn(
                obr.position(25),
                format!("OBR-25 '{other}' is not a result status of HL7 table 0123; status set to unknown."),
            );
            "unknown".into()
        }
    }
}

/// The DiagnosticReport of one OBR, not yet added: `results` are the Observation references, `flavour`
/// picks the JP Core profile (Lab → JP_DiagnosticReport_LabResult with category LAB).
#[allow(clippy::too_many_arguments)]
pub fn diagnostic_report(
    input: &Input,
    out: &mut Output,
    orc: Option<&Seg>,
    obr: &Seg,
    subject: &str,
    flavour: Flavour,
    results: &[(String, String)],
    request: Option<&str>,
) -> Value {
    let key = order_key(orc, Some(obr)).unwrap_or_else(|| input.control_id.clone());
    let code_value = obr.component(4, 1).unwrap_or_else(|| "-".into());
    let mut r = Map::new();
    r.insert("resourceType".into(), build_json!("DiagnosticReport"));
    r.insert(
        "id".into(),
        build_json!(input.id(&["diagnosticreport", &key, &code_value])),
    );
    if let Some(m) = meta("DiagnosticReport", flavour) {
        r.insert("meta".into(), m);
    }
    let mut identifiers = Vec::new();
    for (n, kind, type_code) in [(2, "placer", "PLAC"), (3, "filler", "FILL")] {
        if let Some(v) = obr.text(n) {
            identifiers.push(build_json!({
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": type_code}]},
                "system": order_number_system(input, kind),
                "value": v,
            }));
        }
    }
    if !identifiers.is_empty() {
        r.insert("identifier".into(), Value::Array(identifiers));
    }
    if let Some(request) = request {
        r.insert("basedOn".into(), build_json!([{ "reference": request }]));
    }
    let fallback = summary_status(results);
    r.insert("status".into(), build_json!(status(out, obr, &fallback)));
    let mut categories = Vec::new();
    if flavour == Flavour::Lab {
        categories.push(build_json!({"coding": [{"system": system_uri("HL70074"), "code": "LAB", "display": "Laboratory"}]}));
    }
    if let Some(section) = obr.text(24) {
        if !(flavour == Flavour::Lab && section == "LAB") {
            categories.push(
                build_json!({"coding": [{"system": system_uri("HL70074"), "code": section}]}),
            );
        }
    }
    if !categories.is_empty() {
        r.insert("category".into(), Value::Array(categories));
    }
    let code = obr
        .rep(4)
        .as_ref()
        .and_then(codeable)
        .unwrap_or_else(|| build_json!({"text": "検査"}));
    r.insert("code".into(), code);
    r.insert("subject".into(), build_json!({ "reference": subject }));
    if let Some(p) = period(out, obr) {
        r.insert("effectivePeriod".into(), p);
    }
    if let Some(t) = obr.text(22) {
        match date_time(&t) {
            Ok(t) if t.contains('T') => {
                r.insert("issued".into(), build_json!(t));
            }
            Ok(_) => out.warn(
                obr.position(22),
                "OBR-22 has no time of day; DiagnosticReport.issued (an instant) is left empty.",
            ),
            Err(why) => out.warn(obr.position(22), why),
        }
    }
    if !results.is_empty() {
        r.insert(
            "result".into(),
            Value::Array(
                results
                    .iter()
                    .map(|(r, _)| build_json!({ "reference": r }))
                    .collect(),
            ),
        );
    }
    Value::Object(r)
}

/// The report status when OBR-25 is empty: `final` when every result is final, `partial` when some are
/// preliminary, `registered` without results.
fn summary_status(results: &[(String, String)]) -> String {
    if results.is_empty() {
        return "registered".into();
    }
    if results.iter().all(|(_, s)| s == "final") {
        "final".into()
    } else if results.iter().any(|(_, s)| s == "corrected") {
        "corrected".into()
    } else {
        "partial".into()
    }
}

//! OBX → Observation (JAMI ConceptMap segment-oml-11-obx-to-observation; for value types JAMI does not
//! list, the HL7 v2-to-FHIR IG OBX[Observation] map): OBX-2 value type picks `value[x]` (NM →
//! valueQuantity with the OBX-6 unit, ST/TX/FT → valueString, CWE/CE/CNE → valueCodeableConcept, SN →
//! valueQuantity with a comparator, valueRatio or valueRange, DT/TS/DTM → valueDateTime), OBX-3 → code,
//! OBX-7 → referenceRange, OBX-8 (HL7 table 0078) → interpretation, OBX-11 (table 0085) → status,
//! OBX-14 → effectiveDateTime. JP_Observation_LabResult / JP_Observation_VitalSigns get their category;
//! vital-sign JLAC10 codes get the LOINC code beside them (`tables/jlac10-vital-signs-loinc.csv`).

use crate::build_json;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::v2_to_fhir::coding::system_uri;
use crate::v2_to_fhir::datatypes::{codeable, date_time, decimal, quantity};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::{meta, Flavour};

const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const INTERPRETATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
const UCUM: &str = "http://unitsofmeasure.org";
const LOINC: &str = "http://loinc.org";

/// The identifier system of OBX-4 observation sub-IDs (no FHIR or JP Core system exists for them).
pub const SUB_ID_SYSTEM: &str = "urn:kakehashi:hl7v2:observation-sub-id";
const VITAL_TABLE: &str = include_str!("../../../tables/jlac10-vital-signs-loinc.csv");
const UNIT_TABLE: &str = include_str!("../../../tables/iso-units-ucum.csv");

#[derive(Debug, Deserialize)]
struct VitalRow {
    jlac10_prefix: String,
    loinc: String,
    loinc_display: String,
}

/// One row of `tables/iso-units-ucum.csv`: an ISO+ unit and its UCUM code.
#[derive(Debug, Deserialize)]
pub struct UnitRow {
    pub iso: String,
    pub ucum: String,
}

fn vital_rows() -> &'static [VitalRow] {
    static ROWS: OnceLock<Vec<VitalRow>> = OnceLock::new();
    ROWS.get_or_init(|| crate::tables::read("jlac10-vital-signs-loinc.csv", VITAL_TABLE))
}

pub fn unit_rows() -> &'static [UnitRow] {
    static ROWS: OnceLock<Vec<UnitRow>> = OnceLock::new();
    ROWS.get_or_init(|| crate::tables::read("iso-units-ucum.csv", UNIT_TABLE))
}

/// The LOINC vital-sign coding for a JLAC10 code, when its analyte part is one the table knows.
pub fn vital_sign_loinc(jlac10: &str) -> Option<Value> {
    let prefix = jlac10.get(..5)?;
    vital_rows()
        .iter()
        .find(|r| r.jlac10_prefix == prefix)
        .map(|r| build_json!({"system": LOINC, "code": &r.loinc, "display": &r.loinc_display}))
}

/// Maps one OBX to an Observation, adds it and returns its reference (`Observation/{id}`); `None` when
/// the OBX has no OBX-3. The id comes from the patient, OBX-3.1, OBX-4 and OBX-14, so the same result
/// sent again (or in a later message) is the same resource. Message mappers that know the order use
/// [`build`] with the order as key and add `basedOn` / `specimen` themselves.
pub fn observation(
    input: &Input,
    out: &mut Output,
    obx: &Seg,
    subject: &str,
    flavour: Flavour,
) -> Option<String> {
    let patient = input.patient_id.clone().unwrap_or_else(|| "-".into());
    let resource = build(input, out, obx, subject, flavour, &[&patient])?;
    Some(out.push(resource))
}

/// The Observation of one OBX without adding it; `key` (an order number, a patient id) prefixes the id.
pub fn build(
    input: &Input,
    out: &mut Output,
    obx: &Seg,
    subject: &str,
    flavour: Flavour,
    key: &[&str],
) -> Option<Value> {
    let code_rep = match obx.rep(3) {
        Some(r) => r,
        None => {
            out.error(
                obx.position(3),
                "OBX-3 (observation identifier) is empty: the result cannot be mapped.",
            );
            return None;
        }
    };
    let mut code = codeable(&code_rep)?;
    let code_value = code_rep
        .text(1)
        .or_else(|| code_rep.text(2))
        .unwrap_or_default();
    if code.get("text").is_none() {
        code["text"] = build_json!(&code_value);
    }
    if flavour == Flavour::Vital {
        let jlac10 = code_rep
            .text(3)
            .filter(|s| s.eq_ignore_ascii_case("JC10"))
            .and_then(|_| code_rep.text(1));
        if let Some(loinc) = jlac10.as_deref().and_then(vital_sign_loinc) {
            if let Some(codings) = code["coding"].as_array_mut() {
                codings.push(loinc);
            }
        }
    }
    let sub_id = obx.text(4);
    let time = obx.text(14);
    let mut parts: Vec<&str> = vec!["observation"];
    parts.extend_from_slice(key);
    parts.push(&code_value);
    parts.push(sub_id.as_deref().unwrap_or("-"));
    parts.push(time.as_deref().unwrap_or("-"));
    let mut id = input.id(&parts);
    if out.has(&format!("Observation/{id}")) {
        // Two OBX with the same code, sub-id and time in one order: told apart by their place.
        let occurrence = obx.occurrence().to_string();
        parts.push(&occurrence);
        id = input.id(&parts);
    }

    let mut o = Map::new();
    o.insert("resourceType".into(), build_json!("Observation"));
    o.insert("id".into(), build_json!(id));
    if let Some(m) = meta("Observation", flavour) {
        o.insert("meta".into(), m);
    }
    if let Some(sub_id) = &sub_id {
        // OBX-4 (the observation sub-ID: which organism of a culture, which of repeated results) →
        // Observation.identifier, as the JAMI ConceptMap segment-oml-11-obx-to-observation says.
        o.insert(
            "identifier".into(),
            build_json!([{"system": SUB_ID_SYSTEM, "value": sub_id}]),
        );
    }
    o.insert("status".into(), build_json!(status(out, obx)));
    match flavour {
        Flavour::Lab => {
            o.insert(
                "category".into(),
                build_json!([{"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory", "display": "Laboratory"}]}]),
            );
        }
        Flavour::Vital => {
            o.insert(
                "category".into(),
                build_json!([{"coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}]),
            );
        }
        _ => {}
    }
    o.insert("code".into(), code);
    o.insert("subject".into(), build_json!({ "reference": subject }));
    if let Some(t) = time {
        match date_time(&t) {
            Ok(t) => {
                o.insert("effectiveDateTime".into(), build_json!(t));
            }
            Err(why) => out.warn(obx.position(14), why),
        }
    }
    let value = value(out, obx);
    if let Some((key, v)) = value {
        o.insert(key.into(), v);
    }
    if let Some(range) = reference_range(obx, o.get("valueQuantity")) {
        o.insert("referenceRange".into(), build_json!([range]));
    }
    let interpretation: Vec<Value> = obx
        .reps(8)
        .iter()
        .filter_map(|r| r.text(1))
        .map(|flag| interpretation_of(&flag))
        .collect();
    if !interpretation.is_empty() {
        o.insert("interpretation".into(), Value::Array(interpretation));
    }
    Some(Value::Object(o))
}

/// OBX-11 (HL7 table 0085) → Observation.status. Empty → `final` (JAMI fixes `final`); a code outside
/// the table → `unknown` with a warning.
fn status(out: &mut Output, obx: &Seg) -> &'static str {
    match obx.text(11).as_deref() {
        None | Some("F") | Some("U") => "final",
        Some("C") => "corrected",
        Some("P") | Some("R") | Some("S") => "preliminary",
        Some("X") => "cancelled",
        Some("I") | Some("O") => "registered",
        Some("D") | Some("W") => "entered-in-error",
        Some(other) => {
            out.warn(
                obx.position(11),
                format!("OBX-11 '{other}' is not a result status of HL7 table 0085 (F, C, P, R, S, X, I, O, D, W, U); status set to unknown."),
            );
            "unknown"
        }
    }
}

/// `value[x]` from OBX-2 and OBX-5 (and OBX-6 for numbers).
fn value(out: &mut Output, obx: &Seg) -> Option<(&'static str, Value)> {
    let kind = obx.text(2).unwrap_or_default();
    let reps = obx.reps(5);
    let first = reps.first()?;
    let position = obx.position(5);
    match kind.as_str() {
        "NM" => {
            let text = first.text(1)?;
            let unit = obx.rep(6);
            match quantity(&text, unit.as_ref()) {
                Some(q) => Some(("valueQuantity", ucum_unit(q))),
                None => {
                    out.warn(
                        position,
                        format!(
                            "OBX-2 is NM but OBX-5 '{text}' is not a number; kept as valueString."
                        ),
                    );
                    Some(("valueString", build_json!(text)))
                }
            }
        }
        "ST" | "TX" | "FT" => {
            let lines: Vec<String> = reps.iter().filter_map(|r| r.text(1)).collect();
            (!lines.is_empty()).then(|| ("valueString", build_json!(lines.join("\n"))))
        }
        "CWE" | "CE" | "CNE" => codeable(first).map(|c| ("valueCodeableConcept", c)),
        "SN" => structured_numeric(out, obx, &position),
        "DT" | "TS" | "DTM" => {
            let text = first.text(1)?;
            match date_time(&text) {
                Ok(t) => Some(("valueDateTime", build_json!(t))),
                Err(why) => {
                    out.warn(position, why);
                    None
                }
            }
        }
        _ => {
            out.warn(
                obx.position(2),
                format!("OBX-2 value type '{kind}' is not mapped; OBX-5 is kept only in the stored message."),
            );
            None
        }
    }
}

/// SN (`comparator^num1^separator^num2`): `<^5` → valueQuantity with comparator, `^1^:^128` →
/// valueRatio, `^10^-^20` → valueRange, `^2^+` → valueString `2+`.
fn structured_numeric(
    out: &mut Output,
    obx: &Seg,
    position: &str,
) -> Option<(&'static str, Value)> {
    let rep = obx.rep(5)?;
    let comparator = rep.text(1);
    let n1 = rep.text(2);
    let separator = rep.text(3);
    let n2 = rep.text(4);
    let unit = obx.rep(6);
    let number = |t: &str| quantity(t, unit.as_ref()).map(ucum_unit);
    let bad = |out: &mut Output| {
        out.warn(
            position.to_string(),
            "OBX-5 is not a structured numeric (comparator^number^separator^number); not mapped.",
        );
        None
    };
    match (separator.as_deref(), n1.as_deref(), n2.as_deref()) {
        (None, Some(n), None) => {
            let Some(mut q) = number(n) else {
                return bad(out);
            };
            match comparator.as_deref() {
                None | Some("=") => {}
                Some(c @ ("<" | ">" | "<=" | ">=")) => q["comparator"] = build_json!(c),
                Some(_) => return bad(out),
            }
            Some(("valueQuantity", q))
        }
        (Some(":") | Some("/"), Some(a), Some(b)) => match (number(a), number(b)) {
            (Some(a), Some(b)) => Some((
                "valueRatio",
                build_json!({"numerator": a, "denominator": b}),
            )),
            _ => bad(out),
        },
        (Some("-"), Some(a), Some(b)) => match (number(a), number(b)) {
            (Some(a), Some(b)) => Some(("valueRange", build_json!({"low": a, "high": b}))),
            _ => bad(out),
        },
        (Some("+"), Some(a), None) => Some(("valueString", build_json!(format!("{a}+")))),
        _ => bad(out),
    }
}

/// A Quantity whose UCUM code was written in ISO+ / ANS+ spelling gets the UCUM code; one the table
/// does not know keeps its unit text only.
fn ucum_unit(mut q: Value) -> Value {
    if q.get("system").and_then(Value::as_str) == Some(UCUM) {
        let code = q
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match unit_rows()
            .iter()
            .find(|r| r.iso.eq_ignore_ascii_case(&code))
        {
            Some(row) => q["code"] = build_json!(&row.ucum),
            None => {
                if let Some(map) = q.as_object_mut() {
                    map.remove("system");
                    map.remove("code");
                }
            }
        }
    }
    q
}

/// OBX-7 → referenceRange: the text as sent, and low/high when it is `low-high` with numbers (in the
/// unit of the value).
fn reference_range(obx: &Seg, value: Option<&Value>) -> Option<Value> {
    let text = obx.text(7)?;
    let mut range = Map::new();
    if let Some((low, high)) = text.split_once('-') {
        let (low, high) = (low.trim(), high.trim());
        if let (Ok(l), Ok(h)) = (low.parse::<f64>(), high.parse::<f64>()) {
            let limit = |t: &str, n: f64| {
                let mut q = Map::new();
                q.insert("value".into(), decimal(t, n));
                if let Some(v) = value {
                    for k in ["unit", "system", "code"] {
                        if let Some(x) = v.get(k) {
                            q.insert(k.into(), x.clone());
                        }
                    }
                }
                Value::Object(q)
            };
            range.insert("low".into(), limit(low, l));
            range.insert("high".into(), limit(high, h));
        }
    }
    range.insert("text".into(), build_json!(text));
    Some(Value::Object(range))
}

/// OBX-8 (HL7 table 0078) → interpretation. The table 0078 codes FHIR R4 took over into
/// v3-ObservationInterpretation keep their code in that system; any other flag keeps its v2 table.
fn interpretation_of(flag: &str) -> Value {
    const V3: &[&str] = &[
        "L", "H", "LL", "HH", "<", ">", "N", "A", "AA", "U", "D", "B", "W", "S", "R", "I", "MS",
        "VS", "NEG", "POS", "IND", "DET", "ND", "HU", "LU",
    ];
    if V3.contains(&flag) {
        build_json!({"coding": [{"system": INTERPRETATION, "code": flag}], "text": flag})
    } else {
        build_json!({"coding": [{"system": system_uri("HL70078"), "code": flag}], "text": flag})
    }
}

/// NTE-3 comments as Annotation `note` entries.
pub fn notes(notes: &[Seg]) -> Vec<Value> {
    notes
        .iter()
        .filter_map(|n| {
            let lines: Vec<String> = n.reps(3).iter().filter_map(|r| r.text(1)).collect();
            (!lines.is_empty()).then(|| build_json!({"text": lines.join("\n")}))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_and_vital_sign_codes_map_to_loinc() {
        assert!(vital_rows().len() >= 5);
        assert!(unit_rows()
            .iter()
            .any(|r| r.iso == "mm(hg)" && r.ucum == "mm[Hg]"));
        assert_eq!(
            vital_sign_loinc("9A751000000000001").unwrap()["code"],
            "8480-6"
        );
        assert_eq!(
            vital_sign_loinc("9P10000000000001").unwrap()["code"],
            "8310-5"
        );
        assert!(vital_sign_loinc("3B035000002327201").is_none());
        assert_eq!(
            interpretation_of("H")["coding"][0]["system"],
            INTERPRETATION
        );
        assert_eq!(
            interpretation_of("Q")["coding"][0]["system"],
            "http://terminology.hl7.org/CodeSystem/v2-0078"
        );
        let q = ucum_unit(build_json!({"value": 1, "unit": "℃", "system": UCUM, "code": "cel"}));
        assert_eq!(q["code"], "Cel");
        let q = ucum_unit(build_json!({"value": 1, "unit": "x", "system": UCUM, "code": "zz"}));
        assert!(q.get("code").is_none());
    }
}

#[cfg(test)]
mod value_tests {
    use super::*;
    use crate::hl7v2::Message;
    use crate::v2_to_fhir::{data_type_of, Source};

    type Mapped = Option<(&'static str, Value)>;

    /// The value[x] and issues of each OBX of `obx_lines`.
    fn values(obx_lines: &[&str]) -> (Vec<Mapped>, Vec<String>) {
        let mut text = String::from(
            "MSH|^~\\&|HIS|1319999999|GW|GW|20260101||ORU^R01^ORU_R01|1|P|2.5\rPID|1||1^^^^PI\rOBR|1|A1\r",
        );
        for l in obx_lines {
            text.push_str(l);
            text.push('\r');
        }
        let message = Message::parse(&text).unwrap();
        let source = Source::default();
        let data_type = data_type_of(&message, Some("OMG-13")).unwrap();
        let input = Input::new(&message, &source, data_type).unwrap();
        let mut out = Output::default();
        let values = input
            .segments("OBX")
            .iter()
            .map(|obx| value(&mut out, obx))
            .collect();
        let mapped = out.finish(&input);
        let issues = mapped
            .issues
            .iter()
            .filter(|i| i.severity != crate::Severity::Information)
            .map(|i| {
                format!(
                    "{}: {}",
                    i.expression.clone().unwrap_or_default(),
                    i.message
                )
            })
            .collect();
        (values, issues)
    }

    #[test]
    fn value_types_pick_value_x() {
        let (v, issues) = values(&[
            "OBX|1|SN|X^x^99X||<^5|mg/dl^mg/dl^ISO+",
            "OBX|2|SN|X^x^99X||^1^:^128",
            "OBX|3|SN|X^x^99X||^10^-^20",
            "OBX|4|SN|X^x^99X||^2^+",
            "OBX|5|NM|X^x^99X||abc",
            "OBX|6|TX|X^x^99X||line 1~line 2",
            "OBX|7|CWE|X^x^99X||N^陰性^99Y",
            "OBX|8|DT|X^x^99X||20261201",
            "OBX|9|ED|X^x^99X||^AP^PDF^Base64^AAAA",
        ]);
        let (k, q) = v[0].clone().unwrap();
        assert_eq!(k, "valueQuantity");
        assert_eq!(q["comparator"], "<");
        assert_eq!(q["code"], "mg/dL");
        assert_eq!(v[1].clone().unwrap().0, "valueRatio");
        assert_eq!(v[1].clone().unwrap().1["denominator"]["value"], 128);
        assert_eq!(v[2].clone().unwrap().0, "valueRange");
        assert_eq!(v[3].clone().unwrap().1, "2+");
        assert_eq!(v[4].clone().unwrap(), ("valueString", build_json!("abc")));
        assert_eq!(v[5].clone().unwrap().1, "line 1\nline 2");
        assert_eq!(v[6].clone().unwrap().0, "valueCodeableConcept");
        assert_eq!(
            v[7].clone().unwrap(),
            ("valueDateTime", build_json!("2026-12-01"))
        );
        assert!(v[8].is_none());
        assert_eq!(issues.len(), 2, "{issues:?}");
        assert!(issues[0].starts_with("OBX[5]-5: "), "{issues:?}");
        assert!(issues[1].starts_with("OBX[9]-2: "), "{issues:?}");
    }
}

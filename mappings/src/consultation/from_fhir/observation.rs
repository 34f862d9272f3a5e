//! JP_Observation_VitalSigns → a native vital sign: the kind from the LOINC code
//! (`tables/consultation-vital-signs.csv`), the value as sent and its UCUM unit, the time, and who
//! measured (Kakehashi extension `vital-measured-by`).

use serde_json::{Map, Value};

use super::extensions::simple;
use super::input::Held;
use super::reader::{code_in, Problems};
use crate::consultation::to_fhir::codes::{find, vital_sign_by_loinc};
use crate::consultation::to_fhir::names::{extension_url, LOINC, VITAL_MEASURED_BY};
use crate::issue::IssueCode;

pub fn vital(held: &Held<'_>, p: &mut Problems) -> Value {
    let r = held.resource;
    let at = &held.at;
    let mut out = Map::new();
    match code_in(&r["code"], &format!("{at}.code"), LOINC) {
        Some((loinc, code_at)) => match vital_sign_by_loinc(loinc) {
            Some(sign) => {
                out.insert("kind".into(), sign.kind.clone().into());
            }
            None => p.push(
                IssueCode::CodeInvalid,
                code_at,
                format!("LOINC {loinc} is not a vital sign the record knows."),
            ),
        },
        None => p.missing(format!("{at}.code"), "The vital sign's LOINC code"),
    }
    let quantity = &r["valueQuantity"];
    let quantity_at = format!("{at}.valueQuantity");
    match &quantity["value"] {
        Value::Number(n) => {
            out.insert("value".into(), Value::Number(n.clone()));
        }
        _ => p.missing(format!("{quantity_at}.value"), "The numeric value"),
    }
    let unit = p
        .text(quantity, &quantity_at, "code")
        .or_else(|| p.text(quantity, &quantity_at, "unit"));
    match unit {
        Some(unit) => {
            out.insert("unit".into(), unit.into());
        }
        None => p.missing(format!("{quantity_at}.code"), "The UCUM unit"),
    }
    let measured = p.required_text(r, at, "effectiveDateTime", "The time of measurement");
    out.insert("measured".into(), measured.into());
    let url = extension_url(VITAL_MEASURED_BY);
    if let Some(v) = simple(r, at, &url, "valueCode", p) {
        match v
            .as_str()
            .filter(|c| find("vital-measured-by", c).is_some())
        {
            Some(code) => {
                out.insert("measuredBy".into(), code.into());
            }
            None => p.push(
                IssueCode::CodeInvalid,
                format!("{at}.extension"),
                "Who measured is not one of patient, nurse, family, device.",
            ),
        }
    }
    Value::Object(out)
}

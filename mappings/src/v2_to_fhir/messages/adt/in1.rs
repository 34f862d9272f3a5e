//! ADT-00 IN1 保険 → JP_Coverage and the insurer's JP_Organization (JAMI ConceptMap
//! segment-adt-00-in1-to-coverage): IN1-2 保険種別 → type, IN1-3 保険者番号 → payor (Organization with
//! the 保険者番号 system, jp-standards.md §1.5), IN1-4 保険者名 → the insurer's name, IN1-10 被保険者証記号
//! and IN1-11 被保険者証番号 → JP_Coverage_InsuredPersonSymbol / -Number and subscriberId (JP Core's
//! example form `"記号","番号"`), IN1-12/13 → period, IN1-17 本人・家族 (table 0063) → relationship.
//! The 枝番 and 公費負担者番号 (Coverage.class) are not mapped: JAHIS gives no field position for them that
//! this gateway can rely on.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::{codeable, date};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::{meta, Flavour};

pub const INSURER_NUMBER: &str = "http://jpfhir.jp/fhir/core/mhlw/IdSystem/InsurerNumber";
const EXT: &str = "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/";
const RELATIONSHIP: &str = "http://terminology.hl7.org/CodeSystem/subscriber-relationship";

/// Coverage.relationship (subscriber-relationship) for an HL7 table 0063 code.
fn relationship(code: &str) -> &'static str {
    match code {
        "SEL" => "self",
        "SPO" => "spouse",
        "CHD" => "child",
        "FTH" | "MTH" | "PAR" => "parent",
        _ => "other",
    }
}

pub fn map_coverages(input: &Input, out: &mut Output, patient: &str) {
    for in1 in input.segments("IN1") {
        map_coverage(input, out, patient, &in1);
    }
}

fn map_coverage(input: &Input, out: &mut Output, patient: &str, in1: &Seg) {
    let insurer_number = in1.text(3);
    let insurer_name = in1.component(4, 1);
    let symbol = in1.text(10);
    let number = in1.text(11);
    let payor = match (&insurer_number, &insurer_name) {
        (Some(n), _) => {
            let mut organization = build_json!({
                "resourceType": "Organization",
                "id": input.id(&["insurer", n]),
                "identifier": [{"system": INSURER_NUMBER, "value": n}],
            });
            if let Some(m) = meta("Organization", Flavour::Default) {
                organization["meta"] = m;
            }
            if let Some(name) = &insurer_name {
                organization["name"] = build_json!(name);
            }
            let mut r = build_json!({ "reference": out.push(organization) });
            if let Some(name) = &insurer_name {
                r["display"] = build_json!(name);
            }
            r
        }
        (None, Some(name)) => build_json!({ "display": name }),
        (None, None) => {
            out.warn(
                in1.position(3),
                "IN1-3 (保険者番号) and IN1-4 are empty; the Coverage names no insurer.",
            );
            build_json!({ "display": "不明" })
        }
    };
    let mut coverage = Map::new();
    coverage.insert("resourceType".into(), build_json!("Coverage"));
    coverage.insert(
        "id".into(),
        build_json!(input.id(&[
            "coverage",
            input.patient_id.as_deref().unwrap_or("-"),
            insurer_number.as_deref().unwrap_or("-"),
            symbol.as_deref().unwrap_or("-"),
            number.as_deref().unwrap_or("-"),
        ])),
    );
    if let Some(m) = meta("Coverage", Flavour::Default) {
        coverage.insert("meta".into(), m);
    }
    let mut extensions = Vec::new();
    if let Some(s) = &symbol {
        extensions.push(
            build_json!({"url": format!("{EXT}JP_Coverage_InsuredPersonSymbol"), "valueString": s}),
        );
    }
    if let Some(n) = &number {
        extensions.push(
            build_json!({"url": format!("{EXT}JP_Coverage_InsuredPersonNumber"), "valueString": n}),
        );
    }
    if !extensions.is_empty() {
        coverage.insert("extension".into(), Value::Array(extensions));
    }
    coverage.insert("status".into(), build_json!("active"));
    if let Some(kind) = in1.rep(2).and_then(|r| codeable(&r)) {
        coverage.insert("type".into(), kind);
    }
    let subscriber_id: Vec<String> = [&symbol, &number]
        .into_iter()
        .flatten()
        .map(|v| format!("\"{v}\""))
        .collect();
    if !subscriber_id.is_empty() {
        coverage.insert("subscriberId".into(), build_json!(subscriber_id.join(",")));
    }
    coverage.insert("beneficiary".into(), build_json!({ "reference": patient }));
    if let Some(rep) = in1.rep(17) {
        if let Some(mut concept) = codeable(&rep) {
            if let Some(code) = rep.text(1) {
                let coding = build_json!({"system": RELATIONSHIP, "code": relationship(&code)});
                match concept.get_mut("coding").and_then(Value::as_array_mut) {
                    Some(codings) => codings.push(coding),
                    None => concept["coding"] = build_json!([coding]),
                }
            }
            coverage.insert("relationship".into(), concept);
        }
    }
    let mut period = Map::new();
    for (field, key) in [(12, "start"), (13, "end")] {
        if let Some(raw) = in1.text(field) {
            match date(&raw) {
                Ok(d) => {
                    period.insert(key.into(), build_json!(d));
                }
                Err(why) => out.warn(in1.position(field), why),
            }
        }
    }
    if !period.is_empty() {
        coverage.insert("period".into(), Value::Object(period));
    }
    coverage.insert("payor".into(), build_json!([payor]));
    out.push(Value::Object(coverage));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_0063_relationships() {
        assert_eq!(relationship("SEL"), "self");
        assert_eq!(relationship("MTH"), "parent");
        assert_eq!(relationship("GRD"), "other");
    }
}

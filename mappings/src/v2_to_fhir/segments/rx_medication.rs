//! The drugs of an injection order group (RDE^O11 OMP-02 and RDS^O13 injection dispenses) as the
//! contained JP_Medication their resource points at with `medicationReference` (JP Core 1.1.1
//! JP_MedicationRequest_Injection / JP_MedicationDispense_Injection examples: one ingredient per 薬剤,
//! strength per 1 回 in MERIT-9 `TIME`).

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::codeable;
use crate::v2_to_fhir::input::Seg;
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::segments::rx_dosage::{quantity, UnitParts};

const DRUG_NO: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Medication_Ingredient_DrugNo";
/// MERIT-9 剤形 (field 6 `INJ` 注射剤 under the v2 name `MR9P`).
const MERIT9_FORM: &str = "http://jpfhir.jp/fhir/core/CodeSystem/JP_MedicationFormMERIT9_CS";
/// MERIT-9 単位 (the system `coding.rs` gives `MR9P` units).
const MERIT9_UNIT: &str = "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/MedicationUnitMERIT9Code";

/// The injection's drugs as a contained JP_Medication: one ingredient per RXC (RXC-2 drug, RXC-3/4
/// amount per 1 回), numbered with JP_Medication_Ingredient_DrugNo; the form from field 6 and, when
/// there is no RXC, the code from field 2 of `head` (RXE-6 / RXE-2 of an order, RXD-6 / RXD-2 of a
/// dispense: HL7 v2.5 numbers the dosage form and the give code alike in both).
pub fn contained_medication(head: &Seg, rxcs: &[Seg], out: &mut Output) -> Value {
    let mut medication = Map::new();
    medication.insert("resourceType".into(), build_json!("Medication"));
    medication.insert("id".into(), build_json!("medication"));
    medication.insert(
        "meta".into(),
        build_json!({"profile": ["http://jpfhir.jp/fhir/core/StructureDefinition/JP_Medication"]}),
    );
    medication.insert("status".into(), build_json!("active"));
    if let Some(rep) = head.rep(6) {
        if let Some(mut form) = codeable(&rep) {
            if rep.text(3).as_deref() == Some("MR9P") {
                form["coding"][0]["system"] = build_json!(MERIT9_FORM);
            }
            medication.insert("form".into(), form);
        }
    }
    let mut ingredients = Vec::new();
    for (i, rxc) in rxcs.iter().enumerate() {
        let Some(item) = rxc.rep(2).as_ref().and_then(codeable) else {
            out.warn(
                rxc.position(2),
                "RXC-2 (成分コード) is empty: the component is not mapped.",
            );
            continue;
        };
        if rxc
            .rep(2)
            .is_some_and(|r| r.text(1).is_some() && r.text(3).is_none())
        {
            out.warn(
                format!("{}.3", rxc.position(2)),
                "The drug code has no coding system (RXC-2.3): its coding has no system.",
            );
        }
        let numerator = rxc.text(3).and_then(|v| {
            let unit = rxc.rep(4);
            let q = quantity(&v, unit.as_ref().map(UnitParts::Components));
            if q.is_none() {
                out.warn(
                    rxc.position(3),
                    format!("'{v}' is not a number; the amount is not mapped."),
                );
            }
            q
        });
        let mut ingredient = Map::new();
        ingredient.insert(
            "extension".into(),
            build_json!([{"url": DRUG_NO, "valueInteger": i + 1}]),
        );
        ingredient.insert("itemCodeableConcept".into(), item);
        // JP_Medication requires a strength: the amount per 1 回 (MERIT-9 `TIME`), as JP Core's example.
        let mut strength = Map::new();
        if let Some(numerator) = numerator {
            strength.insert("numerator".into(), numerator);
        }
        strength.insert(
            "denominator".into(),
            build_json!({"value": 1, "unit": "回", "system": MERIT9_UNIT, "code": "TIME"}),
        );
        ingredient.insert("strength".into(), Value::Object(strength));
        ingredients.push(Value::Object(ingredient));
    }
    if ingredients.is_empty() {
        if let Some(code) = head.rep(2).as_ref().and_then(codeable) {
            medication.insert("code".into(), code);
        }
    } else {
        medication.insert("ingredient".into(), Value::Array(ingredients));
    }
    Value::Object(medication)
}

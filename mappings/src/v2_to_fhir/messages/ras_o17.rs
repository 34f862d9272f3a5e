//! OMP-11 / OMP-12 (RAS^O17 処方実施通知 / 注射実施通知) → JP_MedicationAdministration(_Injection), after
//! the JAMI ConceptMaps message-omp-12-to-bundle and segment-omp-12-rxa-to-medicationadministration: one
//! MedicationAdministration per RXA (RXA-3/4 times, RXA-5 drug, RXA-6/7 amount, RXA-9 note, RXA-10
//! performer, RXA-20 completion status, the RXR after it), `request` pointing at the MedicationRequest
//! the RDE^O11 mapping gives the same ORC-2/ORC-4 (`OrderKey::request_id`). The order's own RXE, TQ1,
//! RXR and RXC are "disjoint" in the ConceptMap (協議中) and left reported as not mapped.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::{codeable, date_time};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::profiles::{meta, Flavour};
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::rx_dosage::{amount, route};
use crate::v2_to_fhir::segments::rx_order::{blocks, items, order_type, Item, OrderKey};
use crate::v2_to_fhir::segments::rx_people::practitioner;

const EXT: &str = "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/";
const DRUG_NO: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Medication_Ingredient_DrugNo";
const MERIT9_UNIT: &str = "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/MedicationUnitMERIT9Code";

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    let injection = input.data_type.data_type == "OMP-12";
    let mut count = 0;
    for block in blocks(input) {
        let Some(orc) = block.orc else {
            block.refuse_orphans(out);
            continue;
        };
        let (mut rxas, _) = items(&block, "RXA");
        // JAHIS sends one RXR after all the RXA of an administration: it applies to each of them.
        let mut shared = Vec::new();
        for item in rxas.iter_mut().rev() {
            if item.rxr.is_empty() {
                item.rxr = shared.clone();
            } else {
                shared = item.rxr.clone();
            }
        }
        if rxas.is_empty() {
            out.warn(
                orc.position(0),
                "ORC without an RXA: no MedicationAdministration for it.",
            );
            continue;
        }
        let key = OrderKey::of(&block, out);
        let context = OrderContext::of(input, out, &orc);
        for item in &rxas {
            administration(input, out, &key, &context, item, &patient, injection);
            count += 1;
        }
    }
    if count == 0 && input.segment("RXA").is_none() {
        return Err(MapError::MissingSegment {
            segment: "RXA".into(),
        });
    }
    Ok(())
}

/// What the ORC says about the order, as JP_MedicationAdministration's Request* extensions and category.
struct OrderContext {
    extensions: Vec<Value>,
    category: Option<Value>,
}

impl OrderContext {
    fn of(input: &Input, out: &mut Output, orc: &Seg) -> OrderContext {
        let mut extensions = Vec::new();
        if let Some(dept) = orc.rep(17).as_ref().and_then(codeable) {
            extensions.push(build_json!({"url": format!("{EXT}JP_MedicationAdministration_RequestDepartment"), "valueCodeableConcept": dept}));
        }
        if let Some(requester) = practitioner(input, out, orc, 12) {
            extensions.push(build_json!({"url": format!("{EXT}JP_MedicationAdministration_Requester"), "valueReference": {"reference": requester}}));
        }
        if let Some(ts) = orc.text(9) {
            match date_time(&ts) {
                Ok(v) => extensions.push(build_json!({"url": format!("{EXT}JP_MedicationAdministration_RequestAuthoredOn"), "valueDateTime": v})),
                Err(why) => out.warn(orc.position(9), why),
            }
        }
        OrderContext {
            extensions,
            category: order_type(orc),
        }
    }
}

fn administration(
    input: &Input,
    out: &mut Output,
    key: &OrderKey,
    context: &OrderContext,
    item: &Item,
    patient: &str,
    injection: bool,
) {
    let rxa = &item.head;
    let flavour = if injection {
        Flavour::Injection
    } else {
        Flavour::Default
    };
    let index = key.index.to_string();
    let sub = rxa.text(2).unwrap_or_else(|| rxa.occurrence().to_string());
    let give = rxa.text(1).unwrap_or_else(|| "-".into());
    let mut parts = vec!["medadmin"];
    parts.extend(key.id_parts());
    parts.extend([index.as_str(), give.as_str(), sub.as_str()]);
    let mut ma = Map::new();
    ma.insert(
        "resourceType".into(),
        build_json!("MedicationAdministration"),
    );
    ma.insert("id".into(), build_json!(input.id(&parts)));
    if let Some(m) = meta("MedicationAdministration", flavour) {
        ma.insert("meta".into(), m);
    }
    if !context.extensions.is_empty() {
        ma.insert("extension".into(), build_json!(&context.extensions));
    }
    ma.insert("identifier".into(), build_json!(key.identifiers(injection)));
    ma.insert("status".into(), build_json!(status(rxa)));
    if let Some(category) = &context.category {
        ma.insert("category".into(), category.clone());
    }
    let dose = amount(rxa, 6, 7, out);
    match rxa.rep(5) {
        Some(rep) => {
            if rep.text(1).is_some() && rep.text(3).is_none() {
                out.warn(
                    rep.at(3),
                    "The drug code has no coding system (RXA-5.3): its coding has no system.",
                );
            }
            if let Some(drug) = codeable(&rep) {
                if injection {
                    ma.insert(
                        "contained".into(),
                        build_json!([medication(drug, dose.clone())]),
                    );
                    ma.insert(
                        "medicationReference".into(),
                        build_json!({"reference": "#medication"}),
                    );
                } else {
                    ma.insert("medicationCodeableConcept".into(), drug);
                }
            }
        }
        None => out.error(
            rxa.position(5),
            "RXA-5 (投薬コード) is empty: the administration names no drug.",
        ),
    }
    ma.insert("subject".into(), build_json!({"reference": patient}));
    let start = time(rxa, 3, out);
    let end = time(rxa, 4, out);
    match (start, end) {
        (Some(s), Some(e)) if s != e => {
            ma.insert(
                "effectivePeriod".into(),
                build_json!({"start": s, "end": e}),
            );
        }
        (Some(s), _) => {
            ma.insert("effectiveDateTime".into(), build_json!(s));
        }
        (None, Some(e)) => {
            ma.insert("effectivePeriod".into(), build_json!({"end": e}));
        }
        (None, None) => out.error(
            rxa.position(3),
            "RXA-3 (投薬開始日時) is empty: the administration has no time.",
        ),
    }
    if let Some(performer) = practitioner(input, out, rxa, 10) {
        ma.insert(
            "performer".into(),
            build_json!([{"actor": {"reference": performer}}]),
        );
    }
    ma.insert(
        "request".into(),
        build_json!({"reference": format!("MedicationRequest/{}", key.request_id(input))}),
    );
    let notes: Vec<Value> = rxa
        .reps(9)
        .iter()
        .filter_map(|r| r.text(2).or_else(|| r.text(1)))
        .map(|t| build_json!({"text": t}))
        .collect();
    if !notes.is_empty() {
        ma.insert("note".into(), Value::Array(notes));
    }
    let mut dosage = Map::new();
    if let Some(site) = route(&item.rxr, injection, patient, &mut dosage) {
        match ma.get_mut("contained").and_then(Value::as_array_mut) {
            Some(list) => list.push(site),
            None => {
                ma.insert("contained".into(), build_json!([site]));
            }
        }
    }
    if let Some(dose) = dose {
        dosage.insert("dose".into(), dose);
    }
    if !dosage.is_empty() {
        ma.insert("dosage".into(), Value::Object(dosage));
    }
    out.push(Value::Object(ma));
}

fn time(rxa: &Seg, field: usize, out: &mut Output) -> Option<String> {
    let ts = rxa.text(field)?;
    match date_time(&ts) {
        Ok(v) => Some(v),
        Err(why) => {
            out.warn(rxa.position(field), why);
            None
        }
    }
}

/// RXA-20 completion status (HL7 table 0322) and RXA-21 action code (0323) → MedicationAdministration.status.
fn status(rxa: &Seg) -> &'static str {
    if rxa.text(21).as_deref() == Some("D") {
        return "entered-in-error";
    }
    match rxa.text(20).as_deref() {
        None | Some("CP") | Some("PA") => "completed",
        Some("RE") | Some("NA") => "not-done",
        _ => "unknown",
    }
}

/// The injected drug as a contained JP_Medication with one ingredient (its amount per 1 回).
fn medication(drug: Value, dose: Option<Value>) -> Value {
    let mut strength = Map::new();
    if let Some(dose) = dose {
        strength.insert("numerator".into(), dose);
    }
    strength.insert(
        "denominator".into(),
        build_json!({"value": 1, "unit": "回", "system": MERIT9_UNIT, "code": "TIME"}),
    );
    build_json!({
        "resourceType": "Medication",
        "id": "medication",
        "meta": {"profile": ["http://jpfhir.jp/fhir/core/StructureDefinition/JP_Medication"]},
        "status": "active",
        "ingredient": [{
            "extension": [{"url": DRUG_NO, "valueInteger": 1}],
            "itemCodeableConcept": drug,
            "strength": strength,
        }],
    })
}

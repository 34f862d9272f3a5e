//! OMP-01 / OMP-02 (RDE^O11 処方オーダ / 注射オーダ) → JP_MedicationRequest / JP_MedicationRequest_Injection,
//! after the JAMI ConceptMaps message-omp-01-to-bundle and segment-omp-01-rxe-to-medicationrequest and JP
//! Core 1.1.1 (jp-standards.md §1.7): one MedicationRequest per RXE with its ORC, TQ1, RXR and RXC.
//! Injections carry their drugs (RXC, 基剤 / 添加剤) as a contained JP_Medication with one ingredient per
//! RXC. PV1, IN1 and AL1 are left to their own mappers (reported as not mapped here).

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::{codeable, date_time};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::profiles::{meta, Flavour};
use crate::v2_to_fhir::segments::al1::map_allergies;
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::pv1::map_encounter;
use crate::v2_to_fhir::segments::rx_dosage::{amount, dosage_instruction};
use crate::v2_to_fhir::segments::rx_medication::contained_medication;
use crate::v2_to_fhir::segments::rx_order::{
    blocks, items, order_type, prescription_identifier, request_status, Item, OrderKey,
};
use crate::v2_to_fhir::segments::rx_people::{orderer, practitioner};

const INSTRUCTION_FOR_DISPENSE: &str = "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_MedicationRequest_DispenseRequest_InstructionForDispense";
const EXPECTED_REPEAT_COUNT: &str = "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_MedicationRequest_DispenseRequest_ExpectedRepeatCount";
/// MERIT-9 処方区分 (RXE-21 `OHP`, `OHI`, `OHO`, `IHP`): the category code system of JP Core, not the
/// MERIT-9 unit table the same v2 name `MR9P` means elsewhere.
const MERIT9_CATEGORY: &str =
    "http://jpfhir.jp/fhir/core/CodeSystem/JP_MedicationCategoryMERIT9_CS";
/// JAHIS 処方区分 JHSP0003 `22` 頓用.
const AS_NEEDED: &str = "22";

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    // RDE_O11 carries the visit (PV1) and the patient's allergies (AL1), as the JAMI message map says.
    let encounter = map_encounter(input, out);
    map_allergies(input, out, &patient);
    let injection = input.data_type.data_type == "OMP-02";
    let mut requests = 0;
    for block in blocks(input) {
        let Some(orc) = block.orc else {
            block.refuse_orphans(out);
            continue;
        };
        let (rxes, _) = items(&block, "RXE");
        if rxes.is_empty() {
            out.warn(
                orc.position(0),
                "ORC without an RXE: no MedicationRequest for it.",
            );
            continue;
        }
        let mut key = OrderKey::of(&block, out);
        let first = key.index;
        for (i, item) in rxes.iter().enumerate() {
            key.index = first + i;
            request(input, out, &orc, item, &key, &patient, injection);
            requests += 1;
        }
    }
    // Orphan RXEs were reported as errors above; a message with no RXE at all is not an order.
    if requests == 0 && input.segment("RXE").is_none() {
        return Err(MapError::MissingSegment {
            segment: "RXE".into(),
        });
    }
    if let Some(encounter) = encounter {
        out.set_where_absent(
            "MedicationRequest",
            "encounter",
            &build_json!({ "reference": encounter }),
        );
    }
    Ok(())
}

fn request(
    input: &Input,
    out: &mut Output,
    orc: &Seg,
    item: &Item,
    key: &OrderKey,
    patient: &str,
    injection: bool,
) {
    let rxe = &item.head;
    let flavour = if injection {
        Flavour::Injection
    } else {
        Flavour::Default
    };
    let mut mr = Map::new();
    mr.insert("resourceType".into(), build_json!("MedicationRequest"));
    mr.insert("id".into(), build_json!(key.request_id(input)));
    if let Some(m) = meta("MedicationRequest", flavour) {
        mr.insert("meta".into(), m);
    }
    let mut identifiers = key.identifiers(injection);
    // RXE-15 処方箋番号.
    if let Some(number) = rxe.text(15) {
        identifiers.push(prescription_identifier(input, &number));
    }
    mr.insert("identifier".into(), Value::Array(identifiers));
    mr.insert("status".into(), build_json!(request_status(Some(orc))));
    mr.insert("intent".into(), build_json!("order"));

    let categories = categories(orc, rxe, injection);
    let as_needed = categories.iter().any(|c| {
        c["coding"][0]["code"] == AS_NEEDED
            && c["coding"][0]["system"]
                .as_str()
                .is_some_and(|s| s.ends_with("JHSP0003"))
    });
    if !categories.is_empty() {
        mr.insert("category".into(), Value::Array(categories));
    }

    // The drug: RXE-2 (HOT9 / HOT / YJ) for prescriptions; the RXC components for injections, whose RXE-2
    // is the 注射種別 (JHSI0002, in `categories`).
    if injection {
        let medication = contained_medication(rxe, &item.rxc, out);
        mr.insert("contained".into(), build_json!([medication]));
        mr.insert(
            "medicationReference".into(),
            build_json!({"reference": "#medication"}),
        );
    } else {
        match rxe.rep(2) {
            Some(rep) => {
                if rep.text(1).is_some() && rep.text(3).is_none() {
                    out.warn(
                        rep.at(3),
                        "The drug code has no coding system (RXE-2.3): its coding has no system.",
                    );
                }
                if let Some(mut drug) = codeable(&rep) {
                    // RXE-31 補足コード (SS-MIX2 1.2g): further codes of the same drug (a YJ code beside
                    // the HOT9), as further codings.
                    for extra in rxe.reps(31).iter().filter_map(codeable) {
                        if let (Some(list), Some(more)) = (
                            drug.get_mut("coding").and_then(Value::as_array_mut),
                            extra["coding"].as_array(),
                        ) {
                            list.extend(more.iter().cloned());
                        }
                    }
                    mr.insert("medicationCodeableConcept".into(), drug);
                }
            }
            None => out.error(
                rxe.position(2),
                "RXE-2 (与薬コード) is empty: the order names no drug.",
            ),
        }
        for rxc in &item.rxc {
            out.warn(
                rxc.position(0),
                "RXC in a prescription (OMP-01) order is not mapped.",
            );
        }
    }
    mr.insert("subject".into(), build_json!({"reference": patient}));
    // RXE-32 当初のオーダ日時 (the ConceptMap's authoredOn), else ORC-9 (the transaction time, which
    // SS-MIX2 also uses as the 診療日 of the order).
    let authored = match rxe.text(32) {
        Some(ts) => Some((ts, rxe.position(32))),
        None => orc.text(9).map(|ts| (ts, orc.position(9))),
    };
    if rxe.text(32).is_some() {
        orc.mark(&[9]);
    }
    if let Some((ts, position)) = authored {
        match date_time(&ts) {
            Ok(v) => {
                mr.insert("authoredOn".into(), build_json!(v));
            }
            Err(why) => out.warn(position, why),
        }
    } else {
        out.warn(
            orc.position(9),
            "Neither RXE-32 nor ORC-9 gives the order time: JP_MedicationRequest.authoredOn (1..1) is missing.",
        );
    }
    if let Some(requester) = orderer(input, out, orc) {
        mr.insert("requester".into(), build_json!({"reference": requester}));
    }
    if let Some(recorder) = practitioner(input, out, orc, 10) {
        mr.insert("recorder".into(), build_json!({"reference": recorder}));
    }

    let (dosage, site) = dosage_instruction(
        Some(rxe),
        &item.tq1,
        &item.rxr,
        injection,
        as_needed,
        patient,
        out,
    );
    mr.insert("dosageInstruction".into(), build_json!([dosage]));
    if let Some(site) = site {
        match mr.get_mut("contained").and_then(Value::as_array_mut) {
            Some(list) => list.push(site),
            None => {
                mr.insert("contained".into(), build_json!([site]));
            }
        }
    }
    let dispense = dispense_request(item, injection, out);
    if !dispense.is_empty() {
        mr.insert("dispenseRequest".into(), Value::Object(dispense));
    }
    out.push(Value::Object(mr));
}

/// ORC-29 (入院 / 外来), RXE-21 (MERIT-9 処方区分, JHSI0001 注射区分), RXE-27 (JHSP0003 処方区分), and for
/// injections RXE-2 (JHSI0002 注射種別).
fn categories(orc: &Seg, rxe: &Seg, injection: bool) -> Vec<Value> {
    let mut list: Vec<Value> = Vec::new();
    list.extend(order_type(orc));
    for rep in rxe.reps(21) {
        if let Some(mut c) = codeable(&rep) {
            if rep.text(3).as_deref() == Some("MR9P") {
                c["coding"][0]["system"] = build_json!(MERIT9_CATEGORY);
            }
            list.push(c);
        }
    }
    list.extend(rxe.rep(27).as_ref().and_then(codeable));
    if injection {
        list.extend(rxe.rep(2).as_ref().and_then(codeable));
    }
    list
}

/// RXE-7 依頼者の投薬指示 (調剤指示), RXE-10/11 調剤量, RXE-12 同一薬発行数, TQ1-14 頓用回数.
fn dispense_request(item: &Item, injection: bool, out: &mut Output) -> Map<String, Value> {
    let rxe = &item.head;
    let mut dr = Map::new();
    let mut extensions: Vec<Value> = rxe
        .rep(7)
        .as_ref()
        .and_then(codeable)
        .map(|c| build_json!({"url": INSTRUCTION_FOR_DISPENSE, "valueCodeableConcept": c}))
        .into_iter()
        .collect();
    let occurrences = if injection {
        None
    } else {
        item.tq1.iter().find_map(|t| t.text(14))
    };
    if let Some(n) = occurrences.and_then(|n| n.parse::<i64>().ok()) {
        extensions.push(build_json!({"url": EXPECTED_REPEAT_COUNT, "valueInteger": n}));
    }
    if !extensions.is_empty() {
        dr.insert("extension".into(), Value::Array(extensions));
    }
    if let Some(q) = amount(rxe, 10, 11, out) {
        dr.insert("quantity".into(), q);
    }
    if let Some(n) = rxe.text(12) {
        match n.parse::<u32>() {
            Ok(n) => {
                dr.insert("numberOfRepeatsAllowed".into(), build_json!(n));
            }
            Err(_) => out.warn(rxe.position(12), format!("'{n}' is not a whole number.")),
        }
    }
    dr
}

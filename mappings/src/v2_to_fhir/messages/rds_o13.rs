//! RDS^O13 (JAHIS 処方データ交換規約 調剤実施, HL7 v2.5 ch. 4 Pharmacy/Treatment Dispense) →
//! JP_MedicationDispense / JP_MedicationDispense_Injection (JP Core 1.1.1). Not an SS-MIX2 standard
//! storage data type: `ssmix2-data-types.csv` lists it as the extended-storage style
//! `L-DISPENSE^DISPENSE^99ZKH` (a Kakehashi-local name) so that it maps, stores and exports like the rest.
//!
//! RDS_O13: MSH [PID [PV1]] { ORC [RXO] [RXE {TQ1} {RXR} {RXC}] RXD {RXR} {RXC} [{OBX}] }. One
//! MedicationDispense per RXD: RXD-2 drug (injections: the RXC after the RXD as a contained
//! JP_Medication, as the RDE^O11 mapper builds it; RXD-2 when there is no RXC), RXD-3 whenHandedOver,
//! RXD-4/5 quantity, RXD-7 処方箋番号, RXD-9 notes, RXD-10 performer, RXD-11 substitution (HL7 table
//! 0167), RXD-12 1日量 when the RXE gives none; the dosageInstruction from the order's RXE, TQ1 and RXR
//! (the RXR after the RXD when it has its own) built as MedicationRequest.dosageInstruction is; the Rp
//! number and RP内連番 from ORC-4 and `authorizingPrescription` pointing at the MedicationRequest the
//! RDE^O11 mapping gives the same ORC-2/ORC-4 (`OrderKey::request_id`). An injection is told by content,
//! as `data_type_of` tells OMP-02 from OMP-01: the message has RXC segments or an RXE-2/RXD-2 in
//! JHSI0002 (注射種別). RXO, OBX and the fields named nowhere here stay reported as not mapped.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::{codeable, date_time};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::profiles::{meta, Flavour};
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::pv1::map_encounter;
use crate::v2_to_fhir::segments::rx_dosage::{amount, dosage_instruction, dose_per_day};
use crate::v2_to_fhir::segments::rx_medication::contained_medication;
use crate::v2_to_fhir::segments::rx_order::{
    blocks, items, order_type, prescription_identifier, Block, Item, OrderKey,
};
use crate::v2_to_fhir::segments::rx_people::practitioner;

/// HL7 v3 substanceAdminSubstitution, the code system of MedicationDispense.substitution.type.
const SUBSTITUTION: &str = "http://terminology.hl7.org/CodeSystem/v3-substanceAdminSubstitution";
/// JAHIS 注射種別 (RXE-2 / RXD-2 of an injection).
const INJECTION_TYPE: &str = "JHSI0002";

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    let encounter = map_encounter(input, out);
    let injection = is_injection(input);
    let mut count = 0;
    for block in blocks(input) {
        let Some(orc) = block.orc else {
            block.refuse_orphans(out);
            continue;
        };
        // The order part (RXO, RXE and its TQ1/RXR/RXC) ends at the first RXD.
        let Some(split) = block.segments.iter().position(|s| s.name() == "RXD") else {
            out.warn(
                orc.position(0),
                "ORC without an RXD: no MedicationDispense for it.",
            );
            continue;
        };
        let (rxes, before) = items(&part(&block, &block.segments[..split]), "RXE");
        let (rxds, _) = items(&part(&block, &block.segments[split..]), "RXD");
        let order = Order {
            rxe: rxes.into_iter().next(),
            tq1: before.into_iter().filter(|s| s.name() == "TQ1").collect(),
            key: OrderKey::of(&block, out),
            category: order_type(&orc),
        };
        for item in &rxds {
            dispense(input, out, &order, item, &patient, injection);
            count += 1;
        }
    }
    if count == 0 && input.segment("RXD").is_none() {
        return Err(MapError::MissingSegment {
            segment: "RXD".into(),
        });
    }
    if let Some(encounter) = encounter {
        out.set_where_absent(
            "MedicationDispense",
            "context",
            &build_json!({ "reference": encounter }),
        );
    }
    Ok(())
}

/// What the order part of a group gives each of its dispenses.
struct Order<'a> {
    /// The RXE with its TQ1, RXR and RXC (a second RXE is not RDS_O13 and stays reported).
    rxe: Option<Item<'a>>,
    /// TQ1 of a group without an RXE.
    tq1: Vec<Seg<'a>>,
    key: OrderKey,
    /// ORC-29 入院 / 外来.
    category: Option<Value>,
}

/// The segments of one part of a group, as a group of their own (for `items`).
fn part<'a>(block: &Block<'a>, segments: &[Seg<'a>]) -> Block<'a> {
    Block {
        orc: block.orc,
        segments: segments.to_vec(),
        index_in_rp: block.index_in_rp,
        ordinal: block.ordinal,
    }
}

/// Whether the message is an injection dispense (read raw, so that telling does not mark fields read).
fn is_injection(input: &Input) -> bool {
    let message = input.message;
    let coded_as_type = |name: &str| {
        message.segments_named(name).any(|seg| {
            seg.field(2)
                .and_then(|f| f.repetitions().first())
                .and_then(|r| r.component(3))
                .is_some_and(|c| c.join(message.delimiters()).trim() == INJECTION_TYPE)
        })
    };
    message.segments_named("RXC").next().is_some() || coded_as_type("RXE") || coded_as_type("RXD")
}

fn dispense(
    input: &Input,
    out: &mut Output,
    order: &Order,
    item: &Item,
    patient: &str,
    injection: bool,
) {
    let rxd = &item.head;
    let key = &order.key;
    let flavour = if injection {
        Flavour::Injection
    } else {
        Flavour::Default
    };
    let index = key.index.to_string();
    let sub = rxd.text(1).unwrap_or_else(|| rxd.occurrence().to_string());
    let mut parts = vec!["meddisp"];
    parts.extend(key.id_parts());
    parts.extend([index.as_str(), sub.as_str()]);
    let mut md = Map::new();
    md.insert("resourceType".into(), build_json!("MedicationDispense"));
    md.insert("id".into(), build_json!(input.id(&parts)));
    if let Some(m) = meta("MedicationDispense", flavour) {
        md.insert("meta".into(), m);
    }
    let mut identifiers = key.identifiers(injection);
    // RXD-7 処方箋番号.
    if let Some(number) = rxd.text(7) {
        identifiers.push(prescription_identifier(input, &number));
    }
    md.insert("identifier".into(), Value::Array(identifiers));
    md.insert("status".into(), build_json!("completed"));
    if let Some(category) = &order.category {
        md.insert("category".into(), category.clone());
    }
    let mut contained = Vec::new();
    if injection && !item.rxc.is_empty() {
        contained.push(contained_medication(rxd, &item.rxc, out));
        md.insert(
            "medicationReference".into(),
            build_json!({"reference": "#medication"}),
        );
    } else {
        match rxd.rep(2) {
            Some(rep) => {
                if rep.text(1).is_some() && rep.text(3).is_none() {
                    out.warn(
                        rep.at(3),
                        "The drug code has no coding system (RXD-2.3): its coding has no system.",
                    );
                }
                if injection {
                    contained.push(contained_medication(rxd, &[], out));
                    md.insert(
                        "medicationReference".into(),
                        build_json!({"reference": "#medication"}),
                    );
                } else if let Some(drug) = codeable(&rep) {
                    md.insert("medicationCodeableConcept".into(), drug);
                }
            }
            None => out.error(
                rxd.position(2),
                "RXD-2 (調剤コード) is empty: the dispense names no drug.",
            ),
        }
    }
    md.insert("subject".into(), build_json!({"reference": patient}));
    if let Some(performer) = practitioner(input, out, rxd, 10) {
        md.insert(
            "performer".into(),
            build_json!([{"actor": {"reference": performer}}]),
        );
    }
    md.insert(
        "authorizingPrescription".into(),
        build_json!([{"reference": format!("MedicationRequest/{}", key.request_id(input))}]),
    );
    match amount(rxd, 4, 5, out) {
        Some(q) => {
            md.insert("quantity".into(), q);
        }
        None if rxd.text(4).is_none() => out.warn(
            rxd.position(4),
            "RXD-4 (実調剤量) is empty: JP_MedicationDispense.quantity (1..1) is missing.",
        ),
        None => {}
    }
    // RXD-3 調剤日時: the one time v2.5 gives a dispense, the hand-over JP Core requires (whenPrepared is
    // not guessed from it).
    match rxd.text(3).map(|ts| date_time(&ts)) {
        Some(Ok(v)) => {
            md.insert("whenHandedOver".into(), build_json!(v));
        }
        Some(Err(why)) => out.warn(rxd.position(3), why),
        None => out.warn(
            rxd.position(3),
            "RXD-3 (調剤日時) is empty: JP_MedicationDispense.whenHandedOver (1..1) is missing.",
        ),
    }
    let notes: Vec<Value> = rxd
        .reps(9)
        .iter()
        .filter_map(|r| r.text(2).or_else(|| r.text(1)))
        .map(|t| build_json!({"text": t}))
        .collect();
    if !notes.is_empty() {
        md.insert("note".into(), Value::Array(notes));
    }
    let (dosage, site) = dosage(input, order, item, injection, patient, out);
    md.insert("dosageInstruction".into(), build_json!([dosage]));
    contained.extend(site);
    if let Some(substitution) = substitution(rxd, out) {
        md.insert("substitution".into(), substitution);
    }
    out.push(Value::Object(with_contained(md, contained)));
}

/// The resource with `contained` after `meta`, where JP Core's examples have it.
fn with_contained(md: Map<String, Value>, contained: Vec<Value>) -> Map<String, Value> {
    if contained.is_empty() {
        return md;
    }
    let mut ordered = Map::new();
    let mut contained = Some(Value::Array(contained));
    for (k, v) in md {
        let after = k == "meta";
        ordered.insert(k, v);
        if after {
            if let Some(c) = contained.take() {
                ordered.insert("contained".into(), c);
            }
        }
    }
    if let Some(c) = contained {
        ordered.insert("contained".into(), c);
    }
    ordered
}

/// The order's Dosage (`dosage_instruction`, as MedicationRequest has it) with the RXR after the RXD
/// when there is one, and RXD-12 1日量 when the RXE gives no RXE-19.
fn dosage(
    input: &Input,
    order: &Order,
    item: &Item,
    injection: bool,
    patient: &str,
    out: &mut Output,
) -> (Map<String, Value>, Option<Value>) {
    let rxe = order.rxe.as_ref();
    let tq1 = rxe.map_or(order.tq1.as_slice(), |i| i.tq1.as_slice());
    let rxr = match rxe {
        Some(i) if item.rxr.is_empty() => i.rxr.as_slice(),
        _ => item.rxr.as_slice(),
    };
    let as_needed = rxe.is_some_and(|i| is_as_needed(input, &i.head));
    let (mut d, site) = dosage_instruction(
        rxe.map(|i| &i.head),
        tq1,
        rxr,
        injection,
        as_needed,
        patient,
        out,
    );
    let has_rate = d
        .get("doseAndRate")
        .and_then(|v| v.get(0))
        .is_some_and(|r| r.get("rateRatio").is_some());
    if !injection && !has_rate {
        if let Some(per_day) = dose_per_day(&item.head, 12, out) {
            match d
                .get_mut("doseAndRate")
                .and_then(|v| v.get_mut(0))
                .and_then(Value::as_object_mut)
            {
                Some(first) => {
                    first.insert("rateRatio".into(), per_day);
                }
                None => {
                    d.insert("doseAndRate".into(), build_json!([{"rateRatio": per_day}]));
                }
            }
        }
    }
    (d, site)
}

/// RXE-27 処方区分 `22^頓用^JHSP0003`: read (and so marked) only when it is 頓用, the one value the
/// dispense's Dosage carries (asNeededBoolean); other 処方区分 stay reported.
fn is_as_needed(input: &Input, rxe: &Seg) -> bool {
    let raw = |c: usize| {
        let path = format!("{}-27.{c}", rxe.position(0));
        input.message.value(&path).map(|v| v.trim().to_string())
    };
    let yes = raw(1).as_deref() == Some("22") && raw(3).as_deref() == Some("JHSP0003");
    if yes {
        rxe.mark(&[27]);
    }
    yes
}

/// RXD-11 substitution status (HL7 table 0167) → substitution: `G` generic and `T` therapeutic
/// substitution, `N` none; the other values (reasons for not substituting) are reported.
fn substitution(rxd: &Seg, out: &mut Output) -> Option<Value> {
    let status = rxd.text(11)?;
    let (was, code, display) = match status.as_str() {
        "G" => (true, "G", "generic composition"),
        "T" => (true, "TE", "therapeutic alternative"),
        "N" => (false, "N", "none"),
        other => {
            out.warn(
                rxd.position(11),
                format!(
                    "RXD-11 '{other}' (HL7 table 0167) has no FHIR substitution type: not mapped."
                ),
            );
            return None;
        }
    };
    Some(build_json!({
        "wasSubstituted": was,
        "type": {"coding": [{"system": SUBSTITUTION, "code": code, "display": display}]},
    }))
}

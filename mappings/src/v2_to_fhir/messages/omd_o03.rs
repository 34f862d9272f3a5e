//! OMD (OMD^O03 食事オーダ) → NutritionOrder (FHIR R4; JP Core 1.1.1 has no NutritionOrder profile and
//! JAMI no ConceptMap, so this follows the HL7 v2-to-FHIR IG's ODS/ODT → NutritionOrder mapping): one
//! NutritionOrder per ORC group; ODS-1 `D` (diet) → oralDiet.type, `S` (supplement) → supplement, `P`
//! (preference) → foodPreferenceModifier; ODS-2 service period and TQ1-7/8 → oralDiet.schedule; ODS-4
//! → oralDiet.instruction; ODT (tray) → note; ORC-9 → dateTime; ORC-12 → orderer.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::{codeable, date_time};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::rx_order::{blocks, request_status, Block};
use crate::v2_to_fhir::segments::rx_people::orderer;

/// ORC-2 of a diet order (no FHIR or JP Core system exists for it).
const PLACER_SYSTEM: &str = "urn:kakehashi:hl7v2:placer-order-number";

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    let mut count = 0;
    for block in blocks(input) {
        let Some(orc) = block.orc else {
            block.refuse_orphans(out);
            continue;
        };
        nutrition_order(input, out, &orc, &block, &patient);
        count += 1;
    }
    if count == 0 {
        return Err(MapError::MissingSegment {
            segment: "ORC".into(),
        });
    }
    Ok(())
}

fn nutrition_order(input: &Input, out: &mut Output, orc: &Seg, block: &Block, patient: &str) {
    let placer = orc.text(2);
    let group = orc.text(4);
    let index = block.index_in_rp.to_string();
    let ordinal = block.ordinal.to_string();
    let key = placer.as_deref().or(group.as_deref()).unwrap_or(&ordinal);
    let mut no = Map::new();
    no.insert("resourceType".into(), build_json!("NutritionOrder"));
    no.insert("id".into(), build_json!(input.id(&["diet", key, &index])));
    let mut identifiers = Vec::new();
    if let Some(p) = &placer {
        identifiers.push(build_json!({"system": PLACER_SYSTEM, "value": p}));
    }
    if let Some(g) = &group {
        identifiers
            .push(build_json!({"system": "urn:kakehashi:hl7v2:placer-group-number", "value": g}));
    }
    if !identifiers.is_empty() {
        no.insert("identifier".into(), Value::Array(identifiers));
    }
    no.insert("status".into(), build_json!(request_status(Some(orc))));
    no.insert("intent".into(), build_json!("order"));
    no.insert("patient".into(), build_json!({"reference": patient}));
    match orc.text(9).map(|ts| date_time(&ts)) {
        Some(Ok(v)) => {
            no.insert("dateTime".into(), build_json!(v));
        }
        Some(Err(why)) => out.error(orc.position(9), why),
        None => out.error(
            orc.position(9),
            "ORC-9 (オーダ日時) is empty: NutritionOrder.dateTime is required.",
        ),
    }
    if let Some(orderer) = orderer(input, out, orc) {
        no.insert("orderer".into(), build_json!({"reference": orderer}));
    }

    let tq1s: Vec<&Seg> = block
        .segments
        .iter()
        .filter(|s| s.name() == "TQ1")
        .collect();
    let mut period = Map::new();
    for tq1 in &tq1s {
        for (field, k) in [(7, "start"), (8, "end")] {
            if let Some(ts) = tq1.text(field) {
                match date_time(&ts) {
                    Ok(v) => {
                        period.insert(k.into(), build_json!(v));
                    }
                    Err(why) => out.warn(tq1.position(field), why),
                }
            }
        }
    }

    let mut types = Vec::new();
    let mut supplements = Vec::new();
    let mut preferences = Vec::new();
    let mut instructions = Vec::new();
    let mut meals: Vec<Value> = Vec::new();
    for ods in block.segments.iter().filter(|s| s.name() == "ODS") {
        let kind = ods.text(1).unwrap_or_else(|| "D".into());
        let codes: Vec<Value> = ods.reps(3).iter().filter_map(codeable).collect();
        let text = ods.text(4);
        for rep in ods.reps(2) {
            if let Some(c) = codeable(&rep) {
                if !meals.contains(&c) {
                    meals.push(c);
                }
            }
        }
        match kind.as_str() {
            "S" => {
                for c in codes {
                    let mut s = Map::new();
                    s.insert("type".into(), c);
                    if let Some(t) = &text {
                        s.insert("instruction".into(), build_json!(t));
                    }
                    supplements.push(Value::Object(s));
                }
            }
            "P" => {
                preferences.extend(codes);
                instructions.extend(text);
            }
            "D" => {
                types.extend(codes);
                instructions.extend(text);
            }
            other => out.warn(
                ods.position(1),
                format!("ODS-1 '{other}' is not D (diet), S (supplement) or P (preference)."),
            ),
        }
    }
    let mut oral = Map::new();
    if !types.is_empty() {
        oral.insert("type".into(), Value::Array(types));
    }
    let repeat = (!period.is_empty()).then(|| build_json!({"boundsPeriod": period}));
    let schedule: Vec<Value> = if meals.is_empty() {
        repeat.iter().map(|r| build_json!({"repeat": r})).collect()
    } else {
        meals
            .into_iter()
            .map(|code| {
                let mut t = Map::new();
                if let Some(r) = &repeat {
                    t.insert("repeat".into(), r.clone());
                }
                t.insert("code".into(), code);
                Value::Object(t)
            })
            .collect()
    };
    if !schedule.is_empty() && (!oral.is_empty() || supplements.is_empty()) {
        oral.insert("schedule".into(), Value::Array(schedule.clone()));
    } else if !schedule.is_empty() {
        for s in &mut supplements {
            s["schedule"] = Value::Array(schedule.clone());
        }
    }
    if !instructions.is_empty() {
        oral.insert("instruction".into(), build_json!(instructions.join("\n")));
    }
    if !preferences.is_empty() {
        no.insert("foodPreferenceModifier".into(), Value::Array(preferences));
    }
    if !oral.is_empty() {
        no.insert("oralDiet".into(), Value::Object(oral));
    }
    if !supplements.is_empty() {
        no.insert("supplement".into(), Value::Array(supplements));
    }
    if !no.contains_key("oralDiet") && !no.contains_key("supplement") {
        out.error(
            orc.position(0),
            "The diet order has no ODS (食事指示): a NutritionOrder needs an oral diet or a supplement.",
        );
    }
    // ODT 配膳指示: tray type (HL7 table 0160) and text as a note.
    let notes: Vec<Value> = block
        .segments
        .iter()
        .filter(|s| s.name() == "ODT")
        .filter_map(|odt| {
            let tray = odt.rep(1).and_then(|r| r.text(2).or_else(|| r.text(1)));
            let text = odt.text(3);
            let parts: Vec<String> = [tray.map(|t| format!("トレイ: {t}")), text]
                .into_iter()
                .flatten()
                .collect();
            (!parts.is_empty()).then(|| build_json!({"text": parts.join(" ")}))
        })
        .collect();
    if !notes.is_empty() {
        no.insert("note".into(), Value::Array(notes));
    }
    out.push(Value::Object(no));
}

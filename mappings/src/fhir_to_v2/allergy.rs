//! JP_AllergyIntolerance → ADT^A60 (SS-MIX2 ADT-61 アレルギー情報の登録／更新: MSH, EVN, PID, one IAM
//! per allergy of the patient), the reverse of `v2_to_fhir::messages::adt_a60` (JAMI ConceptMap
//! segment-adt-61-iam-to-allergyintolerance). category → IAM-2 (table 0127), code → IAM-3,
//! reaction.severity → IAM-4 (table 0128), reaction.manifestation → IAM-5, clinicalStatus → IAM-6 /
//! IAM-17, identifier → IAM-7, type → IAM-9, onset → IAM-11 / IAM-12, recordedDate → IAM-13,
//! verificationStatus → IAM-17 (table 0438), asserter → IAM-18.

use serde_json::Value;

use super::context::{Context, Entry, OutMessage};
use super::datatypes::{code_of, cwe, items, s, ts};
use super::encounter::xcn;
use super::patient::pid_of;
use crate::hl7v2::SegmentBuilder;

/// The text `v2_to_fhir` gives a reaction with a severity but no description.
const NO_REACTION: &str = "アレルギー反応情報なし";

/// One ADT^A60 with the IAM of every AllergyIntolerance of the entry's patient.
pub fn map(ctx: &mut Context, entry: &Entry) -> Vec<OutMessage> {
    let Some(pid) = pid_of(ctx, entry, "patient") else {
        return Vec::new();
    };
    let allergies = ctx.same_patient(entry);
    let mut message = ctx.message("ADT", "A60", "ADT_A60");
    message.push(ctx.evn()).push(pid);
    for (i, allergy) in allergies.iter().enumerate() {
        message.push(iam(ctx, allergy, i + 1));
    }
    vec![OutMessage {
        data_type: "ADT-61".into(),
        text: message.to_hl7(),
    }]
}

fn iam(ctx: &mut Context, entry: &Entry, set_id: usize) -> SegmentBuilder {
    let a = entry.resource;
    let mut seg = SegmentBuilder::new("IAM");
    seg.field(1, &set_id.to_string());
    let category = items(a, "category")
        .first()
        .and_then(Value::as_str)
        .map(|c| match c {
            "medication" => "DA",
            "food" => "FA",
            "environment" => "EA",
            "biologic" => "AA",
            _ => "",
        })
        .unwrap_or_default();
    seg.field(2, category);
    if let Some(code) = a.get("code") {
        cwe(&mut seg, 3, 1, code);
    }
    if let Some(reaction) = items(a, "reaction").first() {
        let severity = match s(reaction, "severity") {
            Some("mild") => "MI",
            Some("moderate") => "MO",
            Some("severe") => "SV",
            _ => "",
        };
        seg.field(4, severity);
        let described = s(reaction, "description").is_some();
        for manifestation in items(reaction, "manifestation") {
            let text = s(manifestation, "text")
                .or_else(|| {
                    items(manifestation, "coding")
                        .first()
                        .and_then(|c| s(c, "display"))
                })
                .unwrap_or_default();
            if text == NO_REACTION && !described {
                continue;
            }
            seg.repetition(5, &[text]);
        }
    }
    let clinical = code_of(a.get("clinicalStatus"), None);
    let verification = code_of(a.get("verificationStatus"), None);
    let (action, status) = match (clinical, verification) {
        (Some("inactive" | "resolved"), Some("confirmed")) => ("U", "I"),
        (Some("inactive" | "resolved"), _) => ("D", ""),
        (Some(_), _) => ("A", ""),
        (None, _) => ("", ""),
    };
    seg.field(6, action);
    let status = match (status, verification) {
        ("I", _) => "I",
        (_, Some("confirmed")) => "C",
        (_, Some("unconfirmed")) => "U",
        (_, Some("entered-in-error")) => "E",
        _ => "",
    };
    seg.field(17, status);
    if let Some(id) = items(a, "identifier").first().and_then(|i| s(i, "value")) {
        seg.field(7, id);
    }
    seg.field(
        9,
        match s(a, "type") {
            Some("allergy") => "AL",
            Some("intolerance") => "IN",
            _ => "",
        },
    );
    if let Some(onset) = s(a, "onsetDateTime") {
        match ts(onset) {
            // IAM-11 is a DT.
            Ok(t) => {
                seg.field(11, &t.chars().take(8).collect::<String>());
            }
            Err(why) => ctx.warn(&entry.at("onsetDateTime"), why),
        }
    } else if let Some(text) = s(a, "onsetString") {
        seg.field(12, text);
    }
    if let Some(recorded) = s(a, "recordedDate") {
        match ts(recorded) {
            Ok(t) => {
                seg.field(13, &t);
            }
            Err(why) => ctx.warn(&entry.at("recordedDate"), why),
        }
    }
    xcn(ctx, &mut seg, 18, 1, a.get("asserter"));
    seg
}

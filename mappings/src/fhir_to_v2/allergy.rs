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
use super::patient::{goes_into_a08, pid_of};
use crate::hl7v2::SegmentBuilder;

/// The text `v2_to_fhir` gives a reaction with a severity but no description.
const NO_REACTION: &str = "アレルギー反応情報なし";

/// Whether an allergy can only have come from an AL1 (ADT-00): a reaction without the description
/// `v2_to_fhir` gives every IAM reaction (other than its 「アレルギー反応情報なし」 placeholder).
pub fn al1_only(a: &Value) -> bool {
    items(a, "reaction").first().is_some_and(|r| {
        let texts: Vec<&str> = items(r, "manifestation")
            .iter()
            .filter_map(|m| s(m, "text"))
            .collect();
        s(r, "description").is_none() && !texts.is_empty() && texts != [NO_REACTION]
    })
}

/// Whether an allergy holds nothing an AL1 cannot carry (category, code, severity, one reaction).
pub fn al1_compatible(a: &Value) -> bool {
    let simple_reaction = items(a, "reaction").len() <= 1
        && items(a, "reaction")
            .first()
            .is_none_or(|r| s(r, "description").is_none() && items(r, "manifestation").len() <= 1);
    simple_reaction
        && code_of(a.get("clinicalStatus"), None).is_none_or(|c| c == "active")
        && [
            "identifier",
            "type",
            "verificationStatus",
            "onsetDateTime",
            "onsetString",
            "recordedDate",
            "asserter",
        ]
        .iter()
        .all(|k| a.get(*k).is_none())
}

/// An AL1 (ADT-00 アレルギー) from an AllergyIntolerance: AL1-2 category, AL1-3 code, AL1-4 severity,
/// AL1-5 reaction (the reverse of `v2_to_fhir::segments::al1`).
pub fn al1(a: &Value, set_id: usize) -> SegmentBuilder {
    let mut seg = SegmentBuilder::new("AL1");
    seg.field(1, &set_id.to_string()).field(2, category_code(a));
    if let Some(code) = a.get("code") {
        cwe(&mut seg, 3, 1, code);
    }
    if let Some(reaction) = items(a, "reaction").first() {
        seg.field(4, severity_code(reaction));
        if let Some(text) = items(reaction, "manifestation")
            .first()
            .and_then(|m| s(m, "text"))
        {
            seg.field(5, text);
        }
    }
    seg
}

fn category_code(a: &Value) -> &'static str {
    items(a, "category")
        .first()
        .and_then(Value::as_str)
        .map(|c| match c {
            "medication" => "DA",
            "food" => "FA",
            "environment" => "EA",
            "biologic" => "AA",
            _ => "",
        })
        .unwrap_or_default()
}

fn severity_code(reaction: &Value) -> &'static str {
    match s(reaction, "severity") {
        Some("mild") => "MI",
        Some("moderate") => "MO",
        Some("severe") => "SV",
        _ => "",
    }
}

/// One ADT^A60 with the IAM of every AllergyIntolerance of the entry's patient that does not go into
/// the patient's ADT^A08 as an AL1 (`patient::own_allergies`).
pub fn map(ctx: &mut Context, entry: &Entry) -> Vec<OutMessage> {
    if ctx.resolve_element(entry.resource.get("patient")).is_none() {
        pid_of(ctx, entry, "patient");
        return Vec::new();
    }
    let allergies: Vec<Entry> = ctx
        .same_patient(entry)
        .into_iter()
        .filter(|a| !goes_into_a08(ctx, a))
        .collect();
    if allergies.first().map(|a| a.position.as_str()) != Some(entry.position.as_str()) {
        return Vec::new();
    }
    let Some(pid) = pid_of(ctx, entry, "patient") else {
        return Vec::new();
    };
    let mut message = ctx.message("ADT", "A60", "ADT_A60");
    message.push(ctx.evn()).push_all(pid);
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
    seg.field(2, category_code(a));
    if let Some(code) = a.get("code") {
        cwe(&mut seg, 3, 1, code);
    }
    if let Some(reaction) = items(a, "reaction").first() {
        seg.field(4, severity_code(reaction));
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

//! JP_Condition → PPR^ZD1 (SS-MIX2 PPR-01 病名（歴）情報の登録／更新: MSH, PID, [PV1], then per condition
//! PRB, [ZPR], [ORC]), the reverse of `v2_to_fhir::messages::ppr_zd1` (JAMI ConceptMap
//! segment-ppr-01-prb-to-condition). code's first two codings → PRB-3 (MEDIS 病名管理番号 `MDCDX2`,
//! ICD-10 `I10`), the MEDIS codings `v2_to_fhir` took from ZPR back to ZPR (modifiers all as 接頭語
//! ZPR-1 / ZPR-4: FHIR does not say which were 接尾語), identifier → PRB-4, recordedDate → PRB-7,
//! abatementDateTime → PRB-9, verificationStatus → PRB-13 (entered-in-error: PRB-1 `DE`), onset →
//! PRB-16, recorder → ORC-12, note → ZPR-7, encounter → PV1.

use serde_json::Value;

use super::context::{Context, Entry, OutMessage};
use super::datatypes::{code_of, cwe, items, s, ts};
use super::encounter::{visit, xcn};
use super::patient::pid_of;
use crate::hl7v2::SegmentBuilder;

const DISEASE_KEY: &str = "http://medis.or.jp/CodeSystem/master-disease-keyNumber";
const DISEASE_EXCHANGE: &str = "http://medis.or.jp/CodeSystem/master-disease-exCode";
const MODIFIER_KEY: &str = "http://medis.or.jp/CodeSystem/master-disease-modKeyNumber";
const MODIFIER_EXCHANGE: &str = "http://medis.or.jp/CodeSystem/master-disease-modExCode";

/// One PPR^ZD1 with every Condition of the entry's patient.
pub fn map(ctx: &mut Context, entry: &Entry) -> Vec<OutMessage> {
    let Some(pid) = pid_of(ctx, entry, "subject") else {
        return Vec::new();
    };
    let conditions = ctx.same_patient(entry);
    let mut message = ctx.message("PPR", "ZD1", "PPR_ZD1");
    message.push_all(pid);
    if let Some(pv1) = visit(ctx, &conditions) {
        message.push(pv1);
    }
    for condition in &conditions {
        for segment in problem(ctx, condition) {
            message.push(segment);
        }
    }
    vec![OutMessage {
        data_type: "PPR-01".into(),
        text: message.to_hl7(),
    }]
}

/// PRB, and ZPR / ORC when the condition has what they carry.
fn problem(ctx: &mut Context, entry: &Entry) -> Vec<SegmentBuilder> {
    let c = entry.resource;
    let verification = code_of(c.get("verificationStatus"), None);
    let mut prb = SegmentBuilder::new("PRB");
    prb.field(
        1,
        if verification == Some("entered-in-error") {
            "DE"
        } else {
            "AD"
        },
    )
    .field(2, &ctx.header.timestamp);
    let mut zpr = SegmentBuilder::new("ZPR");
    let mut zpr_used = false;
    if let Some(code) = c.get("code") {
        let codings = items(code, "coding");
        let (first, rest) = codings.split_at(codings.len().min(2));
        let mut head = code.clone();
        head["coding"] = Value::Array(first.to_vec());
        cwe(&mut prb, 3, 1, &head);
        for extra in rest {
            let field = match s(extra, "system") {
                Some(DISEASE_KEY) => 2,
                Some(DISEASE_EXCHANGE) => 5,
                Some(MODIFIER_KEY) => 1,
                Some(MODIFIER_EXCHANGE) => 4,
                _ => {
                    ctx.warn(
                        &entry.at("code.coding"),
                        "Only two codings of Condition.code fit PRB-3; a further one was left out.",
                    );
                    continue;
                }
            };
            // ZPR-2 / ZPR-5 hold a code; ZPR-1 / ZPR-4 repeat code^name.
            let rep = zpr.repetitions(field) + 1;
            if matches!(field, 1 | 4) {
                zpr.set(field, rep, 1, 1, s(extra, "code").unwrap_or_default())
                    .set(field, rep, 2, 1, s(extra, "display").unwrap_or_default());
            } else {
                zpr.field(field, s(extra, "code").unwrap_or_default());
            }
            zpr_used = true;
        }
    }
    if let Some(id) = items(c, "identifier").first().and_then(|i| s(i, "value")) {
        prb.field(4, id);
    }
    for (key, field) in [
        ("recordedDate", 7),
        ("abatementDateTime", 9),
        ("onsetDateTime", 16),
    ] {
        if let Some(t) = s(c, key) {
            match ts(t) {
                Ok(t) => {
                    prb.field(field, &t);
                }
                Err(why) => ctx.warn(&entry.at(key), why),
            }
        }
    }
    let status = match verification {
        Some("confirmed") => "C",
        Some("provisional") => "S",
        Some("unconfirmed") => "U",
        Some("differential") => "D",
        Some("refuted") => "R",
        _ => "",
    };
    prb.field(13, status);
    if let Some(note) = items(c, "note").first().and_then(|n| s(n, "text")) {
        zpr.field(7, note);
        zpr_used = true;
    }
    let mut segments = vec![prb];
    if zpr_used {
        segments.push(zpr);
    }
    if c.get("recorder").is_some() {
        let mut orc = SegmentBuilder::new("ORC");
        orc.field(1, "NW");
        xcn(ctx, &mut orc, 12, 1, c.get("recorder"));
        segments.push(orc);
    }
    segments
}

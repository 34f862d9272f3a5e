//! 診療計画 → a transaction Bundle with the CarePlan (no JP Core profile: JP Core 1.1.1 has none, and
//! JP_CarePlan_ePCS forbids the author and careTeam this plan needs; its idea is kept: status, intent
//! `plan`, description = the P1 treatment, period, created, a fixed title) and its Patient, author, P1
//! diseases as Conditions (`addresses`), P8 doctors as a CareTeam (`careTeam`, see care_team.rs), the
//! remaining P-items as Kakehashi extensions named after them, the 備考 as note, and a narrative.

use serde_json::Value;

use super::bundle::Transaction;
use super::codes::{self, concept, display};
use super::items::children;
use super::names::{CARE_PLAN_DOCUMENT, CARE_PLAN_ID_SYSTEM};
use super::narrative::{escape, member, text};
use super::{care_team, condition, extensions, MapContext};
use crate::build_json;
use crate::consultation::model::CarePlan;

pub fn care_plan_to_fhir(plan: &CarePlan, ctx: &MapContext) -> Value {
    let mut tx = Transaction::new("care-plan", &plan.care_plan_id, &plan.patient, ctx);
    let patient = tx.patient();
    let author = tx.practitioner(&plan.author);
    let mut addresses = Vec::new();
    if let Some(content) = &plan.care_content {
        for (n, disease) in content.diseases.iter().enumerate() {
            let id = tx.id("condition", Some(n));
            let reference = tx.put(condition::condition(disease, &id, &patient, None));
            addresses.push(build_json!({"reference": reference, "display": &disease.name}));
        }
    }
    let care_team = if plan.doctors.is_empty() {
        None
    } else {
        let members: Vec<String> = plan
            .doctors
            .iter()
            .map(|d| tx.practitioner(&d.doctor))
            .collect();
        let id = tx.id("care-team", None);
        Some(tx.put(care_team::care_team(plan, &id, &patient, &members)))
    };
    let native = serde_json::to_value(plan).unwrap_or_default();
    let extension = extensions::members("care-plan", &native, &[], &mut tx);
    let title = display("document-type", CARE_PLAN_DOCUMENT);
    let resource = build_json!({
        "resourceType": "CarePlan",
        "id": super::care_plan_id(&plan.care_plan_id),
        "text": text(&narrative(plan, &native)),
        "extension": extension,
        "identifier": [{"system": CARE_PLAN_ID_SYSTEM, "value": &plan.care_plan_id}],
        "status": &plan.status,
        "intent": "plan",
        "category": [concept("document-type", CARE_PLAN_DOCUMENT)],
        "title": title,
        "description": plan.care_content.as_ref().map(|c| c.treatment.as_str()),
        "subject": {"reference": patient},
        "period": plan.period.as_ref().map(|p| build_json!({"start": &p.start, "end": p.end.as_deref()})),
        "created": &plan.created,
        "author": {"reference": author, "display": &plan.author.name},
        "careTeam": care_team.map(|r| build_json!([{"reference": r}])),
        "addresses": addresses,
        "note": plan.note.as_deref().map(|n| build_json!([{"text": n}])),
    });
    tx.put(resource);
    tx.finish()
}

/// The plan as a list: its state and dates, P1, the extension items (P2–P7, P9) and P8.
fn narrative(plan: &CarePlan, native: &Value) -> String {
    let mut items = vec![
        format!(
            "状態: {}",
            escape(&display("care-plan-status", &plan.status))
        ),
        format!("作成日時: {}", escape(&plan.created)),
        format!("作成した医師: {}", escape(&plan.author.name)),
    ];
    if let Some(p) = &plan.period {
        items.push(format!(
            "計画期間: {} ～ {}",
            escape(&p.start),
            escape(p.end.as_deref().unwrap_or(""))
        ));
    }
    if let Some(c) = &plan.care_content {
        let diseases: Vec<&str> = c.diseases.iter().map(|d| d.name.as_str()).collect();
        items.push(format!(
            "P1 オンライン診療で行う具体的な診療内容: 疾病名 {}、治療内容 {}",
            escape(&diseases.join("、")),
            escape(&c.treatment)
        ));
    }
    for row in children("care-plan") {
        if let Some(value) = native.get(row.name()) {
            items.push(format!(
                "{}: {}",
                escape(&row.label_ja),
                member(&row.path, value)
            ));
        }
    }
    if !plan.doctors.is_empty() {
        let doctors: String = plan
            .doctors
            .iter()
            .map(|d| {
                format!(
                    "<li>{}（{}）: {}</li>",
                    escape(&d.doctor.name),
                    escape(&codes::display("planned-doctor-role", &d.role)),
                    escape(d.when.as_deref().unwrap_or(""))
                )
            })
            .collect();
        items.push(format!("P8 オンライン診療を行う医師: <ul>{doctors}</ul>"));
    }
    if let Some(note) = &plan.note {
        items.push(format!("備考: {}", escape(note)));
    }
    let lis: String = items.iter().map(|i| format!("<li>{i}</li>")).collect();
    format!("<ul>{lis}</ul>")
}

//! The checks of a care plan itself (requirements.md §9.2, §2.2): P2 every required item, P3 the
//! 2-year retention that refuses deleting or overwriting a plan.

use chrono::Months;

use crate::consultation::model::CarePlan;

use super::finding::Finding;
use super::text::blank;
use super::time::instant;

/// How long a care plan is kept (２年間は保存する).
const RETENTION: Months = Months::new(24);

/// P2: "The 診療計画 must contain all required elements: content (disease, treatment);
/// online/face-to-face/test combination (frequency, timing); hours (reservation); method/ICT used; stop
/// conditions and switch to face-to-face (incl. comms failure); patient cooperation; emergency policy
/// with the responding institution; multiple doctors' names and roles; security 責任分界点."
/// (「診療計画」に含む事項 ①–⑨, requirements.md §2.2 items P1–P9.) With several doctors, each one's
/// case (どのような場合にどの医師が行うか) is stated.
pub fn p2_required_items(plan: &CarePlan) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut item = |path: String, number: u8, name: &str, what: &str| {
        found.push(Finding::at(
            path,
            format!("required item {number} of 9 ({name}) {what}"),
        ));
    };
    const CONTENT: &str = "オンライン診療で行う具体的な診療内容";
    match &plan.care_content {
        None => item("careContent".into(), 1, CONTENT, "is missing"),
        Some(content) => {
            if content.diseases.is_empty() {
                item(
                    "careContent.diseases".into(),
                    1,
                    CONTENT,
                    "names no disease (疾病名)",
                );
            }
            for (i, disease) in content.diseases.iter().enumerate() {
                if blank(Some(&disease.name)) {
                    item(
                        format!("careContent.diseases[{i}].name"),
                        1,
                        CONTENT,
                        "has a disease without a name",
                    );
                }
            }
            if blank(Some(&content.treatment)) {
                item(
                    "careContent.treatment".into(),
                    1,
                    CONTENT,
                    "has no treatment (治療内容)",
                );
            }
        }
    }
    let texts = [
        (
            "combination",
            2,
            "オンライン診療と直接の対面診療、検査の組み合わせ",
            &plan.combination,
        ),
        ("hours", 3, "診療時間に関する事項", &plan.hours),
        ("method", 4, "オンライン診療の方法", &plan.method),
        (
            "stopConditions",
            5,
            "オンライン診療を行わないと判断する条件",
            &plan.stop_conditions,
        ),
        (
            "patientCooperation",
            6,
            "患者が診察に積極的に協力する必要がある旨",
            &plan.patient_cooperation,
        ),
    ];
    for (path, number, name, text) in texts {
        if blank(text.as_deref()) {
            item(path.into(), number, name, "is missing");
        }
    }
    const EMERGENCY: &str = "急病急変時の対応方針";
    match &plan.emergency {
        None => item("emergency".into(), 7, EMERGENCY, "is missing"),
        Some(emergency) => {
            if blank(Some(&emergency.policy)) {
                item("emergency.policy".into(), 7, EMERGENCY, "has no policy");
            }
            match &emergency.responding_institution {
                None => item(
                    "emergency.respondingInstitution".into(),
                    7,
                    EMERGENCY,
                    "names no institution that can respond (対応できる医療機関)",
                ),
                Some(institution) if blank(Some(&institution.name)) => item(
                    "emergency.respondingInstitution.name".into(),
                    7,
                    EMERGENCY,
                    "names an institution without a name",
                ),
                Some(_) => {}
            }
        }
    }
    const DOCTORS: &str = "オンライン診療を行う医師の氏名";
    if plan.doctors.is_empty() {
        item("doctors".into(), 8, DOCTORS, "names no doctor");
    }
    for (i, planned) in plan.doctors.iter().enumerate() {
        if blank(Some(&planned.doctor.name)) {
            item(
                format!("doctors[{i}].doctor.name"),
                8,
                DOCTORS,
                "has a doctor without a name",
            );
        }
        if plan.doctors.len() > 1 && blank(planned.when.as_deref()) {
            item(
                format!("doctors[{i}].when"),
                8,
                DOCTORS,
                "does not say in which case this doctor does online care (どのような場合にどの医師が行うか)",
            );
        }
    }
    if blank(plan.security_responsibility.as_deref()) {
        item(
            "securityResponsibility".into(),
            9,
            "セキュリティリスクに関する責任の範囲（責任分界点）",
            "is missing",
        );
    }
    found
}

/// P3: "Retention of the 診療計画 ≥ 2 years (no deletion before then)." (２年間は保存する.) Deleting or
/// overwriting `plan` at `now` is refused until two years after its `created`; an unreadable time
/// refuses it too.
pub fn p3_kept_two_years(plan: &CarePlan, now: &str) -> Vec<Finding> {
    let created = match instant("created", &plan.created) {
        Ok(created) => created,
        Err(finding) => return vec![finding],
    };
    let Ok(now_at) = instant("created", now) else {
        return vec![Finding::at(
            "created",
            format!("the time of the change '{now}' is not an RFC 3339 date-time"),
        )];
    };
    match created.checked_add_months(RETENTION) {
        Some(kept_until) if now_at >= kept_until => Vec::new(),
        kept_until => vec![Finding::at(
            "created",
            format!(
                "care plan {} was created at {}; it is kept until {} and cannot be deleted or overwritten at {now}",
                plan.care_plan_id,
                plan.created,
                kept_until.map_or_else(|| "two years later".to_string(), |t| t.to_rfc3339()),
            ),
        )],
    }
}

//! The checks of a record against its care plan (requirements.md §9.2, §2.1, §2.4): P1 a plan made
//! after a face-to-face evaluation exists before a visit that is not a first visit, P4 the doctor is
//! named in the plan or substitutes for a planned doctor.

use crate::consultation::model::{CarePlan, ConsultationRecord};

use super::finding::Finding;
use super::text::{blank, same_name};
use super::time::{day, instant, Session};
use super::RecordContext;

/// P1: "A 診療計画 must exist before a non-first-visit online encounter, made after a face-to-face
/// evaluation." (直接の対面診療により十分な医学的評価を行い、その評価に基づいて「診療計画」を定め.)
/// The plan counts when it is the one the record names, the same patient's, active, created before the
/// session, in force at the session (its period) and based on a face-to-face evaluation not later than
/// its creation.
pub fn p1_plan_before_the_visit(record: &ConsultationRecord, ctx: &RecordContext) -> Vec<Finding> {
    if record.first_visit.is_first_visit {
        return Vec::new();
    }
    let at = "carePlanId";
    let Some(id) = record.care_plan_id.as_deref().filter(|id| !blank(Some(id))) else {
        return vec![Finding::at(
            at,
            "a visit that is not a first visit names no care plan (診療計画)",
        )];
    };
    let Some(plan) = ctx.care_plan else {
        return vec![Finding::at(at, format!("care plan {id} is not on record"))];
    };
    let mut problems = Vec::new();
    if plan.care_plan_id != id {
        problems.push(format!("is not the plan on record ({})", plan.care_plan_id));
    }
    if plan.patient.id != record.patient.id {
        problems.push(format!("is for patient {}", plan.patient.id));
    }
    if plan.status != "active" {
        problems.push(format!("is {}, not active", plan.status));
    }
    let created = instant("created", &plan.created).ok();
    if created.is_none() {
        problems.push(format!("has an unreadable created '{}'", plan.created));
    }
    match (&plan.face_to_face_evaluation, created) {
        (None, _) => {
            problems.push("records no face-to-face evaluation (対面診療による評価)".into())
        }
        (Some(evaluation), Some(created)) => match day("date", &evaluation.date, *created.offset())
        {
            Ok(date) if date > created.date_naive() => problems.push(format!(
                "was created at {}, before its face-to-face evaluation of {}",
                plan.created, evaluation.date
            )),
            Ok(_) => {}
            Err(_) => problems.push(format!(
                "has an unreadable face-to-face evaluation date '{}'",
                evaluation.date
            )),
        },
        (Some(_), None) => {}
    }
    let session = Session::of(&record.period);
    if let Ok(session) = &session {
        if created.is_some_and(|created| created >= session.start) {
            problems.push(format!(
                "was created at {}, not before the session's start {}",
                plan.created, record.period.start
            ));
        }
        if let Some(period) = &plan.period {
            let from = instant("period.start", &period.start);
            let until = period.end.as_deref().map(|end| instant("period.end", end));
            let in_force = match (from, until) {
                (Ok(from), None) => from <= session.start,
                (Ok(from), Some(Ok(until))) => from <= session.start && session.start <= until,
                _ => false,
            };
            if !in_force {
                problems.push(format!(
                    "is for {} to {}, which does not include the session",
                    period.start,
                    period.end.as_deref().unwrap_or("open end")
                ));
            }
        }
    }
    problems
        .into_iter()
        .map(|problem| Finding::at(at, format!("care plan {id} {problem}")))
        .chain(session.err())
        .collect()
}

/// P4: "The encounter practitioner must be named in the 診療計画, or there must be a recorded 代診
/// consent + handover (incl. 診療録)." (「診療計画」に医師名を記載; 患者の同意を得た上で、診療録記載を
/// 含む十分な引継ぎを行っていれば…代診医がオンライン診療を行うことが可能.) Checked when the record's
/// plan is on record; names compare without white space and width differences.
pub fn p4_planned_doctor(record: &ConsultationRecord, ctx: &RecordContext) -> Vec<Finding> {
    let Some(plan) = ctx.care_plan else {
        return Vec::new();
    };
    if planned(plan, &record.doctor.name) {
        return Vec::new();
    }
    let Some(substitute) = &record.substitute else {
        return vec![Finding::at(
            "doctor.name",
            format!(
                "{} is not named in care plan {} and no substitution (代診) is recorded",
                record.doctor.name, plan.care_plan_id
            ),
        )];
    };
    let mut found = Vec::new();
    if !planned(plan, &substitute.planned_doctor) {
        found.push(Finding::at(
            "substitute.plannedDoctor",
            format!(
                "'{}' is not a doctor of care plan {}",
                substitute.planned_doctor, plan.care_plan_id
            ),
        ));
    }
    if !substitute.patient_consented {
        found.push(Finding::at(
            "substitute.patientConsented",
            "a substitute doctor (代診医) needs the patient's consent",
        ));
    }
    if blank(Some(&substitute.handover)) {
        found.push(Finding::at(
            "substitute.handover",
            "a substitute doctor needs a handover including the 診療録 entries (引継ぎ)",
        ));
    }
    found
}

/// Whether `name` is the plan's author or one of its doctors.
fn planned(plan: &CarePlan, name: &str) -> bool {
    same_name(&plan.author.name, name)
        || plan
            .doctors
            .iter()
            .any(|planned| same_name(&planned.doctor.name, name))
}

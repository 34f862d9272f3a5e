//! P1–P4, P7, P8 (requirements.md §9.2): one passing and failing submission each.

use super::case::*;
use kakehashi_mappings::consultation::model::record::{Substitute, WithDoctor, WithNurse};
use kakehashi_mappings::consultation::model::{CarePlan, Form, Period};
use kakehashi_mappings::rules;

fn with_plan(case: Case, change: impl FnOnce(&mut CarePlan)) -> Case {
    case.with(|c| {
        if let Some(plan) = &mut c.plan {
            change(plan);
        }
    })
}

#[test]
fn p1_needs_an_active_plan_made_after_a_face_to_face_evaluation_before_a_follow_up() {
    passes(&Case::follow_up().issues(), "P1");
    passes(&Case::first_visit().issues(), "P1");
    let no_plan = Case::follow_up().with(|c| c.plan = None).issues();
    fails(&no_plan, "P1", "carePlanId");
    let unnamed = Case::follow_up()
        .with_record(|r| r.care_plan_id = None)
        .issues();
    fails(&unnamed, "P1", "carePlanId");
    let later = with_plan(Case::follow_up(), |p| {
        p.created = "2026-11-30T10:30:00+09:00".into()
    })
    .issues();
    assert!(fails(&later, "P1", "carePlanId")
        .message
        .contains("not before the session"));
    let no_evaluation = with_plan(Case::follow_up(), |p| p.face_to_face_evaluation = None).issues();
    assert!(fails(&no_evaluation, "P1", "carePlanId")
        .message
        .contains("face-to-face evaluation"));
    let revoked = with_plan(Case::follow_up(), |p| p.status = "revoked".into()).issues();
    fails(&revoked, "P1", "carePlanId");
    let expired = with_plan(Case::follow_up(), |p| {
        p.period = Some(Period {
            start: "2026-10-01T00:00:00+09:00".into(),
            end: Some("2026-10-31T23:59:59+09:00".into()),
        })
    })
    .issues();
    fails(&expired, "P1", "carePlanId");
}

#[test]
fn p2_needs_every_required_item_of_the_plan() {
    passes(&rules::check_care_plan(&hypertension_plan()), "P2");
    let mut plan = hypertension_plan();
    plan.method = None;
    fails(&rules::check_care_plan(&plan), "P2", "method");
    let mut plan = hypertension_plan();
    plan.security_responsibility = Some(" ".into());
    fails(
        &rules::check_care_plan(&plan),
        "P2",
        "securityResponsibility",
    );
    let mut plan = hypertension_plan();
    if let Some(e) = &mut plan.emergency {
        e.responding_institution = None;
    }
    fails(
        &rules::check_care_plan(&plan),
        "P2",
        "emergency.respondingInstitution",
    );
    let mut plan = hypertension_plan();
    plan.doctors.clear();
    fails(&rules::check_care_plan(&plan), "P2", "doctors");
    let mut plan = hypertension_plan();
    plan.doctors[1].when = None;
    fails(&rules::check_care_plan(&plan), "P2", "doctors[1].when");
    let mut plan = hypertension_plan();
    plan.care_content = None;
    fails(&rules::check_care_plan(&plan), "P2", "careContent");
}

#[test]
fn p3_keeps_a_plan_two_years() {
    let plan = hypertension_plan();
    passes(
        &rules::check_care_plan_change(&plan, "2028-10-01T11:00:00+09:00"),
        "P3",
    );
    let early = rules::check_care_plan_change(&plan, "2028-10-01T10:59:59+09:00");
    assert!(fails(&early, "P3", "created")
        .message
        .contains("kept until 2028-10-01T11:00:00+09:00"));
    let unreadable = rules::check_care_plan_change(&plan, "soon");
    fails(&unreadable, "P3", "created");
}

#[test]
fn p4_needs_a_planned_doctor_or_a_consented_substitute() {
    passes(&Case::follow_up().issues(), "P4");
    let rotation = Case::follow_up()
        .with_record(|r| r.doctor.name = "高橋\u{3000}美咲".into())
        .issues();
    passes(&rotation, "P4");
    let stranger = Case::follow_up()
        .with_record(|r| r.doctor.name = "田中 健".into())
        .issues();
    fails(&stranger, "P4", "doctor.name");
    let substitute = |consented: bool| {
        Case::follow_up().with_record(move |r| {
            r.doctor.name = "田中 健".into();
            r.substitute = Some(Substitute {
                planned_doctor: "佐藤一郎".into(),
                patient_consented: consented,
                handover: "佐藤医師の診療録と申し送りを確認した。".into(),
            });
        })
    };
    passes(&substitute(true).issues(), "P4");
    fails(
        &substitute(false).issues(),
        "P4",
        "substitute.patientConsented",
    );
}

fn with_nurse() -> Case {
    Case::follow_up().with_record(|r| {
        r.form = Form::DtoPwithN;
        r.with_nurse = Some(WithNurse {
            name: "中村 由美".into(),
            affiliation: "visiting-nursing".into(),
            instruction_id: Some("VN-2026-0042".into()),
            actions: Some("血圧測定".into()),
            additional_tests_for_new_symptom: false,
        });
    })
}

#[test]
fn p7_d_to_p_with_n_needs_an_instruction_and_a_care_plan() {
    passes(&with_nurse().issues(), "P7");
    passes(&Case::first_visit().issues(), "P7");
    let no_instruction = with_nurse()
        .with_record(|r| {
            if let Some(n) = &mut r.with_nurse {
                n.instruction_id = None;
            }
        })
        .issues();
    fails(&no_instruction, "P7", "withNurse.instructionId");
    let no_plan = with_nurse().with(|c| c.plan = None).issues();
    fails(&no_plan, "P7", "carePlanId");
    let no_nurse = with_nurse().with_record(|r| r.with_nurse = None).issues();
    fails(&no_nurse, "P7", "withNurse");
}

fn with_doctor() -> Case {
    Case::first_visit().with_record(|r| {
        r.form = Form::DtoPwithD;
        let mut doctor = r.doctor.clone();
        doctor.name = "山本 健一".into();
        r.with_doctor = Some(WithDoctor {
            doctor,
            saw_patient_face_to_face: true,
            prior_information_received: true,
            prior_information: Some("診療情報提供書".into()),
        });
    })
}

#[test]
fn p8_d_to_p_with_d_needs_a_doctor_who_saw_the_patient_and_prior_information() {
    passes(&with_doctor().issues(), "P8");
    let uninformed = with_doctor()
        .with_record(|r| {
            if let Some(d) = &mut r.with_doctor {
                d.prior_information_received = false;
            }
        })
        .issues();
    fails(&uninformed, "P8", "withDoctor.priorInformationReceived");
    let unseen = with_doctor()
        .with_record(|r| {
            if let Some(d) = &mut r.with_doctor {
                d.saw_patient_face_to_face = false;
            }
        })
        .issues();
    fails(&unseen, "P8", "withDoctor.sawPatientFaceToFace");
}

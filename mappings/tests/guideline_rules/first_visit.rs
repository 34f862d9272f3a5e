//! C11–C13 (requirements.md §9.1): the first-visit rules, one passing and failing submission each.

use super::case::*;
use kakehashi_mappings::consultation::model::ConsultationRecord;

#[test]
fn c11_needs_the_first_visit_basis() {
    passes(&Case::first_visit().issues(), "C11");
    let none = Case::first_visit()
        .with_record(|r| r.first_visit.basis = None)
        .issues();
    fails(&none, "C11", "firstVisit.basis");
    let unknown = Case::first_visit()
        .with_record(|r| r.first_visit.basis = Some("because".into()))
        .issues();
    fails(&unknown, "C11", "firstVisit.basis");
}

fn nothing_prior(r: &mut ConsultationRecord) {
    r.first_visit.pre_consultation = None;
    r.first_visit.prior_information.clear();
    r.first_visit.exception = None;
}

#[test]
fn c12_needs_a_pre_consultation_prior_information_or_an_exception() {
    passes(&Case::first_visit().issues(), "C12");
    let only_exception = Case::first_visit()
        .with_record(|r| {
            nothing_prior(r);
            r.first_visit.exception = Some("second-opinion".into());
        })
        .issues();
    passes(&only_exception, "C12");
    let by_regular = Case::first_visit()
        .with_record(|r| {
            nothing_prior(r);
            r.first_visit.by_regular_doctor = true;
        })
        .issues();
    passes(&by_regular, "C12");
    let nothing = Case::first_visit().with_record(nothing_prior).issues();
    fails(&nothing, "C12", "firstVisit.preConsultation");
    let after = Case::first_visit()
        .with_record(|r| {
            if let Some(pre) = &mut r.first_visit.pre_consultation {
                pre.date_time = "2026-11-30T10:05:00+09:00".into();
            }
        })
        .issues();
    fails(&after, "C12", "firstVisit.preConsultation.dateTime");
}

#[test]
fn c13_needs_the_next_appointment_after_a_first_visit() {
    passes(&Case::first_visit().issues(), "C13");
    passes(
        &Case::follow_up()
            .with_record(|r| r.next_appointment = None)
            .issues(),
        "C13",
    );
    let no_destination = Case::first_visit()
        .with_record(|r| {
            if let Some(next) = &mut r.next_appointment {
                next.face_to_face_destination = None;
            }
        })
        .issues();
    fails(
        &no_destination,
        "C13",
        "nextAppointment.faceToFaceDestination",
    );
    let missing = Case::first_visit()
        .with_record(|r| r.next_appointment = None)
        .issues();
    fails(&missing, "C13", "nextAppointment");
    let past = Case::first_visit()
        .with_record(|r| {
            if let Some(next) = &mut r.next_appointment {
                next.date_time = "2026-11-29T10:00:00+09:00".into();
            }
        })
        .issues();
    fails(&past, "C13", "nextAppointment.dateTime");
}

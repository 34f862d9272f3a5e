//! C1–C3, C8–C10, C14 and C17 (requirements.md §9.1): one passing and failing submission each.

use super::case::*;
use kakehashi_mappings::consultation::model::record::{EmergencyContraception, EmergencyReferral};
use kakehashi_mappings::consultation::model::Institution;

#[test]
fn c1_needs_video_and_audio() {
    passes(&Case::first_visit().issues(), "C1");
    let issues = Case::first_visit()
        .with_record(|r| {
            r.communication.video = false;
            r.communication.audio = false;
            r.communication.chat = true;
        })
        .issues();
    assert!(fails(&issues, "C1", "communication.video")
        .message
        .contains("chat is auxiliary"));
    fails(&issues, "C1", "communication.audio");
}

#[test]
fn c2_refuses_an_overlapping_session() {
    passes(&Case::first_visit().issues(), "C2");
    let issues = Case::first_visit()
        .with(|c| c.overlapping_sessions = 1)
        .issues();
    assert!(fails(&issues, "C2", "period")
        .message
        .contains("1 other session"));
}

#[test]
fn c3_needs_an_end_after_the_start() {
    passes(&Case::first_visit().issues(), "C3");
    let no_end = Case::first_visit()
        .with_record(|r| r.period.end = None)
        .issues();
    fails(&no_end, "C3", "period.end");
    let backwards = Case::first_visit()
        .with_record(|r| r.period.end = Some("2026-11-30T09:59:00+09:00".into()))
        .issues();
    fails(&backwards, "C3", "period.end");
    let unreadable = Case::first_visit()
        .with_record(|r| r.period.start = "2026-11-30 10:00".into())
        .issues();
    fails(&unreadable, "C3", "period.start");
}

#[test]
fn c8_needs_the_content_of_care() {
    passes(&Case::first_visit().issues(), "C8");
    let issues = Case::first_visit()
        .with_record(|r| r.care_content = "\u{3000}".into())
        .issues();
    fails(&issues, "C8", "careContent");
}

#[test]
fn c9_needs_the_appropriateness_of_care_and_prescription() {
    passes(&Case::first_visit().issues(), "C9");
    let no_rx_statement = Case::first_visit()
        .with_record(|r| {
            if let Some(a) = &mut r.appropriateness {
                a.prescription = None;
            }
        })
        .issues();
    fails(&no_rx_statement, "C9", "appropriateness.prescription");
    passes(
        &Case::first_visit()
            .with_record(|r| {
                r.prescription = None;
                if let Some(a) = &mut r.appropriateness {
                    a.prescription = None;
                }
            })
            .issues(),
        "C9",
    );
    let none = Case::first_visit()
        .with_record(|r| r.appropriateness = None)
        .issues();
    fails(&none, "C9", "appropriateness");
}

#[test]
fn c10_needs_the_regular_institution_or_a_consented_referral() {
    passes(&Case::first_visit().issues(), "C10");
    let regular = Case::first_visit()
        .with_record(|r| {
            if let Some(e) = &mut r.emergency_referral {
                *e = EmergencyReferral {
                    regular_institution: Some(institution("やまだ内科クリニック")),
                    reason: None,
                    referral_institution: None,
                    referral_method: None,
                    patient_consented: None,
                };
            }
        })
        .issues();
    passes(&regular, "C10");
    let unconsented = Case::first_visit()
        .with_record(|r| {
            if let Some(e) = &mut r.emergency_referral {
                e.patient_consented = Some(false);
            }
        })
        .issues();
    fails(&unconsented, "C10", "emergencyReferral.patientConsented");
    let missing = Case::first_visit()
        .with_record(|r| r.emergency_referral = None)
        .issues();
    fails(&missing, "C10", "emergencyReferral");
}

fn institution(name: &str) -> Institution {
    Institution {
        name: name.into(),
        code: None,
        contact: Some("03-9876-5432".into()),
    }
}

#[test]
fn c14_needs_the_doctors_institution_and_contact() {
    passes(&Case::first_visit().issues(), "C14");
    let no_contact = Case::first_visit()
        .with_record(|r| {
            if let Some(i) = &mut r.doctor.institution {
                i.contact = None;
            }
        })
        .issues();
    fails(&no_contact, "C14", "doctor.institution.contact");
    let none = Case::first_visit()
        .with_record(|r| r.doctor.institution = None)
        .issues();
    fails(&none, "C14", "doctor.institution");
}

fn emergency_contraception(follow_up: &str) -> Case {
    Case::first_visit().with_record(|r| {
        if let Some(rx) = &mut r.prescription {
            rx.emergency_contraception = Some(EmergencyContraception {
                tablets: 1,
                doctor_qualification: "obstetrics-gynecology".into(),
                follow_up_date: Some(follow_up.into()),
            });
        }
    })
}

fn with_ec(case: Case, change: impl FnOnce(&mut EmergencyContraception)) -> Case {
    case.with_record(|r| {
        if let Some(ec) = r
            .prescription
            .as_mut()
            .and_then(|rx| rx.emergency_contraception.as_mut())
        {
            change(ec);
        }
    })
}

#[test]
fn c17_emergency_contraception_is_one_tablet_out_of_hospital_with_a_follow_up_in_three_weeks() {
    passes(&Case::first_visit().issues(), "C17");
    passes(&emergency_contraception("2026-12-21").issues(), "C17");
    passes(
        &emergency_contraception("2026-12-14T10:00:00+09:00").issues(),
        "C17",
    );
    let p = "prescription.emergencyContraception";
    let two = with_ec(emergency_contraception("2026-12-21"), |ec| ec.tablets = 2).issues();
    fails(&two, "C17", &format!("{p}.tablets"));
    let soon = emergency_contraception("2026-12-05").issues();
    assert!(fails(&soon, "C17", &format!("{p}.followUpDate"))
        .message
        .contains("5 days"));
    let late = emergency_contraception("2026-12-29").issues();
    assert!(fails(&late, "C17", &format!("{p}.followUpDate"))
        .message
        .contains("29 days"));
    let none = with_ec(emergency_contraception("2026-12-21"), |ec| {
        ec.follow_up_date = None
    })
    .issues();
    fails(&none, "C17", &format!("{p}.followUpDate"));
    let untrained = with_ec(emergency_contraception("2026-12-21"), |ec| {
        ec.doctor_qualification = "internal-medicine".into()
    })
    .issues();
    fails(&untrained, "C17", &format!("{p}.doctorQualification"));
    let in_house = emergency_contraception("2026-12-21")
        .with_record(|r| {
            if let Some(rx) = &mut r.prescription {
                rx.out_of_hospital = false;
            }
        })
        .issues();
    fails(&in_house, "C17", "prescription.outOfHospital");
}

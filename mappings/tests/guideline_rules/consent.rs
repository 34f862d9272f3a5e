//! C4–C7 (requirements.md §9.1): the consents on record, one passing and failing submission each.

use super::case::*;
use kakehashi_mappings::consultation::model::record::Attendee;
use kakehashi_mappings::consultation::model::ConsentKind;

#[test]
fn c4_needs_an_active_consent_given_before_the_session() {
    passes(&Case::first_visit().issues(), "C4");
    let kind = ConsentKind::OnlineConsultation;
    fails(
        &Case::first_visit().without_consent(kind).issues(),
        "C4",
        "consentIds",
    );
    let rejected = Case::first_visit()
        .with_consent(kind, |c| c.status = "rejected".into())
        .issues();
    assert!(fails(&rejected, "C4", "consentIds")
        .message
        .contains("CNS-2026-000201 is rejected"));
    let late = Case::first_visit()
        .with_consent(kind, |c| c.date_time = "2026-11-30T10:05:00+09:00".into())
        .issues();
    assert!(fails(&late, "C4", "consentIds")
        .message
        .contains("too late"));
    let other_patient = Case::first_visit()
        .with_consent(kind, |c| c.patient.id = "9999".into())
        .issues();
    fails(&other_patient, "C4", "consentIds");
}

#[test]
fn c5_needs_the_security_risk_agreement() {
    passes(&Case::first_visit().issues(), "C5");
    let kind = ConsentKind::SecurityRisk;
    let withdrawn = Case::first_visit()
        .with_consent(kind, |c| c.status = "inactive".into())
        .issues();
    fails(&withdrawn, "C5", "consentIds");
    fails(
        &Case::first_visit().without_consent(kind).issues(),
        "C5",
        "consentIds",
    );
}

fn stored(case: Case) -> Case {
    case.with_record(|r| {
        if let Some(recording) = &mut r.recording {
            recording.stored = true;
            recording.device = Some("医療機関の録画サーバ（院内）".into());
        }
    })
}

#[test]
fn c6_needs_an_agreement_to_store_on_a_named_device() {
    passes(&Case::first_visit().issues(), "C6");
    passes(&stored(Case::first_visit()).issues(), "C6");
    let kind = ConsentKind::Recording;
    let no_storage = stored(Case::first_visit())
        .with_consent(kind, |c| {
            if let Some(terms) = &mut c.recording {
                terms.store = false;
            }
        })
        .issues();
    assert!(fails(&no_storage, "C6", "recording.stored")
        .message
        .contains("does not agree to storing"));
    let no_agreement = stored(Case::first_visit()).without_consent(kind).issues();
    fails(&no_agreement, "C6", "recording.stored");
    let nowhere = stored(Case::first_visit())
        .with_record(|r| {
            if let Some(recording) = &mut r.recording {
                recording.device = None;
            }
        })
        .issues();
    fails(&nowhere, "C6", "recording.device");
}

#[test]
fn c7_needs_every_attendee_consented_and_a_consent_for_the_session() {
    passes(&Case::first_visit().issues(), "C7");
    passes(
        &Case::first_visit()
            .without_consent(ConsentKind::ThirdPartyAttendance)
            .with_record(|r| r.attendees.clear())
            .issues(),
        "C7",
    );
    let second = Case::first_visit()
        .with_record(|r| {
            r.attendees.push(Attendee {
                role: "support-person".into(),
                name: None,
                consented: false,
            })
        })
        .issues();
    fails(&second, "C7", "attendees[1].consented");
    let no_consent = Case::first_visit()
        .without_consent(ConsentKind::ThirdPartyAttendance)
        .issues();
    fails(&no_consent, "C7", "attendees");
    let longer = Case::first_visit()
        .with_record(|r| r.period.end = Some("2026-11-30T10:30:00+09:00".into()))
        .issues();
    assert!(fails(&longer, "C7", "attendees")
        .message
        .contains("not for the whole session"));
}

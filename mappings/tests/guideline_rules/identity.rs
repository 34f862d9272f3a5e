//! ID1–ID4 (requirements.md §9.4): one passing and failing submission each.

use super::case::*;
use kakehashi_mappings::{Issue, Severity};

#[test]
fn id1_a_first_visit_patient_is_checked_with_documents() {
    passes(&Case::first_visit().issues(), "ID1");
    let obvious = Case::first_visit()
        .with_record(|r| {
            r.identity_verification.patient_method = "obvious".into();
            r.identity_verification.skip_basis = Some("顔見知り".into());
        })
        .issues();
    fails(&obvious, "ID1", "identityVerification.patientMethod");
    let one_of_two = Case::first_visit()
        .with_record(|r| {
            r.identity_verification.patient_method = "two-documents".into();
            r.identity_verification.patient_documents =
                vec!["insurance-card".into(), "insurance-card".into()];
        })
        .issues();
    fails(&one_of_two, "ID1", "identityVerification.patientDocuments");
    let two = Case::first_visit()
        .with_record(|r| {
            r.identity_verification.patient_method = "two-documents".into();
            r.identity_verification.patient_documents =
                vec!["insurance-card".into(), "other".into()];
        })
        .issues();
    passes(&two, "ID1");
    let no_photo = Case::first_visit()
        .with_record(|r| r.identity_verification.patient_documents = vec!["insurance-card".into()])
        .issues();
    fails(&no_photo, "ID1", "identityVerification.patientDocuments");
}

#[test]
fn id2_the_doctor_shows_identity_qualification_and_year_of_registration() {
    passes(&Case::first_visit().issues(), "ID2");
    let no_year = Case::first_visit()
        .with_record(|r| r.doctor.registration_year = None)
        .issues();
    fails(&no_year, "ID2", "doctor.registrationYear");
    let obvious = Case::first_visit()
        .with_record(|r| r.identity_verification.doctor_method = "obvious".into())
        .issues();
    fails(&obvious, "ID2", "identityVerification.doctorMethod");
    let later = Case::follow_up()
        .with_record(|r| r.identity_verification.doctor_qualification = "obvious".into())
        .issues();
    passes(&later, "ID2");
}

#[test]
fn id3_no_identity_number_in_the_doctors_fields() {
    passes(&Case::first_visit().issues(), "ID3");
    let numbered = Case::first_visit()
        .with_record(|r| r.doctor.department = Some("内科 医籍登録番号123456".into()))
        .issues();
    let issue = fails(&numbered, "ID3", "doctor.department");
    assert!(
        !issue.message.contains("123456"),
        "the number is not repeated: {}",
        issue.message
    );
    let my_number = Case::first_visit()
        .with_record(|r| r.doctor_location = Some("自宅 1234 5678 9012".into()))
        .issues();
    fails(&my_number, "ID3", "doctorLocation");
}

#[test]
fn id4_an_obvious_identity_needs_its_basis_and_only_warns() {
    passes(&Case::follow_up().issues(), "ID4");
    let issues = Case::follow_up()
        .with_record(|r| r.identity_verification.skip_basis = None)
        .issues();
    let issue = fails(&issues, "ID4", "identityVerification.skipBasis");
    assert_eq!(issue.severity, Severity::Warning);
    assert!(!issues.iter().any(Issue::is_error), "{issues:#?}");
}

//! The identity checks of requirements.md §9.4 (§4): ID1 the patient at a first visit, ID2 the doctor's
//! identity, qualification and 医籍登録年, ID4 the basis of a skipped patient check.

use crate::consultation::model::ConsultationRecord;

use super::finding::Finding;
use super::text::blank;
use super::time::instant;
use super::RecordContext;

/// 患者の本人確認の方法: with a photo ID, with two kinds of documents, with one document and questions and
/// observation; `obvious` (社会通念上明らか) skips the check.
const PATIENT_METHODS: [&str; 4] = [
    "photo-id",
    "two-documents",
    "one-document-with-questions",
    "obvious",
];

/// 医師の本人証明 (a photo ID showing the doctor's name) and 資格証明.
const DOCTOR_METHODS: [&str; 5] = [
    "hpki-card",
    "my-number-card",
    "driver-licence",
    "passport",
    "obvious",
];
const DOCTOR_QUALIFICATIONS: [&str; 3] = ["hpki-card", "medical-licence", "obvious"];

/// Documents without the holder's photograph.
const WITHOUT_PHOTO: [&str; 1] = ["insurance-card"];

/// ID1: "First-visit patient identity: photo ID, or ≥2 documents, or 1 document + questions and
/// observation. The method must be captured." (顔写真付きの身分証明書; ２種類以上の身分証明書; １種類の
/// 身分証明書しか使用できない場合には…適切な質問や全身観察等を組み合わせた確認.) Skipping the check
/// (`obvious`) is refused at a first visit.
pub fn id1_first_visit_patient(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    if !record.first_visit.is_first_visit {
        return Vec::new();
    }
    let check = &record.identity_verification;
    let method = check.patient_method.trim();
    let documents = &check.patient_documents;
    let mut distinct: Vec<&str> = documents
        .iter()
        .map(|d| d.trim())
        .filter(|d| !d.is_empty())
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    let at_method = "identityVerification.patientMethod";
    let at_documents = "identityVerification.patientDocuments";
    let problem = match method {
        "obvious" => Some((
            at_method,
            "the patient's identity cannot be taken as obvious at a first visit".to_string(),
        )),
        "photo-id" if !distinct.iter().any(|d| !WITHOUT_PHOTO.contains(d)) => Some((
            at_documents,
            "a check with a photo ID (顔写真付きの身分証明書) names no photo ID".to_string(),
        )),
        "two-documents" if distinct.len() < 2 => Some((
            at_documents,
            format!(
                "a check with two kinds of documents names {} kind(s)",
                distinct.len()
            ),
        )),
        "one-document-with-questions" if distinct.len() != 1 => Some((
            at_documents,
            format!(
                "a check with one document and questions names {} document kind(s)",
                distinct.len()
            ),
        )),
        _ if !PATIENT_METHODS.contains(&method) => Some((
            at_method,
            format!(
                "'{method}' is not a patient identity method (one of {})",
                PATIENT_METHODS.join(", ")
            ),
        )),
        _ => None,
    };
    problem
        .map(|(path, problem)| Finding::at(path, problem))
        .into_iter()
        .collect()
}

/// ID2: "Doctor identity: name shown with a photo ID (HPKI card, マイナンバーカード, licence, passport);
/// qualification via HPKI card / 医師免許証 and 医籍登録年." (顔写真付きの身分証明書を用いて医師本人の氏名
/// を示す; 「医籍登録年」を伝える.) `obvious` is refused at a first visit; the year of registration is
/// always given and not after the session.
pub fn id2_doctor_identity(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    let check = &record.identity_verification;
    let first = record.first_visit.is_first_visit;
    let mut found = Vec::new();
    let mut proof = |path: &str, value: &str, known: &[&str], what: &str| {
        let value = value.trim();
        if !known.contains(&value) {
            found.push(Finding::at(
                path,
                format!(
                    "'{value}' is not a doctor {what} method (one of {})",
                    known.join(", ")
                ),
            ));
        } else if first && value == "obvious" {
            found.push(Finding::at(
                path,
                format!("the doctor's {what} cannot be taken as obvious at a first visit"),
            ));
        }
    };
    proof(
        "identityVerification.doctorMethod",
        &check.doctor_method,
        &DOCTOR_METHODS,
        "identity",
    );
    proof(
        "identityVerification.doctorQualification",
        &check.doctor_qualification,
        &DOCTOR_QUALIFICATIONS,
        "qualification",
    );
    let at = "doctor.registrationYear";
    match record.doctor.registration_year {
        None => found.push(Finding::at(
            at,
            "the doctor's year of registration (医籍登録年) is missing",
        )),
        Some(year) => {
            let session_year = instant("period.start", &record.period.start)
                .ok()
                .map(|start| chrono::Datelike::year(&start));
            if session_year.is_some_and(|session| i32::from(year) > session) {
                found.push(Finding::at(
                    at,
                    format!("the year of registration {year} is after the session"),
                ));
            }
        }
    }
    found
}

/// ID4: "Re-verification may be skipped only where identity is obvious (e.g. かかりつけ, second and
/// later visits). Store the basis." (社会通念上、当然に医師、患者本人であると認識できる状況であった場合
/// には、診療の都度本人確認を行う必要はない.)
pub fn id4_skip_basis(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    let check = &record.identity_verification;
    if check.patient_method.trim() != "obvious" || !blank(check.skip_basis.as_deref()) {
        return Vec::new();
    }
    vec![Finding::at(
        "identityVerification.skipBasis",
        "the patient's identity was taken as obvious without a stated basis",
    )]
}

//! The consultation checks of requirements.md §9.1 that read the record alone (and the overlap count
//! the gateway supplies): C1 video and audio, C2 one patient at a time, C3 start and end times, C8 date
//! and content, C9 the appropriateness statement, C10 the emergency referral, C14 the doctor's
//! institution and contact.

use crate::consultation::model::ConsultationRecord;

use super::finding::Finding;
use super::text::blank;
use super::time::instant;
use super::RecordContext;

/// C1: "An online encounter must involve real-time audio + video. Reject encounters completed only by
/// text, photos or recorded video; chat is auxiliary only." (リアルタイムの視覚及び聴覚の情報を含む
/// 情報通信手段; 文字、写真及び録画動画のみのやりとりで完結してはならない.)
pub fn c1_video_and_audio(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    let c = &record.communication;
    let aside = if c.chat {
        "; chat is auxiliary only"
    } else {
        ""
    };
    let mut found = Vec::new();
    if !c.video {
        found.push(Finding::at(
            "communication.video",
            format!("the session had no real-time video{aside}"),
        ));
    }
    if !c.audio {
        found.push(Finding::at(
            "communication.audio",
            format!("the session had no real-time audio{aside}"),
        ));
    }
    found
}

/// C2: "One doctor, one patient at a time: reject or flag overlapping online encounter periods for the
/// same practitioner." (医師は、同時に複数の患者の診療を行ってはならない.)
pub fn c2_one_patient_at_a_time(_: &ConsultationRecord, ctx: &RecordContext) -> Vec<Finding> {
    match ctx.overlapping_sessions {
        0 => Vec::new(),
        n => vec![Finding::at(
            "period",
            format!("{n} other session(s) of the same doctor overlap this period"),
        )],
    }
}

/// C3: "Record start and end timestamps of each session as an access log (1:1 proof)."
/// (オンライン診療の開始時間及び終了時間をアクセスログとして記録.)
pub fn c3_start_and_end(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    let start = instant("period.start", &record.period.start);
    let Some(end_text) = record.period.end.as_deref() else {
        let mut found = vec![Finding::at("period.end", "the session has no end time")];
        found.extend(start.err());
        return found;
    };
    match (start, instant("period.end", end_text)) {
        (Ok(start), Ok(end)) if end <= start => vec![Finding::at(
            "period.end",
            format!(
                "the session ends at {end_text}, not after its start {}",
                record.period.start
            ),
        )],
        (start, end) => start.err().into_iter().chain(end.err()).collect(),
    }
}

/// C8: "Encounter must be flagged as online (distinguishable in the EHR) and carry concrete date/time
/// and content." (日時や診療内容などについて可能な限り具体的な記載.) A consultation record is online
/// by its format.
pub fn c8_date_and_content(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    let mut found = Vec::new();
    if blank(Some(&record.care_content)) {
        found.push(Finding::at(
            "careContent",
            "the content of care (診療内容) is blank",
        ));
    }
    found.extend(instant("period.start", &record.period.start).err());
    found
}

/// C9: "For insurance claims: an appropriateness statement (care and prescription) in the 診療録 and
/// the claim's 摘要欄." (当該診療が適切な診療であること及び当該処方が適切な処方であること.)
pub fn c9_appropriateness(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    let Some(statement) = &record.appropriateness else {
        return vec![Finding::at(
            "appropriateness",
            "no statement that the care is appropriate (当該診療が適切な診療である旨)",
        )];
    };
    let mut found = Vec::new();
    if blank(Some(&statement.care)) {
        found.push(Finding::at(
            "appropriateness.care",
            "the statement that the care is appropriate is blank",
        ));
    }
    if record.prescription.is_some() && blank(statement.prescription.as_deref()) {
        found.push(Finding::at(
            "appropriateness.prescription",
            "a prescription was issued without a statement that it is appropriate (当該処方が適切な処方である旨)",
        ));
    }
    found
}

/// C10: "Emergency referral data when the doctor's own institution cannot handle a deterioration:
/// かかりつけ institution name, or (if none) reason, referral institution, referral method and
/// consent." (緊急時の紹介先.)
pub fn c10_emergency_referral(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    let Some(referral) = &record.emergency_referral else {
        return vec![Finding::at(
            "emergencyReferral",
            "no emergency referral (緊急時の紹介先) is recorded",
        )];
    };
    if let Some(regular) = &referral.regular_institution {
        return if blank(Some(&regular.name)) {
            vec![Finding::at(
                "emergencyReferral.regularInstitution.name",
                "the regular institution (かかりつけの医療機関) has no name",
            )]
        } else {
            Vec::new()
        };
    }
    let p = "emergencyReferral";
    let mut found = Vec::new();
    if blank(referral.reason.as_deref()) {
        found.push(Finding::at(
            format!("{p}.reason"),
            "without a regular institution, the reason face-to-face care is impossible is required",
        ));
    }
    match &referral.referral_institution {
        None => found.push(Finding::at(
            format!("{p}.referralInstitution"),
            "without a regular institution, the referral institution (紹介先医療機関) is required",
        )),
        Some(institution) if blank(Some(&institution.name)) => found.push(Finding::at(
            format!("{p}.referralInstitution.name"),
            "the referral institution has no name",
        )),
        Some(_) => {}
    }
    if blank(referral.referral_method.as_deref()) {
        found.push(Finding::at(
            format!("{p}.referralMethod"),
            "without a regular institution, the referral method (紹介方法) is required",
        ));
    }
    if referral.patient_consented != Some(true) {
        found.push(Finding::at(
            format!("{p}.patientConsented"),
            "without a regular institution, the patient's consent to the referral is required",
        ));
    }
    found
}

/// C14: "Doctor affiliation and contact must be present on every online encounter and shown to the
/// patient." (医療機関に所属し、その所属及び当該医療機関の問い合わせ先を明らかにする.)
pub fn c14_affiliation_and_contact(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    let Some(institution) = &record.doctor.institution else {
        return vec![Finding::at(
            "doctor.institution",
            "the doctor's institution (所属医療機関) is missing",
        )];
    };
    let mut found = Vec::new();
    if blank(Some(&institution.name)) {
        found.push(Finding::at(
            "doctor.institution.name",
            "the doctor's institution has no name",
        ));
    }
    if blank(institution.contact.as_deref()) {
        found.push(Finding::at(
            "doctor.institution.contact",
            "the doctor's institution has no contact point (問い合わせ先)",
        ));
    }
    found
}

//! The consent checks of requirements.md §9.1 over the patient's consents on record: C4 consent to
//! online care, C5 the security-risk agreement, C6 the recording agreement, C7 third-party attendance.
//!
//! A consent counts for a session when it is the same patient's, `active` (a refused or withdrawn one
//! does not count), given in time (by `period.start` for C4–C6, by the end of the session for C7) and,
//! when it has a validity period, valid for the whole session.

use crate::consultation::model::{Consent, ConsentKind, ConsultationRecord};

use super::finding::Finding;
use super::text::blank;
use super::time::{instant, Instant, Session};
use super::RecordContext;

/// C4: "Patient consent to online care, with explicit confirmation of the wish, must exist before the
/// first online encounter." (オンライン診療を実施する旨について、医師と患者との間で合意がある場合に
/// 行う; 患者がオンライン診療を希望する旨を明示的に確認する.)
pub fn c4_consent_to_online_care(record: &ConsultationRecord, ctx: &RecordContext) -> Vec<Finding> {
    before_the_session(record, ctx, ConsentKind::OnlineConsultation)
}

/// C5: "Security-risk agreement recorded in the 診療録 before online care." (セキュリティリスクを説明し
/// …合意を得た上で、双方が合意した旨を診療録に記載.)
pub fn c5_security_risk_agreement(
    record: &ConsultationRecord,
    ctx: &RecordContext,
) -> Vec<Finding> {
    before_the_session(record, ctx, ConsentKind::SecurityRisk)
}

/// C6: "Video/audio storage: refuse to persist session media unless a prior doctor–patient agreement
/// exists on storage and the storage device." (映像や音声等の保存の要否や保存端末等の取り決めを明確に
/// し、双方で合意する.)
pub fn c6_recording_agreement(record: &ConsultationRecord, ctx: &RecordContext) -> Vec<Finding> {
    let Some(recording) = record.recording.as_ref().filter(|r| r.stored) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if blank(recording.device.as_deref()) {
        found.push(Finding::at(
            "recording.device",
            "the session's media were stored without naming where (保存端末等)",
        ));
    }
    let session = match Session::of(&record.period) {
        Ok(session) => session,
        Err(finding) => {
            found.push(finding);
            return found;
        }
    };
    let agreed = |consent: &Consent| match &consent.recording {
        Some(terms) if terms.store && !blank(terms.device.as_deref()) => None,
        Some(terms) if terms.store => Some("names no storage device".to_string()),
        _ => Some("does not agree to storing".to_string()),
    };
    if let Err(reasons) = find(record, ctx, ConsentKind::Recording, |c| {
        why_not_counted(c, record, &session, session.start).or_else(|| agreed(c))
    }) {
        found.push(Finding::at(
            "recording.stored",
            missing(
                ConsentKind::Recording,
                "agreeing to store on a named device, given by period.start",
                &reasons,
            ),
        ));
    }
    found
}

/// C7: "Third-party attendance: if another medical professional or a third party is present, a
/// per-session consent must be recorded. Family or support person only if both agree." (医師の他に
/// 医療従事者等が同席する場合は、その都度患者に説明を行い、患者の同意を得る.)
pub fn c7_attendance_consent(record: &ConsultationRecord, ctx: &RecordContext) -> Vec<Finding> {
    if record.attendees.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<Finding> = record
        .attendees
        .iter()
        .enumerate()
        .filter(|(_, attendee)| !attendee.consented)
        .map(|(i, attendee)| {
            Finding::at(
                format!("attendees[{i}].consented"),
                format!("attendee {} ({}) has not consented", i + 1, attendee.role),
            )
        })
        .collect();
    let session = match Session::of(&record.period) {
        Ok(session) => session,
        Err(finding) => {
            found.push(finding);
            return found;
        }
    };
    let kind = ConsentKind::ThirdPartyAttendance;
    if let Err(reasons) = find(record, ctx, kind, |c| {
        why_not_counted(c, record, &session, session.last())
    }) {
        found.push(Finding::at(
            "attendees",
            missing(kind, "covering this session", &reasons),
        ));
    }
    found
}

/// C4 and C5: a consent of `kind` that counts, given no later than `period.start`.
fn before_the_session(
    record: &ConsultationRecord,
    ctx: &RecordContext,
    kind: ConsentKind,
) -> Vec<Finding> {
    let session = match Session::of(&record.period) {
        Ok(session) => session,
        Err(finding) => return vec![finding],
    };
    match find(record, ctx, kind, |c| {
        why_not_counted(c, record, &session, session.start)
    }) {
        Ok(()) => Vec::new(),
        Err(reasons) => vec![Finding::at(
            "consentIds",
            missing(kind, "given by period.start", &reasons),
        )],
    }
}

/// Ok when some consent of `kind` on record is not disqualified, else why each one is.
fn find(
    record: &ConsultationRecord,
    ctx: &RecordContext,
    kind: ConsentKind,
    disqualified: impl Fn(&Consent) -> Option<String>,
) -> Result<(), Vec<String>> {
    let mut reasons = Vec::new();
    for consent in ctx.consents.iter().filter(|c| c.kind == kind) {
        match disqualified(consent) {
            None => return Ok(()),
            Some(reason) => reasons.push(format!(
                "{}{} {reason}",
                consent.consent_id,
                unnamed_note(record, consent)
            )),
        }
    }
    Err(reasons)
}

/// A note when the record does not name the consent in `consentIds`.
fn unnamed_note(record: &ConsultationRecord, consent: &Consent) -> &'static str {
    if record.consent_ids.contains(&consent.consent_id) {
        ""
    } else {
        " (not in consentIds)"
    }
}

/// Why `consent` does not count for `session`, if it does not: another patient's, not active, given
/// after `deadline` or at an unreadable time, or valid for a period that does not cover the session.
fn why_not_counted(
    consent: &Consent,
    record: &ConsultationRecord,
    session: &Session,
    deadline: Instant,
) -> Option<String> {
    if consent.patient.id != record.patient.id {
        return Some(format!("is for patient {}", consent.patient.id));
    }
    if consent.status != "active" {
        return Some(format!("is {}", consent.status));
    }
    match instant("dateTime", &consent.date_time) {
        Err(_) => {
            return Some(format!(
                "has an unreadable dateTime '{}'",
                consent.date_time
            ))
        }
        Ok(given) if given > deadline => {
            return Some(format!("was given at {}, too late", consent.date_time))
        }
        Ok(_) => {}
    }
    let period = consent.period.as_ref()?;
    let from = instant("period.start", &period.start).ok();
    let until = match period.end.as_deref() {
        None => Ok(None),
        Some(end) => instant("period.end", end).map(Some),
    };
    let covers = match (from, until) {
        (Some(from), Ok(until)) => {
            from <= session.start && until.is_none_or(|u| session.last() <= u)
        }
        _ => false,
    };
    (!covers).then(|| {
        format!(
            "is valid from {} to {}, not for the whole session",
            period.start,
            period.end.as_deref().unwrap_or("open end")
        )
    })
}

fn missing(kind: ConsentKind, condition: &str, reasons: &[String]) -> String {
    let mut text = format!(
        "no active {} consent ({}) {condition} is on record",
        kind.code(),
        kind.display()
    );
    if !reasons.is_empty() {
        text.push_str(": ");
        text.push_str(&reasons.join("; "));
    }
    text
}

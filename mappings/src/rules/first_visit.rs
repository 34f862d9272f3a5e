//! The first-visit checks of requirements.md §9.1: C11 the first-visit basis, C12 what a first visit by
//! a doctor who is not the regular doctor rests on, C13 the plan explained after a first online visit.

use crate::consultation::model::ConsultationRecord;

use super::finding::Finding;
use super::text::blank;
use super::time::{instant, Session};
use super::RecordContext;

/// 初診の根拠 (000 L376–380): the first examination, a new symptom, the same disease after a cure, or
/// after a long interruption of treatment.
pub const BASES: [&str; 4] = [
    "first-examination",
    "new-symptom",
    "recurrence-after-cure",
    "after-interruption",
];

/// 初診の例外 (000 L1813–1843): the regular doctor does not do online care or cannot at that time, the
/// patient has no regular doctor, a referral by the regular doctor, a second opinion.
pub const EXCEPTIONS: [&str; 4] = [
    "regular-doctor-unavailable",
    "no-regular-doctor",
    "referred-by-regular-doctor",
    "second-opinion",
];

/// 次回の診察の方法.
const APPOINTMENT_METHODS: [&str; 2] = ["online", "face-to-face"];

/// C11: "First-visit classification: an encounter is 初診 if it is the first exam, a new (unpredicted)
/// symptom, a re-visit after cure, or after a long interruption. Compute or require this flag."
/// (「初診」: 初めて診察を行う場合、新たな症状等、治癒した後又は治療が長期間中断した後.)
pub fn c11_first_visit_basis(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    let visit = &record.first_visit;
    if !visit.is_first_visit {
        return Vec::new();
    }
    match visit.basis.as_deref().map(str::trim) {
        None | Some("") => vec![Finding::at(
            "firstVisit.basis",
            "a first visit (初診) without its basis",
        )],
        Some(basis) if !BASES.contains(&basis) => vec![Finding::at(
            "firstVisit.basis",
            format!(
                "'{basis}' is not a first-visit basis (one of {})",
                BASES.join(", ")
            ),
        )],
        Some(_) => Vec::new(),
    }
}

/// C12: "First visit by a non-かかりつけ doctor: require either a 診療前相談 record or documented prior
/// medical info (既往歴/服薬歴/アレルギー歴 …), written into the 診療録. Otherwise, one of the listed
/// exception reasons." (事前に得た情報を診療録に記載する必要がある.) A pre-consultation that is given
/// must have a summary and take place before the session.
pub fn c12_not_by_the_regular_doctor(
    record: &ConsultationRecord,
    _: &RecordContext,
) -> Vec<Finding> {
    let visit = &record.first_visit;
    if !visit.is_first_visit || visit.by_regular_doctor {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut pre_consulted = false;
    if let Some(pre) = &visit.pre_consultation {
        let path = "firstVisit.preConsultation";
        let summarised = !blank(Some(&pre.summary));
        if !summarised {
            found.push(Finding::at(
                format!("{path}.summary"),
                "the pre-consultation (診療前相談) has no summary",
            ));
        }
        let at = format!("{path}.dateTime");
        let before = match (instant(&at, &pre.date_time), Session::of(&record.period)) {
            (Ok(held), Ok(session)) if held > session.start => {
                found.push(Finding::at(
                    &at,
                    format!(
                        "the pre-consultation at {} is after the session's start",
                        pre.date_time
                    ),
                ));
                false
            }
            (Ok(_), Ok(_)) => true,
            (held, session) => {
                found.extend(held.err());
                found.extend(session.err());
                false
            }
        };
        pre_consulted = summarised && before;
    }
    let informed = visit
        .prior_information
        .iter()
        .any(|info| !blank(Some(&info.summary)));
    let excepted = match visit.exception.as_deref().map(str::trim) {
        None | Some("") => false,
        Some(code) if EXCEPTIONS.contains(&code) => true,
        Some(code) => {
            found.push(Finding::at(
                "firstVisit.exception",
                format!(
                    "'{code}' is not a first-visit exception (one of {})",
                    EXCEPTIONS.join(", ")
                ),
            ));
            false
        }
    };
    if !(pre_consulted || informed || excepted) {
        found.push(Finding::at(
            "firstVisit.preConsultation",
            "a first visit by a doctor who is not the regular doctor needs a pre-consultation (診療前相談), \
             prior medical information (priorInformation) or a first-visit exception",
        ));
    }
    found
}

/// C13: "After a first online visit, a post-visit plan must exist (next date/time and method;
/// face-to-face destination if worse)." (次回の診察の日時及び方法並びに症状の増悪があった場合の対面
/// 診療の受診先.)
pub fn c13_plan_after_first_visit(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    if !record.first_visit.is_first_visit {
        return Vec::new();
    }
    let p = "nextAppointment";
    let Some(next) = &record.next_appointment else {
        return vec![Finding::at(
            p,
            "a first online visit without the next consultation's date, method and face-to-face destination",
        )];
    };
    let mut found = Vec::new();
    let at = format!("{p}.dateTime");
    match (instant(&at, &next.date_time), Session::of(&record.period)) {
        (Ok(next_at), Ok(session)) if next_at <= session.start => found.push(Finding::at(
            &at,
            format!(
                "the next consultation at {} is not after this session",
                next.date_time
            ),
        )),
        (next_at, session) => {
            found.extend(next_at.err());
            found.extend(session.err());
        }
    }
    if !APPOINTMENT_METHODS.contains(&next.method.trim()) {
        found.push(Finding::at(
            format!("{p}.method"),
            format!(
                "'{}' is not a consultation method (online or face-to-face)",
                next.method
            ),
        ));
    }
    match &next.face_to_face_destination {
        None => found.push(Finding::at(
            format!("{p}.faceToFaceDestination"),
            "no face-to-face destination (対面診療の受診先) if symptoms worsen",
        )),
        Some(destination) if blank(Some(&destination.name)) => found.push(Finding::at(
            format!("{p}.faceToFaceDestination.name"),
            "the face-to-face destination has no name",
        )),
        Some(_) => {}
    }
    found
}

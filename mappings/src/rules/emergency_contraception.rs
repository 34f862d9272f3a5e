//! C17 of requirements.md §9.1 (§3.5): the conditions of an online prescription of emergency
//! contraception (緊急避妊).

use crate::consultation::model::ConsultationRecord;

use super::finding::Finding;
use super::time::{day, instant};
use super::RecordContext;

/// 医師の要件: an OB/GYN (産婦人科医) or a doctor who took the MHLW-designated training.
const QUALIFICATIONS: [&str; 2] = ["obstetrics-gynecology", "trained"];

/// 約三週間後: the days after the session accepted as "about three weeks".
const FOLLOW_UP_DAYS: std::ops::RangeInclusive<i64> = 14..=28;

/// C17: "Emergency-contraception first visit: practitioner must be OB/GYN or trained; exactly one
/// tablet, 院外処方 (out-of-hospital); a face-to-face OB/GYN follow-up about 3 weeks later must be
/// scheduled." (産婦人科医又は厚生労働省が指定する研修を受講した医師; 一錠のみの院外処方; 産婦人科医
/// による直接の対面診療を約三週間後に受診することを確実に担保.) Checked on every prescription of
/// emergency contraception.
pub fn c17_emergency_contraception(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    let Some(prescription) = &record.prescription else {
        return Vec::new();
    };
    let Some(ec) = &prescription.emergency_contraception else {
        return Vec::new();
    };
    let p = "prescription.emergencyContraception";
    let mut found = Vec::new();
    if ec.tablets != 1 {
        found.push(Finding::at(
            format!("{p}.tablets"),
            format!(
                "{} tablets prescribed; one tablet only (一錠のみ) is allowed",
                ec.tablets
            ),
        ));
    }
    if !prescription.out_of_hospital {
        found.push(Finding::at(
            "prescription.outOfHospital",
            "emergency contraception must be an out-of-hospital prescription (院外処方)",
        ));
    }
    if !QUALIFICATIONS.contains(&ec.doctor_qualification.trim()) {
        found.push(Finding::at(
            format!("{p}.doctorQualification"),
            format!(
                "'{}' is neither obstetrics-gynecology (産婦人科医) nor trained (研修を受講した医師)",
                ec.doctor_qualification
            ),
        ));
    }
    let at = format!("{p}.followUpDate");
    let Some(follow_up) = ec.follow_up_date.as_deref() else {
        found.push(Finding::at(
            at,
            "no face-to-face follow-up with an OB/GYN is scheduled (約三週間後)",
        ));
        return found;
    };
    let start = match instant("period.start", &record.period.start) {
        Ok(start) => start,
        Err(finding) => {
            found.push(finding);
            return found;
        }
    };
    match day(&at, follow_up, *start.offset()) {
        Err(finding) => found.push(finding),
        Ok(date) => {
            let days = (date - start.date_naive()).num_days();
            if !FOLLOW_UP_DAYS.contains(&days) {
                found.push(Finding::at(
                    at,
                    format!(
                        "the follow-up on {follow_up} is {days} days after the session; about three weeks \
                         ({}–{} days) is required",
                        FOLLOW_UP_DAYS.start(),
                        FOLLOW_UP_DAYS.end()
                    ),
                ));
            }
        }
    }
    found
}

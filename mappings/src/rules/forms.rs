//! The form-specific checks of requirements.md §9.2 (§1.3): P7 D to P with N, P8 D to P with D.

use crate::consultation::model::{ConsultationRecord, Form};

use super::finding::Finding;
use super::text::blank;
use super::RecordContext;

/// 看護師等の所属: a nurse of the same institution, or one under a visiting-nursing instruction.
const NURSE_AFFILIATIONS: [&str; 2] = ["same-institution", "visiting-nursing"];

/// P7: "DtoPwithN: a 訪問看護指示書 and a care plan must be referenced. Nurse actions outside the
/// predicted range are limited to tests ordered for new symptoms. The N is same-institution staff or a
/// visiting nurse under instruction." (「診療計画」及び訪問看護指示書に基づき; 看護師等は同一医療機関の
/// 看護師等あるいは訪問看護の指示を受けた看護師等とする.)
pub fn p7_with_nurse(record: &ConsultationRecord, ctx: &RecordContext) -> Vec<Finding> {
    if record.form != Form::DtoPwithN {
        return Vec::new();
    }
    let mut found = Vec::new();
    match &record.with_nurse {
        None => found.push(Finding::at(
            "withNurse",
            "a D to P with N session without its nurse",
        )),
        Some(nurse) => {
            if blank(Some(&nurse.name)) {
                found.push(Finding::at("withNurse.name", "the nurse has no name"));
            }
            if blank(nurse.instruction_id.as_deref()) {
                found.push(Finding::at(
                    "withNurse.instructionId",
                    "no visiting-nursing instruction (訪問看護指示書) is referenced",
                ));
            }
            if !NURSE_AFFILIATIONS.contains(&nurse.affiliation.trim()) {
                found.push(Finding::at(
                    "withNurse.affiliation",
                    format!(
                        "'{}' is neither same-institution nor visiting-nursing",
                        nurse.affiliation
                    ),
                ));
            }
        }
    }
    match record.care_plan_id.as_deref().filter(|id| !blank(Some(id))) {
        None => found.push(Finding::at(
            "carePlanId",
            "a D to P with N session names no care plan (診療計画)",
        )),
        Some(id) if ctx.care_plan.is_none() => found.push(Finding::at(
            "carePlanId",
            format!("care plan {id} is not on record"),
        )),
        Some(_) => {}
    }
    found
}

/// P8: "DtoPwithD: require that the patient-side doctor is the 主治医 with prior face-to-face care, and
/// that a 診療情報提供書 (or equivalent prior information) from the 主治医 was received by the remote
/// doctor." (患者の側にいる医師は、既に直接の対面診療を行っている主治医等である必要があり…あらかじめ、
/// 主治医等の医師より十分な情報提供を受けること.)
pub fn p8_with_doctor(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    if record.form != Form::DtoPwithD {
        return Vec::new();
    }
    let Some(with) = &record.with_doctor else {
        return vec![Finding::at(
            "withDoctor",
            "a D to P with D session without the doctor beside the patient (主治医)",
        )];
    };
    let mut found = Vec::new();
    if blank(Some(&with.doctor.name)) {
        found.push(Finding::at(
            "withDoctor.doctor.name",
            "the 主治医 has no name",
        ));
    }
    if !with.saw_patient_face_to_face {
        found.push(Finding::at(
            "withDoctor.sawPatientFaceToFace",
            "the doctor beside the patient has not seen the patient face to face (直接の対面診療)",
        ));
    }
    if !with.prior_information_received {
        found.push(Finding::at(
            "withDoctor.priorInformationReceived",
            "no prior information (診療情報提供書 etc.) from the 主治医 was received",
        ));
    }
    found
}

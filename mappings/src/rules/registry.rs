//! Which function checks which rule of tables/guideline-rules.csv, in table order (requirements.md
//! §9.1, §9.2, §9.4).

use crate::consultation::model::{CarePlan, ConsultationRecord};

use super::finding::Finding;
#[cfg(test)]
use super::table::AppliesTo;
use super::{
    care_plan, consent, consultation, data_minimisation, emergency_contraception, first_visit,
    forms, identity, plan_followed, RecordContext,
};

/// A rule's check, by what it is checked on.
#[derive(Clone, Copy)]
pub enum Check {
    Record(fn(&ConsultationRecord, &RecordContext) -> Vec<Finding>),
    CarePlan(fn(&CarePlan) -> Vec<Finding>),
    CarePlanChange(fn(&CarePlan, &str) -> Vec<Finding>),
}

impl Check {
    /// What the check reads, to compare with the table's `applies_to`.
    #[cfg(test)]
    pub fn applies_to(self) -> AppliesTo {
        match self {
            Check::Record(_) => AppliesTo::Record,
            Check::CarePlan(_) => AppliesTo::CarePlan,
            Check::CarePlanChange(_) => AppliesTo::CarePlanChange,
        }
    }
}

/// Every implemented rule and its check.
pub const CHECKS: [(&str, Check); 25] = [
    ("C1", Check::Record(consultation::c1_video_and_audio)),
    ("C2", Check::Record(consultation::c2_one_patient_at_a_time)),
    ("C3", Check::Record(consultation::c3_start_and_end)),
    ("C4", Check::Record(consent::c4_consent_to_online_care)),
    ("C5", Check::Record(consent::c5_security_risk_agreement)),
    ("C6", Check::Record(consent::c6_recording_agreement)),
    ("C7", Check::Record(consent::c7_attendance_consent)),
    ("C8", Check::Record(consultation::c8_date_and_content)),
    ("C9", Check::Record(consultation::c9_appropriateness)),
    ("C10", Check::Record(consultation::c10_emergency_referral)),
    ("C11", Check::Record(first_visit::c11_first_visit_basis)),
    (
        "C12",
        Check::Record(first_visit::c12_not_by_the_regular_doctor),
    ),
    (
        "C13",
        Check::Record(first_visit::c13_plan_after_first_visit),
    ),
    (
        "C14",
        Check::Record(consultation::c14_affiliation_and_contact),
    ),
    (
        "C17",
        Check::Record(emergency_contraception::c17_emergency_contraception),
    ),
    ("P1", Check::Record(plan_followed::p1_plan_before_the_visit)),
    ("P2", Check::CarePlan(care_plan::p2_required_items)),
    ("P3", Check::CarePlanChange(care_plan::p3_kept_two_years)),
    ("P4", Check::Record(plan_followed::p4_planned_doctor)),
    ("P7", Check::Record(forms::p7_with_nurse)),
    ("P8", Check::Record(forms::p8_with_doctor)),
    ("ID1", Check::Record(identity::id1_first_visit_patient)),
    ("ID2", Check::Record(identity::id2_doctor_identity)),
    (
        "ID3",
        Check::Record(data_minimisation::id3_no_identity_numbers),
    ),
    ("ID4", Check::Record(identity::id4_skip_basis)),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{all, rule};

    #[test]
    fn every_rule_of_the_table_has_a_check_and_every_check_a_row() {
        for row in all() {
            let check = CHECKS.iter().find(|(id, _)| *id == row.id);
            let Some((_, check)) = check else {
                panic!("{} has no check", row.id)
            };
            assert_eq!(check.applies_to(), row.applies_to, "{}", row.id);
        }
        for (id, _) in CHECKS {
            assert!(rule(id).is_some(), "{id} has no row in guideline-rules.csv");
        }
        let ids: Vec<&str> = all().iter().map(|row| row.id.as_str()).collect();
        let checked: Vec<&str> = CHECKS.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, checked, "the checks run in table order");
    }
}

//! The online-consultation guideline rules (requirements.md §9 tables 9.1, 9.2 and 9.4: C1–C14, C17,
//! P1–P4, P7–P8, ID1–ID4) as small named checks over the native models of `crate::consultation`. The
//! rule table is data (tables/guideline-rules.csv); every failed rule gives one `Issue` per finding,
//! code `business-rule`, its rule id and seed citation, at the native field path.

mod care_plan;
mod consent;
mod consultation;
mod data_minimisation;
mod emergency_contraception;
mod finding;
mod first_visit;
mod forms;
mod identity;
mod plan_followed;
mod registry;
mod table;
mod text;
mod time;

use crate::consultation::model::{CarePlan, Consent, ConsultationRecord};
use crate::issue::Issue;

use finding::Finding;
use registry::{Check, CHECKS};
pub use table::{all, rule, Action, AppliesTo, Rule};
pub use text::same_name;

/// What the gateway knows besides the submitted document.
#[derive(Debug, Clone, Copy)]
pub struct RecordContext<'a> {
    /// The care plan named by `record.carePlanId`, when one is on record (P1, P4, P7).
    pub care_plan: Option<&'a CarePlan>,
    /// The patient's consents on record (including ones named in `consentIds`), any status (C4–C7).
    pub consents: &'a [Consent],
    /// Records of the same doctor whose periods overlap this one (C2); 0 when none.
    pub overlapping_sessions: usize,
}

/// Every record rule's findings on `record`, in table order.
pub fn check_record(record: &ConsultationRecord, ctx: &RecordContext) -> Vec<Issue> {
    run(|check| match check {
        Check::Record(check) => Some(check(record, ctx)),
        _ => None,
    })
}

/// Every care-plan rule's findings on `plan` (P2).
pub fn check_care_plan(plan: &CarePlan) -> Vec<Issue> {
    run(|check| match check {
        Check::CarePlan(check) => Some(check(plan)),
        _ => None,
    })
}

/// P3: deleting or overwriting `existing` at `now` (RFC 3339) is refused within 2 years of its `created`.
pub fn check_care_plan_change(existing: &CarePlan, now: &str) -> Vec<Issue> {
    run(|check| match check {
        Check::CarePlanChange(check) => Some(check(existing, now)),
        _ => None,
    })
}

/// The issues of the checks `apply` runs, each under its rule's table row.
fn run(apply: impl Fn(Check) -> Option<Vec<Finding>>) -> Vec<Issue> {
    CHECKS
        .iter()
        .filter_map(|(id, check)| Some((rule(id)?, apply(*check)?)))
        .flat_map(|(row, findings)| findings.into_iter().map(|f| f.into_issue(row)))
        .collect()
}

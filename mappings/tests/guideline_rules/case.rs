//! The submissions of the guideline-rule tests: the complete examples of fixtures/consultation/ok/
//! read in place, variants of them, and assertions on a rule's findings.

use std::path::{Path, PathBuf};

use kakehashi_mappings::consultation::model::{CarePlan, Consent, ConsentKind, ConsultationRecord};
use kakehashi_mappings::rules::{self, Action, RecordContext};
use kakehashi_mappings::{Issue, IssueCode, Severity};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/consultation/ok")
}

pub fn read<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = fixtures().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn first_visit_record() -> ConsultationRecord {
    read("record-dtop-first-visit.json")
}

pub fn hypertension_plan() -> CarePlan {
    read("care-plan-hypertension.json")
}

pub fn consents() -> Vec<Consent> {
    ConsentKind::ALL
        .into_iter()
        .map(|kind| read(&format!("consent-{}.json", kind.code())))
        .collect()
}

/// A submission and what the gateway knows besides it.
#[derive(Clone)]
pub struct Case {
    pub record: ConsultationRecord,
    pub consents: Vec<Consent>,
    pub plan: Option<CarePlan>,
    pub overlapping_sessions: usize,
}

impl Case {
    /// The complete first-visit record with its consents, no care plan, no overlap.
    pub fn first_visit() -> Case {
        Case {
            record: first_visit_record(),
            consents: consents(),
            plan: None,
            overlapping_sessions: 0,
        }
    }

    /// The first-visit record turned into a follow-up of the hypertension plan's patient: not a first
    /// visit, by the regular doctor, naming the plan, identity obvious with its basis.
    pub fn follow_up() -> Case {
        let plan = hypertension_plan();
        let mut case = Case::first_visit();
        let record = &mut case.record;
        record.patient = plan.patient.clone();
        record.first_visit.is_first_visit = false;
        record.first_visit.basis = None;
        record.first_visit.by_regular_doctor = true;
        record.first_visit.pre_consultation = None;
        record.first_visit.prior_information.clear();
        record.first_visit.exception = None;
        record.care_plan_id = Some(plan.care_plan_id.clone());
        record.identity_verification.patient_method = "obvious".into();
        record.identity_verification.patient_documents.clear();
        record.identity_verification.skip_basis =
            Some("かかりつけの医師による2回目以降の診療で、映像で本人と確認".into());
        for consent in &mut case.consents {
            consent.patient = plan.patient.clone();
        }
        case.plan = Some(plan);
        case
    }

    /// Another record of fixtures/consultation/ok/ with its care plan (found among the ok/ plans by
    /// `carePlanId`) and the ok/ consents given to its patient: dated before the session, the
    /// third-party-attendance consent valid for the session.
    pub fn of_fixture(name: &str) -> Case {
        let record: ConsultationRecord = read(name);
        let plan = ["care-plan-hypertension.json", "care-plan-dtop-with-n.json"]
            .into_iter()
            .map(read::<CarePlan>)
            .find(|plan| record.care_plan_id.as_ref() == Some(&plan.care_plan_id));
        let mut consents = consents();
        for consent in &mut consents {
            consent.patient = record.patient.clone();
            consent.date_time = "2026-01-05T09:00:00+09:00".into();
            if consent.kind == ConsentKind::ThirdPartyAttendance {
                consent.period = Some(record.period.clone());
            }
        }
        Case {
            record,
            consents,
            plan,
            overlapping_sessions: 0,
        }
    }

    pub fn issues(&self) -> Vec<Issue> {
        let ctx = RecordContext {
            care_plan: self.plan.as_ref(),
            consents: &self.consents,
            overlapping_sessions: self.overlapping_sessions,
        };
        rules::check_record(&self.record, &ctx)
    }

    pub fn with(mut self, change: impl FnOnce(&mut Case)) -> Case {
        change(&mut self);
        self
    }

    pub fn with_record(self, change: impl FnOnce(&mut ConsultationRecord)) -> Case {
        self.with(|case| change(&mut case.record))
    }

    pub fn without_consent(self, kind: ConsentKind) -> Case {
        self.with(|case| case.consents.retain(|c| c.kind != kind))
    }

    pub fn with_consent(self, kind: ConsentKind, change: impl Fn(&mut Consent)) -> Case {
        self.with(|case| {
            case.consents
                .iter_mut()
                .filter(|c| c.kind == kind)
                .for_each(change)
        })
    }
}

pub fn of<'a>(issues: &'a [Issue], id: &str) -> Vec<&'a Issue> {
    issues
        .iter()
        .filter(|i| i.rule.as_deref() == Some(id))
        .collect()
}

/// `id` has no finding.
#[track_caller]
pub fn passes(issues: &[Issue], id: &str) {
    let found = of(issues, id);
    assert!(found.is_empty(), "{id} should pass: {found:#?}");
}

/// `id` has a finding of its severity at `path`; its message names the rule and its citation.
#[track_caller]
pub fn fails<'a>(issues: &'a [Issue], id: &str, path: &str) -> &'a Issue {
    let Some(rule) = rules::rule(id) else {
        panic!("{id} is not in the table")
    };
    let severity = match rule.action {
        Action::Block => Severity::Error,
        Action::Warn => Severity::Warning,
    };
    let found = of(issues, id);
    let Some(issue) = found.iter().find(|i| i.expression.as_deref() == Some(path)) else {
        panic!("{id} should fail at {path}: {issues:#?}")
    };
    assert_eq!(issue.severity, severity, "{id}");
    assert_eq!(issue.code, IssueCode::BusinessRule, "{id}");
    assert!(
        issue.message.starts_with(&format!("{id}: ")),
        "{}",
        issue.message
    );
    assert!(
        issue
            .message
            .ends_with(&format!(" — {} ({})", rule.title_en, rule.citation)),
        "{}",
        issue.message
    );
    issue
}

//! The online-consultation guideline rules (requirements.md §9: C1–C14, C17, P1–P4, P7–P8, ID1–ID4),
//! each with a passing and a failing submission built from the complete examples of
//! fixtures/consultation/ok/ by changing one field; the rule table against requirements.md (read in
//! place from ../shared/docs).

mod care_plan;
mod case;
mod consent;
mod consultation;
mod first_visit;
mod identity;

use std::path::Path;

use case::*;
use kakehashi_mappings::rules::{self, Action, AppliesTo};

// The complete examples.

#[test]
fn the_complete_first_visit_record_passes_every_rule() {
    let issues = Case::first_visit().issues();
    assert!(issues.is_empty(), "{issues:#?}");
}

#[test]
fn the_follow_up_variant_passes_every_rule() {
    let issues = Case::follow_up().issues();
    assert!(issues.is_empty(), "{issues:#?}");
}

#[test]
fn the_hypertension_plan_passes_the_care_plan_check() {
    let issues = rules::check_care_plan(&hypertension_plan());
    assert!(issues.is_empty(), "{issues:#?}");
}

#[test]
fn the_other_ok_records_pass_with_their_patients_consents() {
    for name in [
        "record-dtop-follow-up.json",
        "record-dtop-with-n.json",
        "record-emergency-contraception.json",
    ] {
        let case = Case::of_fixture(name);
        assert!(
            case.plan.is_some() || case.record.first_visit.is_first_visit,
            "{name}"
        );
        let issues = case.issues();
        assert!(issues.is_empty(), "{name}: {issues:#?}");
    }
}

/// The D to P with D example is a first visit whose patient identity is taken as `obvious` because
/// the 主治医 sits beside the patient; ID1 refuses `obvious` at any first visit (000 L2156–2174 lists
/// no exception). Left as a finding until the rule or the example is settled.
#[test]
fn the_d_to_p_with_d_example_passes_and_an_obvious_identity_there_is_still_id1() {
    // The 主治医 beside the patient does not make a first visit's identity check obvious: 000
    // L2156–2174 asks for a photo ID or two documents at every first online visit.
    let issues = Case::of_fixture("record-dtop-with-d.json").issues();
    assert!(issues.is_empty(), "{issues:#?}");
    let issues = Case::of_fixture("record-dtop-with-d.json")
        .with_record(|r| {
            r.identity_verification.patient_method = "obvious".into();
            r.identity_verification.patient_documents.clear();
            r.identity_verification.skip_basis = Some("主治医が同席".into());
        })
        .issues();
    let rules: Vec<&str> = issues.iter().filter_map(|i| i.rule.as_deref()).collect();
    assert_eq!(rules, ["ID1"], "{issues:#?}");
    fails(&issues, "ID1", "identityVerification.patientMethod");
}

#[test]
fn a_record_breaking_three_rules_gets_three_findings() {
    let issues = Case::first_visit()
        .with_record(|r| {
            r.communication.video = false;
            r.care_content = " ".into();
            r.doctor.registration_year = None;
        })
        .issues();
    let rules: Vec<&str> = issues.iter().filter_map(|i| i.rule.as_deref()).collect();
    assert_eq!(rules, ["C1", "C8", "ID2"], "{issues:#?}");
    fails(&issues, "C1", "communication.video");
    fails(&issues, "C8", "careContent");
    fails(&issues, "ID2", "doctor.registrationYear");
}

#[test]
fn a_finding_renders_as_an_operation_outcome_issue_with_the_rule_and_citation() {
    let issues = Case::first_visit()
        .with_record(|r| r.communication.audio = false)
        .issues();
    let outcome = kakehashi_mappings::fhir::outcome::operation_outcome(&issues);
    let issue = &outcome["issue"][0];
    assert_eq!(issue["code"], "business-rule");
    assert_eq!(
        issue["details"]["coding"][0]["system"],
        "urn:kakehashi:rule"
    );
    assert_eq!(issue["details"]["coding"][0]["code"], "C1");
    assert_eq!(issue["expression"][0], "communication.audio");
    let diagnostics = issue["diagnostics"].as_str().unwrap_or_default();
    assert!(
        diagnostics.contains("(000 L2310–2327, L3355–3357; 001 L266–268)"),
        "{diagnostics}"
    );
}

// The rule table.

#[test]
fn the_table_holds_the_rules_of_the_brief_with_their_actions() {
    let ids: Vec<&str> = rules::all().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11", "C12", "C13",
            "C14", "C17", "P1", "P2", "P3", "P4", "P7", "P8", "ID1", "ID2", "ID3", "ID4"
        ]
    );
    for rule in rules::all() {
        let expected = if rule.id == "ID4" {
            Action::Warn
        } else {
            Action::Block
        };
        assert_eq!(rule.action, expected, "{}", rule.id);
        let applies = match rule.id.as_str() {
            "P2" => AppliesTo::CarePlan,
            "P3" => AppliesTo::CarePlanChange,
            _ => AppliesTo::Record,
        };
        assert_eq!(rule.applies_to, applies, "{}", rule.id);
    }
}

#[test]
fn every_citation_is_the_one_of_requirements_md_section_9() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/docs/requirements.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let section = text
        .split_once("## 9. Concrete checks")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("requirements.md has no §9"));
    for rule in rules::all() {
        let row = section
            .lines()
            .find(|line| line.starts_with(&format!("| {} |", rule.id)))
            .unwrap_or_else(|| panic!("§9 has no row {}", rule.id));
        let citation = row.trim_end_matches('|').rsplit('|').next().map(str::trim);
        assert_eq!(citation, Some(rule.citation.as_str()), "{}", rule.id);
    }
}

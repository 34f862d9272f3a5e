//! The rule table (tables/guideline-rules.csv, from requirements.md §9): each rule's id, whether it
//! blocks or warns, what it applies to, its titles and its seed citation.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::issue::Severity;

const TABLE: &str = include_str!("../../tables/guideline-rules.csv");

/// One row of the rule table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Rule {
    /// The id of requirements.md §9, e.g. `C1`, `P4`, `ID3`.
    pub id: String,
    /// What a failure does.
    pub action: Action,
    /// The kind of document or change the rule is checked on.
    pub applies_to: AppliesTo,
    /// The rule in the seeds' Japanese terms.
    pub title_ja: String,
    /// The rule in English, as it appears in diagnostics.
    pub title_en: String,
    /// The seed citation exactly as requirements.md §9 gives it, e.g. `000 L2310–2327; 001 L266–268`.
    pub citation: String,
}

/// What a failed rule does: `block` refuses the submission (REQUIRE and BLOCK rules), `warn` flags it
/// for human review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Block,
    Warn,
}

impl Action {
    /// The severity of the issues of a failed rule: error for `block`, warning for `warn`.
    pub fn severity(self) -> Severity {
        match self {
            Action::Block => Severity::Error,
            Action::Warn => Severity::Warning,
        }
    }
}

/// What a rule is checked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppliesTo {
    /// A submitted consultation record (`check_record`).
    Record,
    /// A submitted care plan (`check_care_plan`).
    CarePlan,
    /// Deleting or overwriting a stored care plan (`check_care_plan_change`).
    CarePlanChange,
}

/// Every rule of the table, in table order.
pub fn all() -> &'static [Rule] {
    static ROWS: OnceLock<Vec<Rule>> = OnceLock::new();
    ROWS.get_or_init(|| crate::tables::read("guideline-rules.csv", TABLE))
}

/// The rule table row of an id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    all().iter().find(|rule| rule.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_and_its_ids_are_unique() {
        let rules = all();
        assert_eq!(rules.len(), 25);
        for (i, rule) in rules.iter().enumerate() {
            assert!(
                rules[..i].iter().all(|earlier| earlier.id != rule.id),
                "{} twice",
                rule.id
            );
            assert!(!rule.title_ja.trim().is_empty() && !rule.title_en.trim().is_empty());
            assert!(
                rule.citation.starts_with("000 ") || rule.citation.starts_with("001 "),
                "{}",
                rule.citation
            );
        }
    }

    #[test]
    fn only_id4_warns() {
        let warning: Vec<&str> = all()
            .iter()
            .filter(|rule| rule.action == Action::Warn)
            .map(|rule| rule.id.as_str())
            .collect();
        assert_eq!(warning, ["ID4"]);
        assert_eq!(rule("C2").map(|r| r.action), Some(Action::Block));
        assert_eq!(
            rule("P3").map(|r| r.applies_to),
            Some(AppliesTo::CarePlanChange)
        );
        assert_eq!(rule("C99"), None);
    }
}

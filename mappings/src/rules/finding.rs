//! A finding of one check (the native field at fault and what is wrong with it), and the `Issue` it
//! becomes once the rule table row is known (requirements.md §9).

use crate::issue::{Issue, IssueCode};

use super::table::Rule;

/// What one check found wrong: the dotted and indexed path of the field in the native document
/// (`communication.video`, `attendees[1].consented`; for a missing member, its path) and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub path: String,
    pub problem: String,
}

impl Finding {
    pub fn at(path: impl Into<String>, problem: impl Into<String>) -> Finding {
        Finding {
            path: path.into(),
            problem: problem.into(),
        }
    }

    /// The issue of this finding under `rule`: error for `block`, warning for `warn`, code
    /// `business-rule`, the rule id, and a message `"<id>: <problem> — <title_en> (<citation>)"`.
    pub fn into_issue(self, rule: &Rule) -> Issue {
        Issue::new(
            rule.action.severity(),
            IssueCode::BusinessRule,
            format!(
                "{}: {} — {} ({})",
                rule.id, self.problem, rule.title_en, rule.citation
            ),
        )
        .rule(rule.id.as_str())
        .at(self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::Severity;
    use crate::rules::table::rule;

    #[test]
    fn the_message_names_the_rule_and_its_citation() {
        let Some(c1) = rule("C1") else {
            panic!("C1 is in the table")
        };
        let issue = Finding::at("communication.video", "video is false").into_issue(c1);
        assert_eq!(issue.severity, Severity::Error);
        assert_eq!(issue.code, IssueCode::BusinessRule);
        assert_eq!(issue.rule.as_deref(), Some("C1"));
        assert_eq!(issue.expression.as_deref(), Some("communication.video"));
        assert_eq!(
            issue.message,
            format!(
                "C1: video is false — {} (000 L2310–2327, L3355–3357; 001 L266–268)",
                c1.title_en
            )
        );
    }
}

//! Rendering issues as a FHIR R4 OperationOutcome (design.md §5).

use serde_json::{json, Map, Value};

use crate::issue::Issue;

/// The code system of `issue.details.coding` naming the broken rule: a constraint key (`ele-1`), a
/// profile element id or a guideline rule id.
pub const RULE_SYSTEM: &str = "urn:kakehashi:rule";

/// Builds an OperationOutcome holding every issue; an empty list gives one `informational` "All OK" issue.
pub fn operation_outcome(issues: &[Issue]) -> Value {
    let rendered: Vec<Value> = if issues.is_empty() {
        vec![json!({"severity": "information", "code": "informational", "diagnostics": "All OK"})]
    } else {
        issues.iter().map(render_issue).collect()
    };
    json!({"resourceType": "OperationOutcome", "issue": rendered})
}

fn render_issue(issue: &Issue) -> Value {
    let mut out = Map::new();
    out.insert("severity".into(), issue.severity.as_str().into());
    out.insert("code".into(), issue.code.as_str().into());
    if let Some(rule) = &issue.rule {
        out.insert(
            "details".into(),
            json!({"coding": [{"system": RULE_SYSTEM, "code": rule}]}),
        );
    }
    out.insert("diagnostics".into(), issue.message.clone().into());
    if let Some(location) = &issue.location {
        out.insert("location".into(), json!([location]));
    }
    if let Some(expression) = &issue.expression {
        out.insert("expression".into(), json!([expression]));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::IssueCode;

    #[test]
    fn renders_code_and_expression() {
        let oo = operation_outcome(&[
            Issue::error(IssueCode::Structure, "Unknown element 'foo'.").at("Patient.foo")
        ]);
        assert_eq!(oo["issue"][0]["code"], "structure");
        assert_eq!(oo["issue"][0]["severity"], "error");
        assert_eq!(oo["issue"][0]["expression"][0], "Patient.foo");
    }
}

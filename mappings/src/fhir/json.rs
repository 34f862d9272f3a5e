//! Parsing request bodies into JSON values, with syntax errors reported by line and column.

use serde_json::Value;

use crate::issue::{Issue, IssueCode};

/// Parses a JSON document; a syntax error becomes a `structure` issue located by line and column.
/// How a message names the JSON type of `value`: "null", "a boolean", "a number", "a string", "an
/// array", "an object".
pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub fn parse_json(bytes: &[u8]) -> Result<Value, Issue> {
    serde_json::from_slice(bytes).map_err(|e| {
        let at = format!("line {}, column {}", e.line(), e.column());
        Issue::error(
            IssueCode::Structure,
            format!("The body is not valid JSON: {e}"),
        )
        .located(at)
    })
}

/// Checks that a JSON value is a resource object and returns its `resourceType`.
pub fn resource_type_of(value: &Value) -> Result<&str, Issue> {
    let Some(object) = value.as_object() else {
        return Err(Issue::error(
            IssueCode::Structure,
            "The body must be a JSON object holding one FHIR resource.",
        ));
    };
    match object.get("resourceType") {
        Some(Value::String(t)) => Ok(t.as_str()),
        Some(_) => Err(
            Issue::error(IssueCode::Structure, "resourceType must be a string.").at("resourceType"),
        ),
        None => Err(
            Issue::error(IssueCode::Required, "The resource has no resourceType.")
                .at("resourceType"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let issue = parse_json(b"{\n  \"resourceType\": \"Patient\",\n  oops\n}").unwrap_err();
        assert_eq!(issue.code, IssueCode::Structure);
        assert_eq!(issue.location.as_deref(), Some("line 3, column 3"));
    }

    #[test]
    fn resource_type_must_be_present() {
        let issue = resource_type_of(&serde_json::json!({"id": "a"})).unwrap_err();
        assert_eq!(issue.code, IssueCode::Required);
        assert_eq!(issue.expression.as_deref(), Some("resourceType"));
    }
}

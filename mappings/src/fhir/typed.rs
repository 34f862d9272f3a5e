//! The typed round trip: every resource is parsed strictly with the R4 model (fhirbolt, through
//! `kakehashi-fhir-codec`) and serialised again in canonical element order.

use serde_json::Value;

use crate::fhir::locate::locate_fault;
use crate::issue::{Issue, IssueCode};

/// Resources larger than this are not searched for the exact location of a fault (each step of the
/// search re-parses the resource); their issue points at the resource as a whole.
const LOCATE_LIMIT_BYTES: usize = 1 << 20;

/// Parses `resource` with the typed R4 model and returns its canonical JSON, or the first structural
/// fault (unknown element, wrong type, missing required element) with its FHIRPath location.
pub fn canonicalise(resource: &Value) -> Result<Vec<u8>, Issue> {
    let bytes = serde_json::to_vec(resource)
        .map_err(|e| Issue::error(IssueCode::Exception, e.to_string()))?;
    kakehashi_fhir_codec::canonicalise(&bytes).map_err(|e| fault(resource, bytes.len(), &e))
}

/// The typed parse alone, of `json`, the text `resource` was parsed from: the structural verdict of
/// `canonicalise` without serialising twice (what `kakehashi validate` needs).
pub fn check(resource: &Value, json: &[u8]) -> Result<(), Issue> {
    kakehashi_fhir_codec::parse_resource(json)
        .map(drop)
        .map_err(|e| fault(resource, json.len(), &e))
}

/// The issue for fhirbolt's `error` on `resource` (`len` bytes of JSON), located when small enough.
fn fault(resource: &Value, len: usize, error: &kakehashi_fhir_codec::Error) -> Issue {
    let message = error.to_string();
    let path = if len <= LOCATE_LIMIT_BYTES {
        locate_fault(resource, &message, |candidate| {
            let bytes = serde_json::to_vec(candidate).unwrap_or_default();
            kakehashi_fhir_codec::parse_resource(&bytes)
                .err()
                .map(|e| e.to_string())
        })
    } else {
        root_path(resource)
    };
    describe(&message, path)
}

fn root_path(resource: &Value) -> String {
    resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("Resource")
        .to_string()
}

/// Turns fhirbolt's terse error text into an issue a sender can act on.
fn describe(message: &str, path: String) -> Issue {
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    if let Some(field) = quoted("unknown field `") {
        return Issue::error(IssueCode::Structure, format!("Unknown element '{field}'.")).at(path);
    }
    if let Some(field) = quoted("missing field `") {
        return Issue::error(
            IssueCode::Required,
            format!("Missing required element '{field}'."),
        )
        .at(format!("{path}.{field}"));
    }
    if let Some(field) = quoted("duplicate field `") {
        return Issue::error(
            IssueCode::Structure,
            format!("Element '{field}' appears more than once, or two choices of one element are given."),
        )
        .at(path);
    }
    if message.contains("resourceType") {
        return Issue::error(IssueCode::NotSupported, "Unknown resourceType.").at(path);
    }
    let what = if message.starts_with("ParseBoolError") {
        "not a valid boolean".to_string()
    } else if message.starts_with("ParseIntError") {
        "not a valid integer".to_string()
    } else if message.contains("Decimal") || message.starts_with("ParseFloatError") {
        "not a valid decimal".to_string()
    } else {
        message.to_string()
    };
    Issue::error(IssueCode::Value, format!("Invalid value: {what}.")).at(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fault(v: Value) -> Issue {
        canonicalise(&v).unwrap_err()
    }

    #[test]
    fn unknown_element_is_located() {
        let issue = fault(
            json!({"resourceType":"Patient","name":[{"family":"山田"},{"family":"x","foo":1}]}),
        );
        assert_eq!(issue.code, IssueCode::Structure);
        assert_eq!(issue.expression.as_deref(), Some("Patient.name[1].foo"));
    }

    #[test]
    fn type_error_is_located() {
        let issue = fault(json!({"resourceType":"Patient","active":"yes"}));
        assert_eq!(issue.code, IssueCode::Value);
        assert_eq!(issue.expression.as_deref(), Some("Patient.active"));
        let issue = fault(json!({"resourceType":"Patient","name":[{"given":["a", 1]}]}));
        assert_eq!(
            issue.expression.as_deref(),
            Some("Patient.name[0].given[1]")
        );
    }

    #[test]
    fn missing_required_element_is_located() {
        let issue = fault(
            json!({"resourceType":"Observation","status":"final","code":{"text":"x"},
            "component":[{"code":{"text":"a"}},{"valueString":"b"}]}),
        );
        assert_eq!(issue.code, IssueCode::Required);
        assert_eq!(
            issue.expression.as_deref(),
            Some("Observation.component[1].code")
        );
    }

    #[test]
    fn the_typed_check_gives_the_same_verdict_from_the_text() {
        let text = br#"{"resourceType":"Patient","active":"yes"}"#;
        let value: Value = serde_json::from_slice(text).unwrap();
        let issue = check(&value, text).unwrap_err();
        assert_eq!(issue, fault(value));
        let text = br#"{"resourceType":"Patient","active":true}"#;
        assert!(check(&serde_json::from_slice(text).unwrap(), text).is_ok());
    }

    #[test]
    fn valid_resources_come_back_canonical() {
        let out =
            canonicalise(&json!({"gender":"female","resourceType":"Patient","id":"a"})).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"resourceType":"Patient","id":"a","gender":"female"}"#
        );
    }
}

//! From a jsonschema error to `Issue`s: the dotted member path, the issue code (`Required` for a missing
//! member, `Value` for a pattern, code or range, `Structure` for the rest) and a message naming what was
//! expected (issue #6).

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::ValidationError;
use serde_json::Value;

use super::Format;
use crate::fhir::json::json_type_name;
use crate::issue::{Issue, IssueCode};

/// The shared patterns (`dateTime`, `date`, `institutionCode` …) by their regular expression, with the
/// description that tells a reader what was expected.
pub(super) struct PatternNames(Vec<(String, String)>);

impl PatternNames {
    pub(super) fn from_common(common: &Value) -> PatternNames {
        let mut names = Vec::new();
        if let Some(defs) = common.get("$defs").and_then(Value::as_object) {
            for def in defs.values() {
                if let (Some(pattern), Some(description)) = (
                    def.get("pattern").and_then(Value::as_str),
                    def.get("description").and_then(Value::as_str),
                ) {
                    names.push((pattern.to_string(), description.to_string()));
                }
            }
        }
        PatternNames(names)
    }

    fn describe(&self, pattern: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(p, _)| p == pattern)
            .map(|(_, description)| description.as_str())
    }
}

/// The issues of one schema error: one, or one per unknown member for `additionalProperties`.
pub(super) fn issues(
    format: Format,
    document: &Value,
    error: &ValidationError<'_>,
    patterns: &PatternNames,
) -> Vec<Issue> {
    let path = dotted_path(document, error.instance_path().as_str());
    // The keyword's location from the format's root, through the `$ref`s taken (`keywordLocation`).
    let rule = format!(
        "{}#{}",
        format.schema_id(),
        error.evaluation_path().as_str()
    );
    let at = |issue: Issue, path: Option<String>| {
        let issue = issue.rule(rule.clone());
        match path {
            Some(path) => issue.at(path),
            None => issue,
        }
    };
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().map_or_else(|| property.to_string(), str::to_string);
            let message = format!("the required member `{name}` is missing");
            vec![at(
                Issue::error(IssueCode::Required, message),
                Some(member(&path, &name)),
            )]
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|name| {
                let message = format!(
                    "`{name}` is not a member of this object in the {} format (unknown members are refused)",
                    format.name()
                );
                at(
                    Issue::error(IssueCode::Structure, message),
                    Some(member(&path, name)),
                )
            })
            .collect(),
        kind => {
            let (code, message) = describe(kind, error.instance(), patterns, error);
            vec![at(Issue::error(code, message), path)]
        }
    }
}

/// The code and message of an error that concerns the value at the instance path itself.
fn describe(
    kind: &ValidationErrorKind,
    instance: &Value,
    patterns: &PatternNames,
    error: &ValidationError<'_>,
) -> (IssueCode, String) {
    let found = shown(instance);
    match kind {
        ValidationErrorKind::Enum { options } => {
            let codes: Vec<String> = options
                .as_array()
                .map(|codes| codes.iter().map(shown).collect())
                .unwrap_or_default();
            (
                IssueCode::Value,
                format!("{found} is not one of the codes {}", codes.join(", ")),
            )
        }
        ValidationErrorKind::Pattern { pattern } => {
            let expected = match patterns.describe(pattern) {
                Some(description) => description.to_string(),
                None => format!("a text matching {pattern}"),
            };
            (
                IssueCode::Value,
                format!("{found} is not valid here: expected {expected}"),
            )
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(single) => single.as_str().to_string(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            (
                IssueCode::Structure,
                format!(
                    "expected {} {expected}, found {} ({found})",
                    article(&expected),
                    json_type_name(instance)
                ),
            )
        }
        ValidationErrorKind::Minimum { limit } => (
            IssueCode::Value,
            format!("{found} is below the minimum {limit}"),
        ),
        ValidationErrorKind::Maximum { limit } => (
            IssueCode::Value,
            format!("{found} is above the maximum {limit}"),
        ),
        ValidationErrorKind::MinLength { limit } => (
            IssueCode::Value,
            format!("{found} is too short: expected at least {limit} character(s)"),
        ),
        ValidationErrorKind::MaxLength { .. }
        | ValidationErrorKind::Constant { .. }
        | ValidationErrorKind::ExclusiveMinimum { .. }
        | ValidationErrorKind::ExclusiveMaximum { .. }
        | ValidationErrorKind::MultipleOf { .. }
        | ValidationErrorKind::Format { .. } => (IssueCode::Value, error.to_string()),
        _ => (IssueCode::Structure, error.to_string()),
    }
}

fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// A value as a message shows it: strings in backticks, other values as JSON, long ones cut.
fn shown(value: &Value) -> String {
    let text = match value {
        Value::String(text) => format!("`{text}`"),
        Value::Object(_) => "an object".to_string(),
        Value::Array(_) => "an array".to_string(),
        other => other.to_string(),
    };
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn member(path: &Option<String>, name: &str) -> String {
    match path {
        Some(path) => format!("{path}.{name}"),
        None => name.to_string(),
    }
}

/// A JSON pointer (`/firstVisit/priorInformation/0/source`) as a dotted path
/// (`firstVisit.priorInformation[0].source`), reading the document to tell array indexes from member
/// names; `None` for the root.
pub(super) fn dotted_path(document: &Value, pointer: &str) -> Option<String> {
    let mut path = String::new();
    let mut current = Some(document);
    for raw in pointer.split('/').skip(1) {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        match current {
            Some(Value::Array(items)) => {
                let index = segment.parse::<usize>().ok();
                current = index.and_then(|i| items.get(i));
                path.push('[');
                path.push_str(&segment);
                path.push(']');
            }
            other => {
                current = other.and_then(|value| value.get(&segment));
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&segment);
            }
        }
    }
    (!path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_become_dotted_paths() {
        let document =
            json!({"firstVisit": {"priorInformation": [{"source": "x"}]}, "a/b": {"0": 1}});
        assert_eq!(
            dotted_path(&document, "/firstVisit/priorInformation/0/source").as_deref(),
            Some("firstVisit.priorInformation[0].source")
        );
        // A member named like an index stays a member; `~1` is a slash.
        assert_eq!(dotted_path(&document, "/a~1b/0").as_deref(), Some("a/b.0"));
        assert_eq!(dotted_path(&document, ""), None);
    }

    #[test]
    fn the_shared_patterns_are_named() {
        let common: Value = serde_json::from_str(super::super::COMMON_SCHEMA).unwrap();
        let names = PatternNames::from_common(&common);
        assert!(names
            .describe("^[0-9]{10}$")
            .unwrap()
            .contains("医療機関コード"));
        assert_eq!(names.describe("^x$"), None);
    }
}

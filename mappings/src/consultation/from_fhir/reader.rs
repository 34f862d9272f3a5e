//! Reading FHIR JSON into native values while collecting every problem as an `Issue` at its FHIRPath:
//! a missing required element or a value of the wrong JSON type is recorded and reading goes on, so
//! one pass reports all of them; `finish` turns any into the error.

use serde_json::Value;

use super::input::{Held, Input};
use crate::issue::{Issue, IssueCode};

#[derive(Default)]
pub struct Problems {
    issues: Vec<Issue>,
}

impl Problems {
    pub fn push(&mut self, code: IssueCode, at: impl Into<String>, message: impl Into<String>) {
        self.issues.push(Issue::error(code, message).at(at));
    }

    pub fn missing(&mut self, at: impl Into<String>, what: &str) {
        self.push(IssueCode::Required, at, format!("{what} is missing."));
    }

    /// `node[key]` as text: `None` when absent; an issue when it is not a string.
    pub fn text(&mut self, node: &Value, at: &str, key: &str) -> Option<String> {
        match node.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.push(
                    IssueCode::Structure,
                    format!("{at}.{key}"),
                    format!("'{key}' must be a string."),
                );
                None
            }
        }
    }

    /// `node[key]` as text, with an issue naming `what` when it is absent.
    pub fn required_text(&mut self, node: &Value, at: &str, key: &str, what: &str) -> String {
        let text = self.text(node, at, key);
        if text.is_none() && node.get(key).is_none() {
            self.missing(format!("{at}.{key}"), what);
        }
        text.unwrap_or_default()
    }

    /// The resource of type `kind` that Reference `node` (at `at`) points at, with an issue when the
    /// reference is absent, does not resolve in the Bundle, or names another type.
    pub fn target<'i, 'a>(
        &mut self,
        input: &'i Input<'a>,
        node: &Value,
        at: &str,
        kind: &str,
        what: &str,
    ) -> Option<&'i Held<'a>> {
        let Some(reference) = node["reference"].as_str() else {
            self.missing(
                format!("{at}.reference"),
                &format!("The reference to {what}"),
            );
            return None;
        };
        match input.resolve(reference) {
            None => {
                self.push(
                    IssueCode::NotFound,
                    format!("{at}.reference"),
                    format!("{what} ({reference}) is not in the Bundle."),
                );
                None
            }
            Some(held) if held.kind() != kind => {
                self.push(
                    IssueCode::Structure,
                    format!("{at}.reference"),
                    format!("{what} must be a {kind}, not a {}.", held.kind()),
                );
                None
            }
            Some(held) => Some(held),
        }
    }

    /// The value when nothing went wrong, else every issue.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<Issue>> {
        if self.issues.is_empty() {
            Ok(value)
        } else {
            Err(self.issues)
        }
    }
}

/// The code of the first coding of CodeableConcept(s) `node` in `system`, with its path.
pub fn code_in<'v>(node: &'v Value, at: &str, system: &str) -> Option<(&'v str, String)> {
    let concepts: Vec<(&Value, String)> = match node {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, c)| (c, format!("{at}[{i}]")))
            .collect(),
        other => vec![(other, at.to_string())],
    };
    for (concept, path) in concepts {
        for (j, coding) in concept["coding"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            if coding["system"] == system {
                if let Some(code) = coding["code"].as_str() {
                    return Some((code, format!("{path}.coding[{j}].code")));
                }
            }
        }
    }
    None
}

/// The extension of `node` with `url`, with its path.
pub fn extension<'v>(node: &'v Value, at: &str, url: &str) -> Option<(&'v Value, String)> {
    node["extension"]
        .as_array()?
        .iter()
        .enumerate()
        .find(|(_, e)| e["url"] == url)
        .map(|(i, e)| (e, format!("{at}.extension[{i}]")))
}

/// The first identifier of `node` in `system`.
pub fn identifier<'v>(node: &'v Value, system: &str) -> Option<&'v str> {
    node["identifier"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(std::iter::once(&node["identifier"]).filter(|i| i.is_object()))
        .find(|i| i["system"] == system)
        .and_then(|i| i["value"].as_str())
}

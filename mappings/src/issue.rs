//! The one diagnostic type: an `Issue` with severity, OperationOutcome code, location and message
//! (design.md §5: one classification, rendered as OperationOutcome, HL7 ERR segments or CLI output).

use serde::Serialize;

/// How bad an issue is; the values are FHIR's `IssueSeverity` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Fatal,
    Error,
    Warning,
    Information,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Fatal => "fatal",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
        }
    }
}

/// The kind of issue; the values are FHIR's `IssueType` codes (http://hl7.org/fhir/issue-type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueCode {
    Invalid,
    Structure,
    Required,
    Value,
    Invariant,
    Security,
    Forbidden,
    Processing,
    NotSupported,
    Duplicate,
    MultipleMatches,
    NotFound,
    Deleted,
    TooLong,
    CodeInvalid,
    Extension,
    Conflict,
    Exception,
    Transient,
    Throttled,
    BusinessRule,
    Informational,
}

impl IssueCode {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::Invalid => "invalid",
            IssueCode::Structure => "structure",
            IssueCode::Required => "required",
            IssueCode::Value => "value",
            IssueCode::Invariant => "invariant",
            IssueCode::Security => "security",
            IssueCode::Forbidden => "forbidden",
            IssueCode::Processing => "processing",
            IssueCode::NotSupported => "not-supported",
            IssueCode::Duplicate => "duplicate",
            IssueCode::MultipleMatches => "multiple-matches",
            IssueCode::NotFound => "not-found",
            IssueCode::Deleted => "deleted",
            IssueCode::TooLong => "too-long",
            IssueCode::CodeInvalid => "code-invalid",
            IssueCode::Extension => "extension",
            IssueCode::Conflict => "conflict",
            IssueCode::Exception => "exception",
            IssueCode::Transient => "transient",
            IssueCode::Throttled => "throttled",
            IssueCode::BusinessRule => "business-rule",
            IssueCode::Informational => "informational",
        }
    }
}

/// One finding about some input. `expression` is a FHIRPath (`Patient.name[0].given[1]`) or an HL7
/// position (`PID-5.1`); `location` is free text such as `line 3, column 7` when no path is known;
/// `rule` names what was broken: a constraint key (`ele-1`), a profile element id
/// (`Patient.identifier:local`) or a guideline rule id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    pub code: IssueCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl Issue {
    pub fn new(severity: Severity, code: IssueCode, message: impl Into<String>) -> Self {
        Issue {
            severity,
            code,
            message: message.into(),
            expression: None,
            location: None,
            rule: None,
        }
    }

    pub fn error(code: IssueCode, message: impl Into<String>) -> Self {
        Issue::new(Severity::Error, code, message)
    }

    pub fn warning(code: IssueCode, message: impl Into<String>) -> Self {
        Issue::new(Severity::Warning, code, message)
    }

    pub fn information(code: IssueCode, message: impl Into<String>) -> Self {
        Issue::new(Severity::Information, code, message)
    }

    pub fn at(mut self, expression: impl Into<String>) -> Self {
        self.expression = Some(expression.into());
        self
    }

    pub fn rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    pub fn located(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Puts `prefix` in front of the expression, for issues found inside a Bundle entry.
    pub fn within(mut self, prefix: &str) -> Self {
        self.expression = Some(match self.expression.take() {
            Some(inner) => match inner.split_once('.') {
                // The inner path starts with the resource type, which the prefix already names.
                Some((_, rest)) => format!("{prefix}.{rest}"),
                None => prefix.to_string(),
            },
            None => prefix.to_string(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity <= Severity::Error
    }
}

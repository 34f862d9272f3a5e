//! The one error type of FHIR interactions: an HTTP status and the issues that explain it (design.md §5).

use kakehashi_mappings::{Issue, IssueCode};

use crate::store::StoreError;

#[derive(Debug)]
pub struct FhirError {
    pub status: u16,
    pub issues: Vec<Issue>,
}

impl FhirError {
    pub fn new(status: u16, issue: Issue) -> Self {
        FhirError {
            status,
            issues: vec![issue],
        }
    }

    /// 400: the request or resource is malformed.
    pub fn invalid(issue: Issue) -> Self {
        FhirError::new(400, issue)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        FhirError::new(404, Issue::error(IssueCode::NotFound, message))
    }

    pub fn gone(message: impl Into<String>) -> Self {
        FhirError::new(410, Issue::error(IssueCode::Deleted, message))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        FhirError::new(409, Issue::error(IssueCode::Conflict, message))
    }

    pub fn precondition_failed(message: impl Into<String>) -> Self {
        FhirError::new(412, Issue::error(IssueCode::Conflict, message))
    }

    pub fn unprocessable(issue: Issue) -> Self {
        FhirError::new(422, issue)
    }

    /// 413: a body over the configured limit.
    pub fn too_large(limit: usize) -> Self {
        FhirError::new(
            413,
            Issue::error(
                IssueCode::TooLong,
                format!("The body exceeds the limit of {limit} bytes."),
            ),
        )
    }

    /// 503: the audit log cannot take the request's row, so the request is not answered (fail closed).
    pub fn audit_unavailable() -> Self {
        FhirError::new(
            503,
            Issue::error(
                IssueCode::Transient,
                "The audit log cannot be written, so the gateway does not answer; retry later.",
            ),
        )
    }

    /// Puts every issue's location inside `prefix` (e.g. `Bundle.entry[2].resource`).
    pub fn within(mut self, prefix: &str) -> Self {
        self.issues = self
            .issues
            .into_iter()
            .map(|i| {
                if i.expression.is_some() || i.location.is_none() {
                    i.within(prefix)
                } else {
                    i
                }
            })
            .collect();
        self
    }
}

impl From<StoreError> for FhirError {
    fn from(error: StoreError) -> Self {
        // Details go to the log only; the client learns the class of failure.
        if error.is_unique_violation() {
            return FhirError::conflict(
                "Another request changed this resource at the same time; read it again and retry.",
            );
        }
        tracing::error!(%error, "Store operation failed.");
        if error.is_transient() {
            FhirError::new(
                503,
                Issue::error(
                    IssueCode::Transient,
                    "The store is unavailable; retry later.",
                ),
            )
        } else {
            FhirError::new(
                500,
                Issue::error(
                    IssueCode::Exception,
                    "Internal error while storing; nothing was changed.",
                ),
            )
        }
    }
}

impl From<sqlx::Error> for FhirError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::from(error).into()
    }
}

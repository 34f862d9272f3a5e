//! A refused hub request: the answer for the client and the reason code for its audit row.

use kakehashi_mappings::{Issue, IssueCode};

use crate::pipeline::FhirError;

#[derive(Debug)]
pub struct HubError {
    pub error: FhirError,
    /// Stable code written to the audit row (`no-such-prescription`, `rate-limited` …).
    pub reason: &'static str,
    /// Seconds to wait (429).
    pub retry_after: Option<u64>,
}

impl HubError {
    pub fn new(error: FhirError, reason: &'static str) -> HubError {
        HubError {
            error,
            reason,
            retry_after: None,
        }
    }

    pub fn invalid(reason: &'static str, message: impl Into<String>) -> HubError {
        HubError::new(
            FhirError::invalid(Issue::error(IssueCode::Invalid, message)),
            reason,
        )
    }
}

impl From<FhirError> for HubError {
    fn from(error: FhirError) -> Self {
        let reason = match error.status {
            400 => "invalid",
            404 => "not-found",
            409 => "conflict",
            413 => "too-large",
            422 => "unprocessable",
            _ => "error",
        };
        HubError::new(error, reason)
    }
}

impl From<crate::store::StoreError> for HubError {
    fn from(error: crate::store::StoreError) -> Self {
        HubError::from(FhirError::from(error))
    }
}

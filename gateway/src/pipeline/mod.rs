//! The channel-agnostic FHIR pipeline (design.md §4): parse → check → store in one transaction → answer.
//! Channels call these functions; they never touch the store themselves.

pub mod bundle;
mod canonical;
pub mod consultation;
pub mod eprescription;
pub mod error;
pub mod hl7v2;
pub mod interactions;
pub mod prepare;
pub mod search;
pub mod validation;
pub mod xref;

pub use error::FhirError;

use crate::store::Store;

/// Paging limits for searches and histories.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub default_count: usize,
    pub max_count: usize,
}

/// What every FHIR interaction needs: the store, the paging limits and the zone's validation.
#[derive(Clone)]
pub struct Fhir {
    pub store: Store,
    pub paging: Paging,
    pub validation: validation::Validation,
}

/// The current time as epoch milliseconds (the gateway reads the clock; `mappings` never does).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// An instant in FHIR's format, e.g. `2026-11-22T05:30:07.123Z`.
pub fn instant(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The weak ETag of a version: `W/"3"`.
pub fn etag(version_id: i64) -> String {
    format!("W/\"{version_id}\"")
}

/// Reads the version number out of an ETag: `W/"3"` or `"3"`.
pub fn parse_etag(tag: &str) -> Option<i64> {
    tag.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .ok()
}

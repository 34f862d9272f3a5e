//! A JSON request body (FHIR resources and Bundles, the consultation platform's documents): its media
//! type, its size limit and its parse, every refusal an OperationOutcome (415, 413, 400 with line and
//! column).

use axum::body::Body;
use axum::http::{header, HeaderMap};
use kakehashi_mappings::fhir::parse_json;
use kakehashi_mappings::{Issue, IssueCode};
use serde_json::Value;

use super::body::{drainable, read_limited};
use crate::pipeline::FhirError;

/// Reads `body` as JSON within `limit` bytes. `media` is the type assumed when none is given and named
/// in the 415 (`application/fhir+json` or `application/json`); either is accepted.
pub async fn json_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    media: &str,
) -> Result<Value, FhirError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(media);
    if !(content_type.starts_with("application/fhir+json")
        || content_type.starts_with("application/json"))
    {
        return Err(FhirError::new(
            415,
            Issue::error(
                IssueCode::NotSupported,
                format!("Content-Type {content_type} is not supported; send {media}."),
            ),
        ));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| !drainable(n, limit)) {
        return Err(FhirError::too_large(limit));
    }
    let bytes = read_limited(body, limit)
        .await
        .map_err(|_| FhirError::too_large(limit))?;
    parse_json(&bytes).map_err(FhirError::invalid)
}

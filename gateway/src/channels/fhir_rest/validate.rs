//! `$validate` (R4 operation-resource-validate): `POST /fhir/$validate` and `POST /fhir/{type}/$validate`
//! take a resource, or a Parameters with `resource` (and optionally `profile`); `?profile=URL` also
//! works. The answer is always 200 with the OperationOutcome (issue #4 §3); nothing is stored.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use kakehashi_mappings::fhir::operation_outcome;
use kakehashi_mappings::{Issue, IssueCode};
use serde_json::Value;

use super::handlers::{json_body, query_pairs};
use super::render::json_response;
use super::RestState;
use crate::pipeline::FhirError;

pub async fn validate_any(
    State(state): State<RestState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, FhirError> {
    run(state, None, query, headers, body).await
}

pub async fn validate_type(
    State(state): State<RestState>,
    Path(resource_type): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, FhirError> {
    run(state, Some(resource_type), query, headers, body).await
}

async fn run(
    state: RestState,
    resource_type: Option<String>,
    query: Option<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, FhirError> {
    let body = json_body(&state, &headers, body).await?;
    let mut profile = query_pairs(query)
        .into_iter()
        .find(|(k, _)| k == "profile")
        .map(|(_, v)| v);
    let resource = if body.get("resourceType").and_then(Value::as_str) == Some("Parameters") {
        let parameters = body["parameter"].as_array().cloned().unwrap_or_default();
        if let Some(url) = parameters
            .iter()
            .find(|p| p["name"] == "profile")
            .and_then(|p| p["valueUri"].as_str().or(p["valueCanonical"].as_str()))
        {
            profile = Some(url.to_string());
        }
        match parameters.into_iter().find(|p| p["name"] == "resource") {
            Some(p) => p.get("resource").cloned().unwrap_or(Value::Null),
            // A Parameters resource is itself validated when it carries no `resource` parameter.
            None => body,
        }
    } else {
        body
    };
    if let Some(expected) = &resource_type {
        let found = resource.get("resourceType").and_then(Value::as_str);
        if found != Some(expected.as_str()) {
            return Err(FhirError::invalid(
                Issue::error(
                    IssueCode::Invalid,
                    format!(
                        "The resource is a {}, but the URL is {expected}/$validate.",
                        found.unwrap_or("(no resourceType)")
                    ),
                )
                .at(format!("{expected}.resourceType")),
            ));
        }
    }
    let validation = state.fhir.validation.clone();
    let issues =
        tokio::task::spawn_blocking(move || validation.validate(&resource, profile.as_deref()))
            .await
            .map_err(|_| {
                FhirError::new(
                    500,
                    Issue::error(IssueCode::Exception, "Validation failed internally."),
                )
            })?;
    Ok(json_response(
        StatusCode::OK,
        operation_outcome(&issues).to_string(),
    ))
}

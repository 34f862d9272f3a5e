//! Request handlers: HTTP in, pipeline call, HTTP out. No store access here (design.md invariant 3).

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use kakehashi_mappings::fhir::is_known_resource_type;
use kakehashi_mappings::{Issue, IssueCode};
use serde_json::Value;

use super::render::{self, json_response};
use super::RestState;
use crate::channels::json_body::json_body as read_json;
use crate::pipeline::{instant, now_ms, parse_etag, FhirError};
use crate::zones::identity::Identity;

type Result<T> = std::result::Result<T, FhirError>;

/// The public base URL: configured, or `<scheme>://<Host>/fhir`.
fn base(state: &RestState, headers: &HeaderMap) -> String {
    if !state.base_url.is_empty() {
        return state.base_url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("{}://{host}/fhir", state.scheme)
}

fn known_type(resource_type: &str) -> Result<()> {
    if is_known_resource_type(resource_type) {
        Ok(())
    } else {
        Err(FhirError::new(404, Issue::error(IssueCode::NotSupported, format!("Resource type '{resource_type}' is not supported by this server; see /fhir/metadata."))))
    }
}

pub(super) fn query_pairs(raw: Option<String>) -> Vec<(String, String)> {
    raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

/// Refuses `_format` values other than JSON (this server speaks JSON only).
fn check_format(params: &[(String, String)]) -> Result<()> {
    match params.iter().find(|(k, _)| k == "_format") {
        Some((_, f))
            if !matches!(
                f.as_str(),
                "json" | "application/json" | "application/fhir+json"
            ) =>
        {
            Err(FhirError::new(
                406,
                Issue::error(
                    IssueCode::NotSupported,
                    format!(
                        "_format={f} is not supported; this server speaks application/fhir+json."
                    ),
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Reads a FHIR JSON body within the zone's size limit.
pub(super) async fn json_body(state: &RestState, headers: &HeaderMap, body: Body) -> Result<Value> {
    read_json(headers, body, state.max_body_bytes, "application/fhir+json").await
}

pub async fn metadata(State(state): State<RestState>, headers: HeaderMap) -> Response {
    let statement = state
        .capabilities
        .get(&base(&state, &headers), || instant(now_ms()));
    json_response(StatusCode::OK, statement.to_string())
}

pub async fn bundle(
    State(state): State<RestState>,
    identity: Option<Extension<Identity>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let mut bundle = json_body(&state, &headers, body).await?;
    if let Some(documents) = &state.documents {
        let who = identity.map(|e| e.0).unwrap_or(Identity::Unidentified);
        documents.check_fhir_transaction(&mut bundle, &who).await?;
    }
    let response = state.fhir.process_bundle(bundle).await?;
    Ok(json_response(StatusCode::OK, response.to_string()))
}

pub async fn create(
    State(state): State<RestState>,
    Path(resource_type): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    known_type(&resource_type)?;
    let resource = json_body(&state, &headers, body).await?;
    let if_none_exist = headers.get("if-none-exist").and_then(|v| v.to_str().ok());
    let written = state
        .fhir
        .create(&resource_type, resource, if_none_exist)
        .await?;
    Ok(render::written(written, &base(&state, &headers), true))
}

pub async fn update(
    State(state): State<RestState>,
    Path((resource_type, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    known_type(&resource_type)?;
    let resource = json_body(&state, &headers, body).await?;
    let if_match = match headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) {
        Some(tag) => Some(parse_etag(tag).ok_or_else(|| {
            FhirError::invalid(Issue::error(
                IssueCode::Invalid,
                "If-Match must look like W/\"3\".",
            ))
        })?),
        None => None,
    };
    let written = state
        .fhir
        .update(&resource_type, &id, resource, if_match)
        .await?;
    let location = written.created;
    Ok(render::written(written, &base(&state, &headers), location))
}

pub async fn delete(
    State(state): State<RestState>,
    Path((resource_type, id)): Path<(String, String)>,
) -> Result<Response> {
    known_type(&resource_type)?;
    state.fhir.delete(&resource_type, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn read(
    State(state): State<RestState>,
    Path((resource_type, id)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    known_type(&resource_type)?;
    check_format(&query_pairs(query))?;
    let version = state.fhir.read(&resource_type, &id).await?;
    Ok(render::resource(
        StatusCode::OK,
        version,
        &base(&state, &headers),
        false,
    ))
}

pub async fn vread(
    State(state): State<RestState>,
    Path((resource_type, id, version)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response> {
    known_type(&resource_type)?;
    let version = state.fhir.vread(&resource_type, &id, &version).await?;
    Ok(render::resource(
        StatusCode::OK,
        version,
        &base(&state, &headers),
        false,
    ))
}

fn history_count(params: &[(String, String)]) -> Result<Option<usize>> {
    for (k, v) in params {
        match k.as_str() {
            "_count" => {
                return v.parse().map(Some).map_err(|_| {
                    FhirError::invalid(
                        Issue::error(IssueCode::Invalid, "_count must be a whole number.")
                            .at("_count"),
                    )
                })
            }
            "_format" | "_pretty" => {}
            other => {
                return Err(FhirError::invalid(
                    Issue::error(
                        IssueCode::NotSupported,
                        format!("History parameter '{other}' is not supported."),
                    )
                    .at(other.to_string()),
                ))
            }
        }
    }
    Ok(None)
}

pub async fn instance_history(
    State(state): State<RestState>,
    Path((resource_type, id)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    history(&state, &resource_type, Some(&id), &headers, query).await
}

pub async fn type_history(
    State(state): State<RestState>,
    Path(resource_type): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    history(&state, &resource_type, None, &headers, query).await
}

async fn history(
    state: &RestState,
    resource_type: &str,
    id: Option<&str>,
    headers: &HeaderMap,
    query: Option<String>,
) -> Result<Response> {
    known_type(resource_type)?;
    let count = history_count(&query_pairs(query))?;
    let versions = state.fhir.history(resource_type, id, count).await?;
    Ok(json_response(
        StatusCode::OK,
        render::history(versions, &base(state, headers)),
    ))
}

pub async fn search(
    State(state): State<RestState>,
    Path(resource_type): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    run_search(&state, &resource_type, &headers, query_pairs(query)).await
}

pub async fn search_post(
    State(state): State<RestState>,
    Path(resource_type): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Result<Response> {
    let mut params = query_pairs(query);
    let bytes = axum::body::to_bytes(body, state.max_body_bytes)
        .await
        .map_err(|_| {
            FhirError::new(
                413,
                Issue::error(IssueCode::TooLong, "The search form is too large."),
            )
        })?;
    params.extend(form_urlencoded::parse(&bytes).into_owned());
    run_search(&state, &resource_type, &headers, params).await
}

async fn run_search(
    state: &RestState,
    resource_type: &str,
    headers: &HeaderMap,
    params: Vec<(String, String)>,
) -> Result<Response> {
    known_type(resource_type)?;
    check_format(&params)?;
    let result = state.fhir.search(resource_type, &params).await?;
    Ok(json_response(
        StatusCode::OK,
        render::searchset(result, &base(state, headers), resource_type, &params),
    ))
}

pub async fn unknown_route() -> FhirError {
    FhirError::new(
        404,
        Issue::error(
            IssueCode::NotFound,
            "No such FHIR endpoint; see /fhir/metadata for what this server supports.",
        ),
    )
}

pub async fn method_not_allowed() -> FhirError {
    FhirError::new(
        405,
        Issue::error(
            IssueCode::NotSupported,
            "This HTTP method is not supported here; see /fhir/metadata.",
        ),
    )
}

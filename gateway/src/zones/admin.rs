//! The admin listener (loopback): `/healthz` (the process runs), `/readyz` (the store answers),
//! `/metrics` (Prometheus text format) and `/fhir/AuditEvent` (the audit log as FHIR AuditEvents; each
//! read of it is itself audited, zone `admin`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use kakehashi_mappings::{Issue, IssueCode};
use serde_json::{json, Value};

use crate::audit::{self, AuditLog, AuditRecord, Outcome, Who, WhoKind};
use crate::channels::fhir_rest::render::json_response;
use crate::metrics::Metrics;
use crate::pipeline::{now_ms, FhirError};
use crate::store::Store;

/// Page size of `GET /fhir/AuditEvent` without `_count`, and the largest page it serves.
const AUDIT_DEFAULT_COUNT: usize = 50;
const AUDIT_MAX_COUNT: usize = 1000;

#[derive(Clone)]
pub struct AdminState {
    pub store: Store,
    pub metrics: Arc<Metrics>,
    /// Reads of the audit trail are themselves audited (zone `admin`).
    pub audit: AuditLog,
}

pub fn router(state: AdminState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/fhir/AuditEvent", get(audit_events))
        .with_state(state)
}

async fn readyz(State(state): State<AdminState>) -> impl IntoResponse {
    if state.store.ping().await {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n")
    }
}

async fn metrics(State(state): State<AdminState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// `GET /fhir/AuditEvent?_count=N&_offset=M`: a searchset Bundle of the audit log, newest first.
async fn audit_events(
    State(state): State<AdminState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let response = match audit_bundle(&state, query.as_deref(), &headers).await {
        Ok(bundle) => json_response(StatusCode::OK, bundle.to_string()),
        Err(error) => error.into_response(),
    };
    let status = response.status().as_u16();
    let record = AuditRecord {
        recorded_ms: now_ms(),
        zone: "admin".into(),
        channel: "fhir-rest".into(),
        action: "search".into(),
        resource_type: Some("AuditEvent".into()),
        target: None,
        who: Who {
            kind: WhoKind::Network,
            name: "admin-listener".into(),
            ..Who::default()
        },
        outcome: if status < 400 {
            Outcome::Allowed
        } else {
            Outcome::Failed
        },
        status: Some(status),
        reason: None,
        source: peer.map(|Extension(ConnectInfo(addr))| addr.to_string()),
    };
    match state.audit.record_queued(record).await {
        Ok(()) => response,
        Err(_) => FhirError::audit_unavailable().into_response(),
    }
}

fn whole_number(name: &str, value: &str) -> Result<usize, FhirError> {
    value.parse().map_err(|_| {
        FhirError::invalid(
            Issue::error(
                IssueCode::Invalid,
                format!("{name} must be a whole number."),
            )
            .at(name),
        )
    })
}

async fn audit_bundle(
    state: &AdminState,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Value, FhirError> {
    let mut count = AUDIT_DEFAULT_COUNT;
    let mut offset = 0;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "_count" => count = whole_number("_count", &value)?.min(AUDIT_MAX_COUNT),
            "_offset" => offset = whole_number("_offset", &value)?,
            other => {
                return Err(FhirError::invalid(
                    Issue::error(
                        IssueCode::NotSupported,
                        format!(
                        "AuditEvent parameter '{other}' is not supported; use _count and _offset."
                    ),
                    )
                    .at(other.to_string()),
                ))
            }
        }
    }
    let (rows, total) = audit::page(&state.store, count, offset)
        .await
        .map_err(|error| {
            tracing::error!(%error, "Reading the audit log failed.");
            FhirError::new(
                503,
                Issue::error(
                    IssueCode::Transient,
                    "The audit log cannot be read; retry later.",
                ),
            )
        })?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let base = format!("http://{host}/fhir");
    let link = |relation: &str, offset: usize| json!({"relation": relation, "url": format!("{base}/AuditEvent?_count={count}&_offset={offset}")});
    let mut links = vec![link("self", offset)];
    if count > 0 && (offset as u64).saturating_add(rows.len() as u64) < total && !rows.is_empty() {
        links.push(link("next", offset + count));
    }
    if offset > 0 && count > 0 {
        links.push(link("previous", offset.saturating_sub(count)));
    }
    let entries: Vec<Value> = rows
        .iter()
        .map(|row| {
            json!({
                "fullUrl": format!("{base}/AuditEvent/{}", row.seq),
                "resource": audit::audit_event(row),
                "search": {"mode": "match"},
            })
        })
        .collect();
    let mut bundle = json!({
        "resourceType": "Bundle",
        "id": uuid::Uuid::new_v4().to_string(),
        "type": "searchset",
        "total": total,
        "link": links,
    });
    if !entries.is_empty() {
        bundle["entry"] = Value::Array(entries);
    }
    Ok(bundle)
}

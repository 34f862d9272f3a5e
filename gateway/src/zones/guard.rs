//! The zone guard, a middleware in front of every zone's FHIR routes: establishes who is asking, asks
//! the zone policy (also per entry of a transaction in the consultation zone), rewrites hospital-local
//! identifiers for the consultation zone, and writes every request, allowed or refused, to the audit log
//! before the answer leaves: committed first for requests that may change data (or for all, by
//! configuration), queued first for the others; fail closed either way (no audit row, no answer).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kakehashi_mappings::{Issue, IssueCode};
use serde_json::Value;

use super::identity::Identity;
use super::policy::{classify, classify_entry, Policy};
use crate::audit::{AuditLog, AuditRecord, Outcome};
use crate::channels::body::read_limited;
use crate::config::AuditCommit;
use crate::pipeline::xref::Xref;
use crate::pipeline::{now_ms, FhirError};

/// What the guard of one zone needs.
#[derive(Clone)]
pub struct Guard {
    pub zone: &'static str,
    pub policy: Arc<Policy>,
    pub audit: AuditLog,
    /// Present for zones that must not learn hospital-local identifiers.
    pub xref: Option<Xref>,
    pub max_body_bytes: usize,
    pub commit_before_answer: AuditCommit,
}

/// A handler's reason code for the audit row of a request it refused (an extension of its response).
#[derive(Debug, Clone, Copy)]
pub struct AuditReason(pub &'static str);

/// A handler's `Type/id` for the audit row when the path does not name it (an extension of its
/// response), e.g. the prescription a pharmacy's look-up by exchange number found.
#[derive(Debug, Clone)]
pub struct AuditTarget(pub String);

/// A refusal decided by the guard: reason code for the audit log and the answer for the client.
struct Refused {
    reason: &'static str,
    error: FhirError,
}

pub async fn guard(State(g): State<Guard>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string());
    let identity = match request.extensions().get::<Identity>() {
        Some(identity) => identity.clone(),
        None if g.zone == "hospital" => Identity::Network,
        None => Identity::Unidentified,
    };
    let path = request.uri().path().to_string();
    let (operation, resource_type) = classify(request.method(), &path);
    let mut record = AuditRecord {
        recorded_ms: now_ms(),
        zone: g.zone.to_string(),
        channel: "fhir-rest".into(),
        action: operation.to_string(),
        resource_type: resource_type.clone(),
        target: instance_target(operation, &path),
        who: identity.who(),
        outcome: Outcome::Allowed,
        status: None,
        reason: None,
        source: peer,
    };

    let (request, refused) =
        admit(&g, &identity, operation, resource_type.as_deref(), request).await;
    let response = match refused {
        Some(refused) => {
            record.outcome = Outcome::Refused;
            record.reason = Some(refused.reason.to_string());
            refused.error.into_response()
        }
        None => {
            let response = next.run(request).await;
            if record.target.is_none() && operation == "create" {
                record.target = created_target(&response);
            }
            match &g.xref {
                Some(xref) => hide_identifiers(xref, response).await,
                None => response,
            }
        }
    };
    let status = response.status().as_u16();
    record.status = Some(status);
    if let Some(AuditReason(reason)) = response.extensions().get::<AuditReason>() {
        record.reason = Some(reason.to_string());
    }
    if let Some(AuditTarget(target)) = response.extensions().get::<AuditTarget>() {
        record.target.get_or_insert_with(|| target.clone());
    }
    if record.outcome == Outcome::Allowed && status >= 400 {
        record.outcome = Outcome::Failed;
    }
    let written = if g.commit_before_answer == AuditCommit::All || may_change_data(operation) {
        g.audit.record(record).await
    } else {
        g.audit.record_queued(record).await
    };
    match written {
        Ok(()) => response,
        Err(_) => FhirError::audit_unavailable().into_response(),
    }
}

/// True for interactions that may change stored data (their audit row is committed before the answer).
fn may_change_data(operation: &str) -> bool {
    !matches!(
        operation,
        "capabilities" | "read" | "vread" | "search" | "history" | "fetch" | "summary"
    )
}

/// Applies the policy (and, for bodies, the per-entry policy and the inbound identifier rewrite).
async fn admit(
    g: &Guard,
    identity: &Identity,
    operation: &'static str,
    resource_type: Option<&str>,
    request: Request,
) -> (Request, Option<Refused>) {
    if !g.policy.allows(identity, operation, resource_type) {
        let error = forbidden(g.zone, identity, operation, resource_type, None);
        return (request, Some(error));
    }
    let transaction = g.zone == "consultation" && operation == "transaction";
    let carries_body = matches!(*request.method(), Method::POST | Method::PUT);
    if !(carries_body && (transaction || g.xref.is_some())) {
        return (request, None);
    }
    let (mut parts, body) = request.into_parts();
    let bytes = match read_limited(body, g.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let refused = Refused {
                reason: "too-large",
                error: FhirError::too_large(g.max_body_bytes),
            };
            return (Request::from_parts(parts, Body::empty()), Some(refused));
        }
    };
    let translate = g.xref.as_ref().filter(|x| x.may_translate(&bytes));
    if !transaction && translate.is_none() {
        return (Request::from_parts(parts, Body::from(bytes)), None);
    }
    // Malformed JSON goes on unchanged: the handler answers it with line and column.
    let Ok(mut json) = serde_json::from_slice::<Value>(&bytes) else {
        return (Request::from_parts(parts, Body::from(bytes)), None);
    };
    if transaction {
        if let Some(refused) = check_entries(g, identity, &json) {
            return (Request::from_parts(parts, Body::from(bytes)), Some(refused));
        }
    }
    let mut body = bytes;
    if let Some(xref) = translate {
        match xref.inbound(&mut json).await {
            Ok(true) => {
                body = Bytes::from(serde_json::to_vec(&json).unwrap_or_default());
                parts.headers.remove(header::CONTENT_LENGTH);
            }
            Ok(false) => {}
            Err(e) => {
                let refused = Refused {
                    reason: "store-unavailable",
                    error: FhirError::from(e),
                };
                return (Request::from_parts(parts, Body::from(body)), Some(refused));
            }
        }
    }
    (Request::from_parts(parts, Body::from(body)), None)
}

/// Every entry of a transaction or batch Bundle must be allowed on its own.
fn check_entries(g: &Guard, identity: &Identity, bundle: &Value) -> Option<Refused> {
    let kind = match bundle.get("type").and_then(Value::as_str) {
        Some("batch") => "batch",
        _ => "transaction",
    };
    if !g.policy.allows(identity, kind, None) {
        return Some(forbidden(g.zone, identity, kind, None, None));
    }
    let entries = bundle.get("entry").and_then(Value::as_array)?;
    for (i, entry) in entries.iter().enumerate() {
        let request = entry.get("request");
        let method = request
            .and_then(|r| r.get("method"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let url = request
            .and_then(|r| r.get("url"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let (operation, resource_type) = classify_entry(method, url);
        if !g
            .policy
            .allows(identity, operation, resource_type.as_deref())
        {
            let at = format!("Bundle.entry[{i}].request");
            return Some(forbidden(
                g.zone,
                identity,
                operation,
                resource_type.as_deref(),
                Some(at),
            ));
        }
    }
    None
}

fn forbidden(
    zone: &str,
    identity: &Identity,
    operation: &str,
    resource_type: Option<&str>,
    at: Option<String>,
) -> Refused {
    let who = match identity {
        Identity::Person { roles, .. } if roles.is_empty() => {
            "A certificate without an hcRole".to_string()
        }
        Identity::Person { roles, .. } => format!("A certificate with hcRole {}", roles.join(", ")),
        Identity::Service { name, .. } => format!("The service {name:?}"),
        Identity::Network => "A hospital-network client".to_string(),
        Identity::Unidentified => "An unidentified client".to_string(),
    };
    let what = match resource_type {
        Some(t) => format!("{operation} {t}"),
        None => operation.to_string(),
    };
    let mut issue = Issue::error(
        IssueCode::Forbidden,
        format!("{who} may not {what} in the {zone} zone (zone policy)."),
    );
    if let Some(at) = at {
        issue = issue.at(at);
    }
    Refused {
        reason: "policy-denied",
        error: FhirError::new(403, issue),
    }
}

/// `Type/id` for interactions on one instance (server ids only; never identifiers or query strings).
fn instance_target(operation: &str, path: &str) -> Option<String> {
    if matches!(operation, "fetch" | "summary") {
        // `/consultation/{kind}/{id}` or `/consultation/patients/{token}/summary`: the platform's own
        // document id or the zone's patient token, never a hospital identifier.
        let (_, resource_type) = classify(&Method::GET, path);
        let id = path
            .trim_start_matches("/consultation/")
            .split('/')
            .nth(1)?;
        return Some(format!("{}/{id}", resource_type?));
    }
    if !matches!(
        operation,
        "read" | "vread" | "update" | "delete" | "history"
    ) {
        return None;
    }
    let parts: Vec<&str> = path
        .trim_start_matches("/fhir")
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [t, id, ..] if !id.starts_with('_') => Some(format!("{t}/{id}")),
        _ => None,
    }
}

/// `Type/id` of a created resource, from its Location header.
fn created_target(response: &Response) -> Option<String> {
    let location = response.headers().get(header::LOCATION)?.to_str().ok()?;
    let path = location.split("/_history/").next()?;
    let mut parts = path.rsplit('/');
    let id = parts.next()?;
    let typ = parts.next()?;
    Some(format!("{typ}/{id}"))
}

/// Replaces hospital-local identifiers in a JSON response body by zone-facing tokens.
async fn hide_identifiers(xref: &Xref, response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if !xref.may_hide(&bytes) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let Ok(mut json) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    match xref.outbound(&mut json, now_ms()).await {
        Ok(true) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            let body = serde_json::to_vec(&json).unwrap_or_default();
            Response::from_parts(parts, Body::from(body))
        }
        Ok(false) => Response::from_parts(parts, Body::from(bytes)),
        // Never let a local identifier through because the cross-reference failed.
        Err(e) => FhirError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_may_be_answered_before_their_audit_commit() {
        for op in ["capabilities", "read", "vread", "search", "history"] {
            assert!(!may_change_data(op), "{op}");
        }
        for op in [
            "create",
            "update",
            "delete",
            "transaction",
            "batch",
            "operation",
            "unknown",
        ] {
            assert!(may_change_data(op), "{op}");
        }
    }

    #[test]
    fn targets_name_server_ids_only() {
        assert_eq!(
            instance_target("read", "/fhir/Patient/abc"),
            Some("Patient/abc".into())
        );
        assert_eq!(instance_target("history", "/fhir/Patient/_history"), None);
        assert_eq!(instance_target("search", "/fhir/Patient"), None);
        let response = Response::builder()
            .header(header::LOCATION, "http://h/fhir/Consent/123/_history/1")
            .body(Body::empty())
            .unwrap();
        assert_eq!(created_target(&response), Some("Consent/123".into()));
    }
}

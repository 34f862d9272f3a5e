//! The e-prescription hub's routes on the consultation zone (issue #7), behind its mTLS and guard:
//! `GET /eprescriptions?exchange-number=N&birthdate=YYYY-MM-DD` serves a pharmacy the FHIR
//! prescription document, once per dispensing;
//! `POST /eprescriptions/{exchange-number}/dispensing` takes the dispensing result (FHIR
//! MedicationDispense or a Bundle of them). Every refusal carries its reason to the audit row.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use kakehashi_mappings::fhir::operation_outcome;
use kakehashi_mappings::{Issue, IssueCode};

use super::fhir_rest::render::json_response;
use super::json_body::json_body;
use crate::pipeline::eprescription::{Hub, HubError, LookUp};
use crate::zones::guard::{AuditReason, AuditTarget};
use crate::zones::identity::Identity;

#[derive(Clone)]
pub struct EprescriptionApi {
    pub hub: Hub,
    pub max_body_bytes: usize,
}

pub fn router(state: EprescriptionApi) -> Router {
    Router::new()
        .route("/eprescriptions", get(retrieve))
        .route("/eprescriptions/{number}/dispensing", post(dispensing))
        .with_state(state)
}

type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

fn who_and_peer(identity: Option<Extension<Identity>>, peer: Peer) -> (Identity, Option<IpAddr>) {
    (
        identity.map(|e| e.0).unwrap_or(Identity::Unidentified),
        peer.map(|p| p.0 .0.ip()),
    )
}

/// The named query parameters (each once; unknown ones refused, so that a typo is not a miss).
fn query_params(query: Option<&str>, names: &[&str]) -> Result<Vec<String>, HubError> {
    let mut values = vec![None; names.len()];
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let Some(i) = names.iter().position(|n| *n == key) else {
            return Err(HubError::invalid(
                "unknown-parameter",
                format!(
                    "Unknown parameter {key:?}; this query takes {}.",
                    names.join(" and ")
                ),
            ));
        };
        if values[i].replace(value.into_owned()).is_some() {
            return Err(HubError::invalid(
                "repeated-parameter",
                format!("{key} is given more than once."),
            ));
        }
    }
    values
        .into_iter()
        .zip(names)
        .map(|(v, n)| {
            v.ok_or_else(|| HubError::invalid("missing-parameter", format!("{n} is required.")))
        })
        .collect()
}

async fn retrieve(
    State(api): State<EprescriptionApi>,
    identity: Option<Extension<Identity>>,
    peer: Peer,
    RawQuery(query): RawQuery,
) -> Response {
    let (who, peer) = who_and_peer(identity, peer);
    let answer = async {
        let params = query_params(query.as_deref(), &["exchange-number", "birthdate"])?;
        let q = LookUp {
            exchange_number: &params[0],
            birth_date: &params[1],
            peer,
        };
        api.hub.retrieve(&q, &who).await
    };
    match answer.await {
        Ok((id, document)) => targeted(json_response(StatusCode::OK, document), &id),
        Err(e) => refusal(e),
    }
}

async fn dispensing(
    State(api): State<EprescriptionApi>,
    Path(number): Path<String>,
    identity: Option<Extension<Identity>>,
    peer: Peer,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (who, peer) = who_and_peer(identity, peer);
    let answer = async {
        let result = json_body(&headers, body, api.max_body_bytes, "application/fhir+json").await?;
        api.hub.dispensed(&number, &result, peer, &who).await
    };
    match answer.await {
        Ok((id, state)) => {
            let outcome = operation_outcome(&[Issue::information(
                IssueCode::Informational,
                format!(
                    "dispensing recorded; the prescription is {}",
                    state.as_str()
                ),
            )]);
            targeted(json_response(StatusCode::OK, outcome.to_string()), &id)
        }
        Err(e) => refusal(e),
    }
}

/// `response` with the prescription it concerns for the audit row.
fn targeted(mut response: Response, id: &str) -> Response {
    response
        .extensions_mut()
        .insert(AuditTarget(format!("Prescription/{id}")));
    response
}

/// The OperationOutcome of a refusal, with its audit reason (and Retry-After for 429).
fn refusal(e: HubError) -> Response {
    let retry_after = e.retry_after;
    let mut response = e.error.into_response();
    response.extensions_mut().insert(AuditReason(e.reason));
    if let Some(seconds) = retry_after {
        if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    response
}

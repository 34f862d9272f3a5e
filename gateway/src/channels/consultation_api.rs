//! The consultation API on the consultation zone (issue #6), behind the zone's mTLS and guard:
//! `POST /consultation/{records|care-plans|consents}` takes the platform's native JSON and answers 201
//! (or 200 for the same document again) with an OperationOutcome carrying the guideline warnings, 400
//! for a schema fault, 403 when the document's doctor is not the certificate holder, 422 naming every
//! failed guideline rule; `GET /consultation/{kind}/{id}` answers the stored document in native form;
//! `GET /consultation/patients/{token}/summary` is the first-visit summary of hospital data.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use kakehashi_mappings::fhir::operation_outcome;
use kakehashi_mappings::{Issue, IssueCode};

use super::fhir_rest::render::json_response;
use super::json_body::json_body;
use crate::pipeline::consultation::{Consultation, Document, Submitted};
use crate::pipeline::FhirError;
use crate::zones::identity::Identity;

#[derive(Clone)]
pub struct ConsultationApi {
    pub consultation: Consultation,
    pub max_body_bytes: usize,
}

pub fn router(state: ConsultationApi) -> Router {
    Router::new()
        .route("/consultation/{kind}", post(submit))
        .route("/consultation/{kind}/{id}", get(fetch))
        .route("/consultation/patients/{token}/summary", get(summary))
        .with_state(state)
}

fn unknown_kind(kind: &str) -> FhirError {
    FhirError::not_found(format!(
        "/consultation/{kind} is not a document kind here; use records, care-plans or consents."
    ))
}

async fn submit(
    State(api): State<ConsultationApi>,
    Path(kind): Path<String>,
    identity: Option<Extension<Identity>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, FhirError> {
    let document = Document::from_segment(&kind).ok_or_else(|| unknown_kind(&kind))?;
    let who = identity.map(|e| e.0).unwrap_or(Identity::Unidentified);
    let value = json_body(&headers, body, api.max_body_bytes, "application/json").await?;
    let c = &api.consultation;
    let submitted = match document {
        Document::Record => c.submit_record(&value, &who).await?,
        Document::CarePlan => c.submit_care_plan(&value, &who).await?,
        Document::Consent => c.submit_consent(&value, &who).await?,
    };
    Ok(answer(document, submitted))
}

async fn fetch(
    State(api): State<ConsultationApi>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, FhirError> {
    let document = Document::from_segment(&kind).ok_or_else(|| unknown_kind(&kind))?;
    let value = api.consultation.fetch(document, &id).await?;
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        value.to_string(),
    )
        .into_response())
}

/// The first-visit summary (a Bundle of hospital data, tokens for every hospital name).
async fn summary(
    State(api): State<ConsultationApi>,
    Path(token): Path<String>,
) -> Result<Response, FhirError> {
    let bundle = api.consultation.summary(&token).await?;
    Ok(json_response(StatusCode::OK, bundle.to_string()))
}

/// 201 (200 when nothing new was stored) with the warnings as an OperationOutcome and the document's
/// Location.
fn answer(document: Document, submitted: Submitted) -> Response {
    let status = if submitted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut issues = submitted.warnings;
    if issues.is_empty() {
        issues.push(Issue::information(
            IssueCode::Informational,
            format!("stored {}", submitted.id),
        ));
    }
    let mut response = json_response(status, operation_outcome(&issues).to_string());
    let location = format!("/consultation/{}/{}", document.segment(), submitted.id);
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

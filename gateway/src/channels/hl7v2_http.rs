//! `POST /hl7v2` on the hospital zone (behind its zone guard, like the FHIR routes): the body is one raw
//! HL7 v2 message (`x-application/hl7-v2+er7` or `text/plain`, any charset by MSH-18), the answer is the
//! ACK in the sender's charset with the same content type: 200 for AA/CA and duplicates, 400 for AE/CE
//! and for AR of an unsupported type, 503 for AR of our own failure (retry), 413 over the size limit.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::body::read_limited;
use crate::metrics::Metrics;
use crate::pipeline::hl7v2::{ack_bytes, reject_ack, Channel, Disposition, Hl7v2, Inbound};

/// The media types accepted (and answered).
const ER7: &str = "x-application/hl7-v2+er7";

#[derive(Clone)]
pub struct Hl7v2Http {
    pub hl7v2: Hl7v2,
    pub metrics: Arc<Metrics>,
    pub max_message_bytes: usize,
}

pub fn router(state: Hl7v2Http) -> Router {
    Router::new()
        .route("/hl7v2", post(receive))
        .with_state(state)
}

async fn receive(State(s): State<Hl7v2Http>, request: Request) -> Response {
    let media = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media != ER7 && media != "text/plain" {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("POST /hl7v2 takes {ER7} or text/plain"),
        )
            .into_response();
    }
    let raw = match read_limited(request.into_body(), s.max_message_bytes).await {
        Ok(raw) => raw,
        Err(_) => {
            s.metrics.hl7v2_message("http", "too-large");
            let ack = reject_ack(
                b"",
                &format!(
                    "the message exceeds the limit of {} bytes",
                    s.max_message_bytes
                ),
            );
            return answer(StatusCode::PAYLOAD_TOO_LARGE, &media, &ack);
        }
    };
    let disposition = s
        .hl7v2
        .ingest(Inbound::network(raw.to_vec(), Channel::Http))
        .await;
    s.metrics.hl7v2_message("http", disposition.outcome());
    let status = match &disposition {
        Disposition::Accepted { .. } | Disposition::Duplicate { .. } => StatusCode::OK,
        Disposition::Rejected { .. } => StatusCode::BAD_REQUEST,
        Disposition::Failed { .. } => StatusCode::SERVICE_UNAVAILABLE,
    };
    answer(status, &media, disposition.ack())
}

fn answer(status: StatusCode, media: &str, ack: &str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, media)
        .body(Body::from(ack_bytes(ack)))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

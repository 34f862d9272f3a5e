//! Prometheus metrics (served by the admin listener at /metrics): requests by zone, method and status,
//! request latency, and HL7 v2 messages by channel and outcome. Labels never carry ids or other patient data.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub zone: &'static str,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ZoneLabel {
    pub zone: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Hl7v2Labels {
    pub channel: &'static str,
    pub outcome: &'static str,
}

/// The gateway's metrics and the registry that renders them.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<ZoneLabel, Histogram>,
    hl7v2: Family<Hl7v2Labels, Counter>,
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("kakehashi");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<ZoneLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 14))
        });
        registry.register(
            "http_requests",
            "HTTP requests answered, by zone, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            latency.clone(),
        );
        let hl7v2 = Family::<Hl7v2Labels, Counter>::default();
        registry.register(
            "hl7v2_messages",
            "HL7 v2 messages handled, by channel and outcome (accepted, duplicate, rejected, failed, too-large, bad-frame)",
            hl7v2.clone(),
        );
        Arc::new(Metrics {
            registry,
            requests,
            latency,
            hl7v2,
        })
    }

    /// Counts one HL7 v2 message (or refused frame) of a channel.
    pub fn hl7v2_message(&self, channel: &'static str, outcome: &'static str) {
        self.hl7v2
            .get_or_create(&Hl7v2Labels { channel, outcome })
            .inc();
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// Middleware recording every request of one zone.
pub async fn track(
    State((metrics, zone)): State<(Arc<Metrics>, &'static str)>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_string();
    let response = next.run(request).await;
    metrics
        .requests
        .get_or_create(&RequestLabels {
            zone,
            method,
            status: response.status().as_u16(),
        })
        .inc();
    metrics
        .latency
        .get_or_create(&ZoneLabel { zone })
        .observe(started.elapsed().as_secs_f64());
    response
}

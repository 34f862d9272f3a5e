//! The FHIR R4 REST channel (JSON): routes under `/fhir` for the hospital zone (issue #2).

pub mod capability;
mod handlers;
pub mod render;
mod validate;

use axum::routing::get;
use axum::Router;

use crate::pipeline::Fhir;

/// What the handlers share.
#[derive(Clone)]
pub struct RestState {
    pub fhir: Fhir,
    /// Public base URL (`https://host/fhir`); empty: derived from the Host header.
    pub base_url: String,
    /// `http` or `https`, for base URLs derived from the Host header.
    pub scheme: &'static str,
    pub max_body_bytes: usize,
    pub capabilities: capability::CapabilityCache,
    /// The consultation zone's document checks for transactions sent as FHIR (None elsewhere).
    pub documents: Option<crate::pipeline::consultation::Consultation>,
}

/// The `/fhir` routes.
pub fn router(state: RestState) -> Router {
    Router::new()
        .route("/fhir/metadata", get(handlers::metadata))
        .route("/fhir", axum::routing::post(handlers::bundle))
        .route("/fhir/", axum::routing::post(handlers::bundle))
        .route(
            "/fhir/$validate",
            axum::routing::post(validate::validate_any),
        )
        .route(
            "/fhir/{resource_type}/$validate",
            axum::routing::post(validate::validate_type),
        )
        .route(
            "/fhir/{resource_type}",
            get(handlers::search).post(handlers::create),
        )
        .route(
            "/fhir/{resource_type}/_search",
            axum::routing::post(handlers::search_post),
        )
        .route(
            "/fhir/{resource_type}/_history",
            get(handlers::type_history),
        )
        .route(
            "/fhir/{resource_type}/{id}",
            get(handlers::read)
                .put(handlers::update)
                .delete(handlers::delete),
        )
        .route(
            "/fhir/{resource_type}/{id}/_history",
            get(handlers::instance_history),
        )
        .route(
            "/fhir/{resource_type}/{id}/_history/{version}",
            get(handlers::vread),
        )
        .fallback(handlers::unknown_route)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .with_state(state)
}

//! Inbound transports (design.md §3): each turns its protocol into pipeline calls and renders the answer.

pub mod body;
pub mod consultation_api;
pub mod eprescription_api;
pub mod fhir_rest;
pub mod hl7v2_http;
pub mod json_body;
pub mod mllp;

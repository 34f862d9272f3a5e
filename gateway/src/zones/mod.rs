//! Listeners and their zones (design.md §2): the hospital zone (FHIR REST over HTTP), the consultation
//! zone (FHIR REST over mutual TLS), their shared guard (policy, audit, identifier cross-reference via
//! `pipeline::xref`) and the admin listener.

pub mod admin;
pub mod consultation;
pub mod guard;
pub mod identity;
pub mod policy;

//! Listeners and their zones (design.md §2). Issue #2 has the hospital zone (FHIR REST over HTTP) and the
//! admin listener; the consultation zone (mutual TLS) comes with issue #3.

pub mod admin;

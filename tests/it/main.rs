//! End-to-end tests: the real gateway on port 0, over real HTTP, against SQLite and PostgreSQL.

mod audit;
mod bundles;
mod consultation;
mod consultation_api;
mod crud;
mod eprescriptions;
mod errors;
mod examples;
mod helpers;
mod hl7v2_bad_input;
mod mllp;
mod mtls;
mod pg;
mod pki;
mod search;
mod validation;

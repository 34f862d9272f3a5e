//! Kakehashi's pure core: parsing, checking and translating health data without I/O or clock reads
//! (design.md §3, invariant 1). Time and ids come in from the caller.

pub mod build_json;
pub mod consultation;
pub mod fhir;
pub mod fhir_to_v2;
pub mod fhirpath;
pub mod hl7v2;
pub mod issue;
pub mod rules;
pub mod ssmix2;
pub mod tables;
pub mod v2_to_fhir;
pub mod validate;

pub use issue::{Issue, IssueCode, Severity};

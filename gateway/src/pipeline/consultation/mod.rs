//! The consultation API's pipeline (issue #6): native documents from the online-consultation platform
//! are schema-checked, attributed to the submitting HPKI doctor, checked against the guideline rules,
//! mapped to FHIR JP Core and stored through the same transaction path as FHIR clients use; stored
//! documents are read back into the native form.

mod direct;
mod doctor;
mod fetch;
mod gather;
mod retention;
mod submit;
mod summary;

pub use fetch::Document;
pub use retention::check_retention;

use kakehashi_mappings::Issue;

use super::xref::Xref;
use super::Fhir;

/// The consultation zone's document pipeline: its FHIR pipeline and its identifier cross-reference.
#[derive(Clone)]
pub struct Consultation {
    pub fhir: Fhir,
    pub xref: Xref,
}

/// What a stored submission answers.
#[derive(Debug)]
pub struct Submitted {
    /// The platform's id of the document (`recordId`, `carePlanId`, `consentId`).
    pub id: String,
    /// True when something new was stored (false: the same document again).
    pub created: bool,
    /// The guideline warnings, stored with the document (DetectedIssue) and returned.
    pub warnings: Vec<Issue>,
}

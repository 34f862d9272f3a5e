//! One native document kind ↔ FHIR, by `schema::Format`: what `kakehashi convert` and the gateway's
//! read-back share (the submission path parses the typed model itself, for the guideline rules).

use serde_json::Value;

use super::schema::{parse, Format};
use super::{from_fhir, to_fhir, MapContext};
use crate::{Issue, IssueCode};

/// A native document of `format` (schema-checked) → its FHIR transaction Bundle.
pub fn native_to_fhir(
    format: Format,
    document: &Value,
    ctx: &MapContext,
) -> Result<Value, Vec<Issue>> {
    Ok(match format {
        Format::ConsultationRecord => to_fhir::record_to_fhir(&parse(format, document)?, ctx),
        Format::CarePlan => to_fhir::care_plan_to_fhir(&parse(format, document)?, ctx),
        Format::Consent => to_fhir::consent_to_fhir(&parse(format, document)?, ctx),
    })
}

/// A Bundle holding a document's resources → the native document of `format`.
pub fn native_from_fhir(format: Format, bundle: &Value) -> Result<Value, Vec<Issue>> {
    let native = match format {
        Format::ConsultationRecord => from_fhir::record_from_fhir(bundle).map(serde_json::to_value),
        Format::CarePlan => from_fhir::care_plan_from_fhir(bundle).map(serde_json::to_value),
        Format::Consent => from_fhir::consent_from_fhir(bundle).map(serde_json::to_value),
    }?;
    native.map_err(|e| {
        vec![Issue::error(
            IssueCode::Exception,
            format!("could not write the native document: {e}"),
        )]
    })
}

//! Online consultation (オンライン診療): the platform's native formats, their schemas and the mappings to
//! and from FHIR R4 JP Core (issue #6).

pub mod convert;
pub mod from_fhir;
pub mod model;
pub mod schema;
pub mod to_fhir;

pub use convert::{native_from_fhir, native_to_fhir};
pub use from_fhir::{care_plan_from_fhir, consent_from_fhir, record_from_fhir};
pub use to_fhir::{
    care_plan_id, care_plan_to_fhir, consent_id, consent_to_fhir, record_composition_id,
    record_encounter_id, record_to_fhir, MapContext,
};

//! Online consultation (オンライン診療): the platform's native formats, their schemas and the mappings to
//! and from FHIR R4 JP Core (issue #6).

pub mod from_fhir;
pub mod model;
pub mod to_fhir;

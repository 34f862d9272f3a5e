//! FHIR R4 JSON handling shared by every channel: parsing with located errors, the typed round trip,
//! references, search-parameter extraction and OperationOutcome rendering.

pub mod concepts;
pub mod json;
pub mod locate;
pub mod outcome;
pub mod references;
pub mod resource_types;
pub mod search;
pub mod typed;

pub use json::parse_json;
pub use outcome::operation_outcome;
pub use resource_types::{
    is_known_resource_type, is_valid_id, CONFORMANCE_RESOURCE_TYPES, SUPPORTED_RESOURCE_TYPES,
};
pub use typed::canonicalise;

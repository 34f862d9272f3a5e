//! Preparing a resource for storage: check its type and id, stamp `id` and `meta`, run the typed round
//! trip (which rejects unknown elements and type errors with their location, 400), validate it as the
//! zone says (422) and extract its index.

use kakehashi_mappings::fhir::json::resource_type_of;
use kakehashi_mappings::fhir::search::{extract_index, IndexValue};
use kakehashi_mappings::fhir::{canonicalise, is_known_resource_type, is_valid_id};
use kakehashi_mappings::{Issue, IssueCode};
use serde_json::{Map, Value};

use crate::pipeline::validation::Validation;
use crate::pipeline::{instant, FhirError};

/// A resource ready to be written.
pub struct Prepared {
    pub content: String,
    pub index: Vec<(String, IndexValue)>,
}

/// Checks that `resource` is a supported resource of `expected_type` (when given) and returns its type.
pub fn check_type(resource: &Value, expected_type: Option<&str>) -> Result<String, FhirError> {
    let found = resource_type_of(resource).map_err(FhirError::invalid)?;
    if let Some(expected) = expected_type {
        if found != expected {
            return Err(FhirError::invalid(
                Issue::error(
                    IssueCode::Invalid,
                    format!("The resourceType is {found}, but the request URL is for {expected}."),
                )
                .at(format!("{found}.resourceType")),
            ));
        }
    }
    if !is_known_resource_type(found) {
        return Err(FhirError::new(
            404,
            Issue::error(
                IssueCode::NotSupported,
                format!(
                    "Resource type {found} is not supported by this server; see /fhir/metadata."
                ),
            ),
        ));
    }
    Ok(found.to_string())
}

/// Stamps `id`, `meta.versionId` and `meta.lastUpdated`, then canonicalises, validates and indexes the
/// resource. Every write (create, update, transaction and batch entries) passes here.
pub fn prepare(
    mut resource: Value,
    resource_type: &str,
    id: &str,
    version_id: i64,
    last_updated_ms: i64,
    validation: &Validation,
) -> Result<Prepared, FhirError> {
    let object = resource
        .as_object_mut()
        .expect("check_type accepted only objects");
    object.insert("id".into(), Value::String(id.to_string()));
    let meta = object
        .entry("meta")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(meta) = meta.as_object_mut() else {
        return Err(FhirError::invalid(
            Issue::error(IssueCode::Structure, "meta must be an object.")
                .at(format!("{resource_type}.meta")),
        ));
    };
    meta.insert("versionId".into(), Value::String(version_id.to_string()));
    meta.insert(
        "lastUpdated".into(),
        Value::String(instant(last_updated_ms)),
    );
    let canonical = super::canonical::canonicalise(&resource).map_err(FhirError::invalid)?;
    validation.check(&resource)?;
    let content = String::from_utf8(canonical).map_err(|_| {
        FhirError::invalid(Issue::error(
            IssueCode::Structure,
            "The resource is not UTF-8.",
        ))
    })?;
    let index = extract_index(resource_type, &resource);
    Ok(Prepared { content, index })
}

/// Puts `version_id` into content prepared as version 1 (`"meta":{"versionId":"1"` as canonicalisation
/// writes it first in `meta`); other content is parsed and canonicalised again.
pub fn restamp(content: &str, version_id: i64) -> Result<String, FhirError> {
    if version_id == 1 {
        return Ok(content.to_string());
    }
    const STAMP: &str = "\"versionId\":\"1\"";
    if let Some(at) = content.find(STAMP) {
        if content[..at].ends_with("\"meta\":{") {
            return Ok(format!(
                "{}\"versionId\":\"{version_id}\"{}",
                &content[..at],
                &content[at + STAMP.len()..]
            ));
        }
    }
    let mut value: Value = serde_json::from_str(content).map_err(|e| {
        FhirError::invalid(Issue::error(
            IssueCode::Exception,
            format!("a prepared resource is not JSON: {e}"),
        ))
    })?;
    if let Some(meta) = value.get_mut("meta").and_then(Value::as_object_mut) {
        meta.insert("versionId".into(), Value::String(version_id.to_string()));
    }
    let bytes = canonicalise(&value).map_err(FhirError::invalid)?;
    String::from_utf8(bytes).map_err(|_| {
        FhirError::invalid(Issue::error(
            IssueCode::Structure,
            "The resource is not UTF-8.",
        ))
    })
}

/// The id a client put in the body of an update must match the URL.
pub fn check_body_id(resource: &Value, resource_type: &str, url_id: &str) -> Result<(), FhirError> {
    match resource.get("id") {
        Some(Value::String(body_id)) if body_id == url_id => Ok(()),
        Some(Value::String(body_id)) => Err(FhirError::invalid(
            Issue::error(
                IssueCode::Invalid,
                format!(
                    "The id in the body ({body_id}) differs from the id in the URL ({url_id})."
                ),
            )
            .at(format!("{resource_type}.id")),
        )),
        _ => Err(FhirError::invalid(
            Issue::error(
                IssueCode::Required,
                "An update must carry the resource id in the body.",
            )
            .at(format!("{resource_type}.id")),
        )),
    }
}

pub fn check_id(id: &str) -> Result<(), FhirError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(FhirError::invalid(Issue::error(
            IssueCode::Invalid,
            "A resource id has 1 to 64 characters from A-Z a-z 0-9 - .",
        )))
    }
}

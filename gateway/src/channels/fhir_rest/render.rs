//! HTTP responses of the FHIR REST channel: resources with ETag / Last-Modified / Location, Bundles for
//! search and history, and OperationOutcomes for every error (design.md §5).

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kakehashi_mappings::fhir::operation_outcome;
use kakehashi_mappings::fhir::search::SummaryMode;
use serde_json::Value;

use crate::pipeline::interactions::Written;
use crate::pipeline::search::SearchResult;
use crate::pipeline::{etag, instant, FhirError};
use crate::store::resources::StoredVersion;

pub const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

pub fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        body,
    )
        .into_response()
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_response(status, operation_outcome(&self.issues).to_string())
    }
}

/// A resource version with its ETag and Last-Modified; `location` adds a Location header (create).
pub fn resource(
    status: StatusCode,
    version: StoredVersion,
    base: &str,
    location: bool,
) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&etag(version.version_id)) {
        headers.insert(header::ETAG, v);
    }
    let modified = chrono::DateTime::from_timestamp_millis(version.last_updated_ms)
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(v) = HeaderValue::from_str(&modified) {
        headers.insert(header::LAST_MODIFIED, v);
    }
    if location {
        let url = format!(
            "{base}/{}/{}/_history/{}",
            version.resource_type, version.id, version.version_id
        );
        if let Ok(v) = HeaderValue::from_str(&url) {
            headers.insert(header::LOCATION, v);
        }
    }
    (
        status,
        headers,
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        version.content.unwrap_or_default(),
    )
        .into_response()
}

/// The answer to a create or update: 201 when it created the resource, 200 otherwise.
pub fn written(written: Written, base: &str, location: bool) -> Response {
    let status = if written.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    resource(status, written.version, base, location)
}

/// A searchset Bundle with self / next / previous links. Stored content is valid JSON written by us,
/// so it is spliced in as text rather than parsed again.
pub fn searchset(
    result: SearchResult,
    base: &str,
    resource_type: &str,
    params: &[(String, String)],
) -> String {
    let SearchResult {
        query,
        total,
        matches,
        included,
        count,
    } = result;
    let kept: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "_offset" && k != "_count")
        .cloned()
        .collect();
    let link = |relation: &str, offset: usize| {
        let mut query_string = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &kept {
            query_string.append_pair(k, v);
        }
        query_string.append_pair("_count", &count.to_string());
        query_string.append_pair("_offset", &offset.to_string());
        serde_json::json!({"relation": relation, "url": format!("{base}/{resource_type}?{}", query_string.finish())})
    };
    let mut links = vec![link("self", query.offset)];
    if query.summary == SummaryMode::None {
        if (query.offset + matches.len()) < total as usize && !matches.is_empty() {
            links.push(link("next", query.offset + count));
        }
        if query.offset > 0 {
            links.push(link("previous", query.offset.saturating_sub(count)));
        }
    }
    let mut out = format!(
        r#"{{"resourceType":"Bundle","id":"{}","type":"searchset","total":{total},"link":{}"#,
        uuid::Uuid::new_v4(),
        Value::Array(links)
    );
    let mut entries = Vec::new();
    for (id, content) in &matches {
        entries.push(entry(
            &format!("{base}/{resource_type}/{id}"),
            content,
            Some("match"),
        ));
    }
    for (ty, id, content) in &included {
        entries.push(entry(
            &format!("{base}/{ty}/{id}"),
            content,
            Some("include"),
        ));
    }
    if !entries.is_empty() {
        out.push_str(",\"entry\":[");
        out.push_str(&entries.join(","));
        out.push(']');
    }
    out.push('}');
    out
}

fn entry(full_url: &str, content: &str, mode: Option<&str>) -> String {
    let search = mode
        .map(|m| format!(r#","search":{{"mode":"{m}"}}"#))
        .unwrap_or_default();
    format!(
        r#"{{"fullUrl":{},"resource":{content}{search}}}"#,
        Value::String(full_url.to_string())
    )
}

/// A history Bundle, newest version first; deletions carry only their request and response.
pub fn history(versions: Vec<StoredVersion>, base: &str) -> String {
    let entries: Vec<String> = versions
        .iter()
        .map(|v| {
            let url = format!("{}/{}", v.resource_type, v.id);
            let request = serde_json::json!({"method": v.method, "url": if v.method == "POST" { v.resource_type.clone() } else { url.clone() }});
            let response = serde_json::json!({"status": if v.content.is_some() { "200" } else { "204" }, "etag": etag(v.version_id), "lastModified": instant(v.last_updated_ms)});
            let full_url = Value::String(format!("{base}/{url}"));
            match &v.content {
                Some(content) => format!(r#"{{"fullUrl":{full_url},"resource":{content},"request":{request},"response":{response}}}"#),
                None => format!(r#"{{"fullUrl":{full_url},"request":{request},"response":{response}}}"#),
            }
        })
        .collect();
    format!(
        r#"{{"resourceType":"Bundle","id":"{}","type":"history","total":{},"entry":[{}]}}"#,
        uuid::Uuid::new_v4(),
        versions.len(),
        entries.join(",")
    )
}

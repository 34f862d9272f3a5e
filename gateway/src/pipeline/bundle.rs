//! Transaction and batch Bundles (R4 http §3.1.0.11): a transaction is all or nothing in one database
//! transaction, with `urn:uuid:` (and other `fullUrl`) references rewritten to the ids assigned here;
//! a batch runs each entry on its own.

use std::collections::HashMap;

use kakehashi_mappings::fhir::references::rewrite_references;
use kakehashi_mappings::fhir::{is_known_resource_type, operation_outcome};
use kakehashi_mappings::{Issue, IssueCode};
use serde_json::{json, Value};
use sqlx::AnyConnection;

use crate::pipeline::interactions::{
    conditional_match, create_in, delete_in, prepare_create, read_in, update_in, Written,
};
use crate::pipeline::validation::Validation;
use crate::pipeline::{etag, instant, parse_etag, Fhir, FhirError};
use crate::store::locks;
use crate::store::resources::StoredVersion;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Method {
    Delete,
    Post,
    Put,
    Get,
}

/// One entry's request, checked.
struct Entry {
    index: usize,
    method: Method,
    resource_type: String,
    id: Option<String>,
    full_url: Option<String>,
    resource: Option<Value>,
    if_none_exist: Option<String>,
    if_match: Option<i64>,
    /// Set for POSTs in a transaction: the id assigned before any write, so references can be rewritten.
    assigned_id: Option<String>,
}

impl Fhir {
    /// Processes a transaction or batch Bundle and returns the response Bundle.
    pub async fn process_bundle(&self, bundle: Value) -> Result<Value, FhirError> {
        if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
            return Err(FhirError::invalid(
                Issue::error(
                    IssueCode::Invalid,
                    "POST to the base URL takes a transaction or batch Bundle.",
                )
                .at("Bundle.resourceType"),
            ));
        }
        let kind = bundle
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let raw_entries = match bundle.get("entry") {
            None => Vec::new(),
            Some(Value::Array(entries)) => entries.clone(),
            Some(_) => {
                return Err(FhirError::invalid(
                    Issue::error(IssueCode::Structure, "Bundle.entry must be an array.")
                        .at("Bundle.entry"),
                ))
            }
        };
        match kind.as_str() {
            "transaction" => self.transaction(raw_entries).await,
            "batch" => Ok(self.batch(raw_entries).await),
            other => Err(FhirError::invalid(
                Issue::error(IssueCode::Invalid, format!("Bundle.type is '{other}'; the base URL takes 'transaction' or 'batch' (store other Bundles with POST /fhir/Bundle).")).at("Bundle.type"),
            )),
        }
    }

    async fn transaction(&self, raw_entries: Vec<Value>) -> Result<Value, FhirError> {
        let mut entries = raw_entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| parse_entry(i, e))
            .collect::<Result<Vec<_>, _>>()?;
        // Pass 1: ids for every created resource, so that references between entries can be resolved.
        let ids = assign_ids(&mut entries)?;
        let mut tx = self.store.begin().await?;
        // Conditional creates that match an existing resource point their fullUrl at it instead.
        let matches = find_matches(&mut tx, &entries).await?;
        resolve(&mut entries, &ids, &matches);
        let mut matched: HashMap<usize, Written> = HashMap::new();
        for (&index, existing) in &matches {
            let resource_type = &entries[index].resource_type;
            let version = read_in(&mut tx, resource_type, existing).await?;
            matched.insert(
                index,
                Written {
                    version,
                    created: false,
                },
            );
        }
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_key(|&i| (entries[i].method, i));
        let mut responses: Vec<Option<Value>> = vec![None; entries.len()];
        for i in order {
            let entry = &mut entries[i];
            let response = if let Some(written) = matched.remove(&entry.index) {
                write_response(&written)
            } else {
                run_entry(&mut tx, entry, &self.validation)
                    .await
                    .map_err(|e| e.within(&format!("Bundle.entry[{}].resource", entry.index)))?
            };
            responses[i] = Some(response);
        }
        tx.commit().await?;
        Ok(response_bundle(
            "transaction-response",
            responses.into_iter().flatten().collect(),
        ))
    }

    async fn batch(&self, raw_entries: Vec<Value>) -> Value {
        let mut responses = Vec::new();
        for (i, raw) in raw_entries.into_iter().enumerate() {
            let outcome = match parse_entry(i, raw) {
                Ok(mut entry) => match self.store.begin().await {
                    Ok(mut tx) => match run_entry(&mut tx, &mut entry, &self.validation).await {
                        Ok(response) => {
                            tx.commit().await.map(|_| response).map_err(FhirError::from)
                        }
                        Err(e) => Err(e),
                    },
                    Err(e) => Err(e.into()),
                },
                Err(e) => Err(e),
            };
            responses.push(match outcome {
                Ok(response) => response,
                Err(e) => json!({"response": {"status": status_line(e.status), "outcome": operation_outcome(&e.issues)}}),
            });
        }
        response_bundle("batch-response", responses)
    }
}

fn parse_entry(index: usize, raw: Value) -> Result<Entry, FhirError> {
    let at = |field: &str| format!("Bundle.entry[{index}].{field}");
    let bad = |field: &str, message: &str| {
        FhirError::invalid(Issue::error(IssueCode::Invalid, message.to_string()).at(at(field)))
    };
    let request = raw.get("request").ok_or_else(|| {
        bad(
            "request",
            "Each entry of a transaction or batch needs a request.",
        )
    })?;
    let method = match request.get("method").and_then(Value::as_str) {
        Some("POST") => Method::Post,
        Some("PUT") => Method::Put,
        Some("DELETE") => Method::Delete,
        Some("GET") => Method::Get,
        Some(other) => {
            return Err(FhirError::new(
                400,
                Issue::error(
                    IssueCode::NotSupported,
                    format!("Method {other} is not supported in Bundles."),
                )
                .at(at("request.method")),
            ))
        }
        None => return Err(bad("request.method", "request.method is required.")),
    };
    let url = request
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("request.url", "request.url is required."))?;
    let path = url.split('?').next().unwrap_or_default();
    let mut parts = path.trim_start_matches('/').split('/');
    let resource_type = parts.next().unwrap_or_default().to_string();
    let id = parts.next().map(str::to_string);
    if !is_known_resource_type(&resource_type) || parts.next().is_some() || url.contains('?') {
        return Err(FhirError::new(
            400,
            Issue::error(
                IssueCode::NotSupported,
                format!("request.url '{url}' is not supported; use Type or Type/id."),
            )
            .at(at("request.url")),
        ));
    }
    if matches!(method, Method::Put | Method::Delete | Method::Get) && id.is_none() {
        return Err(bad(
            "request.url",
            "PUT, DELETE and GET entries need Type/id in request.url.",
        ));
    }
    let resource = raw.get("resource").cloned();
    if matches!(method, Method::Post | Method::Put) && resource.is_none() {
        return Err(bad("resource", "POST and PUT entries need a resource."));
    }
    let if_match = match request.get("ifMatch").and_then(Value::as_str) {
        Some(tag) => Some(
            parse_etag(tag)
                .ok_or_else(|| bad("request.ifMatch", "ifMatch must look like W/\"3\"."))?,
        ),
        None => None,
    };
    Ok(Entry {
        index,
        method,
        resource_type,
        id,
        full_url: raw
            .get("fullUrl")
            .and_then(Value::as_str)
            .map(str::to_string),
        resource,
        if_none_exist: request
            .get("ifNoneExist")
            .and_then(Value::as_str)
            .map(str::to_string),
        if_match,
        assigned_id: None,
    })
}

/// Assigns the id of every POST and maps each fullUrl to its target `Type/id`.
fn assign_ids(entries: &mut [Entry]) -> Result<HashMap<String, String>, FhirError> {
    let mut ids: HashMap<String, String> = HashMap::new();
    for entry in entries.iter_mut() {
        let target = match entry.method {
            Method::Post => {
                let id = uuid::Uuid::new_v4().to_string();
                entry.assigned_id = Some(id.clone());
                Some(format!("{}/{id}", entry.resource_type))
            }
            Method::Put => entry
                .id
                .as_ref()
                .map(|id| format!("{}/{id}", entry.resource_type)),
            _ => None,
        };
        if let (Some(full_url), Some(target)) = (&entry.full_url, target) {
            if ids.insert(full_url.clone(), target).is_some() {
                return Err(FhirError::invalid(
                    Issue::error(
                        IssueCode::Duplicate,
                        format!("fullUrl {full_url} appears twice."),
                    )
                    .at(format!("Bundle.entry[{}].fullUrl", entry.index)),
                ));
            }
        }
    }
    Ok(ids)
}

/// The existing resource (by entry index) each conditional create matches, each query's lock held
/// first, so that concurrent transactions creating the same resource conditionally take turns (on
/// PostgreSQL; SQLite has one writer).
async fn find_matches(
    conn: &mut AnyConnection,
    entries: &[Entry],
) -> Result<HashMap<usize, String>, FhirError> {
    let mut found = HashMap::new();
    for entry in entries
        .iter()
        .filter(|e| e.method == Method::Post && e.if_none_exist.is_some())
    {
        let query = entry.if_none_exist.as_deref().unwrap_or_default();
        locks::hold(conn, &format!("{}?{query}", entry.resource_type)).await?;
        let existing = conditional_match(conn, &entry.resource_type, query)
            .await
            .map_err(|e| {
                e.within(&format!(
                    "Bundle.entry[{}].request.ifNoneExist",
                    entry.index
                ))
            })?;
        if let Some(existing) = existing {
            found.insert(entry.index, existing);
        }
    }
    Ok(found)
}

/// Points the fullUrls of matched conditional creates at the resources they matched and rewrites every
/// entry's references.
fn resolve(entries: &mut [Entry], ids: &HashMap<String, String>, matches: &HashMap<usize, String>) {
    let mut ids = ids.clone();
    for entry in entries.iter() {
        if let (Some(existing), Some(full_url)) = (matches.get(&entry.index), &entry.full_url) {
            ids.insert(
                full_url.clone(),
                format!("{}/{existing}", entry.resource_type),
            );
        }
    }
    for entry in entries.iter_mut() {
        if let Some(resource) = entry.resource.as_mut() {
            rewrite_references(resource, &mut |r| ids.get(r).cloned());
        }
    }
}

async fn run_entry(
    conn: &mut AnyConnection,
    entry: &mut Entry,
    validation: &Validation,
) -> Result<Value, FhirError> {
    let id = entry.id.clone().unwrap_or_default();
    match entry.method {
        Method::Post => {
            let resource = entry.resource.take().unwrap_or(Value::Null);
            let new = prepare_create(
                &entry.resource_type,
                resource,
                entry.assigned_id.clone(),
                validation,
            )?;
            let written = create_in(
                conn,
                &entry.resource_type,
                new,
                entry.if_none_exist.as_deref(),
            )
            .await?;
            Ok(write_response(&written))
        }
        Method::Put => {
            let resource = entry.resource.take().unwrap_or(Value::Null);
            let written = update_in(
                conn,
                &entry.resource_type,
                &id,
                resource,
                entry.if_match,
                validation,
            )
            .await?;
            Ok(write_response(&written))
        }
        Method::Delete => {
            delete_in(conn, &entry.resource_type, &id).await?;
            Ok(json!({"response": {"status": "204 No Content"}}))
        }
        Method::Get => {
            let version = read_in(conn, &entry.resource_type, &id).await?;
            Ok(
                json!({"resource": content_value(&version), "response": {"status": "200 OK", "etag": etag(version.version_id), "lastModified": instant(version.last_updated_ms)}}),
            )
        }
    }
}

fn write_response(written: &Written) -> Value {
    let v = &written.version;
    json!({
        "fullUrl": format!("{}/{}", v.resource_type, v.id),
        "resource": content_value(v),
        "response": {
            "status": if written.created { "201 Created" } else { "200 OK" },
            "location": format!("{}/{}/_history/{}", v.resource_type, v.id, v.version_id),
            "etag": etag(v.version_id),
            "lastModified": instant(v.last_updated_ms),
        }
    })
}

fn content_value(version: &StoredVersion) -> Value {
    version
        .content
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or(Value::Null)
}

fn status_line(status: u16) -> String {
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    format!("{status} {reason}")
}

fn response_bundle(kind: &str, entries: Vec<Value>) -> Value {
    json!({"resourceType": "Bundle", "id": uuid::Uuid::new_v4().to_string(), "type": kind, "entry": entries})
}

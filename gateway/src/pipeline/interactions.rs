//! The instance-level FHIR interactions (R4 http §3.1.0): create (also conditional), read, vread,
//! update (also update-as-create, with If-Match), delete and history.

use kakehashi_mappings::fhir::search::parse_search;
use kakehashi_mappings::{Issue, IssueCode};
use serde_json::Value;
use sqlx::AnyConnection;

use crate::pipeline::consultation::check_retention;
use crate::pipeline::prepare::{check_body_id, check_id, check_type, prepare, restamp, Prepared};
use crate::pipeline::validation::Validation;
use crate::pipeline::{now_ms, Fhir, FhirError};
use crate::store::locks;
use crate::store::resources::{self, NewVersion, StoredVersion};
use crate::store::search::search;

/// The result of a write: the version now current, and whether the request created the resource
/// (201) or found / changed an existing one (200).
#[derive(Debug)]
pub struct Written {
    pub version: StoredVersion,
    pub created: bool,
}

impl Fhir {
    /// Creates a resource. The typed check runs before the write transaction starts, so that the single
    /// SQLite writer connection is held only for the statements themselves.
    pub async fn create(
        &self,
        resource_type: &str,
        body: Value,
        if_none_exist: Option<&str>,
    ) -> Result<Written, FhirError> {
        let new = prepare_create(resource_type, body, None, &self.validation)?;
        let mut tx = self.store.begin().await?;
        let written = create_in(&mut tx, resource_type, new, if_none_exist).await?;
        tx.commit().await?;
        Ok(written)
    }

    pub async fn update(
        &self,
        resource_type: &str,
        id: &str,
        body: Value,
        if_match: Option<i64>,
    ) -> Result<Written, FhirError> {
        // The typed check, validation and indexing run before the write transaction starts (as for
        // creates), so the single SQLite writer is not held while a large resource is checked; inside,
        // only the version number is stamped into the prepared content.
        check_type(&body, Some(resource_type))?;
        check_id(id)?;
        check_body_id(&body, resource_type, id)?;
        let last_updated_ms = now_ms();
        let prepared = prepare(
            body,
            resource_type,
            id,
            1,
            last_updated_ms,
            &self.validation,
        )?;
        let mut tx = self.store.begin().await?;
        let written = write_update(
            &mut tx,
            resource_type,
            id,
            prepared,
            last_updated_ms,
            if_match,
        )
        .await?;
        tx.commit().await?;
        Ok(written)
    }

    pub async fn delete(&self, resource_type: &str, id: &str) -> Result<(), FhirError> {
        let mut tx = self.store.begin().await?;
        delete_in(&mut tx, resource_type, id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn read(&self, resource_type: &str, id: &str) -> Result<StoredVersion, FhirError> {
        let mut conn = self.store.reader().await?;
        read_in(&mut conn, resource_type, id).await
    }

    pub async fn vread(
        &self,
        resource_type: &str,
        id: &str,
        version: &str,
    ) -> Result<StoredVersion, FhirError> {
        check_id(id)?;
        let version_id: i64 = version.parse().map_err(|_| {
            FhirError::not_found(format!("{resource_type}/{id} has no version {version}."))
        })?;
        let mut conn = self.store.reader().await?;
        let found = resources::version(&mut conn, resource_type, id, version_id).await?;
        match found {
            Some(v) if v.content.is_some() => Ok(v),
            Some(_) => Err(FhirError::gone(format!(
                "Version {version_id} of {resource_type}/{id} is a deletion."
            ))),
            None => Err(FhirError::not_found(format!(
                "{resource_type}/{id} has no version {version_id}."
            ))),
        }
    }

    /// Versions of one resource (or of a type), newest first, at most one page.
    pub async fn history(
        &self,
        resource_type: &str,
        id: Option<&str>,
        count: Option<usize>,
    ) -> Result<Vec<StoredVersion>, FhirError> {
        if let Some(id) = id {
            check_id(id)?;
        }
        let limit = count
            .unwrap_or(self.paging.default_count)
            .min(self.paging.max_count) as i64;
        let mut conn = self.store.reader().await?;
        let versions = resources::history(&mut conn, resource_type, id, limit).await?;
        if id.is_some() && versions.is_empty() {
            return Err(FhirError::not_found(format!(
                "{resource_type}/{} does not exist.",
                id.unwrap_or_default()
            )));
        }
        Ok(versions)
    }
}

pub async fn read_in(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: &str,
) -> Result<StoredVersion, FhirError> {
    check_id(id)?;
    match resources::current(conn, resource_type, id).await? {
        Some(v) if v.content.is_some() => Ok(v),
        Some(_) => Err(FhirError::gone(format!(
            "{resource_type}/{id} was deleted."
        ))),
        None => Err(FhirError::not_found(format!(
            "{resource_type}/{id} does not exist."
        ))),
    }
}

/// A resource checked and stamped for creation, not yet written.
pub struct NewResource {
    id: String,
    last_updated_ms: i64,
    prepared: Prepared,
}

/// Checks and stamps a resource for creation, with a new server-assigned id (or `id` when a transaction
/// assigned one already).
pub fn prepare_create(
    resource_type: &str,
    body: Value,
    id: Option<String>,
    validation: &Validation,
) -> Result<NewResource, FhirError> {
    check_type(&body, Some(resource_type))?;
    let id = id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let last_updated_ms = now_ms();
    let prepared = prepare(body, resource_type, &id, 1, last_updated_ms, validation)?;
    Ok(NewResource {
        id,
        last_updated_ms,
        prepared,
    })
}

/// Writes a prepared resource. With `if_none_exist` (a search query such as `identifier=sys|val`), an
/// existing single match is returned instead, and several matches are a 412.
pub async fn create_in(
    conn: &mut AnyConnection,
    resource_type: &str,
    new: NewResource,
    if_none_exist: Option<&str>,
) -> Result<Written, FhirError> {
    if let Some(query) = if_none_exist {
        // Concurrent conditional creates of the same resource take turns (PostgreSQL).
        locks::hold(conn, &format!("{resource_type}?{query}")).await?;
        if let Some(existing) = conditional_match(conn, resource_type, query).await? {
            return Ok(Written {
                version: read_in(conn, resource_type, &existing).await?,
                created: false,
            });
        }
    }
    let version = store_prepared(
        conn,
        resource_type,
        &new.id,
        1,
        new.last_updated_ms,
        "POST",
        new.prepared,
    )
    .await?;
    Ok(Written {
        version,
        created: true,
    })
}

/// Finds the one resource matching a conditional-create query, if any.
pub async fn conditional_match(
    conn: &mut AnyConnection,
    resource_type: &str,
    query: &str,
) -> Result<Option<String>, FhirError> {
    let query = query.split_once('?').map(|(_, q)| q).unwrap_or(query);
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let parsed = parse_search(resource_type, &params)
        .map_err(|issue| FhirError::invalid(issue.within("If-None-Exist")))?;
    if parsed.conditions.is_empty() {
        return Err(FhirError::invalid(Issue::error(
            IssueCode::Invalid,
            "If-None-Exist must name at least one search parameter.",
        )));
    }
    let page = search(conn, resource_type, &parsed.conditions, 2, 0).await?;
    match page.total {
        0 => Ok(None),
        1 => Ok(page.matches.into_iter().next().map(|(id, _)| id)),
        n => Err(FhirError::precondition_failed(format!(
            "If-None-Exist matched {n} resources; it must match at most one."
        ))),
    }
}

/// Updates (or creates, when absent) the resource at `id`. `if_match` is the version the client last saw.
pub async fn update_in(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: &str,
    body: Value,
    if_match: Option<i64>,
    validation: &Validation,
) -> Result<Written, FhirError> {
    check_type(&body, Some(resource_type))?;
    check_id(id)?;
    check_body_id(&body, resource_type, id)?;
    let last_updated_ms = now_ms();
    let prepared = prepare(body, resource_type, id, 1, last_updated_ms, validation)?;
    write_update(conn, resource_type, id, prepared, last_updated_ms, if_match).await
}

/// Writes a resource prepared (stamped as version 1) at `id` as the version after the current one.
async fn write_update(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: &str,
    mut prepared: Prepared,
    last_updated_ms: i64,
    if_match: Option<i64>,
) -> Result<Written, FhirError> {
    let head = resources::head(conn, resource_type, id).await?;
    let current = head.map(|h| h.version_id).unwrap_or(0);
    if let Some(expected) = if_match {
        if expected != current {
            return Err(FhirError::precondition_failed(format!(
                "If-Match names version {expected} but the current version is {current}."
            )));
        }
    }
    let created = head.is_none_or(|h| h.deleted);
    if resource_type == "CarePlan" && !created {
        let new: Value = serde_json::from_str(&prepared.content).unwrap_or(Value::Null);
        held_for_retention(conn, resource_type, id, Some(&new)).await?;
    }
    prepared.content = restamp(&prepared.content, current + 1)?;
    let version = store_prepared(
        conn,
        resource_type,
        id,
        current + 1,
        last_updated_ms,
        "PUT",
        prepared,
    )
    .await?;
    Ok(Written { version, created })
}

/// Deletes the resource at `id`; deleting a missing or deleted resource succeeds and changes nothing.
pub async fn delete_in(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: &str,
) -> Result<(), FhirError> {
    check_id(id)?;
    let Some(head) = resources::head(conn, resource_type, id).await? else {
        return Ok(());
    };
    if head.deleted {
        return Ok(());
    }
    held_for_retention(conn, resource_type, id, None).await?;
    let new = NewVersion {
        resource_type,
        id,
        version_id: head.version_id + 1,
        last_updated_ms: now_ms(),
        method: "DELETE",
        content: None,
        index: &[],
    };
    resources::write_version(conn, &new).await?;
    Ok(())
}

/// Refuses replacing (`new`) or deleting (None) a care plan still within its 2-year retention (rule P3).
async fn held_for_retention(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: &str,
    new: Option<&Value>,
) -> Result<(), FhirError> {
    if resource_type != "CarePlan" {
        return Ok(());
    }
    let current = read_in(conn, resource_type, id).await?;
    let current: Value =
        serde_json::from_str(current.content.as_deref().unwrap_or("null")).unwrap_or(Value::Null);
    check_retention(&current, new, now_ms())
}

/// Writes a prepared resource as version `version_id`, stamped `last_updated_ms`.
async fn store_prepared(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: &str,
    version_id: i64,
    last_updated_ms: i64,
    method: &str,
    prepared: Prepared,
) -> Result<StoredVersion, FhirError> {
    let new = NewVersion {
        resource_type,
        id,
        version_id,
        last_updated_ms,
        method,
        content: Some(&prepared.content),
        index: &prepared.index,
    };
    resources::write_version(conn, &new).await?;
    Ok(StoredVersion {
        resource_type: resource_type.to_string(),
        id: id.to_string(),
        version_id,
        last_updated_ms,
        method: method.to_string(),
        content: Some(prepared.content),
    })
}

//! The write half of ingest, inside one open transaction: a message already stored (same sender and
//! MSH-10) is a duplicate and changes nothing; otherwise every mapped resource is written at its
//! deterministic id like a transaction Bundle's PUT (a new version only when the content changed,
//! ignoring `meta.versionId` / `meta.lastUpdated`), or deleted when the message withdraws its record
//! (A23) or its SS-MIX2 file is flagged deleted — only the types it is the record of (`Mapped::retires`:
//! a deleted order retires its MedicationRequests, not the Patient) — and the `hl7v2_messages` row is
//! inserted with the ACK.
//!
//! A group of messages is written with a handful of statements, not a few dozen per message (each
//! statement is a round trip to sqlx's SQLite worker): one look-up of the messages already stored, one of
//! the current versions of every resource the group touches, then multi-row INSERTs of the versions, the
//! new heads, the index rows and the message rows (an UPDATE per head that moves, guarded by the version
//! it read, so a concurrent writer fails the group instead of being overwritten). Messages of one group
//! that touch the same resource are applied in order, in memory, before anything is written.

use std::collections::{HashMap, HashSet};

use kakehashi_mappings::fhir::search::IndexValue;
use serde_json::Value;

use super::check::{Ready, ResourceWrite};
use super::MessageState;
use crate::store::resources::{insert_index_rows, insert_rows, placeholders, IndexRow};
use crate::store::sql::{cells, Exec, Kind, Statement};
use crate::store::StoreError;

/// What the transaction did for one message.
#[derive(Debug)]
pub(super) enum Written {
    Stored {
        ack: String,
        data_type: String,
        resources: usize,
    },
    Duplicate {
        ack: String,
    },
}

impl Written {
    /// The disposition answered for this result.
    pub(super) fn disposition(&self) -> super::Disposition {
        match self {
            Written::Stored {
                ack,
                data_type,
                resources,
            } => super::Disposition::Accepted {
                ack: ack.clone(),
                data_type: data_type.clone(),
                resources: *resources,
            },
            Written::Duplicate { ack } => super::Disposition::Duplicate { ack: ack.clone() },
        }
    }
}

/// Rows per multi-row statement (at most 11 values a row: far below SQLite's 32766 bound parameters).
const CHUNK: usize = 400;

type Key = (String, String);

/// A resource's head as the group sees it.
#[derive(Clone)]
struct Head {
    version_id: i64,
    deleted: bool,
    content: Option<String>,
}

/// One new version to insert.
struct NewRow<'a> {
    key: Key,
    version_id: i64,
    last_updated_ms: i64,
    method: &'static str,
    content: Option<String>,
    index: &'a [(String, IndexValue)],
}

/// Writes a group of messages in the open transaction `conn`, in order; one result per message.
pub(super) async fn write_messages<E: Exec>(
    conn: &mut E,
    readies: &[&Ready],
) -> Result<Vec<Written>, StoreError> {
    let stored = stored_acks(conn, readies).await?;
    // Which messages are new (the first of a key within the group), and every resource they touch.
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    let mut results: Vec<Option<Written>> = Vec::with_capacity(readies.len());
    let mut fresh = Vec::new();
    for (i, ready) in readies.iter().enumerate() {
        let key = (ready.sender.as_str(), ready.control_id.as_str());
        if let Some(ack) = stored.get(&(key.0.to_string(), key.1.to_string())) {
            results.push(Some(Written::Duplicate { ack: ack.clone() }));
        } else if let Some(&first) = seen.get(&key) {
            results.push(Some(Written::Duplicate {
                ack: readies[first].accept_ack.clone(),
            }));
        } else {
            seen.insert(key, i);
            results.push(None);
            fresh.push(i);
        }
    }
    let touched: Vec<Key> = {
        let mut set = HashSet::new();
        let mut keys = Vec::new();
        for &i in &fresh {
            for w in writes_of(readies[i]) {
                let key = (w.resource_type.clone(), w.id.clone());
                if set.insert(key.clone()) {
                    keys.push(key);
                }
            }
        }
        keys
    };
    let before = heads(conn, &touched).await?;
    let mut now: HashMap<Key, Head> = before.clone();
    let mut rows: Vec<NewRow> = Vec::new();
    for &i in &fresh {
        let ready = readies[i];
        let file_deleted = ready.state == MessageState::Deleted;
        for w in writes_of(ready) {
            let key = (w.resource_type.clone(), w.id.clone());
            let head = now.get(&key).cloned();
            if ready.mapped.retires(&w.resource_type, file_deleted) {
                let Some(head) = head.filter(|h| !h.deleted) else {
                    continue;
                };
                let version_id = head.version_id + 1;
                rows.push(NewRow {
                    key: key.clone(),
                    version_id,
                    last_updated_ms: ready.received_ms,
                    method: "DELETE",
                    content: None,
                    index: &[],
                });
                now.insert(
                    key,
                    Head {
                        version_id,
                        deleted: true,
                        content: None,
                    },
                );
                continue;
            }
            if let Some(h) = &head {
                if h.content
                    .as_deref()
                    .is_some_and(|c| same_content(c, &w.prepared.content))
                {
                    continue;
                }
            }
            let version_id = head.map_or(1, |h| h.version_id + 1);
            let content = restamp(&w.prepared.content, version_id)?;
            rows.push(NewRow {
                key: key.clone(),
                version_id,
                last_updated_ms: ready.received_ms,
                method: "PUT",
                content: Some(content.clone()),
                index: &w.prepared.index,
            });
            now.insert(
                key,
                Head {
                    version_id,
                    deleted: false,
                    content: Some(content),
                },
            );
        }
    }
    insert_versions(conn, &rows).await?;
    move_heads(conn, &rows, &before, &now).await?;
    reindex(conn, &rows, &before, &now).await?;
    insert_messages(conn, &fresh.iter().map(|&i| readies[i]).collect::<Vec<_>>()).await?;
    Ok(results
        .into_iter()
        .zip(readies)
        .map(|(result, ready)| {
            result.unwrap_or_else(|| Written::Stored {
                ack: ready.accept_ack.clone(),
                data_type: ready.mapped.data_type.clone(),
                resources: ready.writes.len(),
            })
        })
        .collect())
}

/// The resources a message writes (none for a superseded SS-MIX2 file: the newer file carries them).
fn writes_of(ready: &Ready) -> &[ResourceWrite] {
    if ready.state == MessageState::Superseded {
        &[]
    } else {
        &ready.writes
    }
}

/// The ACKs of the group's messages already stored, by (sender, control id).
async fn stored_acks<E: Exec>(
    conn: &mut E,
    readies: &[&Ready],
) -> Result<HashMap<Key, String>, StoreError> {
    let sqlite = conn.is_sqlite();
    let mut found = HashMap::new();
    for chunk in readies.chunks(CHUNK) {
        let sql = format!(
            "SELECT sender, control_id, ack FROM hl7v2_messages WHERE (sender, control_id) IN ({})",
            placeholders(chunk.len(), 2, sqlite)
        );
        let mut statement = Statement::new(sql);
        for ready in chunk {
            statement = statement
                .bind(ready.sender.as_str())
                .bind(ready.control_id.as_str());
        }
        let columns = [Kind::Text; 3];
        for row in conn.fetch(statement, &columns).await? {
            let [sender, control_id, ack] = cells(row)?;
            found.insert((sender.text()?, control_id.text()?), ack.text()?);
        }
    }
    Ok(found)
}

/// The current heads (with their content) of `keys`.
async fn heads<E: Exec>(conn: &mut E, keys: &[Key]) -> Result<HashMap<Key, Head>, StoreError> {
    let sqlite = conn.is_sqlite();
    let mut found = HashMap::new();
    for chunk in keys.chunks(CHUNK) {
        let sql = format!(
            "SELECT r.resource_type, r.id, r.version_id, r.deleted, v.content FROM resources r \
             JOIN resource_versions v ON v.resource_type = r.resource_type AND v.id = r.id AND v.version_id = r.version_id \
             WHERE (r.resource_type, r.id) IN ({})",
            placeholders(chunk.len(), 2, sqlite)
        );
        let mut statement = Statement::new(sql);
        for (t, id) in chunk {
            statement = statement.bind(t.as_str()).bind(id.as_str());
        }
        let columns = [Kind::Text, Kind::Text, Kind::Int, Kind::Int, Kind::Text];
        for row in conn.fetch(statement, &columns).await? {
            let [resource_type, id, version_id, deleted, content] = cells(row)?;
            found.insert(
                (resource_type.text()?, id.text()?),
                Head {
                    version_id: version_id.number()?,
                    deleted: deleted.number()? != 0,
                    content: content.into_text(),
                },
            );
        }
    }
    Ok(found)
}

async fn insert_versions<E: Exec>(conn: &mut E, rows: &[NewRow<'_>]) -> Result<(), StoreError> {
    let into =
        "resource_versions (resource_type, id, version_id, last_updated_ms, method, content)";
    insert_rows(conn, into, 6, rows, |statement, r| {
        statement
            .bind(r.key.0.as_str())
            .bind(r.key.1.as_str())
            .bind(r.version_id)
            .bind(r.last_updated_ms)
            .bind(r.method)
            .bind(r.content.as_deref())
    })
    .await
}

/// New heads in one INSERT; a head that existed moves with an UPDATE guarded by the version read.
async fn move_heads<E: Exec>(
    conn: &mut E,
    rows: &[NewRow<'_>],
    before: &HashMap<Key, Head>,
    now: &HashMap<Key, Head>,
) -> Result<(), StoreError> {
    let last_updated: HashMap<&Key, i64> =
        rows.iter().map(|r| (&r.key, r.last_updated_ms)).collect();
    let mut created = Vec::new();
    for (key, ms) in &last_updated {
        let Some(head) = now.get(*key) else { continue };
        let deleted: i64 = i64::from(head.deleted);
        match before.get(*key) {
            None => created.push((*key, head.version_id, *ms, deleted)),
            Some(old) => {
                let update = Statement::new("UPDATE resources SET version_id = $1, last_updated_ms = $2, deleted = $3 WHERE resource_type = $4 AND id = $5 AND version_id = $6")
                    .bind(head.version_id)
                    .bind(*ms)
                    .bind(deleted)
                    .bind(key.0.as_str())
                    .bind(key.1.as_str())
                    .bind(old.version_id);
                if conn.execute(update).await? != 1 {
                    return Err(StoreError::Corrupt(format!(
                        "{}/{} changed while it was being written",
                        key.0, key.1
                    )));
                }
            }
        }
    }
    let into = "resources (resource_type, id, version_id, last_updated_ms, deleted)";
    insert_rows(
        conn,
        into,
        5,
        &created,
        |statement, (key, version_id, ms, deleted)| {
            statement
                .bind(key.0.as_str())
                .bind(key.1.as_str())
                .bind(*version_id)
                .bind(*ms)
                .bind(*deleted)
        },
    )
    .await
}

/// Replaces the index rows of every resource written: old rows go for heads that existed, the final
/// version's rows come in.
async fn reindex<E: Exec>(
    conn: &mut E,
    rows: &[NewRow<'_>],
    before: &HashMap<Key, Head>,
    now: &HashMap<Key, Head>,
) -> Result<(), StoreError> {
    let sqlite = conn.is_sqlite();
    // The last row of each key is its final version.
    let mut last: HashMap<&Key, &NewRow> = HashMap::new();
    for r in rows {
        last.insert(&r.key, r);
    }
    let stale: Vec<&Key> = last
        .keys()
        .copied()
        .filter(|k| before.contains_key(*k))
        .collect();
    for table in ["search_tokens", "search_references", "search_dates"] {
        for chunk in stale.chunks(CHUNK) {
            let sql = format!(
                "DELETE FROM {table} WHERE (resource_type, id) IN ({})",
                placeholders(chunk.len(), 2, sqlite)
            );
            let mut statement = Statement::new(sql);
            for key in chunk {
                statement = statement.bind(key.0.as_str()).bind(key.1.as_str());
            }
            conn.execute(statement).await?;
        }
    }
    let mut index: Vec<IndexRow> = Vec::new();
    for (key, row) in &last {
        if now.get(*key).is_none_or(|h| h.deleted) {
            continue;
        }
        index.extend(
            row.index
                .iter()
                .map(|(param, value)| (key.0.as_str(), key.1.as_str(), param.as_str(), value)),
        );
    }
    insert_index_rows(conn, &index).await
}

async fn insert_messages<E: Exec>(conn: &mut E, readies: &[&Ready]) -> Result<(), StoreError> {
    let into = "hl7v2_messages (sender, control_id, received_ms, channel, data_type, patient, \
                file_name, state, content_sha256, raw, ack)";
    insert_rows(conn, into, 11, readies, |statement, ready| {
        statement
            .bind(ready.sender.as_str())
            .bind(ready.control_id.as_str())
            .bind(ready.received_ms)
            .bind(ready.channel)
            .bind(ready.mapped.data_type.as_str())
            .bind(ready.mapped.patient.as_deref())
            .bind(ready.file_name.as_deref())
            .bind(ready.state.as_str())
            .bind(ready.sha256.as_str())
            .bind(ready.raw.as_slice())
            .bind(ready.accept_ack.as_str())
    })
    .await
}

/// Whether two stored forms say the same, `meta.versionId` and `meta.lastUpdated` aside. Both are
/// canonical texts (one serialiser, one element order), so equal texts once the two stamps are cut out
/// mean equal content: that is decided without parsing either; anything else is compared as JSON.
fn same_content(stored: &str, new: &str) -> bool {
    if let (Some(a), Some(b)) = (unstamped(stored), unstamped(new)) {
        if a == b {
            return true;
        }
    }
    let strip = |text: &str| -> Option<Value> {
        let mut value: Value = serde_json::from_str(text).ok()?;
        if let Some(meta) = value.get_mut("meta").and_then(Value::as_object_mut) {
            meta.remove("versionId");
            meta.remove("lastUpdated");
            if meta.is_empty() {
                value.as_object_mut()?.remove("meta");
            }
        }
        Some(value)
    };
    match (strip(stored), strip(new)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The canonical text around the resource's own stamp: what precedes the `versionId` value and what
/// follows the `lastUpdated` value of `{"resourceType":…,"id":…,"meta":{"versionId":"…","lastUpdated":"…"`.
/// None when the text does not start that way (the caller then compares parsed JSON).
pub(super) fn unstamped(text: &str) -> Option<(&str, &str)> {
    const META: &str = "\"meta\":{\"versionId\":\"";
    const LAST_UPDATED: &str = "\",\"lastUpdated\":\"";
    let at = text.find(META)? + META.len();
    // Only the root object and its meta open before the stamp: it is the resource's own, not that of a
    // contained resource (ids and type names hold no braces).
    if text[..at].matches('{').count() != 2 {
        return None;
    }
    let rest = &text[at..];
    let version_end = rest.find('"')?;
    let after = rest[version_end..].strip_prefix(LAST_UPDATED)?;
    let time_end = after.find('"')?;
    Some((&text[..at], &after[time_end..]))
}

/// `prepare::restamp` for the batched writer: a failure here means prepared content was corrupted.
fn restamp(content: &str, version_id: i64) -> Result<String, StoreError> {
    crate::pipeline::prepare::restamp(content, version_id).map_err(|e| {
        StoreError::Corrupt(
            e.issues
                .first()
                .map(|i| i.message.clone())
                .unwrap_or_else(|| "a prepared resource cannot be restamped".into()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kakehashi_mappings::fhir::canonicalise;

    #[test]
    fn content_compares_without_version_and_time() {
        let a = r#"{"resourceType":"Patient","id":"p","meta":{"versionId":"1","lastUpdated":"2026-12-02T00:00:00.000Z"},"gender":"male"}"#;
        let b = r#"{"resourceType":"Patient","id":"p","meta":{"versionId":"7","lastUpdated":"2026-12-03T00:00:00.000Z"},"gender":"male"}"#;
        let c = r#"{"resourceType":"Patient","id":"p","meta":{"versionId":"1","lastUpdated":"2026-12-02T00:00:00.000Z"},"gender":"female"}"#;
        assert!(same_content(a, b));
        assert!(!same_content(a, c));
        assert!(unstamped(a).is_some());
        assert_eq!(unstamped(a), unstamped(b));
        // A stamp inside a contained resource is not the resource's own: compared as JSON.
        let d = r#"{"resourceType":"Patient","contained":[{"resourceType":"Patient","id":"c","meta":{"versionId":"1","lastUpdated":"2026-12-02T00:00:00.000Z"}}],"id":"p"}"#;
        let e = r#"{"resourceType":"Patient","contained":[{"resourceType":"Patient","id":"c","meta":{"versionId":"2","lastUpdated":"2026-12-03T00:00:00.000Z"}}],"id":"p"}"#;
        assert!(unstamped(d).is_none());
        assert!(!same_content(d, e));
    }

    #[test]
    fn restamping_changes_only_the_version() {
        let value = serde_json::json!({"resourceType": "Patient", "id": "p", "meta": {"versionId": "1", "lastUpdated": "2026-12-02T00:00:00.000Z", "profile": ["http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient"]}, "gender": "male"});
        let canonical = String::from_utf8(canonicalise(&value).unwrap()).unwrap();
        let again = restamp(&canonical, 3).unwrap();
        let parsed: Value = serde_json::from_str(&again).unwrap();
        assert_eq!(parsed["meta"]["versionId"], "3");
        assert_eq!(parsed["meta"]["lastUpdated"], "2026-12-02T00:00:00.000Z");
        assert_eq!(parsed["gender"], "male");
        let mut expected = value.clone();
        expected["meta"]["versionId"] = "3".into();
        assert_eq!(
            again,
            String::from_utf8(canonicalise(&expected).unwrap()).unwrap()
        );
    }
}

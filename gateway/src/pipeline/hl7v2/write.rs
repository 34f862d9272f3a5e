//! The write half of ingest, inside one open transaction: a message already stored (same sender and
//! MSH-10) is a duplicate and changes nothing; otherwise every mapped resource is written at its
//! deterministic id like a transaction Bundle's PUT (a new version only when the content changed,
//! ignoring `meta.versionId` / `meta.lastUpdated`), or deleted for a cancel or a deleted SS-MIX2 file
//! (MessageHeader and Provenance are kept), and the `hl7v2_messages` row is inserted with the ACK.

use kakehashi_mappings::fhir::canonicalise;
use serde_json::Value;
use sqlx::{AnyConnection, Row};

use super::check::{Ready, ResourceWrite};
use super::MessageState;
use crate::store::resources::{self, NewVersion};
use crate::store::StoreError;

/// What the transaction did.
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

/// Writes one message in the open transaction `conn`.
pub(super) async fn write_message(
    conn: &mut AnyConnection,
    ready: &Ready,
) -> Result<Written, StoreError> {
    let stored =
        sqlx::query("SELECT ack FROM hl7v2_messages WHERE sender = $1 AND control_id = $2")
            .bind(ready.sender.as_str())
            .bind(ready.control_id.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(row) = stored {
        return Ok(Written::Duplicate { ack: row.get(0) });
    }
    let retire = ready.state == MessageState::Deleted || ready.mapped.cancel;
    if ready.state != MessageState::Superseded {
        for write in &ready.writes {
            let keep = matches!(write.resource_type.as_str(), "MessageHeader" | "Provenance");
            if retire && !keep {
                delete(conn, write).await?;
            } else {
                put(conn, write, ready.received_ms).await?;
            }
        }
    }
    sqlx::query(
        "INSERT INTO hl7v2_messages (sender, control_id, received_ms, channel, data_type, patient, \
         file_name, state, content_sha256, raw, ack) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(ready.sender.as_str())
    .bind(ready.control_id.as_str())
    .bind(ready.received_ms)
    .bind(ready.channel)
    .bind(ready.mapped.data_type.as_str())
    .bind(ready.mapped.patient.as_deref())
    .bind(ready.file_name.as_deref())
    .bind(ready.state.as_str())
    .bind(ready.sha256.as_str())
    .bind(ready.raw.clone())
    .bind(ready.accept_ack.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(Written::Stored {
        ack: ready.accept_ack.clone(),
        data_type: ready.mapped.data_type.clone(),
        resources: ready.writes.len(),
    })
}

/// Writes a resource unless its current version says the same.
async fn put(
    conn: &mut AnyConnection,
    write: &ResourceWrite,
    received_ms: i64,
) -> Result<(), StoreError> {
    let current = resources::current(conn, &write.resource_type, &write.id).await?;
    let version_id = match &current {
        Some(v) => {
            if let Some(content) = &v.content {
                if same_content(content, &write.prepared.content) {
                    return Ok(());
                }
            }
            v.version_id + 1
        }
        None => 1,
    };
    let content = restamp(&write.prepared.content, version_id)?;
    resources::write_version(
        conn,
        &NewVersion {
            resource_type: &write.resource_type,
            id: &write.id,
            version_id,
            last_updated_ms: received_ms,
            method: "PUT",
            content: Some(&content),
            index: &write.prepared.index,
        },
    )
    .await
}

/// Deletes a resource (a deleted one, or one never stored, stays as it is).
async fn delete(conn: &mut AnyConnection, write: &ResourceWrite) -> Result<(), StoreError> {
    let Some(head) = resources::head(conn, &write.resource_type, &write.id).await? else {
        return Ok(());
    };
    if head.deleted {
        return Ok(());
    }
    resources::write_version(
        conn,
        &NewVersion {
            resource_type: &write.resource_type,
            id: &write.id,
            version_id: head.version_id + 1,
            last_updated_ms: crate::pipeline::now_ms(),
            method: "DELETE",
            content: None,
            index: &[],
        },
    )
    .await
}

/// Whether two stored forms say the same, `meta.versionId` and `meta.lastUpdated` aside.
fn same_content(stored: &str, new: &str) -> bool {
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

/// The canonical content stamped as version 1, re-stamped as `version_id`. The canonical form puts
/// `meta.versionId` first in `meta` right after `id`, so the first `"versionId":"1"` is the resource's
/// own; when that is not found, the resource is canonicalised again (the slow, certain way).
fn restamp(content: &str, version_id: i64) -> Result<String, StoreError> {
    if version_id == 1 {
        return Ok(content.to_string());
    }
    const STAMP: &str = "\"versionId\":\"1\"";
    if let Some(at) = content.find(STAMP) {
        if content[..at].ends_with("\"meta\":{") {
            let mut out = String::with_capacity(content.len() + 4);
            out.push_str(&content[..at]);
            out.push_str(&format!("\"versionId\":\"{version_id}\""));
            out.push_str(&content[at + STAMP.len()..]);
            return Ok(out);
        }
    }
    let mut value: Value = serde_json::from_str(content)
        .map_err(|e| StoreError::Corrupt(format!("a prepared resource is not JSON: {e}")))?;
    if let Some(meta) = value.get_mut("meta").and_then(Value::as_object_mut) {
        meta.insert("versionId".into(), Value::String(version_id.to_string()));
    }
    let bytes = canonicalise(&value).map_err(|i| StoreError::Corrupt(i.message))?;
    String::from_utf8(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_compares_without_version_and_time() {
        let a = r#"{"resourceType":"Patient","id":"p","meta":{"versionId":"1","lastUpdated":"2026-12-02T00:00:00.000Z"},"gender":"male"}"#;
        let b = r#"{"resourceType":"Patient","id":"p","meta":{"versionId":"7","lastUpdated":"2026-12-03T00:00:00.000Z"},"gender":"male"}"#;
        let c = r#"{"resourceType":"Patient","id":"p","meta":{"versionId":"1","lastUpdated":"2026-12-02T00:00:00.000Z"},"gender":"female"}"#;
        assert!(same_content(a, b));
        assert!(!same_content(a, c));
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

//! Serialising writers that must not interleave, across gateway instances: a PostgreSQL advisory lock
//! held to the end of the transaction (SQLite has one writer at a time already, so nothing is done).
//! Used for conditional creates, whose "is there one already?" and "create it" must not race.

use sqlx::AnyConnection;

use crate::store::sql::Exec;
use crate::store::StoreError;

/// Waits for, and holds until the transaction ends, the lock named `key`.
pub async fn hold(conn: &mut AnyConnection, key: &str) -> Result<(), StoreError> {
    if conn.is_sqlite() {
        return Ok(());
    }
    sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS held")
        .bind(lock_id(key))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The lock's number: the first 8 bytes of the key's SHA-256 (stable across versions and instances).
fn lock_id(key: &str) -> i64 {
    use ring::digest::{digest, SHA256};
    let hash = digest(&SHA256, key.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&hash.as_ref()[..8]);
    i64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn lock_ids_are_stable_and_differ_by_key() {
        assert_eq!(
            super::lock_id("Patient?identifier=a|1"),
            super::lock_id("Patient?identifier=a|1")
        );
        assert_ne!(
            super::lock_id("Patient?identifier=a|1"),
            super::lock_id("Patient?identifier=a|2")
        );
    }
}

//! The identifier cross-reference table: hospital-local identifier (system, value) ↔ a random
//! zone-facing token, per zone. Tokens are created on first use and never change.

use sqlx::Row;

use super::{Store, StoreError};

impl Store {
    /// The zone-facing token of a local identifier, created when it has none yet.
    pub async fn xref_token(
        &self,
        zone: &str,
        system: &str,
        value: &str,
        now_ms: i64,
    ) -> Result<String, StoreError> {
        if let Some(token) = self.xref_lookup_token(zone, system, value).await? {
            return Ok(token);
        }
        let candidate = uuid::Uuid::new_v4().to_string();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO identifier_xref (zone, local_system, local_value, token, created_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (zone, local_system, local_value) DO NOTHING",
        )
        .bind(zone)
        .bind(system)
        .bind(value)
        .bind(&candidate)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        // Another request may have won the race; the stored token is the one.
        self.xref_lookup_token(zone, system, value)
            .await?
            .ok_or_else(|| StoreError::Unavailable("identifier_xref row vanished".into()))
    }

    async fn xref_lookup_token(
        &self,
        zone: &str,
        system: &str,
        value: &str,
    ) -> Result<Option<String>, StoreError> {
        let mut conn = self.reader().await?;
        let row = sqlx::query(
            "SELECT token FROM identifier_xref WHERE zone = $1 AND local_system = $2 AND local_value = $3",
        )
        .bind(zone)
        .bind(system)
        .bind(value)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// The local identifier behind a zone-facing token.
    pub async fn xref_local(
        &self,
        zone: &str,
        token: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let mut conn = self.reader().await?;
        let row = sqlx::query(
            "SELECT local_system, local_value FROM identifier_xref WHERE zone = $1 AND token = $2",
        )
        .bind(zone)
        .bind(token)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }
}

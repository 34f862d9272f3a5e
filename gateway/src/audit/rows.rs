//! Reading `audit_log` rows back exactly as stored (for the chain check and for export).

use sqlx::any::AnyRow;
use sqlx::Row;

use super::chain::Columns;

/// One `audit_log` row with every column as stored.
#[derive(Debug, Clone)]
pub(crate) struct StoredRow {
    pub seq: i64,
    pub recorded_ms: i64,
    pub zone: String,
    pub channel: String,
    pub action: String,
    pub resource_type: Option<String>,
    pub target: Option<String>,
    pub who_kind: String,
    pub who_name: String,
    pub who_serial: Option<String>,
    pub who_issuer: Option<String>,
    pub who_roles: String,
    pub outcome: String,
    pub status: Option<i64>,
    pub reason: Option<String>,
    pub source: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredRow {
    /// Decodes a row selected with `writer::COLUMNS`; a value of the wrong type is an error.
    pub fn decode(row: &AnyRow) -> Result<StoredRow, sqlx::Error> {
        Ok(StoredRow {
            seq: row.try_get(0)?,
            recorded_ms: row.try_get(1)?,
            zone: row.try_get(2)?,
            channel: row.try_get(3)?,
            action: row.try_get(4)?,
            resource_type: row.try_get(5)?,
            target: row.try_get(6)?,
            who_kind: row.try_get(7)?,
            who_name: row.try_get(8)?,
            who_serial: row.try_get(9)?,
            who_issuer: row.try_get(10)?,
            who_roles: row.try_get(11)?,
            outcome: row.try_get(12)?,
            status: row.try_get(13)?,
            reason: row.try_get(14)?,
            source: row.try_get(15)?,
            prev_hash: row.try_get(16)?,
            hash: row.try_get(17)?,
        })
    }

    pub fn columns(&self) -> Columns<'_> {
        Columns {
            seq: self.seq,
            recorded_ms: self.recorded_ms,
            zone: &self.zone,
            channel: &self.channel,
            action: &self.action,
            resource_type: self.resource_type.as_deref(),
            target: self.target.as_deref(),
            who_kind: &self.who_kind,
            who_name: &self.who_name,
            who_serial: self.who_serial.as_deref(),
            who_issuer: self.who_issuer.as_deref(),
            who_roles: &self.who_roles,
            outcome: &self.outcome,
            status: self.status,
            reason: self.reason.as_deref(),
            source: self.source.as_deref(),
        }
    }
}

//! Checking the chain: rows are streamed in `seq` order, a page at a time, and the first row that breaks
//! the chain is named — edited (its hash does not match its content), missing (a gap in `seq`), out of order
//! (content and hashes that belong elsewhere), or a truncated tail (the head says more rows exist).

use serde::Serialize;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::chain::{row_hash, GENESIS_HASH};
use super::rows::StoredRow;
use super::writer::COLUMNS;
use super::AuditError;
use crate::store::Store;

/// Rows read per query.
const PAGE_ROWS: i64 = 1000;

/// The result of [`verify_chain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Rows checked and found sound (every row when the chain is intact).
    pub rows: u64,
    pub intact: bool,
    /// The `seq` of the first broken row.
    pub first_broken: Option<i64>,
    /// What is wrong, e.g. "row 17 was edited", "row 18 is missing (deleted)".
    pub problem: Option<String>,
}

impl ChainReport {
    fn intact(rows: u64) -> ChainReport {
        ChainReport {
            rows,
            intact: true,
            first_broken: None,
            problem: None,
        }
    }

    fn broken(rows: u64, seq: Option<i64>, problem: String) -> ChainReport {
        ChainReport {
            rows,
            intact: false,
            first_broken: seq,
            problem: Some(problem),
        }
    }
}

async fn head(conn: &mut AnyConnection) -> Result<Option<(i64, String)>, AuditError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    })
}

/// Checks every row up to the head as it was when the check started (rows appended meanwhile are left
/// for the next check).
pub async fn verify_chain(store: &Store) -> Result<ChainReport, AuditError> {
    let mut conn = store.reader().await?;
    let Some((head_seq, head_hash)) = head(&mut conn).await? else {
        return Ok(ChainReport::broken(
            0,
            None,
            "the audit head row is missing".into(),
        ));
    };
    let select = format!(
        "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3"
    );
    let mut rows: u64 = 0;
    let mut last: i64 = 0;
    let mut prev = GENESIS_HASH.to_string();
    loop {
        let page = sqlx::query(AssertSqlSafe(select.as_str()))
            .bind(last)
            .bind(head_seq)
            .bind(PAGE_ROWS)
            .fetch_all(&mut *conn)
            .await?;
        if page.is_empty() {
            break;
        }
        for raw in &page {
            let expected = last + 1;
            let row = match StoredRow::decode(raw) {
                Ok(row) => row,
                Err(_) => {
                    let seq = raw.try_get::<i64, _>(0).unwrap_or(expected);
                    return Ok(ChainReport::broken(
                        rows,
                        Some(seq),
                        format!("row {seq} was edited (a value has the wrong type)"),
                    ));
                }
            };
            if row.seq != expected {
                return Ok(ChainReport::broken(
                    rows,
                    Some(expected),
                    format!("row {expected} is missing (deleted)"),
                ));
            }
            if let Some((seq, problem)) = check_row(&row, &prev) {
                // When the predecessor is named, it was counted as sound: take it back.
                let sound = if seq < row.seq {
                    rows.saturating_sub(1)
                } else {
                    rows
                };
                return Ok(ChainReport::broken(sound, Some(seq), problem));
            }
            rows += 1;
            last = row.seq;
            prev = row.hash;
        }
    }
    if last < head_seq {
        let missing = head_seq - last;
        let problem = if missing == 1 {
            "the last row was deleted".to_string()
        } else {
            format!("the last {missing} rows were deleted")
        };
        return Ok(ChainReport::broken(rows, Some(last + 1), problem));
    }
    if prev != head_hash {
        return Ok(ChainReport::broken(
            rows.saturating_sub(1),
            Some(last),
            format!("row {last} does not match the audit head (it was replaced)"),
        ));
    }
    // Rows outside 1..=head cannot come from the writer (it moves the head in the same transaction).
    let outside = sqlx::query("SELECT seq FROM audit_log WHERE seq < 1 ORDER BY seq LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(r) = outside {
        let seq: i64 = r.try_get(0)?;
        return Ok(ChainReport::broken(
            rows,
            Some(seq),
            format!("row {seq} is outside the chain (inserted)"),
        ));
    }
    let now_head = head(&mut conn).await?.map(|h| h.0).unwrap_or(head_seq);
    let beyond = sqlx::query("SELECT seq FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1")
        .bind(now_head.max(head_seq))
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(r) = beyond {
        let seq: i64 = r.try_get(0)?;
        return Ok(ChainReport::broken(
            rows,
            Some(seq),
            format!("row {seq} is beyond the audit head (inserted)"),
        ));
    }
    Ok(ChainReport::intact(rows))
}

/// What is wrong with `row` given its predecessor's hash `prev`: `(seq to name, problem)`.
fn check_row(row: &StoredRow, prev: &str) -> Option<(i64, String)> {
    let seq = row.seq;
    let columns = row.columns();
    let own = row_hash(&row.prev_hash, &columns);
    match (own == row.hash, row.prev_hash == prev) {
        (true, true) => None,
        // The content matches its own hash but was edited relative to the previous row: the predecessor
        // (or its hash) was replaced.
        (true, false) if seq > 1 => Some((
            seq - 1,
            format!(
                "row {} was replaced (row {seq} does not chain to it)",
                seq - 1
            ),
        )),
        (true, false) => Some((
            seq,
            format!("row {seq} was edited (it does not start the chain)"),
        )),
        (false, true) => Some((seq, format!("row {seq} was edited"))),
        // Only the prev_hash column changed: the content still hashes right over the true predecessor.
        (false, false) if row_hash(prev, &columns) == row.hash => {
            Some((seq, format!("row {seq} was edited")))
        }
        (false, false) => Some((seq, format!("row {seq} is out of order"))),
    }
}

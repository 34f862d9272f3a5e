//! The one writer task. Callers queue records; the task takes everything queued (up to [`MAX_BATCH`]),
//! chains them from the head it remembers and writes them with ONE multi-row INSERT that commits on its
//! own, then answers every waiting caller. The database enforces the chain: an insert trigger refuses a
//! row that does not follow `audit_head` (locked on PostgreSQL) and advances the head, so several gateways
//! sharing one PostgreSQL database still write one gap-free chain; a writer whose remembered head is stale
//! is refused, reads the head again and retries. One statement per batch matters: each statement is a
//! round trip to sqlx's SQLite worker thread, and every request of every zone waits for its batch.

use std::fmt;

use crate::store::sql::{cells, Exec, Kind, Statement};
use tokio::sync::{mpsc, oneshot, watch};

use super::chain::{roles_json, row_hash, Columns};
use super::record::AuditRecord;
use super::AuditError;
use crate::store::{Backend, Store, StoreError};

/// Most records written by one statement: 512 × 18 bound values stays far below SQLite's limit (32766).
pub const MAX_BATCH: usize = 512;

/// Records that may wait for the writer; `record` waits for room, `record_detached` drops (and logs) when
/// the queue is full.
const QUEUE_CAPACITY: usize = 65_536;

/// The columns of `audit_log`, in the order they are bound.
pub(crate) const COLUMNS: &str =
    "seq, recorded_ms, zone, channel, action, resource_type, target, who_kind, \
     who_name, who_serial, who_issuer, who_roles, outcome, status, reason, source, prev_hash, hash";
const COLUMN_COUNT: usize = 18;
const _: () = assert!(
    MAX_BATCH * COLUMN_COUNT < 32_766,
    "SQLite's bound-parameter limit"
);

type Answer = oneshot::Sender<Result<(), String>>;

enum Message {
    Record {
        record: Box<AuditRecord>,
        answer: Option<Answer>,
    },
    Shutdown,
}

/// A handle on the audit writer; clones share the one writer task.
#[derive(Clone)]
pub struct AuditLog {
    sender: mpsc::Sender<Message>,
    stopped: watch::Receiver<bool>,
}

impl fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditLog")
            .field("stopped", &*self.stopped.borrow())
            .finish_non_exhaustive()
    }
}

impl AuditLog {
    /// Spawns the writer task on the current tokio runtime.
    pub fn start(store: Store) -> AuditLog {
        let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let (stopped_tx, stopped) = watch::channel(false);
        tokio::spawn(async move {
            run(store, receiver).await;
            let _ = stopped_tx.send(true);
        });
        AuditLog { sender, stopped }
    }

    /// Queues a record and resolves once its row is committed. An error means the row was not written:
    /// the caller must refuse the request.
    pub async fn record(&self, record: AuditRecord) -> Result<(), AuditError> {
        let (answer, answered) = oneshot::channel();
        self.sender
            .send(Message::Record {
                record: Box::new(record),
                answer: Some(answer),
            })
            .await
            .map_err(|_| AuditError::Closed)?;
        match answered.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => Err(AuditError::Unavailable(reason)),
            Err(_) => Err(AuditError::Closed),
        }
    }

    /// Queues a record and resolves once it is queued (waiting only for room in the queue, never
    /// dropping it); the next batch commits it, typically within milliseconds. For requests that change
    /// nothing, when `audit.commit_before_answer = "changes"`.
    pub async fn record_queued(&self, record: AuditRecord) -> Result<(), AuditError> {
        self.sender
            .send(Message::Record {
                record: Box::new(record),
                answer: None,
            })
            .await
            .map_err(|_| AuditError::Closed)
    }

    /// Queues a record without waiting (for synchronous code such as a certificate verifier); the next
    /// batch writes it. When the queue is full or the log is shut down the record is dropped and an error
    /// is logged.
    pub fn record_detached(&self, record: AuditRecord) {
        let message = Message::Record {
            record: Box::new(record),
            answer: None,
        };
        match self.sender.try_send(message) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::error!("The audit queue is full; a detached audit record was dropped.")
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                tracing::error!("The audit log is shut down; a detached audit record was dropped.")
            }
        }
    }

    /// Writes everything already queued, then stops the writer. Later records fail with `Closed`.
    /// Calling it again (or from several clones) just waits for the writer to have stopped.
    pub async fn shutdown(&self) {
        let _ = self.sender.send(Message::Shutdown).await;
        let mut stopped = self.stopped.clone();
        let _ = stopped.wait_for(|s| *s).await;
    }
}

async fn run(store: Store, mut receiver: mpsc::Receiver<Message>) {
    let mut head = None;
    let mut messages = Vec::with_capacity(MAX_BATCH);
    let mut records = Vec::with_capacity(MAX_BATCH);
    let mut answers = Vec::with_capacity(MAX_BATCH);
    // After `Shutdown` the queue is closed to new records and drained; recv_many then returns 0.
    while receiver.recv_many(&mut messages, MAX_BATCH).await > 0 {
        let closing = take(&mut messages, &mut records, &mut answers, &mut receiver);
        // Nobody waits for a small batch of queued-only records: let more gather for a moment, so a
        // stream of reads costs a few commits per second instead of one per handful of requests.
        if !closing && records.len() < LINGER_BELOW && answers.iter().all(Option::is_none) {
            tokio::time::sleep(LINGER).await;
            let room = MAX_BATCH - records.len();
            while messages.len() < room {
                match receiver.try_recv() {
                    Ok(message) => messages.push(message),
                    Err(_) => break,
                }
            }
            take(&mut messages, &mut records, &mut answers, &mut receiver);
        }
        if records.is_empty() {
            continue;
        }
        let result = write_batch(&store, &records, &mut head).await.map_err(|error| {
            tracing::error!(%error, records = records.len(), "The audit log could not be written; the audited requests are refused.");
            error.to_string()
        });
        records.clear();
        for answer in answers.drain(..).flatten() {
            let _ = answer.send(result.clone());
        }
    }
}

/// Batches smaller than this, with nobody waiting for their commit, wait [`LINGER`] for more records.
const LINGER_BELOW: usize = 64;
const LINGER: std::time::Duration = std::time::Duration::from_millis(2);

/// Moves `messages` into `records` and `answers`; true when a shutdown was among them.
fn take(
    messages: &mut Vec<Message>,
    records: &mut Vec<AuditRecord>,
    answers: &mut Vec<Option<Answer>>,
    receiver: &mut mpsc::Receiver<Message>,
) -> bool {
    let mut closing = false;
    for message in messages.drain(..) {
        match message {
            Message::Record { record, answer } => {
                records.push(*record);
                answers.push(answer);
            }
            Message::Shutdown => {
                receiver.close();
                closing = true;
            }
        }
    }
    closing
}

/// The INSERT for `rows` rows, placeholders only: `?` on SQLite (sqlx resolves numbered `$n` there at a
/// cost that grows with the square of their number: five times slower at 512 rows), `$1…$n` on PostgreSQL.
fn insert_sql(backend: Backend, rows: usize) -> String {
    let mut sql = String::with_capacity(64 + rows * COLUMN_COUNT * 6);
    sql.push_str("INSERT INTO audit_log (");
    sql.push_str(COLUMNS);
    sql.push_str(") VALUES ");
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..COLUMN_COUNT {
            if c > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    n += 1;
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// The newest row of the chain: the next row follows it.
struct Head {
    seq: i64,
    hash: String,
}

async fn read_head<E: Exec>(conn: &mut E, lock: bool) -> Result<Head, AuditError> {
    let sql = if lock {
        "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
    } else {
        "SELECT seq, hash FROM audit_head WHERE id = 1"
    };
    let row = conn
        .fetch(Statement::new(sql), &[Kind::Int, Kind::Text])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AuditError::Unavailable("the audit_head row is missing".into()))?;
    let [seq, hash] = cells(row)?;
    Ok(Head {
        seq: seq.number()?,
        hash: hash.text()?,
    })
}

/// How often a batch refused because another writer moved the head is chained again.
const CHAIN_RETRIES: usize = 16;

/// Chains and writes `records` (at most [`MAX_BATCH`]) after `head`, reading the head when it is not
/// known; a refusal by the chain (another gateway on the same database moved the head) is retried from
/// the head as stored.
async fn write_batch(
    store: &Store,
    records: &[AuditRecord],
    head: &mut Option<Head>,
) -> Result<(), AuditError> {
    // One hold of the writer connection for the head read and the insert: nothing (an ingest
    // transaction that appends rows itself, see `append_in`) moves the head in between on SQLite.
    let mut conn = store.writer().await?;
    let mut attempt = 0;
    loop {
        let after = match head.take() {
            Some(known) => known,
            None => read_head(&mut *conn, false).await?,
        };
        match insert_after(&mut *conn, store.backend, records, &after).await {
            Ok(new_head) => {
                *head = Some(new_head);
                return Ok(());
            }
            Err(AuditError::Store(e))
                if attempt < CHAIN_RETRIES && another_writer_moved_the_head(&e) =>
            {
                attempt += 1;
                tracing::debug!(
                    attempt,
                    "Another writer moved the audit head; chaining again."
                );
            }
            Err(error) => return Err(error),
        }
    }
}

/// The chain trigger's refusal, or a duplicate seq (or key) from a concurrent writer.
pub(crate) fn another_writer_moved_the_head(error: &StoreError) -> bool {
    error.is_unique_violation()
        || error
            .database_message()
            .is_some_and(|m| m.contains("audit_log chain"))
}

/// Appends `records` to the chain inside the caller's open transaction `conn` (the HL7 v2 ingest writes
/// each message's row in the message's own transaction: one commit instead of two before the ACK). The
/// head is read in the transaction (locked on PostgreSQL), so the rows follow whatever the writer task or
/// another gateway committed; the writer task's remembered head then is stale, the chain trigger refuses
/// its next batch once and it reads the head again.
pub(crate) async fn append_in<E: Exec>(
    conn: &mut E,
    backend: Backend,
    records: &[AuditRecord],
) -> Result<(), AuditError> {
    if records.is_empty() {
        return Ok(());
    }
    let mut head = read_head(conn, backend == Backend::Postgres).await?;
    for chunk in records.chunks(MAX_BATCH) {
        head = insert_after(conn, backend, chunk, &head).await?;
    }
    Ok(())
}

async fn insert_after<E: Exec>(
    conn: &mut E,
    backend: Backend,
    records: &[AuditRecord],
    after: &Head,
) -> Result<Head, AuditError> {
    let roles: Vec<String> = records.iter().map(|r| roles_json(&r.who.roles)).collect();
    let mut prev = after.hash.clone();
    let mut chained = Vec::with_capacity(records.len());
    for (i, (record, roles)) in records.iter().zip(&roles).enumerate() {
        let seq = after.seq + 1 + i as i64;
        let hash = row_hash(&prev, &Columns::of(seq, record, roles));
        chained.push((seq, std::mem::replace(&mut prev, hash.clone()), hash));
    }
    let last_seq = after.seq + records.len() as i64;

    let sql = insert_sql(backend, records.len());
    let mut statement = Statement::new(sql);
    for ((record, roles), (seq, prev_hash, hash)) in records.iter().zip(&roles).zip(&chained) {
        statement = statement
            .bind(*seq)
            .bind(record.recorded_ms)
            .bind(record.zone.as_str())
            .bind(record.channel.as_str())
            .bind(record.action.as_str())
            .bind(record.resource_type.as_deref())
            .bind(record.target.as_deref())
            .bind(record.who.kind.as_str())
            .bind(record.who.name.as_str())
            .bind(record.who.serial.as_deref())
            .bind(record.who.issuer.as_deref())
            .bind(roles.as_str())
            .bind(record.outcome.as_str())
            .bind(record.status.map(i64::from))
            .bind(record.reason.as_deref())
            .bind(record.source.as_deref())
            .bind(prev_hash.as_str())
            .bind(hash.as_str());
    }
    conn.execute(statement).await?;
    Ok(Head {
        seq: last_seq,
        hash: prev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_sql_has_one_placeholder_per_value() {
        let sql = insert_sql(Backend::Postgres, 2);
        assert!(sql.starts_with("INSERT INTO audit_log (seq, recorded_ms,"));
        assert!(sql.contains("($1, $2,"));
        assert!(sql.contains("$18), ($19,"));
        assert!(sql.ends_with("$36)"));
        assert_eq!(COLUMNS.split(',').count(), COLUMN_COUNT);
        let sql = insert_sql(Backend::Sqlite, 3);
        assert_eq!(sql.matches('?').count(), 3 * COLUMN_COUNT);
        assert!(!sql.contains('$'));
        assert!(sql.ends_with(", ?)"));
    }
}

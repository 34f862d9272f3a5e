//! Group commit: one writer (on a thread of its own) takes whatever checked messages are queued (up to
//! `max_batch`), writes them in ONE transaction, commits, and only then answers each (ACK after commit).
//! On SQLite (one writer, `synchronous = FULL`) one fsync per message caps the rate far below what the
//! senders need; one per batch does not. When a batch fails (or its commit does), each message is written
//! again alone, so one bad message never costs the others their answer. Conflicts with a concurrent writer
//! (another gateway on the same PostgreSQL database) are retried a few times.

use sqlx::AnyConnection;
use tokio::sync::{mpsc, oneshot};

use super::check::Ready;
use super::write::{write_messages, Written};
use super::AuditOf;
use crate::audit::{another_writer_moved_the_head, append_in, AuditError, AuditRecord};
use crate::store::sql::{Begin, Commit, Exec};
use crate::store::{Direct, Store, StoreError};

/// One message waiting for the writer.
pub(super) struct Job {
    pub ready: Box<Ready>,
    /// The message's audit row, written in its transaction (None: the caller records it).
    pub audit: Option<AuditOf>,
    pub answer: oneshot::Sender<Answer>,
}

/// The outcome of a job, with its message handed back: the caller frees the message's memory (its mapped
/// resources, their prepared content), so the one writer does not spend its time on that.
pub(super) type Answer = (Result<Written, StoreError>, Box<Ready>);

/// Messages that may wait for the writer.
const QUEUE: usize = 4096;
/// Tries of a message written alone that met a concurrent writer.
const ATTEMPTS: usize = 3;

/// Batches one hold of the write connection may take before giving it back, so that other writers (the
/// FHIR API of the zone) get their turn under a steady HL7 v2 load.
const HOLD_BATCHES: usize = 32;

/// Starts the writer on a thread of its own; it stops when every sender is dropped.
///
/// The writer has its own single-threaded runtime: on the shared runtime, the continuation of each of its
/// statements waited behind whatever mapping and validation the worker threads were running (tokio does
/// not preempt a task), longer than the statement itself took on a 2-core machine, and the one writer is
/// what every message queues for.
pub(super) fn start(store: Store, max_batch: usize) -> mpsc::Sender<Job> {
    let (sender, receiver) = mpsc::channel::<Job>(QUEUE);
    let max_batch = max_batch.max(1);
    let spawned = std::thread::Builder::new()
        .name("hl7v2-writer".into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(run(store, receiver, max_batch)),
                // The receiver is dropped: every message is answered "could not be stored" (AR/CR).
                Err(error) => tracing::error!(%error, "The HL7 v2 writer's runtime did not start."),
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "The HL7 v2 writer's thread did not start.");
    }
    sender
}

/// The writer's loop: takes what is queued, holds the write connection while more keeps coming (taking
/// it from the pool again for every batch cost as much as a statement), and gives it back when the queue
/// is empty or after `HOLD_BATCHES` batches.
async fn run(store: Store, mut receiver: mpsc::Receiver<Job>, max_batch: usize) {
    let mut direct = direct_of(&store);
    let mut jobs = Vec::with_capacity(max_batch);
    while receiver.recv_many(&mut jobs, max_batch).await > 0 {
        let mut conn = match store.writer().await {
            Ok(conn) => conn,
            Err(error) => {
                tracing::error!(error = %describe(&error), "The HL7 v2 writer has no connection.");
                for job in jobs.drain(..) {
                    let failed = StoreError::Unavailable("no write connection".into());
                    let _ = job.answer.send((Err(failed), job.ready));
                }
                continue;
            }
        };
        for _ in 0..HOLD_BATCHES {
            let batch = std::mem::take(&mut jobs);
            write_held(direct.as_mut(), &mut conn, &store, batch).await;
            if receiver.is_empty() || receiver.recv_many(&mut jobs, max_batch).await == 0 {
                break;
            }
        }
        if !jobs.is_empty() {
            let batch = std::mem::take(&mut jobs);
            write_held(direct.as_mut(), &mut conn, &store, batch).await;
        }
    }
}

/// The writer's own SQLite connection (see `store::direct`); None on PostgreSQL, for an in-memory
/// database, or when it does not open (the pool's connection then serves, as it does for the rest).
fn direct_of(store: &Store) -> Option<Direct> {
    match store.direct_writer()? {
        Ok(direct) => Some(direct),
        Err(error) => {
            tracing::warn!(error = %describe(&error), "The HL7 v2 writer's own SQLite connection did not open; writing through the pool.");
            None
        }
    }
}

/// `write_held` with the connections the writer would take, for the tests.
#[cfg(test)]
pub(super) async fn write_batch(store: &Store, jobs: Vec<Job>) {
    match store.writer().await {
        Ok(mut conn) => write_held(direct_of(store).as_mut(), &mut conn, store, jobs).await,
        Err(error) => panic!("no write connection: {error}"),
    }
}

/// `write_batch_on` through the writer's own SQLite connection when there is one, else through the
/// pool's write connection `conn`, which is held either way: no other writer of the process interleaves.
async fn write_held(
    direct: Option<&mut Direct>,
    conn: &mut AnyConnection,
    store: &Store,
    jobs: Vec<Job>,
) {
    match direct {
        Some(direct) => write_batch_on(direct, store, jobs).await,
        None => write_batch_on(conn, store, jobs).await,
    }
}

/// Writes `jobs` in one transaction on the write connection `conn` and answers them; falls back to one
/// transaction each on failure.
async fn write_batch_on<C: Begin>(conn: &mut C, store: &Store, jobs: Vec<Job>) {
    if jobs.len() > 1 {
        match together(conn, store, &jobs).await {
            Ok(results) => {
                for (job, result) in jobs.into_iter().zip(results) {
                    let _ = job.answer.send((Ok(result), job.ready));
                }
                return;
            }
            Err(error) => {
                tracing::warn!(error = %describe(&error), messages = jobs.len(), "A group commit failed; writing its messages one by one.");
            }
        }
    }
    for job in jobs {
        let result = alone(conn, store, &job).await;
        let _ = job.answer.send((result, job.ready));
    }
}

async fn together<C: Begin>(
    conn: &mut C,
    store: &Store,
    jobs: &[Job],
) -> Result<Vec<Written>, StoreError> {
    let readies: Vec<&Ready> = jobs.iter().map(|j| &*j.ready).collect();
    let mut tx = conn.begin().await?;
    let results = write_messages(&mut tx, &readies).await?;
    let records: Vec<AuditRecord> = jobs
        .iter()
        .zip(&results)
        .filter_map(|(job, written)| job.audit.as_ref().map(|of| of(&written.disposition())))
        .collect();
    audit(&mut tx, store, &records).await?;
    tx.commit().await?;
    Ok(results)
}

/// Appends the audit rows of the transaction's messages to the chain, in the transaction.
async fn audit<E: Exec>(
    tx: &mut E,
    store: &Store,
    records: &[AuditRecord],
) -> Result<(), StoreError> {
    append_in(tx, store.backend, records)
        .await
        .map_err(|error| match error {
            AuditError::Store(e) => e,
            other => StoreError::Unavailable(other.to_string()),
        })
}

async fn alone<C: Begin>(conn: &mut C, store: &Store, job: &Job) -> Result<Written, StoreError> {
    let ready = &*job.ready;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = async {
            let mut tx = conn.begin().await?;
            let written = write_messages(&mut tx, &[ready])
                .await?
                .pop()
                .ok_or_else(|| StoreError::Corrupt("no result for a message".into()))?;
            if let Some(of) = &job.audit {
                audit(&mut tx, store, &[of(&written.disposition())]).await?;
            }
            tx.commit().await?;
            Ok::<Written, StoreError>(written)
        }
        .await;
        match result {
            Err(e) if attempt < ATTEMPTS && is_conflict(&e) => continue,
            other => return other,
        }
    }
}

/// A unique violation or a head that moved: another writer got there first; trying again sees its work
/// (a duplicate message, or a newer version to compare with).
fn is_conflict(error: &StoreError) -> bool {
    match error {
        StoreError::Corrupt(_) => true,
        StoreError::Database(_) | StoreError::Sqlite(_) => another_writer_moved_the_head(error),
        _ => error.is_transient(),
    }
}

/// A store error without the values it may quote (PostgreSQL names the conflicting key, which can hold a
/// patient number): its class and database error code only, for logs and `Disposition::Failed`.
pub(super) fn describe(error: &StoreError) -> String {
    match error {
        StoreError::Database(e) => match e.as_database_error() {
            Some(d) => format!(
                "database error {}",
                d.code().as_deref().unwrap_or("(no code)")
            ),
            None => format!("database error ({})", kind(e)),
        },
        StoreError::Sqlite(_) => match error.database_code() {
            Some(code) => format!("database error {code}"),
            None => "database error (sqlite)".into(),
        },
        StoreError::Unavailable(_) => "database unavailable".into(),
        StoreError::Migration(_) => "migration error".into(),
        StoreError::Corrupt(_) => "a resource changed while it was being written".into(),
    }
}

fn kind(e: &sqlx::Error) -> &'static str {
    match e {
        sqlx::Error::Io(_) => "i/o",
        sqlx::Error::PoolTimedOut => "pool timed out",
        sqlx::Error::PoolClosed => "pool closed",
        sqlx::Error::Tls(_) => "tls",
        sqlx::Error::Protocol(_) => "protocol",
        _ => "other",
    }
}

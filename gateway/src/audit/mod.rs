//! The append-only, hash-chained audit log (issue #3, seed rule S8): who did what, when, on which zone,
//! and whether it was allowed. One writer task batches records into one transaction each (`writer.rs`);
//! every row carries the SHA-256 of its predecessor (`chain.rs`); `verify_chain` names the first edited,
//! deleted or reordered row (`verify.rs`); the admin listener serves the rows as FHIR AuditEvents
//! (`export.rs`). Records carry no patient data: targets are server ids only.

mod chain;
mod export;
mod record;
mod rows;
mod verify;
mod writer;

pub use chain::GENESIS_HASH;
pub use export::{audit_event, page, AuditRow};
pub use record::{AuditRecord, Outcome, Who, WhoKind};
pub use verify::{verify_chain, ChainReport};
pub(crate) use writer::{another_writer_moved_the_head, append_in};
pub use writer::{AuditLog, MAX_BATCH};

use crate::store::StoreError;

/// Why the audit log could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The writer could not commit a batch; the caller must refuse the request (fail closed).
    #[error("the audit log could not be written: {0}")]
    Unavailable(String),
    /// The writer has stopped (`shutdown`) and accepts no more records.
    #[error("the audit log is shut down")]
    Closed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AuditError {
    fn from(error: sqlx::Error) -> Self {
        AuditError::Store(StoreError::Database(error))
    }
}

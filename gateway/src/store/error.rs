//! Store errors: the database could not be reached or refused a statement.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// From the HL7 v2 writer's own SQLite connection (`store::direct::Direct`).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// True for failures worth retrying later (connection lost, pool exhausted, lock timeout).
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Unavailable(_) => true,
            StoreError::Database(e) => {
                matches!(
                    e,
                    sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed
                ) || e.as_database_error().is_some_and(|d| {
                    let code = d.code().unwrap_or_default();
                    code == "5"
                        || code == "40001"
                        || code == "40P01"
                        || d.message().contains("locked")
                })
            }
            StoreError::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            _ => false,
        }
    }

    /// A unique or primary-key constraint refused the statement (another writer got there first).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(e) => e
                .as_database_error()
                .is_some_and(|d| d.is_unique_violation()),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ),
            _ => false,
        }
    }

    /// The database's own message, when it refused a statement (a trigger's `RAISE` text, say).
    pub fn database_message(&self) -> Option<String> {
        match self {
            StoreError::Database(e) => e.as_database_error().map(|d| d.message().to_string()),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(_, message)) => message.clone(),
            _ => None,
        }
    }

    /// The database's error code (SQLSTATE on PostgreSQL, the extended result code on SQLite).
    pub fn database_code(&self) -> Option<String> {
        match self {
            StoreError::Database(e) => e
                .as_database_error()
                .and_then(|d| d.code().map(|c| c.into_owned())),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                Some(e.extended_code.to_string())
            }
            _ => None,
        }
    }
}

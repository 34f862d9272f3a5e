//! Store errors: the database could not be reached or refused a statement.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
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
            _ => false,
        }
    }
}

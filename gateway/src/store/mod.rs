//! The resource store over sqlx (design.md §6): embedded SQLite by default (WAL, one writer connection),
//! PostgreSQL for production, one API and the same SQL. Migrations are applied at start-up.

mod direct;
pub mod eprescriptions;
mod error;
pub mod locks;
pub mod resources;
pub mod search;
pub(crate) mod sql;
mod xref;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Transaction};

pub(crate) use direct::Direct;
pub use error::StoreError;

/// How every SQLite connection is set up, the pools' and the HL7 v2 writer's own (`direct::Direct`);
/// see `Store::open` for why.
const SQLITE_PRAGMAS: [&str; 5] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA foreign_keys = ON",
    "PRAGMA temp_store = MEMORY",
];
/// The page cache of a connection that writes (the index pages a group commit touches stay in memory).
const WRITER_CACHE: &str = "PRAGMA cache_size = -65536";

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database: a pool for reads and one for writes (a single connection on SQLite, where
/// writers are serialised anyway; waiting in the pool is cheaper than SQLite's busy-retry loop).
#[derive(Clone)]
pub struct Store {
    pub backend: Backend,
    read: AnyPool,
    write: AnyPool,
    /// The SQLite database file (None on PostgreSQL and for an in-memory database), for a connection of
    /// the HL7 v2 writer's own (`direct::Direct`).
    sqlite_file: Option<PathBuf>,
}

pub type WriteTx = Transaction<'static, sqlx::Any>;

impl Store {
    /// Connects, creating the SQLite file (and its folder) when needed, and applies the migrations.
    pub async fn open(url: &str, max_connections: u32) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let store = match backend {
            Backend::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                if let Some(parent) = Path::new(path.split('?').next().unwrap_or(path)).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent).map_err(|e| {
                            StoreError::Unavailable(format!(
                                "cannot create {}: {e}",
                                parent.display()
                            ))
                        })?;
                    }
                }
                let url = if url.contains('?') {
                    url.to_string()
                } else {
                    format!("{url}?mode=rwc")
                };
                let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
                let pool = |n: u32, cache: &'static str| {
                    AnyPoolOptions::new()
                        .max_connections(n)
                        .acquire_timeout(Duration::from_secs(30))
                        // A local file does not go stale: no ping (a round trip to the connection's
                        // worker thread) before every acquire.
                        .test_before_acquire(false)
                        .after_connect(move |conn, _| {
                            Box::pin(async move {
                                // WAL lets readers run beside the writer; FULL syncs every commit (the
                                // ACK-after-durable-commit invariant); busy_timeout covers checkpoints.
                                // Statement journals (the undo of one statement inside a transaction,
                                // never needed after a crash) stay in memory instead of a temporary file
                                // written on every multi-row insert. The writer keeps 64 MiB of page
                                // cache, so the index pages a group commit touches are not read again.
                                for pragma in SQLITE_PRAGMAS.into_iter().chain([cache]) {
                                    sqlx::query(pragma).execute(&mut *conn).await?;
                                }
                                Ok(())
                            })
                        })
                        .connect_with(options.clone())
                };
                let write = pool(1, WRITER_CACHE).await?;
                SQLITE_MIGRATIONS.run(&write).await?;
                let read = pool(max_connections.max(2), "PRAGMA cache_size = -2000").await?;
                let file = path.split('?').next().unwrap_or(path);
                let sqlite_file =
                    (!file.is_empty() && file != ":memory:" && !url.contains("mode=memory"))
                        .then(|| PathBuf::from(file));
                Store {
                    backend,
                    read,
                    write,
                    sqlite_file,
                }
            }
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
                let pool = AnyPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                POSTGRES_MIGRATIONS.run(&pool).await?;
                Store {
                    backend,
                    read: pool.clone(),
                    write: pool,
                    sqlite_file: None,
                }
            }
        };
        Ok(store)
    }

    /// Starts a write transaction; nothing is visible to others until `commit`.
    pub async fn begin(&self) -> Result<WriteTx, StoreError> {
        Ok(self.write.begin().await?)
    }

    /// The writer connection itself, for single statements that commit on their own.
    pub async fn writer(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.write.acquire().await?)
    }

    /// A SQLite connection of the caller's own on the store's file (None on PostgreSQL or in memory).
    /// Whoever writes through it holds [`Store::writer`] meanwhile: that keeps one writer at a time in
    /// the process, as the pool of one does for everything else.
    pub(crate) fn direct_writer(&self) -> Option<Result<direct::Direct, StoreError>> {
        self.sqlite_file.as_deref().map(direct::Direct::open)
    }

    /// A connection for reads.
    pub async fn reader(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.read.acquire().await?)
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

//! A SQLite connection driven on the calling thread through rusqlite (the same bundled libsqlite3-sys as
//! sqlx), for the HL7 v2 group-commit writer.
//!
//! Why by hand beside sqlx: sqlx runs every SQLite connection on a worker thread of its own, so each
//! statement (and each row it returns) is a hand-off between two threads. On the HL7 v2 group commit that
//! cost more than SQLite's own work: at ~2,500 msg/s sqlx's worker thread spent half its time in the
//! kernel, with about ten context switches per message on each side. The writer already has a thread of
//! its own, so it drives SQLite there directly.

use std::future::{ready, Future};
use std::path::Path;

use super::sql::{Begin, Cell, Commit, Exec, Kind, Param, Statement};
use super::{StoreError, SQLITE_PRAGMAS, WRITER_CACHE};

/// Prepared statements a [`Direct`] connection keeps (the group commit's SQL varies with its number of
/// rows).
const STATEMENT_CACHE: usize = 256;

/// A SQLite connection driven on the calling thread (see the module), set up with the same pragmas as
/// the store's write connection (`synchronous = FULL`: ACK after a durable commit).
pub(crate) struct Direct {
    conn: rusqlite::Connection,
}

impl Direct {
    /// Opens the store's existing database file (never creates one: a path that names another file
    /// than sqlx opened fails here, and the writer falls back to the pool) and checks that it holds the
    /// HL7 v2 tables.
    pub fn open(path: &Path) -> Result<Direct, StoreError> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(path, flags)?;
        for pragma in SQLITE_PRAGMAS.into_iter().chain([WRITER_CACHE]) {
            conn.execute_batch(pragma)?;
        }
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('hl7v2_messages', 'resources', 'audit_log')",
            [],
            |row| row.get(0),
        )?;
        if tables != 3 {
            return Err(StoreError::Unavailable(
                "the database file holds no store tables".into(),
            ));
        }
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Direct { conn })
    }

    fn run(&mut self, statement: &Statement<'_>) -> Result<u64, StoreError> {
        let mut prepared = self.conn.prepare_cached(&statement.sql)?;
        let changed = prepared.execute(rusqlite::params_from_iter(statement.params.iter()))?;
        Ok(changed as u64)
    }

    fn query(
        &mut self,
        statement: &Statement<'_>,
        columns: &[Kind],
    ) -> Result<Vec<Vec<Cell>>, StoreError> {
        let mut prepared = self.conn.prepare_cached(&statement.sql)?;
        let mut rows = prepared.query(rusqlite::params_from_iter(statement.params.iter()))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut cells = Vec::with_capacity(columns.len());
            for (i, kind) in columns.iter().enumerate() {
                let cell = match kind {
                    Kind::Int => row.get::<_, Option<i64>>(i)?.map(Cell::Int),
                    Kind::Text => row.get::<_, Option<String>>(i)?.map(Cell::Text),
                };
                cells.push(cell.unwrap_or(Cell::Null));
            }
            out.push(cells);
        }
        Ok(out)
    }
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Text(Some(text)) => ValueRef::Text(text.as_bytes()),
            Param::Int(Some(n)) => ValueRef::Integer(n),
            Param::Blob(bytes) => ValueRef::Blob(bytes),
            Param::Text(None) | Param::Int(None) => ValueRef::Null,
        }))
    }
}

impl Exec for Direct {
    fn is_sqlite(&self) -> bool {
        true
    }

    fn execute<'s>(
        &'s mut self,
        statement: Statement<'s>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send + 's {
        ready(self.run(&statement))
    }

    fn fetch<'s>(
        &'s mut self,
        statement: Statement<'s>,
        columns: &'s [Kind],
    ) -> impl Future<Output = Result<Vec<Vec<Cell>>, StoreError>> + Send + 's {
        ready(self.query(&statement, columns))
    }
}

/// A transaction on a [`Direct`] connection (`BEGIN IMMEDIATE`: the write lock is taken at once, so a
/// concurrent writer waits in `busy_timeout` instead of failing at the first write).
pub(crate) struct DirectTx<'c> {
    direct: &'c mut Direct,
    open: bool,
}

impl Begin for Direct {
    type Tx<'c> = DirectTx<'c>;

    fn begin(&mut self) -> impl Future<Output = Result<Self::Tx<'_>, StoreError>> + Send {
        let begun = self
            .conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(StoreError::from)
            .map(|()| DirectTx {
                direct: self,
                open: true,
            });
        ready(begun)
    }
}

impl Commit for DirectTx<'_> {
    fn commit(mut self) -> impl Future<Output = Result<(), StoreError>> + Send {
        let committed = self.direct.conn.execute_batch("COMMIT");
        // A failed COMMIT leaves the transaction open: the drop rolls it back.
        self.open = committed.is_err();
        ready(committed.map_err(StoreError::from))
    }
}

impl Drop for DirectTx<'_> {
    fn drop(&mut self) {
        if self.open {
            if let Err(error) = self.direct.conn.execute_batch("ROLLBACK") {
                tracing::warn!(%error, "Rolling back an HL7 v2 write transaction failed.");
            }
        }
    }
}

impl Exec for DirectTx<'_> {
    fn is_sqlite(&self) -> bool {
        true
    }

    fn execute<'s>(
        &'s mut self,
        statement: Statement<'s>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send + 's {
        self.direct.execute(statement)
    }

    fn fetch<'s>(
        &'s mut self,
        statement: Statement<'s>,
        columns: &'s [Kind],
    ) -> impl Future<Output = Result<Vec<Vec<Cell>>, StoreError>> + Send + 's {
        self.direct.fetch(statement, columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::AnyConnection;

    /// The same statements give the same answers through sqlx and through the direct connection.
    #[tokio::test]
    async fn direct_and_sqlx_agree() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        // Never a new file, nor a database without the store's tables.
        assert!(Direct::open(&path).is_err());
        rusqlite::Connection::open(&path).unwrap();
        assert!(Direct::open(&path).is_err());
        let store = crate::store::Store::open(&format!("sqlite://{}", path.display()), 2)
            .await
            .unwrap();
        let mut direct = store.direct_writer().unwrap().unwrap();
        direct
            .execute(Statement::new(
                "CREATE TABLE t (name TEXT, n INTEGER, raw BLOB)",
            ))
            .await
            .unwrap();
        let raw: &[u8] = b"MSH|^~\\&";
        let insert = Statement::new("INSERT INTO t VALUES (?, ?, ?), (?, ?, ?)")
            .bind("a")
            .bind(1i64)
            .bind(raw)
            .bind(None::<&str>)
            .bind(None::<i64>)
            .bind(raw);
        assert_eq!(direct.execute(insert).await.unwrap(), 2);
        let select = || Statement::new("SELECT name, n FROM t ORDER BY n DESC");
        let kinds = [Kind::Text, Kind::Int];
        let direct_rows = direct.fetch(select(), &kinds).await.unwrap();
        assert_eq!(
            direct_rows,
            vec![
                vec![Cell::Text("a".into()), Cell::Int(1)],
                vec![Cell::Null, Cell::Null]
            ]
        );
        sqlx::any::install_default_drivers();
        let url = format!("sqlite://{}", path.display());
        let mut any = <AnyConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        assert!(any.is_sqlite());
        assert_eq!(any.fetch(select(), &kinds).await.unwrap(), direct_rows);
        let unique = direct
            .execute(Statement::new("CREATE UNIQUE INDEX t_name ON t (name)"))
            .await;
        assert!(unique.is_ok());
        let again = direct
            .execute(Statement::new("INSERT INTO t (name) VALUES (?)").bind("a"))
            .await
            .unwrap_err();
        assert!(again.is_unique_violation(), "{again}");
        // A transaction dropped without its commit leaves nothing; a committed one is seen by sqlx.
        let count = || Statement::new("SELECT count(*) FROM t");
        {
            let mut tx = direct.begin().await.unwrap();
            let insert = Statement::new("INSERT INTO t (name) VALUES (?)").bind("b");
            tx.execute(insert).await.unwrap();
        }
        assert_eq!(
            any.fetch(count(), &[Kind::Int]).await.unwrap(),
            vec![vec![Cell::Int(2)]]
        );
        let mut tx = direct.begin().await.unwrap();
        let insert = Statement::new("INSERT INTO t (name) VALUES (?)").bind("c");
        tx.execute(insert).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            any.fetch(count(), &[Kind::Int]).await.unwrap(),
            vec![vec![Cell::Int(3)]]
        );
    }
}

//! Statements that run on either kind of write connection: sqlx's `AnyConnection` (PostgreSQL, and SQLite
//! through sqlx's worker thread) or `direct::Direct`, a SQLite connection driven on the calling thread.
//! The SQL of the writes they share (the HL7 v2 group commit, index rows, audit rows) is written once,
//! over [`Exec`] and [`Begin`].

use std::future::Future;

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::StoreError;

/// One bound value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
    Blob(&'a [u8]),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(value: &'a str) -> Self {
        Param::Text(Some(value))
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Param::Text(value)
    }
}

impl From<i64> for Param<'_> {
    fn from(value: i64) -> Self {
        Param::Int(Some(value))
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(value: Option<i64>) -> Self {
        Param::Int(value)
    }
}

impl<'a> From<&'a [u8]> for Param<'a> {
    fn from(value: &'a [u8]) -> Self {
        Param::Blob(value)
    }
}

/// SQL (with `$n` placeholders on PostgreSQL, `?` or `$n` on SQLite) and its values in order.
#[derive(Debug, Clone)]
pub(crate) struct Statement<'a> {
    pub sql: String,
    pub params: Vec<Param<'a>>,
}

impl<'a> Statement<'a> {
    pub fn new(sql: impl Into<String>) -> Self {
        Statement {
            sql: sql.into(),
            params: Vec::new(),
        }
    }

    pub fn bind(mut self, value: impl Into<Param<'a>>) -> Self {
        self.params.push(value.into());
        self
    }
}

/// What a column is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
}

/// One value read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Text(String),
}

impl Cell {
    pub fn int(&self) -> Option<i64> {
        match self {
            Cell::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub fn into_text(self) -> Option<String> {
        match self {
            Cell::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The text of a column that is never NULL.
    pub fn text(self) -> Result<String, StoreError> {
        self.into_text()
            .ok_or_else(|| StoreError::Corrupt("a text column is empty".into()))
    }

    /// The number of a column that is never NULL.
    pub fn number(&self) -> Result<i64, StoreError> {
        self.int()
            .ok_or_else(|| StoreError::Corrupt("a number column is empty".into()))
    }
}

/// A row of exactly `N` cells (the query's columns).
pub(crate) fn cells<const N: usize>(row: Vec<Cell>) -> Result<[Cell; N], StoreError> {
    row.try_into()
        .map_err(|_| StoreError::Corrupt("a row with other columns than asked for".into()))
}

/// A connection that runs [`Statement`]s.
pub(crate) trait Exec: Send {
    /// Whether the database is SQLite (placeholders, locking clauses).
    fn is_sqlite(&self) -> bool;

    /// Runs a statement; the number of rows it changed.
    fn execute<'s>(
        &'s mut self,
        statement: Statement<'s>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send + 's;

    /// Runs a query; its rows, each column read as `columns` says.
    fn fetch<'s>(
        &'s mut self,
        statement: Statement<'s>,
        columns: &'s [Kind],
    ) -> impl Future<Output = Result<Vec<Vec<Cell>>, StoreError>> + Send + 's;
}

fn any_query(
    statement: Statement<'_>,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
    let mut query = sqlx::query(AssertSqlSafe(statement.sql));
    for param in statement.params {
        query = match param {
            Param::Text(text) => query.bind(text),
            Param::Int(n) => query.bind(n),
            Param::Blob(bytes) => query.bind(bytes),
        };
    }
    query
}

impl Exec for AnyConnection {
    fn is_sqlite(&self) -> bool {
        self.backend_name().eq_ignore_ascii_case("sqlite")
    }

    async fn execute<'s>(&'s mut self, statement: Statement<'s>) -> Result<u64, StoreError> {
        let done = any_query(statement).execute(&mut *self).await?;
        Ok(done.rows_affected())
    }

    async fn fetch<'s>(
        &'s mut self,
        statement: Statement<'s>,
        columns: &'s [Kind],
    ) -> Result<Vec<Vec<Cell>>, StoreError> {
        let rows = any_query(statement).fetch_all(&mut *self).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut cells = Vec::with_capacity(columns.len());
            for (i, kind) in columns.iter().enumerate() {
                let cell = match kind {
                    Kind::Int => row.try_get::<Option<i64>, _>(i)?.map(Cell::Int),
                    Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Cell::Text),
                };
                cells.push(cell.unwrap_or(Cell::Null));
            }
            out.push(cells);
        }
        Ok(out)
    }
}

/// A connection that opens transactions.
pub(crate) trait Begin: Send {
    /// An open transaction: rolled back when dropped without [`Commit::commit`].
    type Tx<'c>: Exec + Commit
    where
        Self: 'c;

    fn begin(&mut self) -> impl Future<Output = Result<Self::Tx<'_>, StoreError>> + Send;
}

/// Ends a transaction.
pub(crate) trait Commit {
    fn commit(self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl Begin for AnyConnection {
    type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

    async fn begin(&mut self) -> Result<Self::Tx<'_>, StoreError> {
        Ok(sqlx::Connection::begin(self).await?)
    }
}

impl Commit for sqlx::Transaction<'_, sqlx::Any> {
    async fn commit(self) -> Result<(), StoreError> {
        Ok(sqlx::Transaction::commit(self).await?)
    }
}

impl Exec for sqlx::Transaction<'_, sqlx::Any> {
    fn is_sqlite(&self) -> bool {
        (**self).is_sqlite()
    }

    fn execute<'s>(
        &'s mut self,
        statement: Statement<'s>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send + 's {
        let conn: &'s mut AnyConnection = self;
        conn.execute(statement)
    }

    fn fetch<'s>(
        &'s mut self,
        statement: Statement<'s>,
        columns: &'s [Kind],
    ) -> impl Future<Output = Result<Vec<Vec<Cell>>, StoreError>> + Send + 's {
        let conn: &'s mut AnyConnection = self;
        conn.fetch(statement, columns)
    }
}

//! Reading and writing resource versions and their search-index rows. Writes take an open transaction so
//! that a whole request (or transaction Bundle) commits or rolls back as one.

use kakehashi_mappings::fhir::search::IndexValue;
// Dynamic SQL here only splices constant column and table names; values are always bound.
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::store::sql::{Exec, Statement};
use crate::store::StoreError;

/// One stored version of a resource; `content` is `None` for a deletion.
#[derive(Debug, Clone)]
pub struct StoredVersion {
    pub resource_type: String,
    pub id: String,
    pub version_id: i64,
    pub last_updated_ms: i64,
    pub method: String,
    pub content: Option<String>,
}

/// The head of a resource: its newest version and whether it is deleted.
#[derive(Debug, Clone, Copy)]
pub struct Head {
    pub version_id: i64,
    pub deleted: bool,
}

/// What a write stores.
pub struct NewVersion<'a> {
    pub resource_type: &'a str,
    pub id: &'a str,
    pub version_id: i64,
    pub last_updated_ms: i64,
    pub method: &'a str,
    pub content: Option<&'a str>,
    pub index: &'a [(String, IndexValue)],
}

pub async fn head(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: &str,
) -> Result<Option<Head>, StoreError> {
    let row = sqlx::query(
        "SELECT version_id, deleted FROM resources WHERE resource_type = $1 AND id = $2",
    )
    .bind(resource_type)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| Head {
        version_id: r.get(0),
        deleted: r.get::<i64, _>(1) != 0,
    }))
}

const VERSION_COLUMNS: &str = "resource_type, id, version_id, last_updated_ms, method, content";

fn version_from_row(row: &sqlx::any::AnyRow) -> StoredVersion {
    StoredVersion {
        resource_type: row.get(0),
        id: row.get(1),
        version_id: row.get(2),
        last_updated_ms: row.get(3),
        method: row.get(4),
        content: row.get(5),
    }
}

/// The current version, deleted or not.
pub async fn current(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: &str,
) -> Result<Option<StoredVersion>, StoreError> {
    const SQL: &str = "SELECT v.resource_type, v.id, v.version_id, v.last_updated_ms, v.method, v.content FROM resources r \
         JOIN resource_versions v ON v.resource_type = r.resource_type AND v.id = r.id AND v.version_id = r.version_id \
         WHERE r.resource_type = $1 AND r.id = $2";
    let row = sqlx::query(SQL)
        .bind(resource_type)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.as_ref().map(version_from_row))
}

pub async fn version(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: &str,
    version_id: i64,
) -> Result<Option<StoredVersion>, StoreError> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM resource_versions WHERE resource_type = $1 AND id = $2 AND version_id = $3");
    let row = sqlx::query(AssertSqlSafe(sql.as_str()))
        .bind(resource_type)
        .bind(id)
        .bind(version_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.as_ref().map(version_from_row))
}

/// Every version of one resource (newest first), or of a whole type when `id` is `None`, at most `limit`.
pub async fn history(
    conn: &mut AnyConnection,
    resource_type: &str,
    id: Option<&str>,
    limit: i64,
) -> Result<Vec<StoredVersion>, StoreError> {
    let rows = match id {
        Some(id) => {
            let sql = format!("SELECT {VERSION_COLUMNS} FROM resource_versions WHERE resource_type = $1 AND id = $2 ORDER BY version_id DESC LIMIT $3");
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(resource_type)
                .bind(id)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        }
        None => {
            let sql = format!("SELECT {VERSION_COLUMNS} FROM resource_versions WHERE resource_type = $1 ORDER BY last_updated_ms DESC, id, version_id DESC LIMIT $2");
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(resource_type)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    Ok(rows.iter().map(version_from_row).collect())
}

/// Writes a new version, moves the head to it and replaces the resource's search-index rows.
pub async fn write_version(
    conn: &mut AnyConnection,
    new: &NewVersion<'_>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO resource_versions (resource_type, id, version_id, last_updated_ms, method, content) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new.resource_type)
        .bind(new.id)
        .bind(new.version_id)
        .bind(new.last_updated_ms)
        .bind(new.method)
        .bind(new.content)
        .execute(&mut *conn)
        .await?;
    let deleted: i64 = if new.content.is_none() { 1 } else { 0 };
    if new.version_id == 1 {
        sqlx::query("INSERT INTO resources (resource_type, id, version_id, last_updated_ms, deleted) VALUES ($1, $2, $3, $4, $5)")
            .bind(new.resource_type)
            .bind(new.id)
            .bind(new.version_id)
            .bind(new.last_updated_ms)
            .bind(deleted)
            .execute(&mut *conn)
            .await?;
    } else {
        // The version check makes a concurrent writer that read the same head fail instead of overwriting.
        let done = sqlx::query("UPDATE resources SET version_id = $1, last_updated_ms = $2, deleted = $3 WHERE resource_type = $4 AND id = $5 AND version_id = $6")
            .bind(new.version_id)
            .bind(new.last_updated_ms)
            .bind(deleted)
            .bind(new.resource_type)
            .bind(new.id)
            .bind(new.version_id - 1)
            .execute(&mut *conn)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Corrupt(format!(
                "{}/{} changed while it was being written",
                new.resource_type, new.id
            )));
        }
    }
    // A brand-new resource has no index rows; skipping the deletes saves three round trips per create.
    let tables: &[&str] = if new.version_id == 1 {
        &[]
    } else {
        &["search_tokens", "search_references", "search_dates"]
    };
    for table in tables {
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE resource_type = $1 AND id = $2"
        )))
        .bind(new.resource_type)
        .bind(new.id)
        .execute(&mut *conn)
        .await?;
    }
    write_index(conn, new).await?;
    Ok(())
}

/// Index rows in one statement per table and chunk (each statement is a round trip to sqlx's SQLite
/// worker thread; a Patient has a dozen or more rows).
async fn write_index(conn: &mut AnyConnection, new: &NewVersion<'_>) -> Result<(), StoreError> {
    let rows: Vec<IndexRow> = new
        .index
        .iter()
        .map(|(param, value)| (new.resource_type, new.id, param.as_str(), value))
        .collect();
    insert_index_rows(conn, &rows).await
}

/// One search-index row: resource type, id, parameter and value.
pub(crate) type IndexRow<'a> = (&'a str, &'a str, &'a str, &'a IndexValue);

/// Inserts index rows of any number of resources, one multi-row INSERT per table and chunk (the single
/// writes above and the HL7 v2 group commit share it).
pub(crate) async fn insert_index_rows<E: Exec>(
    conn: &mut E,
    rows: &[IndexRow<'_>],
) -> Result<(), StoreError> {
    let (mut tokens, mut references, mut dates) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        match row.3 {
            IndexValue::Token { .. } => tokens.push(*row),
            IndexValue::Reference { .. } => references.push(*row),
            IndexValue::Date(_) => dates.push(*row),
        }
    }
    let tables = [
        (
            "search_tokens (resource_type, id, param, system, code)",
            tokens,
        ),
        (
            "search_references (resource_type, id, param, target_type, target_id)",
            references,
        ),
        (
            "search_dates (resource_type, id, param, low_ms, high_ms)",
            dates,
        ),
    ];
    for (table, entries) in &tables {
        insert_rows(conn, table, 5, entries, |statement, row| {
            let (resource_type, id, param, value) = row;
            let statement = statement.bind(*resource_type).bind(*id).bind(*param);
            match value {
                IndexValue::Token { system, code } => {
                    statement.bind(system.as_deref()).bind(code.as_str())
                }
                IndexValue::Reference { resource_type, id } => {
                    statement.bind(resource_type.as_str()).bind(id.as_str())
                }
                IndexValue::Date(range) => statement.bind(range.low).bind(range.high),
            }
        })
        .await?;
    }
    Ok(())
}

/// `INSERT INTO {into} VALUES (…), (…)` for `rows` of `columns` values, one statement per 400 rows (at
/// most 11 values a row stays far below SQLite's 32766 bound parameters); `bind` binds one row's values
/// in column order. The multi-row insert of every table the single writes and the HL7 v2 group commit
/// fill.
pub(crate) async fn insert_rows<'r, T, E: Exec>(
    conn: &mut E,
    into: &str,
    columns: usize,
    rows: &'r [T],
    bind: impl Fn(Statement<'r>, &'r T) -> Statement<'r>,
) -> Result<(), StoreError> {
    const CHUNK: usize = 400;
    let sqlite = conn.is_sqlite();
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO {into} VALUES {}",
            placeholders(chunk.len(), columns, sqlite)
        );
        let mut statement = Statement::new(sql);
        statement.params.reserve(chunk.len() * columns);
        let statement = chunk.iter().fold(statement, &bind);
        conn.execute(statement).await?;
    }
    Ok(())
}

/// `(…), (…)` for `rows` tuples of `columns` placeholders: `?` on SQLite (sqlx resolves numbered ones
/// there at a cost growing with their square, see audit/writer.rs), `$n` on PostgreSQL.
pub(crate) fn placeholders(rows: usize, columns: usize, sqlite: bool) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            if sqlite {
                sql.push('?');
            } else {
                n += 1;
                sql.push('$');
                sql.push_str(&n.to_string());
            }
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_by_backend() {
        assert_eq!(
            placeholders(2, 5, false),
            "($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10)"
        );
        assert_eq!(placeholders(1, 5, true), "(?, ?, ?, ?, ?)");
        assert_eq!(placeholders(2, 2, false), "($1, $2), ($3, $4)");
        assert_eq!(placeholders(1, 3, true), "(?, ?, ?)");
    }
}

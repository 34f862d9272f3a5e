//! Turning a parsed search (`kakehashi_mappings::fhir::search::SearchQuery`) into SQL with bound
//! parameters only; no value from a request is ever spliced into the SQL text.

use kakehashi_mappings::fhir::search::{Condition, DatePrefix, DateRange};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::store::StoreError;

enum Arg {
    Text(String),
    Int(i64),
}

/// SQL text with `$n` placeholders and the values bound to them, in order.
#[derive(Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn text(&mut self, value: &str) -> String {
        self.args.push(Arg::Text(value.to_string()));
        format!("${}", self.args.len())
    }

    fn int(&mut self, value: i64) -> String {
        self.args.push(Arg::Int(value));
        format!("${}", self.args.len())
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
        let mut query = sqlx::query(AssertSqlSafe(self.text.as_str()));
        for arg in &self.args {
            query = match arg {
                Arg::Text(s) => query.bind(s.as_str()),
                Arg::Int(i) => query.bind(*i),
            };
        }
        query
    }
}

/// One page of matches: the total and the current content of each match.
pub struct Page {
    pub total: i64,
    pub matches: Vec<(String, String)>,
}

/// Counts and fetches the matches of `conditions` on `resource_type`, ordered by last update then id.
/// `limit = 0` only counts.
pub async fn search(
    conn: &mut AnyConnection,
    resource_type: &str,
    conditions: &[Condition],
    limit: i64,
    offset: i64,
) -> Result<Page, StoreError> {
    let mut filter = Sql::default();
    let ty = filter.text(resource_type);
    filter.push(&format!("r.resource_type = {ty} AND r.deleted = 0"));
    for condition in conditions {
        filter.push(" AND ");
        condition_sql(&mut filter, resource_type, condition);
    }
    let mut count = Sql {
        text: format!("SELECT COUNT(*) FROM resources r WHERE {}", filter.text),
        args: Vec::new(),
    };
    count.args = std::mem::take(&mut filter.args);
    let total: i64 = count.query().fetch_one(&mut *conn).await?.get(0);
    let mut matches = Vec::new();
    if limit > 0 && total > offset {
        let mut page = Sql {
            text: format!(
                "SELECT r.id, v.content FROM resources r JOIN resource_versions v \
                 ON v.resource_type = r.resource_type AND v.id = r.id AND v.version_id = r.version_id WHERE {}",
                filter.text
            ),
            args: count.args,
        };
        let (l, o) = (page.int(limit), page.int(offset));
        // With conditions, the matches are few: let SQLite start from them (unary plus stops it from
        // walking the whole type in last-updated order instead); PostgreSQL reads `+x` as `x`.
        let order = if conditions.is_empty() {
            "r.last_updated_ms"
        } else {
            "+r.last_updated_ms"
        };
        page.push(&format!(" ORDER BY {order}, r.id LIMIT {l} OFFSET {o}"));
        for row in page.query().fetch_all(&mut *conn).await? {
            let content: Option<String> = row.get(1);
            matches.push((
                row.get(0),
                content
                    .ok_or_else(|| StoreError::Corrupt("live resource without content".into()))?,
            ));
        }
    }
    Ok(Page { total, matches })
}

/// The current content of the resources that `ids` (of `resource_type`) refer to through `param`.
pub async fn referenced(
    conn: &mut AnyConnection,
    resource_type: &str,
    ids: &[String],
    param: &str,
) -> Result<Vec<(String, String, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::default();
    let (ty, p) = (sql.text(resource_type), sql.text(param));
    let list: Vec<String> = ids.iter().map(|id| sql.text(id)).collect();
    sql.push(&format!(
        "SELECT DISTINCT v.resource_type, v.id, v.content FROM search_references s \
         JOIN resources r ON r.resource_type = s.target_type AND r.id = s.target_id AND r.deleted = 0 \
         JOIN resource_versions v ON v.resource_type = r.resource_type AND v.id = r.id AND v.version_id = r.version_id \
         WHERE s.resource_type = {ty} AND s.param = {p} AND s.id IN ({}) ORDER BY v.resource_type, v.id",
        list.join(", ")
    ));
    let rows = sql.query().fetch_all(&mut *conn).await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((r.get(0), r.get(1), r.get::<Option<String>, _>(2)?)))
        .collect())
}

fn condition_sql(sql: &mut Sql, resource_type: &str, condition: &Condition) {
    let exists = |sql: &mut Sql, table: &str, param: &str| {
        let (t, p) = (sql.text(resource_type), sql.text(param));
        // A non-correlated IN (…) is computed once as a set; a correlated EXISTS re-ran the index lookup
        // for every candidate row (quadratic on common values, measured 1.4 s for 6,000 matches).
        format!("r.id IN (SELECT x.id FROM {table} x WHERE x.resource_type = {t} AND x.param = {p} AND (")
    };
    match condition {
        Condition::Id(ids) => {
            let list: Vec<String> = ids.iter().map(|id| sql.text(id)).collect();
            let list = if list.is_empty() {
                "NULL".to_string()
            } else {
                list.join(", ")
            };
            sql.push(&format!("r.id IN ({list})"));
        }
        Condition::LastUpdated(any_of) => {
            let alternatives: Vec<String> = any_of
                .iter()
                .map(|(prefix, range)| {
                    date_sql(
                        sql,
                        "r.last_updated_ms",
                        "r.last_updated_ms",
                        *prefix,
                        *range,
                    )
                })
                .collect();
            sql.push(&format!("({})", alternatives.join(" OR ")));
        }
        Condition::Token { param, any_of } => {
            let head = exists(sql, "search_tokens", param);
            let alternatives: Vec<String> = any_of
                .iter()
                .map(|m| {
                    let mut parts = Vec::new();
                    if let Some(code) = &m.code {
                        parts.push(format!("x.code = {}", sql.text(code)));
                    }
                    match &m.system {
                        None => {}
                        Some(None) => parts.push("x.system IS NULL".into()),
                        Some(Some(system)) => {
                            parts.push(format!("x.system = {}", sql.text(system)))
                        }
                    }
                    if parts.is_empty() {
                        "1 = 1".to_string()
                    } else {
                        format!("({})", parts.join(" AND "))
                    }
                })
                .collect();
            sql.push(&format!("{head}{}))", alternatives.join(" OR ")));
        }
        Condition::Reference { param, any_of } => {
            let head = exists(sql, "search_references", param);
            let alternatives: Vec<String> = any_of
                .iter()
                .map(|m| {
                    let id = sql.text(&m.id);
                    match &m.resource_type {
                        Some(t) => {
                            format!("(x.target_id = {id} AND x.target_type = {})", sql.text(t))
                        }
                        None => format!("x.target_id = {id}"),
                    }
                })
                .collect();
            sql.push(&format!("{head}{}))", alternatives.join(" OR ")));
        }
        Condition::Date { param, any_of } => {
            let head = exists(sql, "search_dates", param);
            let alternatives: Vec<String> = any_of
                .iter()
                .map(|(prefix, range)| date_sql(sql, "x.low_ms", "x.high_ms", *prefix, *range))
                .collect();
            sql.push(&format!("{head}{}))", alternatives.join(" OR ")));
        }
    }
}

/// R4 search §3.1.1.4.6: the stored range [low, high] against the searched range [sl, sh].
fn date_sql(sql: &mut Sql, low: &str, high: &str, prefix: DatePrefix, range: DateRange) -> String {
    let (sl, sh) = (sql.int(range.low), sql.int(range.high));
    let within = format!("({low} >= {sl} AND {high} <= {sh})");
    match prefix {
        DatePrefix::Eq => within,
        DatePrefix::Ne => format!("NOT {within}"),
        DatePrefix::Gt => format!("{high} > {sh}"),
        DatePrefix::Lt => format!("{low} < {sl}"),
        DatePrefix::Ge => format!("({high} > {sh} OR {within})"),
        DatePrefix::Le => format!("({low} < {sl} OR {within})"),
    }
}

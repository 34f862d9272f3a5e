//! The audit log end to end on SQLite and PostgreSQL: concurrent records form one gap-free chain; edited,
//! deleted, reordered and truncated rows are named by `verify_chain` (tampering drops the append-only
//! triggers first, as an attacker with database access would); the triggers refuse UPDATE and DELETE; a
//! closed store makes `record` fail; the admin listener serves the rows as FHIR AuditEvents.

use futures::future::join_all;
use kakehashi::audit::{verify_chain, AuditError, AuditLog, AuditRecord, Outcome, Who, WhoKind};
use kakehashi::store::Store;
use sqlx::{AnyConnection, Connection as _, Row as _};

use crate::helpers::TestApp;
use crate::on_both_databases;

on_both_databases!(
    concurrent_records_form_one_intact_chain,
    an_edited_row_is_named,
    a_deleted_row_is_named,
    reordered_rows_are_named,
    a_deleted_tail_is_detected,
    the_table_is_append_only,
    a_closed_store_fails_the_record,
    admin_serves_audit_events,
    many_concurrent_callers_make_one_intact_chain,
    two_writers_on_one_database_share_the_chain,
    the_database_refuses_a_row_that_breaks_the_chain,
);

fn record(i: usize) -> AuditRecord {
    let refused = i.is_multiple_of(5);
    AuditRecord {
        recorded_ms: 1_764_000_000_000 + i as i64,
        zone: "consultation".into(),
        channel: "fhir-rest".into(),
        action: "read".into(),
        resource_type: Some("Patient".into()),
        target: Some(format!("Patient/p{i}")),
        who: Who {
            kind: WhoKind::Doctor,
            name: format!("CN=Test Doctor {i},O=Test Clinic,C=JP"),
            serial: Some(format!("{i:04x}")),
            issuer: Some("CN=Test HPKI CA,C=JP".into()),
            roles: vec!["Medical Doctor".into()],
        },
        outcome: if refused {
            Outcome::Refused
        } else {
            Outcome::Allowed
        },
        status: Some(if refused { 403 } else { 200 }),
        reason: refused.then(|| "policy-denied".to_string()),
        source: Some("127.0.0.1:40000".into()),
    }
}

/// A second store on the gateway's database, with `n` records written through an `AuditLog`
/// concurrently. Returns the store and the number of rows in the table afterwards.
async fn with_records(app: &TestApp, n: usize) -> (Store, i64) {
    let store = Store::open(&app.database_url, 4)
        .await
        .expect("the store opens");
    let log = AuditLog::start(store.clone());
    let results = join_all((0..n).map(|i| log.record(record(i)))).await;
    for r in results {
        r.expect("the record is committed");
    }
    log.shutdown().await;
    let rows = count_rows(app).await;
    (store, rows)
}

async fn connect(app: &TestApp) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(&app.database_url)
        .await
        .expect("a direct connection to the test database")
}

async fn count_rows(app: &TestApp) -> i64 {
    let mut conn = connect(app).await;
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&mut conn)
        .await
        .expect("count")
        .get(0);
    let _ = conn.close().await;
    n
}

/// Drops an append-only trigger, as someone with database access could.
async fn drop_trigger(conn: &mut AnyConnection, app: &TestApp, name: &str) {
    let sql = if app.database_url.starts_with("sqlite:") {
        format!("DROP TRIGGER {name}")
    } else {
        format!("DROP TRIGGER {name} ON audit_log")
    };
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .expect("the trigger is dropped");
}

async fn concurrent_records_form_one_intact_chain(app: &TestApp) {
    let (store, rows) = with_records(app, 50).await;
    assert!(rows >= 50, "{rows} rows");
    let report = verify_chain(&store).await.expect("verify");
    assert!(report.intact, "{report:?}");
    assert_eq!(report.rows, rows as u64);
    assert_eq!(report.first_broken, None);

    let mut conn = connect(app).await;
    let seqs: Vec<i64> = sqlx::query("SELECT seq FROM audit_log ORDER BY seq")
        .fetch_all(&mut conn)
        .await
        .expect("seqs")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(seqs, (1..=rows).collect::<Vec<_>>(), "seq has no gaps");
    let first: String = sqlx::query("SELECT prev_hash FROM audit_log WHERE seq = $1")
        .bind(1_i64)
        .fetch_one(&mut conn)
        .await
        .expect("row 1")
        .get(0);
    assert_eq!(first, "0".repeat(64));
    // Every one of our records is there exactly once.
    for i in 0..50 {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE who_name = $1")
            .bind(format!("CN=Test Doctor {i},O=Test Clinic,C=JP"))
            .fetch_one(&mut conn)
            .await
            .expect("count")
            .get(0);
        assert_eq!(n, 1, "record {i}");
    }
    let head: i64 = sqlx::query("SELECT seq FROM audit_head WHERE id = $1")
        .bind(1_i64)
        .fetch_one(&mut conn)
        .await
        .expect("head")
        .get(0);
    assert_eq!(head, rows);
    store.close().await;
}

async fn an_edited_row_is_named(app: &TestApp) {
    let (store, _) = with_records(app, 20).await;
    let mut conn = connect(app).await;
    drop_trigger(&mut conn, app, "audit_log_no_update").await;

    sqlx::query("UPDATE audit_log SET outcome = $1 WHERE seq = $2")
        .bind("allowed")
        .bind(15_i64)
        .execute(&mut conn)
        .await
        .expect("update");
    // Row 15 may have been allowed already; make sure its content changed.
    sqlx::query("UPDATE audit_log SET status = $1 WHERE seq = $2")
        .bind(299_i64)
        .bind(15_i64)
        .execute(&mut conn)
        .await
        .expect("update");
    let report = verify_chain(&store).await.expect("verify");
    assert!(!report.intact);
    assert_eq!(report.first_broken, Some(15), "{report:?}");
    assert_eq!(report.problem.as_deref(), Some("row 15 was edited"));
    assert_eq!(report.rows, 14);

    sqlx::query("UPDATE audit_log SET who_name = $1 WHERE seq = $2")
        .bind("CN=Someone Else")
        .bind(7_i64)
        .execute(&mut conn)
        .await
        .expect("update");
    let report = verify_chain(&store).await.expect("verify");
    assert_eq!(
        report.first_broken,
        Some(7),
        "the first broken row: {report:?}"
    );
    assert_eq!(report.problem.as_deref(), Some("row 7 was edited"));
    store.close().await;
}

async fn a_deleted_row_is_named(app: &TestApp) {
    let (store, _) = with_records(app, 20).await;
    let mut conn = connect(app).await;
    drop_trigger(&mut conn, app, "audit_log_no_delete").await;
    sqlx::query("DELETE FROM audit_log WHERE seq = $1")
        .bind(9_i64)
        .execute(&mut conn)
        .await
        .expect("delete");
    let report = verify_chain(&store).await.expect("verify");
    assert_eq!(report.first_broken, Some(9), "{report:?}");
    assert_eq!(
        report.problem.as_deref(),
        Some("row 9 is missing (deleted)")
    );
    assert_eq!(report.rows, 8);
    store.close().await;
}

async fn reordered_rows_are_named(app: &TestApp) {
    let (store, _) = with_records(app, 20).await;
    let mut conn = connect(app).await;
    drop_trigger(&mut conn, app, "audit_log_no_update").await;
    // Swap rows 4 and 6: every column but seq trades places.
    for (from, to) in [(4_i64, -4_i64), (6, 4), (-4, 6)] {
        sqlx::query("UPDATE audit_log SET seq = $1 WHERE seq = $2")
            .bind(to)
            .bind(from)
            .execute(&mut conn)
            .await
            .expect("renumber");
    }
    let report = verify_chain(&store).await.expect("verify");
    assert_eq!(report.first_broken, Some(4), "{report:?}");
    assert_eq!(report.problem.as_deref(), Some("row 4 is out of order"));
    store.close().await;
}

async fn a_deleted_tail_is_detected(app: &TestApp) {
    let (store, rows) = with_records(app, 20).await;
    let mut conn = connect(app).await;
    drop_trigger(&mut conn, app, "audit_log_no_delete").await;
    sqlx::query("DELETE FROM audit_log WHERE seq > $1")
        .bind(rows - 3)
        .execute(&mut conn)
        .await
        .expect("delete");
    let report = verify_chain(&store).await.expect("verify");
    assert!(!report.intact);
    assert_eq!(report.first_broken, Some(rows - 2), "{report:?}");
    // Rows the gateway writes meanwhile turn the deleted tail into a gap; both are deletions.
    let problem = report.problem.unwrap_or_default();
    assert!(problem.contains("deleted"), "{problem}");
    store.close().await;
}

async fn the_table_is_append_only(app: &TestApp) {
    let (store, _) = with_records(app, 5).await;
    let mut conn = connect(app).await;
    let update = sqlx::query("UPDATE audit_log SET who_name = $1 WHERE seq = $2")
        .bind("CN=Someone Else")
        .bind(2_i64)
        .execute(&mut conn)
        .await;
    let error = update.expect_err("UPDATE is refused");
    assert!(error.to_string().contains("append-only"), "{error}");
    let delete = sqlx::query("DELETE FROM audit_log WHERE seq = $1")
        .bind(2_i64)
        .execute(&mut conn)
        .await;
    assert!(delete.is_err(), "DELETE is refused");
    let delete_head = sqlx::query("DELETE FROM audit_head")
        .execute(&mut conn)
        .await;
    assert!(delete_head.is_err(), "the head cannot be deleted");
    let report = verify_chain(&store).await.expect("verify");
    assert!(report.intact, "{report:?}");
    store.close().await;
}

async fn a_closed_store_fails_the_record(app: &TestApp) {
    let store = Store::open(&app.database_url, 2)
        .await
        .expect("the store opens");
    let log = AuditLog::start(store.clone());
    log.record(record(1))
        .await
        .expect("written while the store is open");
    store.close().await;
    let error = log
        .record(record(2))
        .await
        .expect_err("no row can be written: the caller must refuse");
    assert!(matches!(error, AuditError::Unavailable(_)), "{error:?}");
    log.record_detached(record(3));
    log.shutdown().await;
    log.shutdown().await;
    assert!(matches!(
        log.record(record(4)).await,
        Err(AuditError::Closed)
    ));
}

async fn admin_serves_audit_events(app: &TestApp) {
    let (store, _) = with_records(app, 3).await;
    let url = format!("{}/fhir/AuditEvent?_count=2", app.admin);
    let response = app.client.get(&url).send().await.expect("GET");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        content_type.starts_with("application/fhir+json"),
        "{content_type}"
    );
    let bundle: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "searchset");
    assert!(bundle["total"].as_u64().unwrap_or(0) >= 3, "{bundle}");
    let entries = bundle["entry"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    let seqs: Vec<i64> = entries
        .iter()
        .map(|e| {
            assert_eq!(e["resource"]["resourceType"], "AuditEvent");
            e["resource"]["id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("id is the seq")
        })
        .collect();
    assert!(seqs[0] > seqs[1], "newest first: {seqs:?}");
    let next = bundle["link"]
        .as_array()
        .expect("links")
        .iter()
        .find(|l| l["relation"] == "next")
        .expect("a next link");
    assert!(
        next["url"]
            .as_str()
            .unwrap_or_default()
            .contains("_offset=2"),
        "{next}"
    );
    let ours = entries.iter().map(|e| &e["resource"]).find(|r| {
        r["type"]["code"] == "rest" && r["agent"][0]["who"]["identifier"]["value"].is_string()
    });
    if let Some(event) = ours {
        assert_eq!(event["subtype"][0]["code"], "read");
        assert_eq!(event["action"], "R");
        assert!(event["entity"][0]["what"]["reference"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Patient/p"));
    }

    let refused = app
        .client
        .get(format!("{}/fhir/AuditEvent?patient=123", app.admin))
        .send()
        .await
        .expect("GET");
    assert_eq!(refused.status().as_u16(), 400);
    let outcome: serde_json::Value = refused.json().await.expect("JSON");
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    store.close().await;
}

/// 256 concurrent callers, each awaiting its commit (as request handlers do): the batches they share make
/// one gap-free chain. (Throughput is measured in BENCHMARKS.md, not here.)
async fn many_concurrent_callers_make_one_intact_chain(app: &TestApp) {
    const CALLERS: usize = 256;
    const EACH: usize = 40;
    let store = Store::open(&app.database_url, 4)
        .await
        .expect("the store opens");
    let log = AuditLog::start(store.clone());
    let callers = (0..CALLERS).map(|c| {
        let log = log.clone();
        tokio::spawn(async move {
            for i in 0..EACH {
                log.record(record(c * EACH + i)).await.expect("recorded");
            }
        })
    });
    for caller in join_all(callers).await {
        caller.expect("caller finished");
    }
    log.shutdown().await;
    let report = verify_chain(&store).await.expect("verify");
    assert!(report.intact, "{report:?}");
    assert_eq!(report.rows, (CALLERS * EACH) as u64);
    store.close().await;
}

/// Two gateways on one database (two writers, each remembering its own head): the insert trigger refuses
/// the stale one, which reads the head again, so all rows land in one chain.
async fn two_writers_on_one_database_share_the_chain(app: &TestApp) {
    let first = Store::open(&app.database_url, 2).await.expect("store");
    let second = Store::open(&app.database_url, 2).await.expect("store");
    let (a, b) = (
        AuditLog::start(first.clone()),
        AuditLog::start(second.clone()),
    );
    for round in 0..5 {
        let writes = (0..10).map(|i| {
            let log = if i % 2 == 0 { a.clone() } else { b.clone() };
            async move { log.record(record(round * 10 + i)).await }
        });
        for result in join_all(writes).await {
            result.expect("recorded by one of the two writers");
        }
    }
    a.shutdown().await;
    b.shutdown().await;
    let report = verify_chain(&first).await.expect("verify");
    assert!(report.intact, "{report:?}");
    let rows = count_rows(app).await;
    assert_eq!(report.rows as i64, rows);
    assert!(rows >= 50, "{rows}");
}

/// Even with direct database access, a row that does not follow the head is refused on insert.
async fn the_database_refuses_a_row_that_breaks_the_chain(app: &TestApp) {
    let (store, _) = with_records(app, 3).await;
    store.close().await;
    let mut conn = connect(app).await;
    let insert = "INSERT INTO audit_log (seq, recorded_ms, zone, channel, action, who_kind, who_name, \
                  who_roles, outcome, prev_hash, hash) VALUES ($1, 0, 'hospital', 'fhir-rest', 'read', \
                  'network', 'x', '[]', 'allowed', $2, $3)";
    let refused = sqlx::query(insert)
        .bind(99_i64)
        .bind("0".repeat(64))
        .bind("f".repeat(64))
        .execute(&mut conn)
        .await;
    assert!(refused.is_err(), "a row out of the chain was accepted");
}

/// With `audit.commit_before_answer = "all"` even a read's row is committed before its answer; with the
/// default (`changes`) a create's row is, and a read's row follows with the next batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_are_committed_before_the_answer_as_configured() {
    use kakehashi::config::AuditCommit;
    // Audit rows of one zone (the admin listener's own reads of the trail are audited too, zone admin).
    let rows = |app: &TestApp, zone: &'static str| {
        let url = format!("{}/fhir/AuditEvent?_count=1000", app.admin);
        let client = app.client.clone();
        async move {
            let body: serde_json::Value =
                client.get(url).send().await.unwrap().json().await.unwrap();
            let observer = format!("Kakehashi {zone} zone");
            body["entry"]
                .as_array()
                .map(|entries| {
                    entries
                        .iter()
                        .filter(|e| e["resource"]["source"]["observer"]["display"] == observer)
                        .count()
                })
                .unwrap_or(0)
        }
    };
    let strict = crate::helpers::spawn_app_with(crate::helpers::Db::Sqlite, |s| {
        s.audit.commit_before_answer = AuditCommit::All
    })
    .await;
    for n in 1..=3 {
        assert_eq!(strict.get("metadata").await.status, 200);
        assert_eq!(rows(&strict, "hospital").await, n);
    }
    let default = crate::helpers::spawn_app(crate::helpers::Db::Sqlite).await;
    let created = default
        .post("Patient", &serde_json::json!({"resourceType": "Patient"}))
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(
        rows(&default, "hospital").await,
        1,
        "the create's row is committed before the 201"
    );
    assert_eq!(default.get("metadata").await.status, 200);
    for _ in 0..100 {
        if rows(&default, "hospital").await == 2 && rows(&default, "admin").await >= 1 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the read's audit row (or the admin listener's) never arrived");
}

//! `kakehashi audit verify` as a user runs it: an embedded SQLite data folder written through `AuditLog`,
//! then exit 0 and "intact"; one row edited with SQL, then exit 65 naming that row; no database 69; bad
//! settings 78.

mod common;

use common::{kakehashi, text};

use std::path::Path;

use kakehashi::audit::{AuditLog, AuditRecord, Outcome, Who, WhoKind};
use kakehashi::store::Store;
use sqlx::Connection as _;

fn write_config(dir: &Path, data_dir: &Path) -> String {
    let config = dir.join("kakehashi.toml");
    // TOML literal strings need no escaping of the path.
    std::fs::write(&config, format!("data_dir = '{}'\n", data_dir.display()))
        .expect("config written");
    config.display().to_string()
}

fn record(i: i64) -> AuditRecord {
    AuditRecord {
        recorded_ms: 1_764_000_000_000 + i,
        zone: "hospital".into(),
        channel: "fhir-rest".into(),
        action: "create".into(),
        resource_type: Some("Observation".into()),
        target: Some(format!("Observation/o{i}")),
        who: Who {
            kind: WhoKind::Network,
            name: "hospital-lan".into(),
            ..Who::default()
        },
        outcome: Outcome::Allowed,
        status: Some(201),
        reason: None,
        source: Some("10.0.0.5:41000".into()),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn verify_reports_intact_then_names_the_edited_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("data");
    let url = format!("sqlite://{}", data_dir.join("kakehashi.db").display());
    runtime().block_on(async {
        let store = Store::open(&url, 2).await.expect("store opens");
        let log = AuditLog::start(store.clone());
        for i in 1..=10 {
            log.record(record(i)).await.expect("recorded");
        }
        log.shutdown().await;
        store.close().await;
    });
    let config = write_config(dir.path(), &data_dir);

    let out = kakehashi(&["audit", "verify", "--config", &config]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "audit log intact: 10 rows");
    let out = kakehashi(&["audit", "verify", "--config", &config, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(
        report,
        serde_json::json!({"rows": 10, "intact": true, "first_broken": null, "problem": null})
    );

    runtime().block_on(async {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&mut conn)
            .await
            .expect("drop trigger");
        sqlx::query("UPDATE audit_log SET outcome = $1, status = $2 WHERE seq = $3")
            .bind("refused")
            .bind(403_i64)
            .bind(6_i64)
            .execute(&mut conn)
            .await
            .expect("tamper");
        let _ = conn.close().await;
    });
    let out = kakehashi(&["audit", "verify", "--config", &config]);
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "audit log broken at row 6: row 6 was edited"
    );
    let out = kakehashi(&["audit", "verify", "--config", &config, "--format", "json"]);
    assert_eq!(out.status.code(), Some(65));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["intact"], false);
    assert_eq!(report["first_broken"], 6);
    assert_eq!(report["rows"], 5);
}

#[test]
fn missing_database_is_69_and_bad_settings_78() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &dir.path().join("nothing-here"));
    let out = kakehashi(&["audit", "verify", "--config", &config]);
    assert_eq!(out.status.code(), Some(69));
    assert!(
        text(&out.stderr).starts_with("kakehashi: no audit log:"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !dir.path().join("nothing-here").exists(),
        "verify creates nothing"
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "data_dirr = 'x'\n").expect("write");
    let out = kakehashi(&["audit", "verify", "--config", &bad.display().to_string()]);
    assert_eq!(out.status.code(), Some(78), "{}", text(&out.stderr));
}

#[test]
fn help_explains_the_exit_codes() {
    let out = kakehashi(&["audit", "verify", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for word in ["--config", "--format", "65", "69", "78", "intact"] {
        assert!(help.contains(word), "{word}: {help}");
    }
    let out = kakehashi(&["audit", "--help"]);
    assert!(text(&out.stdout).contains("verify"));
}

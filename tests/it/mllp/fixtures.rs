//! Every golden fixture of `fixtures/hl7v2` over MLLP.

use super::*;
use crate::helpers::TestApp;

/// Every golden fixture (`fixtures/hl7v2/ok/<DATA-TYPE>/*.hl7`) goes through MLLP: AA, its data type's
/// resources readable; sent again under the same MSH-10 it is a duplicate and adds no version. The
/// `err/` fixtures are answered AE or AR and store nothing.
async fn every_fixture_is_ingested(app: &TestApp) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/hl7v2");
    let hl7_files = |kind: &str| {
        let mut files = Vec::new();
        for dir in std::fs::read_dir(root.join(kind))
            .into_iter()
            .flatten()
            .flatten()
        {
            for file in std::fs::read_dir(dir.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if file.path().extension().is_some_and(|e| e == "hl7") {
                    files.push(file.path());
                }
            }
        }
        files.sort();
        files
    };
    let ok = hl7_files("ok");
    assert!(!ok.is_empty(), "no fixtures under {}", root.display());
    let mut stream = connect(app).await;
    for path in &ok {
        let raw = std::fs::read(path).unwrap();
        let ack = exchange(&mut stream, &raw).await;
        let code = ack.value("MSA-1").unwrap_or_default();
        assert!(
            code == "AA" || code == "CA",
            "{}: {}",
            path.display(),
            ack.to_hl7()
        );
    }
    let versions = rows(app, "SELECT COUNT(*) FROM resource_versions").await;
    let messages = rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await;
    for path in &ok {
        let ack = exchange(&mut stream, &std::fs::read(path).unwrap()).await;
        assert!(matches!(ack.value("MSA-1").as_deref(), Some("AA" | "CA")));
    }
    assert_eq!(
        rows(app, "SELECT COUNT(*) FROM resource_versions").await,
        versions
    );
    assert_eq!(
        rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await,
        messages
    );
    // The `err/` fixtures: an expected `error` (MapError) or error issues → AE/AR with one ERR per
    // error; only warnings → accepted.
    let mut accepted = 0;
    for path in hl7_files("err") {
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path.with_extension("json")).unwrap()).unwrap();
        let error_issues = expected["issues"]
            .as_array()
            .map(|issues| {
                issues
                    .iter()
                    .filter(|i| matches!(i["severity"].as_str(), Some("error" | "fatal")))
                    .count()
            })
            .unwrap_or(0);
        let ack = exchange(&mut stream, &std::fs::read(&path).unwrap()).await;
        let code = ack.value("MSA-1").unwrap_or_default();
        let errs = ack.segments_named("ERR").count();
        if let Some(error) = expected.get("error").filter(|e| !e.is_null()) {
            assert!(
                matches!(code.as_str(), "AE" | "AR"),
                "{}: {}",
                path.display(),
                ack.to_hl7()
            );
            // Written either as the issue object or as its message alone.
            let message = error.as_str().or(error["message"].as_str());
            assert_eq!(ack.value("ERR-8").as_deref(), message, "{}", path.display());
        } else if error_issues > 0 {
            assert_eq!(code, "AE", "{}: {}", path.display(), ack.to_hl7());
            assert!(errs >= error_issues, "{}: {}", path.display(), ack.to_hl7());
        } else {
            assert_eq!(code, "AA", "{}: {}", path.display(), ack.to_hl7());
            accepted += 1;
        }
    }
    assert_eq!(
        rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await,
        messages + accepted
    );
}

crate::on_both_databases!(every_fixture_is_ingested);

//! Validation on write per zone and `$validate` (issue #4), over real HTTP on both databases: a
//! resource that breaks its definitions gets 422 with the located OperationOutcome and nothing is
//! stored; `warn` stores it; `$validate` answers 200 with the issues and stores nothing.

use kakehashi::config::ValidationMode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, Db, TestApp};

fn patient(gender: &str, birth_date: &str) -> Value {
    json!({"resourceType": "Patient", "name": [{"family": "山田", "given": ["太郎"]}],
           "gender": gender, "birthDate": birth_date})
}

/// The (code, expression, rule) of every error issue.
fn errors(body: &Value) -> Vec<(String, String, String)> {
    body["issue"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["severity"] == "error")
        .map(|i| {
            (
                i["code"].as_str().unwrap_or_default().to_string(),
                i["expression"][0].as_str().unwrap_or_default().to_string(),
                i["details"]["coding"][0]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

async fn enforce_refuses_with_422_and_stores_nothing(app: &TestApp) {
    let reply = app.post("Patient", &patient("man", "1970-01-01")).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        errors(&reply.body),
        [(
            "code-invalid".to_string(),
            "Patient.gender".to_string(),
            "Patient.gender".to_string()
        )]
    );
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:0b7c9f2e-1d7c-4c52-9c1e-3b2f4a6d8e01", "resource": patient("male", "1970-01-01"),
         "request": {"method": "POST", "url": "Patient"}},
        {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "体重"},
                      "subject": {"reference": "urn:uuid:0b7c9f2e-1d7c-4c52-9c1e-3b2f4a6d8e01"},
                      "valueQuantity": {"value": 60, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"},
                      "dataAbsentReason": {"text": "both"}},
         "request": {"method": "POST", "url": "Observation"}}
    ]});
    let reply = app.post("", &bundle).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        errors(&reply.body),
        [(
            "invariant".to_string(),
            "Bundle.entry[1].resource".to_string(),
            "obs-6".to_string()
        )]
    );
    assert_eq!(app.count("Patient").await, 0);
    assert_eq!(app.count("Observation").await, 0);
    let reply = app.post("Patient", &patient("male", "1970-01-01")).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

async fn validate_operation_reports_and_stores_nothing(app: &TestApp) {
    let reply = app
        .post("Patient/$validate", &patient("male", "1970-13-01"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["resourceType"], "OperationOutcome");
    assert_eq!(errors(&reply.body)[0].0, "value");
    assert_eq!(errors(&reply.body)[0].1, "Patient.birthDate");
    let parameters = json!({"resourceType": "Parameters", "parameter": [
        {"name": "resource", "resource": patient("female", "1980-02-29")}]});
    let reply = app.post("$validate", &parameters).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(errors(&reply.body).is_empty(), "{}", reply.body);
    let reply = app
        .post("Observation/$validate", &patient("male", "1970"))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(app.count("Patient").await, 0);
}

crate::on_both_databases!(
    enforce_refuses_with_422_and_stores_nothing,
    validate_operation_reports_and_stores_nothing
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warn_mode_stores_what_enforce_refuses() {
    let app = spawn_app_with(Db::Sqlite, |s| s.hospital.validation = ValidationMode::Warn).await;
    let reply = app.post("Patient", &patient("man", "1970-01-01")).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(app.count("Patient").await, 1);
}

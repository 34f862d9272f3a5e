//! Transaction (all or nothing, urn:uuid references rewritten) and batch (each entry on its own) Bundles.

use serde_json::json;

use crate::helpers::TestApp;

fn transaction(entries: Vec<serde_json::Value>) -> serde_json::Value {
    json!({"resourceType": "Bundle", "type": "transaction", "entry": entries})
}

fn patient_entry() -> serde_json::Value {
    json!({"fullUrl": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a",
           "resource": {"resourceType": "Patient", "identifier": [{"system": "urn:hospital", "value": "T1"}], "name": [{"family": "田中"}]},
           "request": {"method": "POST", "url": "Patient", "ifNoneExist": "identifier=urn:hospital|T1"}})
}

fn observation_entry(extra: serde_json::Value) -> serde_json::Value {
    let mut resource = json!({"resourceType": "Observation", "status": "final", "code": {"text": "血圧"},
        "subject": {"reference": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"}});
    for (k, v) in extra.as_object().unwrap() {
        resource[k] = v.clone();
    }
    json!({"fullUrl": "urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059", "resource": resource, "request": {"method": "POST", "url": "Observation"}})
}

async fn transaction_rewrites_references_and_commits_together(app: &TestApp) {
    let reply = app
        .post(
            "",
            &transaction(vec![observation_entry(json!({})), patient_entry()]),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["type"], "transaction-response");
    let entries = reply.body["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    // Responses come in the order of the request, whatever the processing order.
    assert_eq!(entries[0]["resource"]["resourceType"], "Observation");
    assert_eq!(entries[1]["response"]["status"], "201 Created");
    let patient_id = entries[1]["resource"]["id"].as_str().unwrap();
    assert_eq!(
        entries[0]["resource"]["subject"]["reference"],
        format!("Patient/{patient_id}")
    );
    assert_eq!(
        app.count(&format!("Observation?patient={patient_id}"))
            .await,
        1
    );

    // The same transaction again: the conditional create matches the stored patient.
    let again = app
        .post(
            "",
            &transaction(vec![observation_entry(json!({})), patient_entry()]),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["entry"][1]["response"]["status"], "200 OK");
    assert_eq!(again.body["entry"][1]["resource"]["id"], patient_id);
    assert_eq!(
        again.body["entry"][0]["resource"]["subject"]["reference"],
        format!("Patient/{patient_id}")
    );
    assert_eq!(app.count("Patient").await, 1);
    assert_eq!(app.count("Observation").await, 2);
}

async fn transaction_with_one_invalid_entry_changes_nothing(app: &TestApp) {
    let bad =
        observation_entry(json!({"valueQuantity": {"value": 120, "unit": "mmHg", "foo": true}}));
    let reply = app.post("", &transaction(vec![patient_entry(), bad])).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(
        reply.issue(),
        (
            "structure".to_string(),
            Some("Bundle.entry[1].resource.valueQuantity.foo".to_string())
        )
    );
    assert_eq!(app.count("Patient").await, 0);
    assert_eq!(app.count("Observation").await, 0);
    assert_eq!(app.count("Patient?identifier=urn:hospital|T1").await, 0);
}

async fn transaction_with_a_failing_update_changes_nothing(app: &TestApp) {
    let update = json!({"resource": {"resourceType": "Patient", "id": "x1"}, "request": {"method": "PUT", "url": "Patient/x1", "ifMatch": "W/\"7\""}});
    let reply = app
        .post("", &transaction(vec![patient_entry(), update]))
        .await;
    assert_eq!(reply.status, 412, "{}", reply.body);
    assert_eq!(app.count("Patient").await, 0);
}

async fn batch_runs_each_entry_on_its_own(app: &TestApp) {
    let good = json!({"resource": {"resourceType": "Patient", "id": "b1"}, "request": {"method": "PUT", "url": "Patient/b1"}});
    let bad = json!({"resource": {"resourceType": "Patient", "active": "yes"}, "request": {"method": "POST", "url": "Patient"}});
    let read = json!({"request": {"method": "GET", "url": "Patient/b1"}});
    let reply = app
        .post(
            "",
            &json!({"resourceType": "Bundle", "type": "batch", "entry": [good, bad, read]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["type"], "batch-response");
    assert_eq!(reply.body["entry"][0]["response"]["status"], "201 Created");
    assert_eq!(
        reply.body["entry"][1]["response"]["status"],
        "400 Bad Request"
    );
    assert_eq!(
        reply.body["entry"][1]["response"]["outcome"]["issue"][0]["expression"][0],
        "Patient.active"
    );
    assert_eq!(reply.body["entry"][2]["response"]["status"], "200 OK");
    assert_eq!(app.count("Patient").await, 1);
}

async fn document_bundles_are_stored_as_resources(app: &TestApp) {
    let document = json!({"resourceType": "Bundle", "type": "document", "identifier": {"system": "urn:doc", "value": "D1"},
        "timestamp": "2024-04-01T10:00:00+09:00",
        "entry": [{"fullUrl": "urn:uuid:0a1b", "resource": {"resourceType": "Composition", "status": "final", "type": {"text": "処方箋"},
            "date": "2024-04-01", "author": [{"display": "医師"}], "title": "処方箋"}}]});
    let created = app.post("Bundle", &document).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(app.count("Bundle?identifier=urn:doc|D1").await, 1);
    // A document Bundle is not something to execute.
    let refused = app.post("", &document).await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.issue(),
        ("invalid".to_string(), Some("Bundle.type".to_string()))
    );
}

/// Transactions are checked before their write transaction begins, against the conditional matches a
/// reader sees; concurrent ones that create the same patient must still end with one Patient that
/// every Observation names (the matches are looked up again inside the transaction).
async fn concurrent_conditional_creates_make_one_patient(app: &TestApp) {
    let sends = (0..8).map(|i| {
        let body = transaction(vec![
            observation_entry(json!({"valueString": format!("run {i}")})),
            patient_entry(),
        ]);
        async move { app.post("", &body).await }
    });
    for reply in futures::future::join_all(sends).await {
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    assert_eq!(app.count("/Patient?identifier=urn:hospital|T1").await, 1);
    let patients = app.get("/Patient?identifier=urn:hospital|T1").await;
    let id = patients.body["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.count(&format!("/Observation?subject=Patient/{id}"))
            .await,
        8,
        "every Observation names the one Patient"
    );
}

crate::on_both_databases!(
    concurrent_conditional_creates_make_one_patient,
    transaction_rewrites_references_and_commits_together,
    transaction_with_one_invalid_entry_changes_nothing,
    transaction_with_a_failing_update_changes_nothing,
    batch_runs_each_entry_on_its_own,
    document_bundles_are_stored_as_resources,
);

//! Create, read, update, delete, vread, history, ETags, If-Match and conditional create over HTTP.

use serde_json::json;

use crate::helpers::TestApp;

fn patient(family: &str) -> serde_json::Value {
    json!({"resourceType": "Patient", "identifier": [{"system": "urn:oid:1.2.392.100495.20.3.51.11311234567", "value": "00012345"}],
           "name": [{"family": family, "given": ["太郎"]}], "gender": "male", "birthDate": "1970-01-01"})
}

async fn create_read_update_delete_and_history(app: &TestApp) {
    let created = app.post("Patient", &patient("山田")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"]
        .as_str()
        .expect("server-assigned id")
        .to_string();
    assert_eq!(created.body["meta"]["versionId"], "1");
    assert_eq!(created.header("etag"), Some("W/\"1\""));
    assert!(created
        .header("location")
        .unwrap()
        .ends_with(&format!("/fhir/Patient/{id}/_history/1")));
    assert!(created.header("last-modified").is_some());

    let read = app.get(&format!("Patient/{id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["name"][0]["family"], "山田");
    assert_eq!(
        read.header("content-type"),
        Some("application/fhir+json; charset=utf-8")
    );

    let mut changed = read.body.clone();
    changed["name"][0]["family"] = json!("佐藤");
    let updated = app
        .send(
            app.client
                .put(app.url(&format!("Patient/{id}")))
                .header("content-type", "application/fhir+json")
                .header("if-match", "W/\"1\"")
                .body(changed.to_string()),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["meta"]["versionId"], "2");

    // A stale If-Match is refused and stores nothing.
    let stale = app
        .send(
            app.client
                .put(app.url(&format!("Patient/{id}")))
                .header("content-type", "application/fhir+json")
                .header("if-match", "W/\"1\"")
                .body(changed.to_string()),
        )
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.issue().0, "conflict");

    let v1 = app.get(&format!("Patient/{id}/_history/1")).await;
    assert_eq!(v1.status, 200);
    assert_eq!(v1.body["name"][0]["family"], "山田");
    let history = app.get(&format!("Patient/{id}/_history")).await;
    assert_eq!(history.body["type"], "history");
    assert_eq!(history.body["entry"].as_array().unwrap().len(), 2);
    assert_eq!(
        history.body["entry"][0]["resource"]["meta"]["versionId"],
        "2"
    );

    let deleted = app.delete(&format!("Patient/{id}")).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(app.get(&format!("Patient/{id}")).await.status, 410);
    assert_eq!(
        app.get(&format!("Patient/{id}/_history")).await.body["entry"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(app.count("Patient").await, 0);
    assert_eq!(app.get("Patient/does-not-exist").await.status, 404);
}

async fn update_creates_with_the_client_id(app: &TestApp) {
    let mut body = patient("鈴木");
    body["id"] = json!("p-123");
    let put = app.put("Patient/p-123", &body).await;
    assert_eq!(put.status, 201, "{}", put.body);
    assert_eq!(put.body["id"], "p-123");
    let again = app.put("Patient/p-123", &body).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["meta"]["versionId"], "2");
    let other = app.put("Patient/other", &body).await;
    assert_eq!(other.status, 400);
    assert_eq!(
        other.issue(),
        ("invalid".to_string(), Some("Patient.id".to_string()))
    );
}

async fn create_if_none_exist(app: &TestApp, condition: &str) -> crate::helpers::Reply {
    let request = app
        .client
        .post(app.url("Patient"))
        .header("content-type", "application/fhir+json");
    app.send(
        request
            .header("if-none-exist", condition)
            .body(patient("山田").to_string()),
    )
    .await
}

async fn conditional_create_finds_the_existing_resource(app: &TestApp) {
    let condition = "identifier=urn:oid:1.2.392.100495.20.3.51.11311234567|00012345";
    let first = create_if_none_exist(app, condition).await;
    assert_eq!(first.status, 201);
    let second = create_if_none_exist(app, condition).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.body["id"], first.body["id"]);
    assert_eq!(app.count("Patient").await, 1);
    // With two matches the condition is ambiguous: 412, nothing created.
    app.post("Patient", &patient("山田")).await;
    let third = create_if_none_exist(app, condition).await;
    assert_eq!(third.status, 412);
    assert_eq!(app.count("Patient").await, 2);
}

async fn metadata_and_admin_endpoints_answer(app: &TestApp) {
    let metadata = app.get("metadata").await;
    assert_eq!(metadata.status, 200);
    assert_eq!(metadata.body["resourceType"], "CapabilityStatement");
    assert_eq!(metadata.body["fhirVersion"], "4.0.1");
    let types: Vec<&str> = metadata.body["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types.len(),
        kakehashi_mappings::fhir::SUPPORTED_RESOURCE_TYPES.len()
    );
    assert!(types.contains(&"MedicationRequest"));
    let admin = |path: &str| app.client.get(format!("{}/{path}", app.admin)).send();
    assert_eq!(admin("healthz").await.unwrap().status(), 200);
    assert_eq!(admin("readyz").await.unwrap().status(), 200);
    let metrics = admin("metrics").await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains(
            "kakehashi_http_requests_total{zone=\"hospital\",method=\"GET\",status=\"200\"}"
        ),
        "{metrics}"
    );
}

crate::on_both_databases!(
    create_read_update_delete_and_history,
    update_creates_with_the_client_id,
    conditional_create_finds_the_existing_resource,
    metadata_and_admin_endpoints_answer,
);

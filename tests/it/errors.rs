//! Bad input gets an OperationOutcome with the right status and location, and stores nothing.

use serde_json::json;

use crate::helpers::{spawn_app_with, Db, TestApp};

async fn post_raw(app: &TestApp, path: &str, body: &'static str) -> crate::helpers::Reply {
    app.send(
        app.client
            .post(app.url(path))
            .header("content-type", "application/fhir+json")
            .body(body),
    )
    .await
}

async fn malformed_and_mistyped_resources_are_located(app: &TestApp) {
    let reply = post_raw(
        app,
        "Patient",
        "{\n \"resourceType\": \"Patient\",\n oops }",
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["issue"][0]["code"], "structure");
    assert_eq!(reply.body["issue"][0]["location"][0], "line 3, column 2");

    let reply = app
        .post(
            "Patient",
            &json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"}}),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.issue(),
        (
            "invalid".to_string(),
            Some("Observation.resourceType".to_string())
        )
    );

    let reply = app.post("Patient", &json!({"resourceType": "Patient", "name": [{"family": "x"}], "telecom": [{"system": "phone", "valu": "1"}]})).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.issue(),
        (
            "structure".to_string(),
            Some("Patient.telecom[0].valu".to_string())
        )
    );

    let reply = app
        .post(
            "Patient",
            &json!({"resourceType": "Patient", "active": "yes"}),
        )
        .await;
    assert_eq!(
        reply.issue(),
        ("value".to_string(), Some("Patient.active".to_string()))
    );

    let reply = app
        .post(
            "Observation",
            &json!({"resourceType": "Observation", "code": {"text": "x"}}),
        )
        .await;
    assert_eq!(
        reply.issue(),
        (
            "required".to_string(),
            Some("Observation.status".to_string())
        )
    );

    assert_eq!(app.count("Patient").await, 0);
    assert_eq!(app.count("Observation").await, 0);
}

async fn wrong_media_types_and_routes_are_refused(app: &TestApp) {
    let reply = app
        .send(
            app.client
                .post(app.url("Patient"))
                .header("content-type", "application/fhir+xml")
                .body("<Patient/>"),
        )
        .await;
    assert_eq!(reply.status, 415);
    assert_eq!(reply.issue().0, "not-supported");
    let reply = app.get("Patient/x?_format=xml").await;
    assert_eq!(reply.status, 406);
    let reply = app.get("Patient/a/b/c/d").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.issue().0, "not-found");
    let reply = app
        .post(
            "Binary",
            &json!({"resourceType": "Binary", "contentType": "text/plain"}),
        )
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.issue().0, "not-supported");
    let reply = app
        .send(app.client.patch(app.url("Patient/x")).body("[]"))
        .await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.issue().0, "not-supported");
    let reply = app.get("Patient/bad$id").await;
    assert_eq!(reply.status, 400);
}

crate::on_both_databases!(
    malformed_and_mistyped_resources_are_located,
    wrong_media_types_and_routes_are_refused
);

#[tokio::test]
async fn bodies_over_the_limit_get_413_and_store_nothing() {
    let app = spawn_app_with(Db::Sqlite, |s| s.fhir.max_body_bytes = 1024).await;
    let big = json!({"resourceType": "Patient", "name": [{"text": "x".repeat(2000)}]});
    let reply = app.post("Patient", &big).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.issue().0, "too-long");
    // Chunked, without Content-Length: the limit still holds.
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(big.to_string()) });
    let reply = app
        .send(
            app.client
                .post(app.url("Patient"))
                .header("content-type", "application/fhir+json")
                .body(reqwest::Body::wrap_stream(stream)),
        )
        .await;
    assert_eq!(reply.status, 413);
    assert_eq!(app.count("Patient").await, 0);
}

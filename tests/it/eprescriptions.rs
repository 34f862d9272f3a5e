//! The e-prescription hub's pharmacy side over real mutual TLS (issue #7): only a Pharmacist certificate
//! may look a prescription up; a number that holds nothing is 404 with its reason in the audit log;
//! malformed look-ups are 400; repeated misses are rate limited per certificate and per address (429);
//! a dispensing result must be a MedicationDispense.

use serde_json::Value;

use crate::consultation::{audited, client};
use crate::helpers::on_both;
use crate::helpers::{spawn_app_with, Db};
use crate::pki::TestPki;

fn reason(event: &Value) -> &str {
    event["outcomeDesc"].as_str().unwrap_or_default()
}

async fn the_pharmacy_side_refuses_what_it_must(db: Db) {
    let pki = TestPki::new();
    let app = spawn_app_with(db, |s| {
        pki.configure(s);
        s.eprescription.lookup_failures = 3;
    })
    .await;
    let pharmacist = client(&app, &pki, "sato-pharmacist");
    let doctor = client(&app, &pki, "sato");
    let look_up = "/eprescriptions?exchange-number=123456&birthdate=1980-02-29";

    let (status, body) = doctor.request("GET", look_up, None).await.unwrap();
    assert_eq!(status, 403, "a doctor cannot retrieve: {body}");

    let (status, body) = pharmacist
        .request(
            "GET",
            "/eprescriptions?exchange-number=12345&birthdate=1980-02-29",
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, 400, "{body}");
    let (status, body) = pharmacist
        .request("GET", "/eprescriptions?exchange-number=123456", None)
        .await
        .unwrap();
    assert_eq!(status, 400, "birthdate is required: {body}");

    for _ in 0..3 {
        let (status, body) = pharmacist.request("GET", look_up, None).await.unwrap();
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["resourceType"], "OperationOutcome");
    }
    let event = audited(&app, "a failed look-up", |e| {
        reason(e) == "no-such-prescription"
    })
    .await;
    assert!(
        !event.to_string().contains("1980-02-29"),
        "no patient data in the audit log"
    );

    let (status, body) = pharmacist.request("GET", look_up, None).await.unwrap();
    assert_eq!(status, 429, "the fourth miss in the window: {body}");
    audited(&app, "a rate-limited look-up", |e| {
        reason(e) == "rate-limited"
    })
    .await;

    let dispensing = serde_json::to_vec(&serde_json::json!({
        "resourceType": "MedicationDispense", "status": "completed"
    }))
    .unwrap();
    let other = client(&app, &pki, "pharmacist");
    let (status, body) = other
        .send(
            "POST",
            "/eprescriptions/654321/dispensing",
            "application/fhir+json",
            dispensing.clone(),
        )
        .await
        .unwrap();
    assert_eq!(
        status, 429,
        "another certificate from the same address is limited too: {body}"
    );
    let (status, body) = other
        .send(
            "POST",
            "/eprescriptions/654321/dispensing",
            "application/fhir+json",
            b"{\"resourceType\":\"Patient\"}".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(status, 400, "not a dispensing result: {body}");
    let (status, _) = doctor
        .send(
            "POST",
            "/eprescriptions/654321/dispensing",
            "application/fhir+json",
            dispensing,
        )
        .await
        .unwrap();
    assert_eq!(status, 403, "a doctor cannot post a dispensing result");
}

on_both!(the_pharmacy_side_refuses_what_it_must);

//! The e-prescription hub's pharmacy side over real mutual TLS (issue #7): only a Pharmacist certificate
//! may look a prescription up; a number that holds nothing is 404 with its reason in the audit log;
//! malformed look-ups are 400; repeated misses are rate limited per certificate and per address (429);
//! a dispensing result must be a MedicationDispense; a stored prescription is served once per
//! dispensing, held by the pharmacy served until it posts the result, and closes after the last one.

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

/// A stored prescription, as the hub's accepting side will store it (not built yet): straight into the
/// gateway's own database.
async fn store_prescription(app: &crate::helpers::TestApp, dispensings: i64) -> String {
    use kakehashi::store::eprescriptions::{Inserted, NewPrescription};
    let store = kakehashi::store::Store::open(&app.database_url, 2)
        .await
        .expect("the gateway's database");
    let document = serde_json::json!({"resourceType": "Bundle", "type": "document"}).to_string();
    let p = NewPrescription {
        id: "1439e0c5-7c1d-4512-861d-263de48417bf",
        birth_date: "1980-02-29",
        record_id: Some("REC-2026-000101"),
        dispensings_allowed: dispensings,
        signer: "Ichiro Sato",
        document: &document,
        signed_xml: "<Document/>",
        now_ms: 0,
    };
    let first = store
        .eprescription_insert(&p, kakehashi::pipeline::eprescription::draw_exchange_number)
        .await
        .expect("stored");
    let Inserted::New(number) = first else {
        panic!("a new prescription: {first:?}")
    };
    assert_eq!(number.len(), 6);
    let again = store
        .eprescription_insert(&p, kakehashi::pipeline::eprescription::draw_exchange_number)
        .await
        .expect("stored");
    assert_eq!(
        again,
        Inserted::Existing(number.clone()),
        "the same id again stores nothing"
    );
    number
}

/// A pharmacy posts a completed MedicationDispense for `number`.
async fn post_result(who: &crate::mtls::MtlsClient, number: &str) -> (u16, Value) {
    let result = serde_json::json!({"resourceType": "MedicationDispense", "status": "completed"});
    who.send(
        "POST",
        &format!("/eprescriptions/{number}/dispensing"),
        "application/fhir+json",
        serde_json::to_vec(&result).unwrap(),
    )
    .await
    .expect("an answer")
}

async fn a_pharmacy_retrieves_once_per_dispensing(db: Db) {
    let pki = TestPki::new();
    let app = spawn_app_with(db, |s| pki.configure(s)).await;
    let number = store_prescription(&app, 2).await;
    let pharmacist = client(&app, &pki, "sato-pharmacist");
    let other = client(&app, &pki, "pharmacist");
    let look_up = format!("/eprescriptions?exchange-number={number}&birthdate=1980-02-29");

    let (status, body) = pharmacist.request("GET", &look_up, None).await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["type"], "document");
    audited(&app, "the retrieval", |e| {
        e["entity"][0]["what"]["reference"] == "Prescription/1439e0c5-7c1d-4512-861d-263de48417bf"
    })
    .await;
    let (status, body) = other.request("GET", &look_up, None).await.unwrap();
    assert_eq!(status, 409, "held by the first pharmacy: {body}");
    let (status, body) = post_result(&other, &number).await;
    assert_eq!(status, 409, "only the holder posts the result: {body}");
    let (status, body) = post_result(&pharmacist, &number).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.to_string().contains("is open"),
        "one split dispensing left: {body}"
    );

    let (status, body) = other.request("GET", &look_up, None).await.unwrap();
    assert_eq!(
        status, 200,
        "the second dispensing, by another pharmacy: {body}"
    );
    let (status, body) = post_result(&other, &number).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.to_string().contains("is closed"), "{body}");
    let (status, body) = other.request("GET", &look_up, None).await.unwrap();
    assert_eq!(status, 404, "a closed prescription is not served: {body}");
}

on_both!(
    the_pharmacy_side_refuses_what_it_must,
    a_pharmacy_retrieves_once_per_dispensing
);

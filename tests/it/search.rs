//! Search: _id, identifier, patient/subject, date prefixes, _lastUpdated, paging, _summary, _include.

use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn seed(app: &TestApp) -> (String, String) {
    let patient = app.post("Patient", &json!({"resourceType": "Patient", "identifier": [{"system": "urn:hospital", "value": "P1"}]})).await;
    let patient_id = patient.body["id"].as_str().unwrap().to_string();
    let medication = app
        .post(
            "Medication",
            &json!({"resourceType": "Medication", "code": {"text": "カロナール錠200"}}),
        )
        .await;
    let medication_id = medication.body["id"].as_str().unwrap().to_string();
    for (i, day) in ["2024-01-10", "2024-02-10", "2024-03-10T09:00:00+09:00"]
        .iter()
        .enumerate()
    {
        let obs = json!({"resourceType": "Observation", "status": "final", "code": {"text": "体温"},
            "identifier": [{"system": "urn:lab", "value": format!("O{i}")}],
            "subject": {"reference": format!("Patient/{patient_id}")}, "effectiveDateTime": day,
            "valueQuantity": {"value": 36.5, "unit": "Cel"}});
        assert_eq!(app.post("Observation", &obs).await.status, 201);
    }
    let order = json!({"resourceType": "MedicationRequest", "status": "active", "intent": "order",
        "medicationReference": {"reference": format!("Medication/{medication_id}")}, "subject": {"reference": format!("Patient/{patient_id}")}});
    assert_eq!(app.post("MedicationRequest", &order).await.status, 201);
    (patient_id, medication_id)
}

fn ids(bundle: &Value, mode: &str) -> Vec<String> {
    bundle["entry"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter(|e| e["search"]["mode"] == mode)
                .map(|e| e["resource"]["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn searches_by_identifier_reference_and_date(app: &TestApp) {
    let (patient_id, _) = seed(app).await;
    assert_eq!(app.count("Patient?identifier=urn:hospital|P1").await, 1);
    assert_eq!(app.count("Patient?identifier=P1").await, 1);
    assert_eq!(app.count("Patient?identifier=urn:other|P1").await, 0);
    assert_eq!(
        app.count("Observation?identifier=urn:lab|O0,urn:lab|O2")
            .await,
        2
    );
    assert_eq!(
        app.count(&format!("Observation?patient={patient_id}"))
            .await,
        3
    );
    assert_eq!(
        app.count(&format!("Observation?subject=Patient/{patient_id}"))
            .await,
        3
    );
    assert_eq!(app.count("Observation?patient=nobody").await, 0);
    assert_eq!(app.count(&format!("Patient?_id={patient_id}")).await, 1);
    assert_eq!(app.count("Observation?date=2024-01-10").await, 1);
    assert_eq!(app.count("Observation?date=2024-02").await, 1);
    assert_eq!(app.count("Observation?date=ge2024-02-10").await, 2);
    assert_eq!(app.count("Observation?date=gt2024-02-10").await, 1);
    assert_eq!(app.count("Observation?date=lt2024-02-10").await, 1);
    assert_eq!(app.count("Observation?date=le2024-02-10").await, 2);
    assert_eq!(app.count("Observation?date=ne2024-02-10").await, 2);
    assert_eq!(
        app.count("Observation?date=ge2024-01-01&date=lt2024-03-01")
            .await,
        2
    );
    // 09:00 in Tokyo on 10 March is midnight UTC: the day 2024-03-10 (taken as UTC) contains it.
    assert_eq!(app.count("Observation?date=2024-03-10").await, 1);
    assert_eq!(app.count("Observation?_lastUpdated=gt2000-01-01").await, 3);
    assert_eq!(app.count("Observation?_lastUpdated=lt2000-01-01").await, 0);
}

async fn pages_with_next_and_previous_links(app: &TestApp) {
    seed(app).await;
    let first = app.get("Observation?_count=2").await;
    assert_eq!(first.body["total"], 3);
    assert_eq!(ids(&first.body, "match").len(), 2);
    let links = first.body["link"].as_array().unwrap();
    let next = links
        .iter()
        .find(|l| l["relation"] == "next")
        .expect("next link")["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!links.iter().any(|l| l["relation"] == "previous"));
    let path = next.split("/fhir/").nth(1).unwrap();
    let second = app.get(path).await;
    assert_eq!(ids(&second.body, "match").len(), 1);
    assert!(second.body["link"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["relation"] == "previous"));
    assert!(!second.body["link"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["relation"] == "next"));
    let mut all = ids(&first.body, "match");
    all.extend(ids(&second.body, "match"));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 3, "pages overlap or miss a match");
    let summary = app.get("Observation?_summary=count").await;
    assert_eq!(summary.body["total"], 3);
    assert!(summary.body.get("entry").is_none());
}

async fn includes_medication_and_patient(app: &TestApp) {
    let (patient_id, medication_id) = seed(app).await;
    let bundle = app
        .get("MedicationRequest?_include=MedicationRequest:medication&_include=*:patient")
        .await;
    assert_eq!(bundle.status, 200, "{}", bundle.body);
    assert_eq!(ids(&bundle.body, "match").len(), 1);
    let mut included = ids(&bundle.body, "include");
    included.sort();
    let mut want = vec![patient_id.clone(), medication_id];
    want.sort();
    assert_eq!(included, want);
    let obs = app.get("Observation?_include=Observation:patient").await;
    assert_eq!(ids(&obs.body, "include"), vec![patient_id]);
}

async fn unsupported_search_is_refused(app: &TestApp) {
    let reply = app.get("Patient?name=山田").await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.issue(),
        ("not-supported".to_string(), Some("name".to_string()))
    );
    let reply = app.get("Observation?date=sa2020").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.issue().0, "invalid");
    assert_eq!(app.get("Unknown?x=1").await.status, 404);
}

crate::on_both_databases!(
    searches_by_identifier_reference_and_date,
    pages_with_next_and_previous_links,
    includes_medication_and_patient,
    unsupported_search_is_refused,
);

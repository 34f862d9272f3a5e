//! The consultation API over real mutual TLS (issue #6): a doctor submits consents, care plans and
//! consultation records in the platform's native JSON and reads them back; guideline violations are
//! refused with 422 naming every rule, warnings are stored and returned; a pharmacist is refused; a
//! care plan is held for 2 years (P3) in every zone.

use serde_json::Value;

use crate::consultation::{app_with_pki, audited, client};
use crate::helpers::on_both;
use crate::helpers::{Db, TestApp};
use crate::mtls::MtlsClient;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/consultation/ok");

fn example(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{EXAMPLES}/{name}")).expect("example");
    serde_json::from_str(&text).expect("example JSON")
}

async fn call(client: &MtlsClient, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    client
        .request(method, path, body)
        .await
        .expect("the request gets an answer")
}

/// The rule ids of an OperationOutcome's issues, in order.
fn rules_of(outcome: &Value) -> Vec<String> {
    outcome["issue"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["details"]["coding"][0]["code"].as_str())
        .map(str::to_string)
        .collect()
}

async fn submit_the_first_visit_consents(doctor: &MtlsClient) {
    for kind in [
        "online-consultation",
        "security-risk",
        "third-party-attendance",
    ] {
        let consent = example(&format!("consent-{kind}.json"));
        let (status, body) = call(doctor, "POST", "/consultation/consents", Some(&consent)).await;
        assert_eq!(status, 201, "{kind}: {body}");
    }
}

async fn a_doctor_submits_a_first_visit_and_reads_it_back(db: Db) {
    let (app, pki) = app_with_pki(db).await;
    let doctor = client(&app, &pki, "sato");
    submit_the_first_visit_consents(&doctor).await;
    let record = example("record-dtop-first-visit.json");
    let (status, body) = call(&doctor, "POST", "/consultation/records", Some(&record)).await;
    assert_eq!(status, 201, "{body}");
    assert!(
        body["issue"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["severity"] != "error"),
        "{body}"
    );
    let (status, again) = call(&doctor, "POST", "/consultation/records", Some(&record)).await;
    assert_eq!(
        status, 200,
        "the same record again stores nothing new: {again}"
    );
    let (status, read) = call(
        &doctor,
        "GET",
        "/consultation/records/REC-2026-000101",
        None,
    )
    .await;
    assert_eq!(status, 200, "{read}");
    // The Patient was known already (from the consents, as it may be from the hospital): the
    // document reads back naming it as stored; everything else is as it was sent.
    let mut expected = record.clone();
    expected["patient"] = read["patient"].clone();
    assert_eq!(read["patient"]["id"], record["patient"]["id"]);
    assert_eq!(read, expected, "the record reads back as it was sent");
    // The hospital zone holds it as FHIR: an online (VR) Encounter and its record document.
    assert_eq!(app.count("/Encounter?class=VR").await, 1);
    assert_eq!(app.count("/Composition").await, 1);
    assert_eq!(app.count("/Consent").await, 3);
}

async fn guideline_violations_are_refused_naming_every_rule(db: Db) {
    let (app, pki) = app_with_pki(db).await;
    let doctor = client(&app, &pki, "sato");
    let mut record = example("record-dtop-first-visit.json");
    // No consents on record (C4, C5, C7), chat only (C1), no doctor contact (C14).
    record["communication"]["video"] = Value::Bool(false);
    record["doctor"]["institution"]
        .as_object_mut()
        .unwrap()
        .remove("contact");
    let (status, body) = call(&doctor, "POST", "/consultation/records", Some(&record)).await;
    assert_eq!(status, 422, "{body}");
    let rules = rules_of(&body);
    for rule in ["C1", "C4", "C5", "C7", "C14"] {
        assert!(
            rules.iter().any(|r| r == rule),
            "{rule} missing from {body}"
        );
    }
    let c1 = body["issue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["details"]["coding"][0]["code"] == "C1")
        .unwrap();
    assert_eq!(c1["expression"][0], "communication.video");
    assert!(
        c1["diagnostics"].as_str().unwrap().contains("000 L2310"),
        "the citation is in the diagnostics: {c1}"
    );
    let (status, _) = call(
        &doctor,
        "GET",
        "/consultation/records/REC-2026-000101",
        None,
    )
    .await;
    assert_eq!(status, 404, "nothing was stored");
    assert_eq!(app.count("/Encounter").await, 0);
}

async fn a_warning_is_stored_and_returned(db: Db) {
    let (app, pki) = app_with_pki(db).await;
    let doctor = client(&app, &pki, "sato");
    let plan = example("care-plan-hypertension.json");
    let (status, body) = call(&doctor, "POST", "/consultation/care-plans", Some(&plan)).await;
    assert_eq!(status, 201, "{body}");
    // The follow-up patient's consents, given at the face-to-face visit that made the plan.
    for (id, kind) in [
        ("CNS-2026-000211", "online-consultation"),
        ("CNS-2026-000212", "security-risk"),
    ] {
        let mut consent = example(&format!("consent-{kind}.json"));
        consent["consentId"] = Value::String(id.into());
        consent["patient"] = serde_json::json!({"id": "0123456790", "name": "鈴木 次郎"});
        consent["dateTime"] = Value::String("2026-10-01T11:30:00+09:00".into());
        let (status, body) = call(&doctor, "POST", "/consultation/consents", Some(&consent)).await;
        assert_eq!(status, 201, "{kind}: {body}");
    }
    // A follow-up visit whose patient identity was obvious, with no basis written: the ID4 warning only.
    let mut record = example("record-dtop-follow-up.json");
    record["identityVerification"]
        .as_object_mut()
        .unwrap()
        .remove("skipBasis");
    let (status, body) = call(&doctor, "POST", "/consultation/records", Some(&record)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(rules_of(&body), vec!["ID4".to_string()], "{body}");
    assert_eq!(body["issue"][0]["severity"], "warning");
    let stored = app.get("/DetectedIssue").await;
    assert_eq!(stored.status, 200, "{}", stored.body);
    assert_eq!(stored.body["total"], 1, "{}", stored.body);
    let issue = &stored.body["entry"][0]["resource"];
    assert_eq!(issue["code"]["coding"][0]["code"], "ID4");
    // The same record a second time on the same doctor's calendar is no overlap (C2) with itself.
    let (status, body) = call(&doctor, "POST", "/consultation/records", Some(&record)).await;
    assert_eq!(status, 200, "{body}");
    // Another record in the same hour by the same doctor overlaps it: C2 blocks.
    let mut other = record.clone();
    other["recordId"] = Value::String("REC-2026-000199".into());
    let (status, body) = call(&doctor, "POST", "/consultation/records", Some(&other)).await;
    assert_eq!(status, 422, "{body}");
    assert!(rules_of(&body).contains(&"C2".to_string()), "{body}");
}

async fn the_certificate_decides_who_may_submit(db: Db) {
    let (app, pki) = app_with_pki(db).await;
    let consent = example("consent-online-consultation.json");
    let pharmacist = client(&app, &pki, "sato-pharmacist");
    let (status, body) = call(
        &pharmacist,
        "POST",
        "/consultation/consents",
        Some(&consent),
    )
    .await;
    assert_eq!(status, 403, "a pharmacist may not submit: {body}");
    let other_doctor = client(&app, &pki, "doctor");
    let (status, body) = call(
        &other_doctor,
        "POST",
        "/consultation/consents",
        Some(&consent),
    )
    .await;
    assert_eq!(status, 403, "a doctor other than the document's: {body}");
    assert_eq!(body["issue"][0]["expression"][0], "doctor.name");
    let doctor = client(&app, &pki, "sato");
    let (status, _) = call(&doctor, "POST", "/consultation/consents", Some(&consent)).await;
    assert_eq!(status, 201);
    let (status, _) = call(
        &pharmacist,
        "GET",
        "/consultation/consents/CNS-2026-000201",
        None,
    )
    .await;
    assert_eq!(status, 403, "nor read");
    let (status, read) = call(
        &doctor,
        "GET",
        "/consultation/consents/CNS-2026-000201",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(read, consent);
    let mut broken = consent.clone();
    broken["kind"] = Value::String("everything".into());
    let (status, body) = call(&doctor, "POST", "/consultation/consents", Some(&broken)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["issue"][0]["expression"][0], "kind");
    let _ = app;
}

async fn a_care_plan_is_kept_two_years(db: Db) {
    let (app, pki) = app_with_pki(db).await;
    let doctor = client(&app, &pki, "sato");
    let plan = example("care-plan-hypertension.json");
    let (status, body) = call(&doctor, "POST", "/consultation/care-plans", Some(&plan)).await;
    assert_eq!(status, 201, "{body}");
    let (status, read) = call(
        &doctor,
        "GET",
        "/consultation/care-plans/CP-2026-000301",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(read, plan);
    let mut changed = plan.clone();
    changed["hours"] = Value::String("予約制。月曜の10時から12時。".into());
    let (status, body) = call(&doctor, "POST", "/consultation/care-plans", Some(&changed)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(rules_of(&body), vec!["P3".to_string()]);
    // Nor through the hospital zone's FHIR API.
    let stored = app.get("/CarePlan?_count=10").await;
    let id = stored.body["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deleted = app.delete(&format!("/CarePlan/{id}")).await;
    assert_eq!(deleted.status, 422, "{}", deleted.body);
    assert_eq!(deleted.issue().0, "business-rule");
    let (status, read) = call(
        &doctor,
        "GET",
        "/consultation/care-plans/CP-2026-000301",
        None,
    )
    .await;
    assert_eq!((status, read), (200, plan));
}

/// The platform may send the record as FHIR: the same checks apply. The example's Bundle with every
/// entry a POST (server-assigned ids; PUT is not granted to the zone).
async fn fhir_sent_directly_gets_the_same_rules(db: Db) {
    let (app, pki) = app_with_pki(db).await;
    let doctor = client(&app, &pki, "sato");
    let mut bundle = example("record-dtop-first-visit.fhir.json");
    for entry in bundle["entry"].as_array_mut().unwrap() {
        if entry["request"]["method"] == "PUT" {
            let resource_type = entry["resource"]["resourceType"].clone();
            entry["request"] = serde_json::json!({"method": "POST", "url": resource_type});
            entry["resource"].as_object_mut().unwrap().remove("id");
        }
    }
    let (status, body) = call(&doctor, "POST", "/fhir", Some(&bundle)).await;
    assert_eq!(status, 422, "no consents on record yet: {body}");
    for rule in ["C4", "C5", "C7"] {
        assert!(
            rules_of(&body).contains(&rule.to_string()),
            "{rule}: {body}"
        );
    }
    assert_eq!(app.count("/Encounter").await, 0);
    submit_the_first_visit_consents(&doctor).await;
    let (status, body) = call(&doctor, "POST", "/fhir", Some(&bundle)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.count("/Encounter?class=VR").await, 1);
    let other = client(&app, &pki, "doctor");
    let (status, body) = call(&other, "POST", "/fhir", Some(&bundle)).await;
    assert_eq!(status, 403, "another doctor's record: {body}");
}

/// Posts an HL7 v2 fixture to the hospital zone and expects AA.
async fn import_hl7v2(app: &TestApp, fixture: &str) {
    let path = format!(
        "{}/../fixtures/hl7v2/ok/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let message = std::fs::read(path).expect("fixture");
    let reply = app
        .client
        .post(format!("{}/hl7v2", app.hospital))
        .header("content-type", "x-application/hl7-v2+er7")
        .body(message)
        .send()
        .await
        .expect("POST /hl7v2");
    let status = reply.status().as_u16();
    let ack = reply.bytes().await.unwrap_or_default();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&ack));
    assert!(
        ack.windows(7).any(|w| w == b"MSA|AA|"),
        "{}",
        String::from_utf8_lossy(&ack)
    );
}

async fn the_first_visit_summary_needs_the_sharing_consent(db: Db) {
    let (app, pki) = app_with_pki(db).await;
    import_hl7v2(&app, "ADT-61/a60-allergies.hl7").await;
    import_hl7v2(&app, "PPR-01/zd1-problems.hl7").await;
    // The platform knows the patient by the zone's token (as it would from an earlier answer).
    let store = kakehashi::store::Store::open(&app.database_url, 2)
        .await
        .unwrap();
    let token = store
        .xref_token(
            "consultation",
            "urn:oid:1.2.392.100495.20.3.51.11319999999",
            "9876543210",
            0,
        )
        .await
        .unwrap();
    let path = format!("/consultation/patients/{token}/summary");
    let doctor = client(&app, &pki, "sato");
    let (status, body) = call(&doctor, "GET", &path, None).await;
    assert_eq!(status, 403, "no sharing consent yet: {body}");
    // Reads are answered once their audit row is queued; `audited` waits for the commit.
    let refused = audited(&app, "the refused summary", |e| {
        e["entity"][0]["what"]["reference"] == format!("Patient/{token}")
    })
    .await;
    assert_ne!(refused["outcome"], "0", "{refused}");

    let mut consent = example("consent-regional-network-sharing.json");
    consent["patient"]["id"] = Value::String(token.clone());
    consent["period"]["start"] = Value::String("2026-01-01T00:00:00+09:00".into());
    consent["period"]["end"] = Value::String("2099-12-31T23:59:59+09:00".into());
    let (status, body) = call(&doctor, "POST", "/consultation/consents", Some(&consent)).await;
    assert_eq!(status, 201, "{body}");
    let (status, summary) = call(&doctor, "GET", &path, None).await;
    assert_eq!(status, 200, "{summary}");
    let kinds: Vec<&str> = summary["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["resource"]["resourceType"].as_str())
        .collect();
    assert!(kinds.contains(&"AllergyIntolerance"), "{kinds:?}");
    assert!(kinds.contains(&"Condition"), "{kinds:?}");
    let text = summary.to_string();
    for hospital_name in ["9876543210", "1319999999"] {
        assert!(
            !text.contains(hospital_name),
            "{hospital_name} leaked: {text}"
        );
    }
    assert!(text.contains(&token));
    let pharmacist = client(&app, &pki, "sato-pharmacist");
    let (status, _) = call(&pharmacist, "GET", &path, None).await;
    assert_eq!(status, 403, "only doctors");
}

on_both!(
    a_doctor_submits_a_first_visit_and_reads_it_back,
    guideline_violations_are_refused_naming_every_rule,
    a_warning_is_stored_and_returned,
    the_certificate_decides_who_may_submit,
    a_care_plan_is_kept_two_years,
    the_first_visit_summary_needs_the_sharing_consent,
    fhir_sent_directly_gets_the_same_rules,
);

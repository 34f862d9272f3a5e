//! The consultation zone over real mutual TLS (issue #3): HPKI doctors and pinned services get in, every
//! bad certificate is refused at the handshake or with 403, refusals are in the audit log, reads of
//! hospital data are refused, and hospital-local identifiers never reach the zone.

use std::time::Duration;

use rustls::version::{TLS12, TLS13};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{spawn_app_with, Db, TestApp};
use crate::mtls::MtlsClient;
use crate::pki::TestPki;

const PATIENT_ID_SYSTEM: &str = "urn:oid:1.2.392.100495.20.3.51.11311234567";

pub(crate) async fn app_with_pki(db: Db) -> (TestApp, TestPki) {
    let pki = TestPki::new();
    let app = spawn_app_with(db, |s| pki.configure(s)).await;
    (app, pki)
}

pub(crate) fn client(app: &TestApp, pki: &TestPki, name: &str) -> MtlsClient {
    MtlsClient::new(
        app.consultation,
        &pki.server_roots(),
        Some(pki.client(name).identity()),
        &[&TLS13, &TLS12],
    )
}

fn consent(patient_identifier: Value) -> Value {
    json!({
        "resourceType": "Consent",
        "status": "active",
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        // ppc-1: a Consent names its policy.
        "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]},
        "patient": {"identifier": patient_identifier}
    })
}

fn local_patient() -> Value {
    json!({"system": PATIENT_ID_SYSTEM, "value": "00012345"})
}

/// Every AuditEvent the admin listener serves.
async fn audit_events(app: &TestApp) -> Vec<Value> {
    let reply = app
        .send(
            app.client
                .get(format!("{}/fhir/AuditEvent?_count=1000", app.admin)),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["entry"]
        .as_array()
        .map(|entries| entries.iter().map(|e| e["resource"].clone()).collect())
        .unwrap_or_default()
}

/// Waits (handshake refusals are written by the next batch) for an AuditEvent matching `found`.
pub(crate) async fn audited(app: &TestApp, what: &str, found: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        if let Some(event) = audit_events(app).await.into_iter().find(&found) {
            return event;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no audit event for {what}: {:#?}", audit_events(app).await);
}

fn outcome_desc(event: &Value) -> &str {
    event["outcomeDesc"].as_str().unwrap_or_default()
}

fn is_handshake(event: &Value) -> bool {
    event["type"]["code"] == "110114"
}

async fn valid_doctor_creates_a_consent_and_is_audited(db: Db) {
    let (app, pki) = app_with_pki(db).await;
    let doctor = client(&app, &pki, "doctor");
    let (status, body) = doctor
        .request("POST", "/fhir/Consent", Some(&consent(local_patient())))
        .await
        .expect("the doctor gets through");
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let event = audited(&app, "the create", |e| {
        e["entity"][0]["what"]["reference"] == format!("Consent/{id}")
    })
    .await;
    assert_eq!(event["outcome"], "0");
    assert_eq!(event["action"], "C");
    let agent = event["agent"][0]["who"]["display"].as_str().unwrap();
    assert!(agent.contains("Kakehashi Test"), "{event}");
    let verify = kakehashi::audit::verify_chain(
        &kakehashi::store::Store::open(&app.database_url, 2)
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    assert!(verify.intact, "{verify:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_doctor_sqlite() {
    valid_doctor_creates_a_consent_and_is_audited(Db::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_doctor_postgres() {
    valid_doctor_creates_a_consent_and_is_audited(Db::Postgres).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_certificates_are_refused_at_the_handshake_and_audited() {
    let (app, pki) = app_with_pki(Db::Sqlite).await;
    let cases = [
        ("expired", "expired"),
        ("not-yet-valid", "not-yet-valid"),
        ("revoked", "revoked"),
        ("signature-certificate", "wrong-policy"),
        ("wrong-key-usage", "wrong-key-usage"),
        (
            "unknown-critical-extension",
            "unsupported-critical-extension",
        ),
        ("untrusted", "untrusted-issuer"),
        ("unpinned-service", "untrusted-issuer"),
    ];
    for (name, reason) in cases {
        for version in [&TLS13, &TLS12] {
            let c = MtlsClient::new(
                app.consultation,
                &pki.server_roots(),
                Some(pki.client(name).identity()),
                &[version],
            );
            let answer = c.request("GET", "/fhir/metadata", None).await;
            assert!(
                answer.is_err(),
                "{name} over {version:?} got through: {answer:?}"
            );
        }
        let event = audited(&app, name, |e| is_handshake(e) && outcome_desc(e) == reason).await;
        assert_eq!(event["outcome"], "4", "{event}");
    }
    // The refused certificate's subject is named (no patient data: a certificate subject).
    let revoked = audited(&app, "revoked", |e| outcome_desc(e) == "revoked").await;
    assert!(revoked["agent"][0]["who"]["display"]
        .as_str()
        .unwrap()
        .contains("Kakehashi Test"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_certificate_old_protocols_and_wrong_keys_are_refused() {
    let (app, pki) = app_with_pki(Db::Sqlite).await;
    for version in [&TLS13, &TLS12] {
        let anonymous = MtlsClient::new(app.consultation, &pki.server_roots(), None, &[version]);
        let answer = anonymous.request("GET", "/fhir/metadata", None).await;
        assert!(
            answer.is_err(),
            "no certificate over {version:?}: {answer:?}"
        );
        let wrong_key = MtlsClient::new(
            app.consultation,
            &pki.server_roots(),
            Some(pki.client("wrong-key").identity()),
            &[version],
        );
        let answer = wrong_key.request("GET", "/fhir/metadata", None).await;
        assert!(answer.is_err(), "wrong key over {version:?}: {answer:?}");
    }
    audited(&app, "no certificate", |e| {
        is_handshake(e) && outcome_desc(e) == "no-client-certificate"
    })
    .await;

    // A TLS 1.1 ClientHello (no supported_versions extension) gets an alert, never a ServerHello.
    let mut tcp = tokio::net::TcpStream::connect(app.consultation)
        .await
        .unwrap();
    let mut hello = vec![0x03, 0x02];
    hello.extend_from_slice(&[7u8; 32]);
    hello.extend_from_slice(&[0x00, 0x00, 0x02, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x00]);
    let mut handshake = vec![0x01, 0x00, 0x00, hello.len() as u8];
    handshake.extend_from_slice(&hello);
    let mut record = vec![0x16, 0x03, 0x02, 0x00, handshake.len() as u8];
    record.extend_from_slice(&handshake);
    tcp.write_all(&record).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer)).await;
    assert!(
        !(answer.first() == Some(&0x16) && answer.get(5) == Some(&0x02)),
        "the server answered TLS 1.1 with a ServerHello: {answer:02x?}"
    );
    assert_eq!(
        answer.first(),
        Some(&0x15),
        "expected an alert: {answer:02x?}"
    );
    audited(&app, "TLS 1.1", |e| {
        is_handshake(e) && outcome_desc(e).starts_with("tls-")
    })
    .await;

    // TLS 1.2 with a valid doctor works (the handshake signature is checked from the certificate key).
    let tls12 = MtlsClient::new(
        app.consultation,
        &pki.server_roots(),
        Some(pki.client("doctor").identity()),
        &[&TLS12],
    );
    let mut kept = tls12.connect().await.unwrap();
    for i in 0..3 {
        // One connection, several requests (kept alive).
        let (status, length) = kept
            .fetch("/fhir/metadata")
            .await
            .unwrap_or_else(|e| panic!("request {i}: {e}"));
        assert_eq!(status, 200);
        assert!(length > 100);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_decides_by_hcrole_and_pinned_service() {
    let (app, pki) = app_with_pki(Db::Sqlite).await;
    for (name, expected) in [
        ("dentist", 201),
        ("two-roles", 201),
        ("pinned-service", 201),
        ("pharmacist", 403),
        ("nurse", 403),
        ("no-role", 403),
    ] {
        let (status, body) = client(&app, &pki, name)
            .request("POST", "/fhir/Consent", Some(&consent(local_patient())))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(status, expected, "{name}: {body}");
        if expected == 403 {
            assert_eq!(body["issue"][0]["code"], "forbidden", "{body}");
        }
    }
    let refused = audit_events(&app)
        .await
        .into_iter()
        .filter(|e| outcome_desc(e) == "policy-denied")
        .count();
    assert_eq!(refused, 3);
    let service = audited(&app, "the pinned service", |e| {
        e["agent"][0]["who"]["display"] == "platform"
    })
    .await;
    assert_eq!(service["outcome"], "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consultation_zone_cannot_read_hospital_data() {
    let (app, pki) = app_with_pki(Db::Sqlite).await;
    let created = app
        .post(
            "Patient",
            &json!({"resourceType": "Patient", "identifier": [local_patient()]}),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap();
    let doctor = client(&app, &pki, "doctor");
    for path in [
        format!("/fhir/Patient/{id}"),
        "/fhir/Patient?identifier=00012345".to_string(),
        format!("/fhir/Patient/{id}/_history"),
    ] {
        let (status, body) = doctor.request("GET", &path, None).await.unwrap();
        assert_eq!(status, 403, "{path}: {body}");
    }
    let (status, _) = doctor
        .request("DELETE", &format!("/fhir/Patient/{id}"), None)
        .await
        .unwrap();
    assert_eq!(status, 403);
    // A transaction hiding a read is refused at the entry, and nothing of it is stored.
    let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:0b0f4d53-7b23-4a86-9c55-d1b5c4fb0d21", "resource": consent(local_patient()),
         "request": {"method": "POST", "url": "Consent"}},
        {"request": {"method": "GET", "url": format!("Patient/{id}")}}
    ]});
    let (status, body) = doctor
        .request("POST", "/fhir", Some(&bundle))
        .await
        .unwrap();
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["issue"][0]["expression"][0], "Bundle.entry[1].request");
    assert_eq!(app.count("Consent").await, 0);
}

async fn hospital_identifiers_never_reach_the_zone(db: Db) {
    let (app, pki) = app_with_pki(db).await;
    let doctor = client(&app, &pki, "doctor");
    let (status, body) = doctor
        .request("POST", "/fhir/Consent", Some(&consent(local_patient())))
        .await
        .unwrap();
    assert_eq!(status, 201, "{body}");
    let seen = &body["patient"]["identifier"];
    assert_eq!(seen["system"], "urn:kakehashi:xref:consultation", "{body}");
    let token = seen["value"].as_str().unwrap().to_string();
    assert!(!body.to_string().contains("00012345"), "{body}");

    // The token, sent back, is the hospital's identifier again inside the gateway.
    let mut second = consent(json!({"system": "urn:kakehashi:xref:consultation", "value": token}));
    second["status"] = json!("inactive");
    let (status, body) = doctor
        .request("POST", "/fhir/Consent", Some(&second))
        .await
        .unwrap();
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["patient"]["identifier"]["value"], token.as_str());
    let stored = app
        .get(&format!("Consent/{}", body["id"].as_str().unwrap()))
        .await;
    assert_eq!(stored.body["patient"]["identifier"], local_patient());
    // The same local identifier always maps to the same token.
    let (_, again) = doctor
        .request("POST", "/fhir/Consent", Some(&consent(local_patient())))
        .await
        .unwrap();
    assert_eq!(again["patient"]["identifier"]["value"], token.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identifier_xref_sqlite() {
    hospital_identifiers_never_reach_the_zone(Db::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identifier_xref_postgres() {
    hospital_identifiers_never_reach_the_zone(Db::Postgres).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_development_pki_works_out_of_the_box() {
    // No certificates configured: the gateway generates dev-pki/ and its demo doctor gets in.
    let app = spawn_app_with(Db::Sqlite, |_| {}).await;
    let dir = app.data_dir.join("dev-pki");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    use rustls::pki_types::pem::PemObject;
    let roots: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(&read("server-ca.pem"))
        .collect::<Result<_, _>>()
        .unwrap();
    let chain: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(&read("doctor.pem"))
        .collect::<Result<_, _>>()
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(&read("doctor.key.pem")).unwrap();
    let doctor = MtlsClient::new(app.consultation, &roots, Some((chain, key)), &[&TLS13]);
    let (status, body) = doctor
        .request("POST", "/fhir/Consent", Some(&consent(local_patient())))
        .await
        .unwrap();
    assert_eq!(status, 201, "{body}");
    let facts = kakehashi::hpki::parse_certificate(&read("doctor.pem")).unwrap();
    assert_eq!(facts.roles, vec!["Medical Doctor".to_string()]);
    assert_eq!(facts.japanese_name.as_deref(), Some("山田　太郎"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_roles_refuse_other_professions_at_the_handshake() {
    let pki = TestPki::new();
    let app = spawn_app_with(Db::Sqlite, |s| {
        pki.configure(s);
        s.consultation.required_roles = vec!["Medical Doctor".into()];
    })
    .await;
    let (status, statement) = client(&app, &pki, "doctor")
        .request("GET", "/fhir/metadata", None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    // The zone's statement lists what its policy grants: creates and transactions, never a read.
    assert_eq!(
        statement["implementation"]["description"],
        "Kakehashi FHIR gateway, consultation zone"
    );
    let resources = statement["rest"][0]["resource"].as_array().unwrap();
    assert!(resources.iter().any(|r| r["type"] == "Consent"));
    for resource in resources {
        assert_eq!(
            resource["interaction"],
            json!([{"code": "create"}]),
            "{resource}"
        );
    }
    assert_eq!(
        statement["rest"][0]["interaction"],
        json!([{"code": "transaction"}])
    );
    for (name, reason) in [
        ("pharmacist", "role-not-allowed"),
        ("no-role", "role-missing"),
    ] {
        let answer = client(&app, &pki, name)
            .request("GET", "/fhir/metadata", None)
            .await;
        assert!(answer.is_err(), "{name}: {answer:?}");
        audited(&app, name, |e| is_handshake(e) && outcome_desc(e) == reason).await;
    }
}

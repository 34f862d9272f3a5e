//! HL7 v2 over MLLP (and `POST /hl7v2`) end to end, over real sockets: ACK after commit, duplicates,
//! AE with ERR, AR for unsupported types, enhanced acknowledgement mode, 16 concurrent senders and a
//! failing message in a group commit; the helpers the other files here share. Connections (limits,
//! TLS, shutdown) are in `connections.rs`, the golden fixtures in `fixtures.rs`.

use std::time::Duration;

use kakehashi_mappings::hl7v2::charset;
use kakehashi_mappings::hl7v2::Message;
use sqlx::{AnyConnection, Connection as _, Row as _};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::TestApp;

mod connections;
mod fixtures;

/// 山田 太郎 / ヤマダ タロウ, 東京都渋谷区, written as the ISO-2022-JP bytes a JAHIS sender puts on the wire
/// (note `%^` inside the JIS run: a `^` that is not a component separator).
pub(super) const YAMADA: &[u8] =
    b"\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B^^^^^L^I~\x1b$B%d%^%@\x1b(B^\x1b$B%?%m%&\x1b(B^^^^^L^P";
pub(super) const ADDRESS: &[u8] = b"^^\x1b$B=BC+6h\x1b(B^\x1b$BEl5~ET\x1b(B^1510071^JPN^H";

/// An SS-MIX2 ADT^A08 (患者情報更新) of patient `pid`, MSH-10 `control_id`, MSH-15 `msh15`.
pub(super) fn adt_a08(control_id: &str, pid: &str, msh15: &str) -> Vec<u8> {
    let mut m = format!(
        "MSH|^~\\&|HIS123|1319999999|KAKEHASHI|1319999999|20261202093015||ADT^A08^ADT_A01|{control_id}|P|2.5|||{msh15}|||~ISO IR87||ISO 2022-1994\r\
         EVN||20261202093015\r\
         PID|||{pid}^^^^PI||"
    )
    .into_bytes();
    m.extend_from_slice(YAMADA);
    m.extend_from_slice(b"||19650415|M|||");
    m.extend_from_slice(ADDRESS);
    m.extend_from_slice(b"||^PRN^PH^^^^^^^^^03-1111-2222\r");
    m
}

pub(super) fn patient_id(pid: &str) -> String {
    format!("1319999999.patient.{pid}")
}

pub(super) fn frame(message: &[u8]) -> Vec<u8> {
    let mut out = vec![0x0B];
    out.extend_from_slice(message);
    out.extend_from_slice(&[0x1C, 0x0D]);
    out
}

/// Reads one ACK frame; `None` when the server closed the connection first.
pub(super) async fn read_frame(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(2).position(|w| w == [0x1C, 0x0D]) {
            assert_eq!(buf.first(), Some(&0x0B), "an ACK frame starts with VT");
            return Some(buf[1..end].to_vec());
        }
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut byte))
            .await
            .expect("an answer within 30 s")
            .unwrap_or(0);
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
    }
}

/// Sends one framed message and returns the ACK, parsed.
pub(super) async fn exchange(stream: &mut TcpStream, message: &[u8]) -> Message {
    stream.write_all(&frame(message)).await.expect("sent");
    let ack = read_frame(stream).await.expect("an ACK frame");
    parse_ack(&ack)
}

pub(super) fn parse_ack(ack: &[u8]) -> Message {
    let text = charset::decode(ack).expect("the ACK decodes").text;
    Message::parse(&text).unwrap_or_else(|e| panic!("the ACK parses ({e}): {text:?}"))
}

pub(super) async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.mllp).await.expect("MLLP connect")
}

/// True when the server closed the connection (EOF or reset) within 10 s.
pub(super) async fn closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut byte)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

/// One number from the test database (`SELECT COUNT(*) …`).
pub(crate) async fn rows(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&app.database_url)
        .await
        .expect("a direct connection to the test database");
    let n: i64 = sqlx::query(sql)
        .fetch_one(&mut conn)
        .await
        .expect("count")
        .get(0);
    let _ = conn.close().await;
    n
}

async fn accepted_then_readable_and_duplicates_answered_again(app: &TestApp) {
    let mut stream = connect(app).await;
    let message = adt_a08("A08-0001", "1000000001", "");
    let ack = exchange(&mut stream, &message).await;
    assert_eq!(
        ack.value("MSA-1").as_deref(),
        Some("AA"),
        "{}",
        ack.to_hl7()
    );
    assert_eq!(ack.value("MSA-2").as_deref(), Some("A08-0001"));
    assert_eq!(ack.value("MSH-9").as_deref(), Some("ACK^A08^ACK"));
    assert_eq!(ack.value("MSH-3").as_deref(), Some("KAKEHASHI"));
    assert_eq!(ack.value("MSH-5").as_deref(), Some("HIS123"));
    assert_eq!(ack.value("MSH-18").as_deref(), Some("~ISO IR87"));

    let id = patient_id("1000000001");
    let read = app.get(&format!("Patient/{id}")).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["name"][0]["text"], "山田 太郎");
    assert_eq!(read.body["meta"]["versionId"], "1");

    // The same MSH-10 again, on the same connection: the very same ACK, nothing new stored.
    let again = exchange(&mut stream, &message).await;
    assert_eq!(again.to_hl7(), ack.to_hl7());
    let history = app.get(&format!("Patient/{id}/_history")).await;
    assert_eq!(history.body["entry"].as_array().map(Vec::len), Some(1));
    assert_eq!(rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await, 1);
    let (sender, state): (String, String) = {
        sqlx::any::install_default_drivers();
        let mut conn = AnyConnection::connect(&app.database_url).await.unwrap();
        let row = sqlx::query("SELECT sender, state FROM hl7v2_messages")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(sender, "HIS123|1319999999");
    assert_eq!(state, "current");
    // One audit row per message, committed before its ACK, without patient data.
    assert_eq!(
        rows(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE channel = 'mllp' AND action = 'hl7v2'"
        )
        .await,
        2
    );
    let metrics = app
        .client
        .get(format!("{}/metrics", app.admin))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"kakehashi_hl7v2_messages_total{channel="mllp",outcome="accepted"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"kakehashi_hl7v2_messages_total{channel="mllp",outcome="duplicate"} 1"#)
    );
}

async fn errors_are_ae_with_err_and_unsupported_types_ar(app: &TestApp) {
    let mut stream = connect(app).await;
    let no_pid = b"MSH|^~\\&|HIS123|1319999999|KAKEHASHI|1319999999|20261202093015||ADT^A08^ADT_A01|E-0001|P|2.5\rEVN||20261202093015\r";
    let ack = exchange(&mut stream, no_pid).await;
    assert_eq!(
        ack.value("MSA-1").as_deref(),
        Some("AE"),
        "{}",
        ack.to_hl7()
    );
    assert_eq!(ack.value("MSA-2").as_deref(), Some("E-0001"));
    assert_eq!(ack.get("ERR-2").as_deref(), Some("PID^1"));
    assert_eq!(ack.value("ERR-3.1").as_deref(), Some("100"));
    assert_eq!(ack.value("ERR-4").as_deref(), Some("E"));
    let unsupported =
        b"MSH|^~\\&|HIS123|1319999999|KAKEHASHI|1319999999|20261202093015||QRY^Q99|U-0001|P|2.5\r";
    let ack = exchange(&mut stream, unsupported).await;
    assert_eq!(
        ack.value("MSA-1").as_deref(),
        Some("AR"),
        "{}",
        ack.to_hl7()
    );
    assert_eq!(ack.value("ERR-3.1").as_deref(), Some("200"));
    assert_eq!(rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await, 0);
    assert_eq!(rows(app, "SELECT COUNT(*) FROM resource_versions").await, 0);
}

async fn enhanced_mode_answers_ca(app: &TestApp) {
    let mut stream = connect(app).await;
    let ack = exchange(&mut stream, &adt_a08("ENH-0001", "2000000002", "AL")).await;
    assert_eq!(
        ack.value("MSA-1").as_deref(),
        Some("CA"),
        "{}",
        ack.to_hl7()
    );
    // NE: stored, but no ACK at all; the next message on the connection is answered as usual.
    stream
        .write_all(&frame(&adt_a08("ENH-0002", "2000000003", "NE")))
        .await
        .unwrap();
    let ack = exchange(&mut stream, &adt_a08("ENH-0003", "2000000004", "AL")).await;
    assert_eq!(ack.value("MSA-2").as_deref(), Some("ENH-0003"));
    assert_eq!(rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await, 3);
}

async fn sixteen_connections_of_twenty_messages(app: &TestApp) {
    let mut senders = Vec::new();
    for c in 0..16 {
        let mllp = app.mllp;
        senders.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(mllp).await.unwrap();
            let mut codes = Vec::new();
            for m in 0..20 {
                let message = adt_a08(&format!("C{c:02}-{m:02}"), &format!("3{c:02}{m:02}"), "");
                let ack = exchange(&mut stream, &message).await;
                codes.push(ack.value("MSA-1").unwrap_or_default());
            }
            codes
        }));
    }
    for sender in senders {
        let codes = sender.await.expect("a sender finished");
        assert!(codes.iter().all(|c| c == "AA"), "{codes:?}");
    }
    assert_eq!(rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await, 320);
    assert_eq!(
        rows(
            app,
            "SELECT COUNT(*) FROM resources WHERE resource_type = 'Patient'"
        )
        .await,
        320
    );
}

async fn http_post_answers_aa_and_ae(app: &TestApp) {
    let url = format!("{}/hl7v2", app.hospital);
    let post = |body: Vec<u8>| {
        app.client
            .post(&url)
            .header("content-type", "x-application/hl7-v2+er7")
            .body(body)
            .send()
    };
    let response = post(adt_a08("HTTP-0001", "6000000001", "")).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("x-application/hl7-v2+er7")
    );
    let ack = parse_ack(&response.bytes().await.unwrap());
    assert_eq!(ack.value("MSA-1").as_deref(), Some("AA"));
    let read = app
        .get(&format!("Patient/{}", patient_id("6000000001")))
        .await;
    assert_eq!(read.status, 200);

    let again = post(adt_a08("HTTP-0001", "6000000001", "")).await.unwrap();
    assert_eq!(again.status().as_u16(), 200);

    let no_pid = b"MSH|^~\\&|HIS123|1319999999|KAKEHASHI|1319999999|20261202093015||ADT^A08^ADT_A01|HTTP-0002|P|2.5\r".to_vec();
    let response = post(no_pid).await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let ack = parse_ack(&response.bytes().await.unwrap());
    assert_eq!(ack.value("MSA-1").as_deref(), Some("AE"));
    assert_eq!(ack.get("ERR-2").as_deref(), Some("PID^1"));

    let wrong_type = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status().as_u16(), 415);
    assert_eq!(rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await, 1);
    // Through the zone guard: every request audited (committed before the answer).
    assert_eq!(
        rows(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE channel = 'fhir-rest' AND action = 'hl7v2'"
        )
        .await,
        4
    );
}

/// A message that the store refuses (a trigger stands in for a failing disk) among others sent at the
/// same time: it gets AR, every other message its AA, each after its own commit.
async fn a_failing_message_does_not_cost_the_others(app: &TestApp) {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&app.database_url).await.unwrap();
    let sqlite = app.database_url.starts_with("sqlite:");
    let statements: &[&'static str] = if sqlite {
        &["CREATE TRIGGER refuse_bad BEFORE INSERT ON hl7v2_messages WHEN NEW.control_id = 'BAD' BEGIN SELECT RAISE(ABORT, 'refused'); END"]
    } else {
        &[
            "CREATE FUNCTION refuse_bad() RETURNS trigger AS $$ BEGIN IF NEW.control_id = 'BAD' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_bad BEFORE INSERT ON hl7v2_messages FOR EACH ROW EXECUTE FUNCTION refuse_bad()",
        ]
    };
    for sql in statements {
        sqlx::query(*sql).execute(&mut conn).await.unwrap();
    }
    let _ = conn.close().await;
    let mut senders = Vec::new();
    for c in 0..8 {
        let mllp = app.mllp;
        senders.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(mllp).await.unwrap();
            let mut codes = Vec::new();
            for m in 0..5 {
                let id = if c == 3 && m == 2 {
                    "BAD".to_string()
                } else {
                    format!("F{c}-{m}")
                };
                let ack = exchange(&mut stream, &adt_a08(&id, &format!("7{c}{m}"), "")).await;
                codes.push((id, ack.value("MSA-1").unwrap_or_default()));
            }
            codes
        }));
    }
    for sender in senders {
        for (id, code) in sender.await.unwrap() {
            let expected = if id == "BAD" { "AR" } else { "AA" };
            assert_eq!(code, expected, "{id}");
        }
    }
    assert_eq!(rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await, 39);
}

crate::on_both_databases!(
    accepted_then_readable_and_duplicates_answered_again,
    errors_are_ae_with_err_and_unsupported_types_ar,
    enhanced_mode_answers_ca,
    sixteen_connections_of_twenty_messages,
    http_post_answers_aa_and_ae,
    a_failing_message_does_not_cost_the_others,
);

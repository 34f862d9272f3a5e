//! MLLP connections end to end: oversized frames, garbage and truncated frames, MLLP inside TLS, the idle
//! timeout and the connection limit, and graceful shutdown.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;
use crate::helpers::TestApp;

async fn oversized_frames_get_ar_and_are_closed(app: &TestApp) {
    let mut stream = connect(app).await;
    let mut big = adt_a08("BIG-0001", "4000000001", "");
    big.extend_from_slice(b"NTE|1||");
    let limit = 10 * 1024 * 1024;
    big.resize(limit + 1, b'x');
    let framed = frame(&big);
    // The server may close before everything is written: ignore write errors, read the answer.
    let (mut reader, mut writer) = stream.split();
    let write = async {
        let _ = writer.write_all(&framed).await;
    };
    let read = async {
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(60), reader.read_to_end(&mut out)).await;
        out
    };
    let ((), answer) = tokio::join!(write, read);
    let end = answer
        .windows(2)
        .position(|w| w == [0x1C, 0x0D])
        .expect("an AR frame before the close");
    let ack = parse_ack(&answer[1..end]);
    assert_eq!(
        ack.value("MSA-1").as_deref(),
        Some("AR"),
        "{}",
        ack.to_hl7()
    );
    assert_eq!(ack.value("MSA-2").as_deref(), Some("BIG-0001"));
    assert!(ack.value("ERR-8").unwrap_or_default().contains("limit"));
    drop(stream);
    assert_eq!(rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await, 0);
}

async fn garbage_and_truncated_frames_close_only_their_connection(app: &TestApp) {
    let mut garbage = connect(app).await;
    garbage
        .write_all(b"GET / HTTP/1.1\r\n\x00\xff\xfe binary")
        .await
        .unwrap();
    assert!(closed(&mut garbage).await, "garbage closes the connection");

    let mut truncated = connect(app).await;
    let whole = frame(&adt_a08("TR-0001", "5000000001", ""));
    truncated
        .write_all(&whole[..whole.len() / 2])
        .await
        .unwrap();
    truncated.shutdown().await.unwrap();
    assert!(closed(&mut truncated).await);

    let mut binary = connect(app).await;
    binary.write_all(&frame(b"\x00\x01\x02\x03")).await.unwrap();
    let ack = read_frame(&mut binary)
        .await
        .expect("an AR for a binary frame");
    assert_eq!(parse_ack(&ack).value("MSA-1").as_deref(), Some("AR"));

    let mut next = connect(app).await;
    let ack = exchange(&mut next, &adt_a08("OK-0001", "5000000002", "")).await;
    assert_eq!(ack.value("MSA-1").as_deref(), Some("AA"));
    assert_eq!(rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await, 1);
}

/// `[mllp.tls]`: MLLP inside TLS (the development server certificate stands in).
async fn mllp_over_tls(db: crate::helpers::Db) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    let pki_dir = tempfile::tempdir().unwrap();
    let pki = kakehashi::tls::dev_pki::ensure(pki_dir.path()).expect("dev PKI");
    let app = crate::helpers::spawn_app_with(db, |s| {
        s.mllp.tls = Some(kakehashi::config::MllpTls {
            cert: pki.server_chain.clone(),
            key: pki.server_key.clone(),
        })
    })
    .await;
    let ca = CertificateDer::pem_file_iter(&pki.server_ca)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let config = kakehashi::tls::client::client_config(&ca, None, &[&rustls::version::TLS12])
        .expect("client config");
    let connector = tokio_rustls::TlsConnector::from(config);
    let tcp = TcpStream::connect(app.mllp).await.unwrap();
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("TLS 1.2 handshake");
    tls.write_all(&frame(&adt_a08("TLS-0001", "8000000001", "")))
        .await
        .unwrap();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    while !answer.windows(2).any(|w| w == [0x1C, 0x0D]) {
        let n = tokio::time::timeout(Duration::from_secs(30), tls.read(&mut chunk))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed before the ACK");
        answer.extend_from_slice(&chunk[..n]);
    }
    let end = answer.windows(2).position(|w| w == [0x1C, 0x0D]).unwrap();
    let ack = parse_ack(&answer[1..end]);
    assert_eq!(ack.value("MSA-1").as_deref(), Some("AA"));
    // Plain MLLP on the TLS port gets no ACK.
    let mut plain = connect(&app).await;
    plain
        .write_all(&frame(&adt_a08("TLS-0002", "8000000002", "")))
        .await
        .unwrap();
    assert!(read_frame(&mut plain).await.is_none());
    assert_eq!(rows(&app, "SELECT COUNT(*) FROM hl7v2_messages").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mllp_over_tls_sqlite() {
    mllp_over_tls(crate::helpers::Db::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mllp_over_tls_postgres() {
    mllp_over_tls(crate::helpers::Db::Postgres).await
}

/// `mllp.idle_timeout_secs` closes a silent connection; `mllp.max_connections` closes one over the
/// limit at once, and a slot freed is usable again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_surplus_connections_are_closed() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Db::Sqlite, |s| {
        s.mllp.idle_timeout_secs = 1;
        s.mllp.max_connections = 1;
    })
    .await;
    let mut first = connect(&app).await;
    let ack = exchange(&mut first, &adt_a08("IDLE-0001", "9000000001", "")).await;
    assert_eq!(ack.value("MSA-1").as_deref(), Some("AA"));
    let mut surplus = connect(&app).await;
    assert!(
        closed(&mut surplus).await,
        "a second connection is over the limit"
    );
    let started = std::time::Instant::now();
    assert!(closed(&mut first).await, "an idle connection is closed");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The slot is free again.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut again = connect(&app).await;
    let ack = exchange(&mut again, &adt_a08("IDLE-0002", "9000000002", "")).await;
    assert_eq!(ack.value("MSA-1").as_deref(), Some("AA"));
}

/// Stopping the gateway closes idle MLLP connections (graceful shutdown) instead of waiting for their
/// idle timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_mllp_connections() {
    let app = crate::helpers::spawn_app(crate::helpers::Db::Sqlite).await;
    let mut stream = connect(&app).await;
    let ack = exchange(&mut stream, &adt_a08("STOP-0001", "9100000001", "")).await;
    assert_eq!(ack.value("MSA-1").as_deref(), Some("AA"));
    let addr = app.mllp;
    drop(app);
    assert!(
        closed(&mut stream).await,
        "the connection is closed at shutdown"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener is gone"
    );
}

crate::on_both_databases!(
    oversized_frames_get_ar_and_are_closed,
    garbage_and_truncated_frames_close_only_their_connection,
);

//! Load generator for the consultation zone (BENCHMARKS.md): full mutual-TLS handshakes per second (new
//! connection, HPKI verification, no session resumption) and requests per second on kept-alive mutual-TLS
//! connections. Traffic goes to the address given (loopback in tests/load/mtls.sh), bounded in time.
//!
//! cargo run --release -p kakehashi-tests --example mtls-load -- --addr 127.0.0.1:18443 \
//!     --pki kakehashi-data/dev-pki --mode handshakes --connections 16 --seconds 10

#[path = "../it/mtls.rs"]
#[allow(dead_code)]
mod mtls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Mode {
    /// A new connection per request: TCP + full TLS handshake with the client certificate + one GET.
    Handshakes,
    /// TLS 1.2 handshakes only (in TLS 1.2 the server has verified the client certificate when the
    /// client sees the server's Finished), no request.
    Tls12Handshakes,
    /// Requests on kept-alive connections (one per task).
    Requests,
    /// Complete consultation records (`--record`, after the `--consent` files) posted to
    /// /consultation/records on kept-alive connections: mTLS + schema + guideline rules + store. Each
    /// record gets its own id and a session period of its own (the same doctor never overlaps, rule C2).
    Records,
}

#[derive(Debug, Parser)]
struct Args {
    #[arg(long)]
    addr: SocketAddr,
    /// A dev-pki folder (server-ca.pem, doctor.pem, doctor.key.pem).
    #[arg(long)]
    pki: PathBuf,
    #[arg(long, value_enum)]
    mode: Mode,
    #[arg(long, default_value_t = 16)]
    connections: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    #[arg(long, default_value = "/fhir/metadata")]
    path: String,
    /// Records mode: the record to post (fixtures/consultation/ok/record-dtop-first-visit.json).
    #[arg(long)]
    record: Option<PathBuf>,
    /// Records mode: consents to post first (the record's consentIds).
    #[arg(long)]
    consent: Vec<PathBuf>,
    /// Records mode: the doctor's name on the client certificate (the dev PKI's doctor is 山田 太郎).
    #[arg(long, default_value = "山田 太郎")]
    doctor_name: String,
}

fn json_file(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("JSON file")).expect("JSON")
}

/// The record template as the load posts it: this doctor, no attendees (their consent names one
/// session), and a session `n` of 12 minutes every 20 minutes from 2027-01-01.
fn nth_record(template: &serde_json::Value, n: u64, task: usize) -> serde_json::Value {
    let base = chrono::DateTime::parse_from_rfc3339("2027-01-01T09:00:00+09:00").unwrap();
    let start = base + chrono::Duration::minutes(20 * n as i64);
    let at = |t: chrono::DateTime<chrono::FixedOffset>| t.to_rfc3339();
    let mut record = template.clone();
    record["recordId"] = format!("REC-LOAD-{task}-{n}").into();
    record["period"]["start"] = at(start).into();
    record["period"]["end"] = at(start + chrono::Duration::minutes(12)).into();
    record["nextAppointment"]["dateTime"] = at(start + chrono::Duration::days(3)).into();
    if let Some(map) = record.as_object_mut() {
        map.remove("attendees");
    }
    record
}

fn pem_certs(path: &std::path::Path) -> Vec<CertificateDer<'static>> {
    let bytes = std::fs::read(path).expect("certificate file");
    CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .expect("PEM certificates")
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let roots = pem_certs(&args.pki.join("server-ca.pem"));
    let chain = pem_certs(&args.pki.join("doctor.pem"));
    let key = PrivateKeyDer::from_pem_file(args.pki.join("doctor.key.pem")).expect("key");
    let versions: &[&'static rustls::SupportedProtocolVersion] = match args.mode {
        Mode::Tls12Handshakes => &[&rustls::version::TLS12],
        _ => &[&rustls::version::TLS13],
    };
    let client = Arc::new(mtls::MtlsClient::new(
        args.addr,
        &roots,
        Some((chain, key)),
        versions,
    ));
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut template = serde_json::Value::Null;
    if let Mode::Records = args.mode {
        let mut connection = client.connect().await.expect("connect");
        for path in &args.consent {
            let mut consent = json_file(path);
            consent["doctor"]["name"] = args.doctor_name.clone().into();
            let (status, body) = connection
                .request("POST", "/consultation/consents", Some(&consent))
                .await
                .expect("consent");
            assert!(
                status == 201 || status == 200,
                "consent {}: {status} {body}",
                path.display()
            );
        }
        template = json_file(args.record.as_deref().expect("--record"));
        template["doctor"]["name"] = args.doctor_name.clone().into();
        let (status, body) = connection
            .request(
                "POST",
                "/consultation/records",
                Some(&nth_record(&template, 0, 0)),
            )
            .await
            .expect("first record");
        assert_eq!(status, 201, "the record is accepted: {body}");
    }
    let template = Arc::new(template);
    let sessions = Arc::new(AtomicU64::new(1));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..args.connections {
        let (client, done, failed, path) = (
            client.clone(),
            done.clone(),
            failed.clone(),
            args.path.clone(),
        );
        let (template, sessions) = (template.clone(), sessions.clone());
        let mode = args.mode;
        tasks.push(tokio::spawn(async move {
            let mut kept = None;
            while Instant::now() < deadline {
                let ok = match mode {
                    Mode::Handshakes => {
                        matches!(client.request("GET", &path, None).await, Ok((200, _)))
                    }
                    Mode::Tls12Handshakes => client.connect().await.is_ok(),
                    Mode::Requests => {
                        if kept.is_none() {
                            kept = client.connect().await.ok();
                        }
                        match kept.as_mut() {
                            Some(c) => match c.fetch(&path).await {
                                Ok((200, _)) => true,
                                _ => {
                                    kept = None;
                                    false
                                }
                            },
                            None => false,
                        }
                    }
                    Mode::Records => {
                        if kept.is_none() {
                            kept = client.connect().await.ok();
                        }
                        let n = sessions.fetch_add(1, Ordering::Relaxed);
                        let record = nth_record(&template, n, task);
                        match kept.as_mut() {
                            Some(c) => match c
                                .request("POST", "/consultation/records", Some(&record))
                                .await
                            {
                                Ok((201, _)) => true,
                                Ok((status, body)) => {
                                    eprintln!("record {n}: {status} {body}");
                                    false
                                }
                                Err(_) => {
                                    kept = None;
                                    false
                                }
                            },
                            None => false,
                        }
                    }
                };
                if ok { &done } else { &failed }.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let n = done.load(Ordering::Relaxed);
    println!(
        "{:?}: {} ok, {} failed in {:.1} s = {:.0}/s ({} connections)",
        args.mode,
        n,
        failed.load(Ordering::Relaxed),
        elapsed,
        n as f64 / elapsed,
        args.connections
    );
}

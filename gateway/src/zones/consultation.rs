//! The consultation zone's listener (design.md §2, seed rules S1/S2/ID5): HTTPS with mandatory mutual
//! TLS, TLS 1.2 and 1.3 only. Doctors present HPKI authentication certificates (checked by
//! `tls::client_verifier`); the consultation platform presents a pinned service certificate. Each
//! connection's identity goes with its requests to the zone guard; refused handshakes are audited here,
//! where the peer address is known.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use super::identity::Identity;
use crate::audit::{AuditLog, AuditRecord, Outcome, Who, WhoKind};
use crate::hpki::{fingerprint_sha256, parse_certificate};
use crate::pipeline::now_ms;
use crate::tls::client_verifier::{refusal_of, HpkiClientVerifier};

/// A client has this long to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The bound listener with everything it needs to serve.
pub struct ConsultationListener {
    pub listener: TcpListener,
    pub acceptor: TlsAcceptor,
    pub verifier: Arc<HpkiClientVerifier>,
    pub router: Router,
    pub audit: AuditLog,
}

impl ConsultationListener {
    /// Accepts connections until `stop`; then open connections finish their current request.
    pub async fn serve(self, stop: CancellationToken) {
        let tracker = TaskTracker::new();
        loop {
            let accepted = tokio::select! {
                _ = stop.cancelled() => break,
                accepted = self.listener.accept() => accepted,
            };
            let (tcp, peer) = match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    tracing::warn!(%error, "Accepting a consultation-zone connection failed.");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let connection = Connection {
                acceptor: self.acceptor.clone(),
                verifier: self.verifier.clone(),
                router: self.router.clone(),
                audit: self.audit.clone(),
                peer,
            };
            tracker.spawn(connection.run(tcp, stop.clone()));
        }
        tracker.close();
        tracker.wait().await;
    }
}

struct Connection {
    acceptor: TlsAcceptor,
    verifier: Arc<HpkiClientVerifier>,
    router: Router,
    audit: AuditLog,
    peer: SocketAddr,
}

impl Connection {
    async fn run(self, tcp: tokio::net::TcpStream, stop: CancellationToken) {
        let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, self.acceptor.accept(tcp)).await {
            Ok(Ok(tls)) => tls,
            Ok(Err(error)) => return self.refused_handshake(&error),
            Err(_) => return,
        };
        let identity = {
            let (_, session) = tls.get_ref();
            identify(&self.verifier, session.peer_certificates())
        };
        let peer = self.peer;
        let router = self.router;
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(identity.clone());
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        let connection = builder.serve_connection(TokioIo::new(tls), service);
        tokio::pin!(connection);
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%peer, %error, "Consultation-zone connection ended with an error.");
                }
            }
            _ = stop.cancelled() => {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        }
    }

    /// Writes a refused handshake to the audit log: the HPKI reason when our verifier refused the
    /// certificate, otherwise the TLS failure class (no client certificate, old protocol …).
    fn refused_handshake(&self, error: &std::io::Error) {
        let (reason, who) = match refusal_of(error) {
            Some(refusal) => (
                refusal.code.to_string(),
                Who {
                    kind: WhoKind::Doctor,
                    name: refusal.subject.unwrap_or_default(),
                    serial: refusal.serial,
                    issuer: refusal.issuer,
                    roles: refusal.roles,
                },
            ),
            None => (
                tls_failure_code(error).to_string(),
                Identity::Unidentified.who(),
            ),
        };
        tracing::info!(peer = %self.peer, %reason, "Consultation-zone handshake refused.");
        self.audit.record_detached(AuditRecord {
            recorded_ms: now_ms(),
            zone: "consultation".into(),
            channel: "tls".into(),
            action: "handshake".into(),
            resource_type: None,
            target: None,
            who,
            outcome: Outcome::Refused,
            status: None,
            reason: Some(reason),
            source: Some(self.peer.to_string()),
        });
    }
}

/// The identity behind a verified client certificate.
fn identify(
    verifier: &HpkiClientVerifier,
    certificates: Option<&[rustls::pki_types::CertificateDer<'static>]>,
) -> Identity {
    let Some(end_entity) = certificates.and_then(|c| c.first()) else {
        return Identity::Unidentified;
    };
    if let Some(name) = verifier.pinned_service(end_entity) {
        return Identity::Service {
            name: name.to_string(),
            fingerprint: fingerprint_sha256(end_entity),
        };
    }
    match parse_certificate(end_entity) {
        Ok(facts) => Identity::Person {
            names: facts
                .common_name
                .into_iter()
                .chain(facts.japanese_name)
                .collect(),
            subject: facts.subject,
            serial: facts.serial,
            issuer: facts.issuer,
            roles: facts.roles,
        },
        Err(_) => Identity::Unidentified,
    }
}

/// A stable code for a handshake that failed before (or outside) our certificate verdict.
fn tls_failure_code(error: &std::io::Error) -> &'static str {
    let Some(rustls_error) = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    else {
        return "tls-handshake";
    };
    match rustls_error {
        rustls::Error::NoCertificatesPresented => "no-client-certificate",
        rustls::Error::PeerIncompatible(_) => "tls-incompatible",
        rustls::Error::InvalidCertificate(_) => "invalid-certificate",
        rustls::Error::InappropriateHandshakeMessage { .. }
        | rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InvalidMessage(_)
        | rustls::Error::PeerMisbehaved(_) => "tls-protocol",
        _ => "tls-handshake",
    }
}

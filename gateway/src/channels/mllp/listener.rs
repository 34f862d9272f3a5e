//! The hospital zone's MLLP listener (HL7 v2.5.1 Appendix C, MLLP release 2 framing; optional TLS 1.2+
//! with ring): per connection, one message at a time in order, each ingested (`pipeline::hl7v2`) and
//! answered with its ACK frame only after its transaction and its audit row are committed. A frame over
//! the limit is answered with AR and the connection closed; bytes outside a frame, a truncated frame, an
//! idle connection or shutdown close it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use kakehashi_mappings::hl7v2::Message;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tokio_util::bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::frame::{FrameError, MllpCodec};
use crate::audit::{AuditLog, AuditRecord, Outcome};
use crate::config::MllpTls;
use crate::metrics::Metrics;
use crate::pipeline::hl7v2::{
    ack_bytes, ack_wanted, header_of, reject_ack, AuditOf, Channel, Disposition, Hl7v2, Inbound,
};
use crate::pipeline::now_ms;
use crate::tls::{provider, read_chain, read_key, TlsError};
use crate::zones::identity::Identity;

/// The bound listener with everything it needs to serve.
pub struct MllpListener {
    pub listener: TcpListener,
    pub tls: Option<TlsAcceptor>,
    pub hl7v2: Hl7v2,
    pub audit: AuditLog,
    pub metrics: Arc<Metrics>,
    pub max_message_bytes: usize,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

/// What every connection shares.
#[derive(Clone)]
struct Shared {
    hl7v2: Hl7v2,
    audit: AuditLog,
    metrics: Arc<Metrics>,
    max_message_bytes: usize,
    idle_timeout: Duration,
}

/// The TLS acceptor for `[mllp.tls]`: TLS 1.3 and 1.2 only, ring, no client certificates.
pub fn acceptor(tls: &MllpTls) -> Result<TlsAcceptor, TlsError> {
    let chain = read_chain(&tls.cert)?;
    let key = read_key(&tls.key)?;
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

impl MllpListener {
    /// Accepts connections until `stop`; then each connection finishes the message it is handling and
    /// closes, and this returns once all have (at most 30 s).
    pub async fn serve(self, stop: CancellationToken) {
        let tracker = TaskTracker::new();
        let slots = Arc::new(Semaphore::new(self.max_connections));
        let shared = Shared {
            hl7v2: self.hl7v2,
            audit: self.audit,
            metrics: self.metrics,
            max_message_bytes: self.max_message_bytes,
            idle_timeout: self.idle_timeout,
        };
        loop {
            let (stream, peer) = tokio::select! {
                _ = stop.cancelled() => break,
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        tracing::warn!(%error, "MLLP accept failed.");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                tracing::warn!(%peer, "MLLP connection refused: mllp.max_connections reached.");
                drop(stream);
                continue;
            };
            let _ = stream.set_nodelay(true);
            let shared = shared.clone();
            let stop = stop.clone();
            let tls = self.tls.clone();
            tracker.spawn(async move {
                match tls {
                    None => connection(stream, peer, &shared, &stop).await,
                    Some(acceptor) => {
                        let handshake =
                            tokio::time::timeout(shared.idle_timeout, acceptor.accept(stream))
                                .await;
                        match handshake {
                            Ok(Ok(tls)) => connection(tls, peer, &shared, &stop).await,
                            Ok(Err(error)) => {
                                tracing::info!(%peer, %error, "MLLP TLS handshake refused.")
                            }
                            Err(_) => tracing::info!(%peer, "MLLP TLS handshake timed out."),
                        }
                    }
                }
                drop(slot);
            });
        }
        tracker.close();
        if tokio::time::timeout(Duration::from_secs(30), tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!("MLLP connections still open after 30 s at shutdown.");
        }
    }
}

/// Serves one connection: frames in, ACK frames out, in order.
async fn connection<S>(stream: S, peer: SocketAddr, shared: &Shared, stop: &CancellationToken)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut reader, mut writer) = tokio::io::split(stream);
    // The answer may exceed the message limit only by far-fetched ERR texts; allow room.
    let mut codec = MllpCodec::new(shared.max_message_bytes);
    let mut answers = MllpCodec::new(shared.max_message_bytes.saturating_mul(2).max(1 << 20));
    let mut buf = BytesMut::with_capacity(8 * 1024);
    loop {
        if stop.is_cancelled() {
            break;
        }
        match codec.decode(&mut buf) {
            Ok(Some(frame)) => {
                let Some(answer) = handle(frame.to_vec(), peer, shared).await else {
                    break;
                };
                if let Some(bytes) = answer {
                    let mut out = BytesMut::new();
                    if answers.encode(&bytes[..], &mut out).is_err()
                        || writer.write_all(&out).await.is_err()
                        || writer.flush().await.is_err()
                    {
                        break;
                    }
                }
                continue;
            }
            Ok(None) => {}
            Err(FrameError::TooLarge { limit }) => {
                tracing::info!(%peer, limit, "MLLP frame over the limit; answered AR and closed.");
                shared.metrics.hl7v2_message("mllp", "too-large");
                let reason = format!("the message exceeds the limit of {limit} bytes");
                let ack = reject_ack(&buf, &reason);
                let mut out = BytesMut::new();
                if answers.encode(&ack_bytes(&ack)[..], &mut out).is_ok() {
                    let _ = writer.write_all(&out).await;
                    let _ = writer.flush().await;
                }
                break;
            }
            Err(error) => {
                tracing::info!(%peer, %error, "MLLP stream out of step; connection closed.");
                shared.metrics.hl7v2_message("mllp", "bad-frame");
                break;
            }
        }
        let read = tokio::select! {
            _ = stop.cancelled() => break,
            read = tokio::time::timeout(shared.idle_timeout, reader.read_buf(&mut buf)) => read,
        };
        match read {
            Err(_) => {
                tracing::debug!(%peer, "MLLP connection idle; closed.");
                break;
            }
            Ok(Ok(0)) => {
                if let Err(error) = codec.decode_eof(&mut buf) {
                    tracing::info!(%peer, %error, "MLLP connection closed mid-frame.");
                }
                break;
            }
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                tracing::debug!(%peer, %error, "MLLP read failed; closed.");
                break;
            }
        }
    }
    let _ = writer.shutdown().await;
}

/// Ingests one message, records it, and returns the ACK bytes to send (`Some(None)`: none wanted;
/// `None`: close without answering, because the audit row could not be written).
async fn handle(raw: Vec<u8>, peer: SocketAddr, shared: &Shared) -> Option<Option<Vec<u8>>> {
    // The header is read once, for the audit row and for whether the sender wants the ACK.
    let header = Arc::new(header_of(&raw));
    // The row goes into the message's own transaction when the message reaches the store (one commit
    // before the ACK); otherwise (rejected, or the store failed) through the audit writer.
    let for_audit = header.clone();
    let record_of: AuditOf =
        Arc::new(move |d: &Disposition| audit_record(d, for_audit.as_ref().as_ref(), peer));
    let (disposition, audited) = shared
        .hl7v2
        .ingest_audited(Inbound::network(raw, Channel::Mllp), record_of.clone())
        .await;
    shared.metrics.hl7v2_message("mllp", disposition.outcome());
    if !audited {
        if let Err(error) = shared.audit.record(record_of(&disposition)).await {
            // Fail closed: no answer without its audit row. The sender retries and gets the stored ACK.
            tracing::error!(%error, "No audit row for an HL7 v2 message; closing without an ACK.");
            return None;
        }
    }
    let ack = disposition.ack();
    Some(ack_wanted(header.as_ref().as_ref(), ack).then(|| ack_bytes(ack)))
}

/// The audit row of one message: data type (or message type), a hash of sender and control id, the
/// verdict. No patient data.
pub fn audit_record(
    disposition: &Disposition,
    header: Option<&Message>,
    peer: SocketAddr,
) -> AuditRecord {
    let kind = match disposition {
        Disposition::Accepted { data_type, .. } => Some(data_type.clone()),
        _ => header
            .and_then(|m| m.value("MSH-9.1").zip(m.value("MSH-9.2")))
            .map(|(t, e)| format!("{t}^{e}")),
    };
    let target = header.map(|m| {
        let key = format!(
            "{}|{}|{}",
            m.get("MSH-3").unwrap_or_default(),
            m.get("MSH-4").unwrap_or_default(),
            m.get("MSH-10").unwrap_or_default()
        );
        let digest = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
        format!("hl7v2/{}", crate::hex::hex(&digest.as_ref()[..8]))
    });
    let outcome = match disposition {
        Disposition::Accepted { .. } | Disposition::Duplicate { .. } => Outcome::Allowed,
        _ => Outcome::Failed,
    };
    AuditRecord {
        recorded_ms: now_ms(),
        zone: "hospital".into(),
        channel: "mllp".into(),
        action: "hl7v2".into(),
        resource_type: kind,
        target,
        who: Identity::Network.who(),
        outcome,
        status: None,
        reason: Some(format!("{}-{}", disposition.msa1(), disposition.outcome())),
        source: Some(peer.to_string()),
    }
}

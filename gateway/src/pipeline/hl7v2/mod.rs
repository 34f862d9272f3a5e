//! HL7 v2 ingest (issue #5, design.md §4): parse (MSH-18 charset, size limit) → map to FHIR
//! (`v2_to_fhir`) → check (the zone's validation through `prepare`) → store the resources and the
//! message row in ONE transaction → answer the ACK (HL7 v2.5 §2.9). Every channel (MLLP, `POST
//! /hl7v2`, the SS-MIX2 import) calls [`Hl7v2::ingest`]; nothing is acknowledged with AA/CA before the
//! commit, a message with an error issue stores nothing (AE/CE), our own failure answers AR/CR so the
//! sender retries, and a re-sent message (same MSH-3|MSH-4 and MSH-10) gets the stored ACK again.

mod batch;
mod check;
mod checked;
mod write;

use std::sync::{Arc, OnceLock};

use kakehashi_mappings::hl7v2::ack::{self, AckCode, AckError, AckHeader};
use kakehashi_mappings::hl7v2::{parse_bytes, Message, ParseOptions};
use kakehashi_mappings::v2_to_fhir::Mapped;
use kakehashi_mappings::Issue;
use tokio::sync::{mpsc, oneshot};

use crate::audit::AuditRecord;
use crate::pipeline::{now_ms, Fhir};
use check::Ready;
use write::Written;

/// Builds a message's audit row from its outcome (see [`Hl7v2::ingest_audited`]).
pub type AuditOf = Arc<dyn Fn(&Disposition) -> AuditRecord + Send + Sync>;

/// Where a message came from (`hl7v2_messages.channel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Mllp,
    Http,
    Ssmix2,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Mllp => "mllp",
            Channel::Http => "http",
            Channel::Ssmix2 => "ssmix2",
        }
    }
}

/// The SS-MIX2 condition flag of a stored message (1 current, 2 superseded by a newer file, 0 deleted);
/// messages from the network are `Current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageState {
    Current,
    Superseded,
    Deleted,
}

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Current => "current",
            MessageState::Superseded => "superseded",
            MessageState::Deleted => "deleted",
        }
    }
}

/// One message as received.
#[derive(Debug, Clone)]
pub struct Inbound {
    /// The bytes as received, in the sender's character set (no MLLP framing).
    pub raw: Vec<u8>,
    pub channel: Channel,
    /// The SS-MIX2 file name, when imported from a storage tree.
    pub file_name: Option<String>,
    /// The SS-MIX2 data type named by the storage path, if any.
    pub data_type: Option<String>,
    pub state: MessageState,
}

impl Inbound {
    /// A message received over the network (`Current`, no file).
    pub fn network(raw: Vec<u8>, channel: Channel) -> Inbound {
        Inbound {
            raw,
            channel,
            file_name: None,
            data_type: None,
            state: MessageState::Current,
        }
    }
}

/// What became of a message; every variant carries the ACK text to answer (see [`ack_bytes`]).
#[derive(Debug, Clone)]
pub enum Disposition {
    /// Stored and committed (AA / CA).
    Accepted {
        ack: String,
        data_type: String,
        resources: usize,
    },
    /// Seen before (same sender and MSH-10): the ACK stored then, nothing stored now.
    Duplicate { ack: String },
    /// The message has errors or is not supported (AE/CE or AR/CR); nothing stored.
    Rejected { ack: String, issues: Vec<Issue> },
    /// Our own failure (the store); AR/CR so that the sender retries; nothing stored.
    Failed { ack: String, reason: String },
}

impl Disposition {
    pub fn ack(&self) -> &str {
        match self {
            Disposition::Accepted { ack, .. }
            | Disposition::Duplicate { ack }
            | Disposition::Rejected { ack, .. }
            | Disposition::Failed { ack, .. } => ack,
        }
    }

    /// MSA-1 of the ACK (`AA`, `CE`, …), empty when the ACK has none.
    pub fn msa1(&self) -> String {
        ack::msa1_of(self.ack()).unwrap_or_default().to_string()
    }

    /// A short label for metrics and the audit log (no ids).
    pub fn outcome(&self) -> &'static str {
        match self {
            Disposition::Accepted { .. } => "accepted",
            Disposition::Duplicate { .. } => "duplicate",
            Disposition::Rejected { .. } => "rejected",
            Disposition::Failed { .. } => "failed",
        }
    }
}

/// The ACK as bytes in the character set its MSH-18 names (the sender's).
pub fn ack_bytes(ack: &str) -> Vec<u8> {
    ack::encode(ack)
}

/// Whether the sender wants this ACK at all (MSH-15 NE / ER / SU in enhanced mode).
pub fn ack_wanted(header: Option<&Message>, ack: &str) -> bool {
    let Some(header) = header else {
        return true;
    };
    let mode = ack::Mode::from_msh15(&header.value("MSH-15").unwrap_or_default());
    let code = ack::msa1_of(ack)
        .and_then(ack::code_of_msa1)
        .unwrap_or(AckCode::Reject);
    mode.wanted(code)
}

/// Messages up to this size are checked on the receiving task rather than on the blocking pool.
const INLINE_CHECK_BYTES: usize = 64 * 1024;

/// Limits of the ingest path.
#[derive(Debug, Clone, Copy)]
pub struct Hl7v2Limits {
    /// Largest message in bytes (parse limit).
    pub max_message_bytes: usize,
    /// Most messages one group-commit transaction writes.
    pub max_batch: usize,
}

impl Default for Hl7v2Limits {
    fn default() -> Self {
        Hl7v2Limits {
            max_message_bytes: 10 * 1024 * 1024,
            max_batch: 64,
        }
    }
}

/// The ingest path of one zone (the hospital zone's `Fhir`: its store and its validation).
#[derive(Clone)]
pub struct Hl7v2 {
    fhir: Fhir,
    limits: Hl7v2Limits,
    /// The group-commit writer, started on first use (inside the runtime).
    writer: Arc<OnceLock<mpsc::Sender<batch::Job>>>,
    /// Resources checked lately (see `checked::Checked`).
    checked: Arc<checked::Checked>,
}

impl Hl7v2 {
    pub fn new(fhir: Fhir, limits: Hl7v2Limits) -> Self {
        Hl7v2 {
            fhir,
            limits,
            writer: Arc::new(OnceLock::new()),
            checked: Arc::new(checked::Checked::default()),
        }
    }

    /// Parse → map → check → store in one transaction → ACK. Mapping and validation run on a blocking
    /// thread before the write connection is taken.
    pub async fn ingest(&self, inbound: Inbound) -> Disposition {
        self.ingest_with(inbound, None).await.0
    }

    /// [`Hl7v2::ingest`], with the message's audit row (built by `audit` from the outcome) written in the
    /// message's own transaction when it reaches the store: one commit before the ACK instead of the
    /// message's and then its audit row's. The flag says whether the row was written; when it was not (a
    /// rejected message, a failed store) the caller records it through the audit writer.
    pub async fn ingest_audited(&self, inbound: Inbound, audit: AuditOf) -> (Disposition, bool) {
        self.ingest_with(inbound, Some(audit)).await
    }

    async fn ingest_with(&self, inbound: Inbound, audit: Option<AuditOf>) -> (Disposition, bool) {
        let received_ms = now_ms();
        // A message of ordinary size is checked on the connection's own task: its parse, mapping and
        // validation take well under a millisecond, less than the two thread hand-offs of a blocking task
        // cost on a busy 2-core machine. A large one goes to the blocking pool, so that it does not hold
        // up the runtime's other connections (nor the group-commit writer) while it is checked.
        let checked = if inbound.raw.len() <= INLINE_CHECK_BYTES {
            Ok(check::prepare(self, &inbound, received_ms))
        } else {
            let this = self.clone();
            tokio::task::spawn_blocking(move || check::prepare(&this, &inbound, received_ms)).await
        };
        let ready = match checked {
            Ok(Ok(ready)) => ready,
            Ok(Err(rejected)) => return (rejected, false),
            Err(_) => {
                let failed = Disposition::Failed {
                    ack: reject_without_header("the message could not be processed"),
                    reason: "the check task failed".into(),
                };
                return (failed, false);
            }
        };
        // The AR for a store failure is built only if one happens, from the message's first line.
        let first_line = first_line(&ready.raw).to_vec();
        let audited = audit.is_some();
        match self.write(ready, audit).await {
            Ok(written) => (written.disposition(), audited),
            Err(reason) => {
                tracing::error!(%reason, "Storing an HL7 v2 message failed.");
                let failed = Disposition::Failed {
                    ack: reject_with(
                        &first_line,
                        kakehashi_mappings::IssueCode::Exception,
                        "the message could not be stored; send it again later",
                    ),
                    reason,
                };
                (failed, false)
            }
        }
    }

    /// Parse + map + validate, storing nothing (for `--dry-run`): the mapped message, or every error
    /// issue.
    pub fn check(&self, inbound: &Inbound) -> Result<Mapped, Vec<Issue>> {
        match check::prepare(self, inbound, now_ms()) {
            Ok(ready) => Ok(ready.mapped),
            Err(Disposition::Rejected { issues, .. }) => Err(issues),
            Err(other) => Err(vec![Issue::error(
                kakehashi_mappings::IssueCode::Exception,
                format!("the message was not checked ({})", other.outcome()),
            )]),
        }
    }

    /// Hands a checked message to the group-commit writer and waits for its commit.
    async fn write(&self, ready: Ready, audit: Option<AuditOf>) -> Result<Written, String> {
        let sender = self
            .writer
            .get_or_init(|| batch::start(self.fhir.store.clone(), self.limits.max_batch))
            .clone();
        let (answer, answered) = oneshot::channel();
        sender
            .send(batch::Job {
                ready: Box::new(ready),
                audit,
                answer,
            })
            .await
            .map_err(|_| "the writer has stopped".to_string())?;
        match answered.await {
            Ok((result, _ready)) => result.map_err(|e| batch::describe(&e)),
            Err(_) => Err("the writer dropped the message".into()),
        }
    }
}

/// The message's MSH alone (the first line), for answering a message that does not parse as a whole.
pub fn header_of(raw: &[u8]) -> Option<Message> {
    let line = first_line(raw);
    if line.is_empty() {
        return None;
    }
    let parsed = parse_bytes(line, &ParseOptions::default()).ok()?;
    parsed.batch.messages.into_iter().next()
}

/// The line of `raw` that starts with `MSH` (empty when there is none).
fn first_line(raw: &[u8]) -> &[u8] {
    let Some(start) = raw.windows(3).position(|w| w == b"MSH") else {
        return &[];
    };
    let rest = &raw[start..];
    let end = rest
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The ACK's MSH-7: now in Japan Standard Time, as HL7 DTM.
fn ack_timestamp() -> String {
    let jst = chrono::FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset");
    chrono::Utc::now()
        .with_timezone(&jst)
        .format("%Y%m%d%H%M%S%z")
        .to_string()
}

/// A fresh MSH-10 for an ACK (20 characters, the v2.5 length of MSH-10).
fn ack_control_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..20].to_string()
}

/// Builds an ACK for `message` (None: no usable MSH, an AR from defaults).
fn build_ack(message: Option<&Message>, code: AckCode, issues: &[Issue]) -> String {
    let errors: Vec<AckError> = issues.iter().map(AckError::from_issue).collect();
    let timestamp = ack_timestamp();
    let control_id = ack_control_id();
    ack::acknowledge(
        message,
        code,
        &errors,
        AckHeader {
            control_id: &control_id,
            timestamp: &timestamp,
        },
    )
    .text
}

/// An AR for a message that was not ingested at all (a frame over the limit): built from whatever MSH
/// `prefix` holds, else from defaults.
pub fn reject_ack(prefix: &[u8], reason: &str) -> String {
    reject_with(prefix, kakehashi_mappings::IssueCode::TooLong, reason)
}

/// An AR with one ERR (`code`, `text`), built from whatever MSH `prefix` holds, else from defaults.
fn reject_with(prefix: &[u8], code: kakehashi_mappings::IssueCode, text: &str) -> String {
    let header = header_of(prefix);
    build_ack(
        header.as_ref(),
        AckCode::Reject,
        &[Issue::error(code, text)],
    )
}

fn reject_without_header(text: &str) -> String {
    build_ack(
        None,
        AckCode::Reject,
        &[Issue::error(kakehashi_mappings::IssueCode::Exception, text)],
    )
}

#[cfg(test)]
mod tests;

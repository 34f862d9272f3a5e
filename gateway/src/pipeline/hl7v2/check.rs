//! The CPU half of ingest, before any connection is taken: decode and parse the bytes, map the message
//! (`v2_to_fhir::map_message`), stamp and validate every resource (`prepare`, as a transaction Bundle's
//! PUT would), and build the ACKs. Any error issue rejects the message (AE/CE with one ERR per issue); an
//! unsupported message type is AR/CR.

use kakehashi_mappings::hl7v2::ack::{AckCode, RULE_PREFIX};
use kakehashi_mappings::hl7v2::{parse_bytes, Message, ParseError, ParseOptions};
use kakehashi_mappings::v2_to_fhir::output::reference_of;
use kakehashi_mappings::v2_to_fhir::{data_types, map_message, MapError, Mapped, Source};
use kakehashi_mappings::{Issue, IssueCode};

use super::checked::{self, Key};
use super::{build_ack, header_of, Disposition, Hl7v2, Inbound, MessageState};
use crate::config::ValidationMode;
use crate::hex::sha256_hex;
use crate::pipeline::instant;
use crate::pipeline::prepare::{check_id, check_type, prepare as prepare_resource, Prepared};

/// One resource of a message, checked and stamped as version 1.
pub(super) struct ResourceWrite {
    pub resource_type: String,
    pub id: String,
    pub prepared: Prepared,
}

/// A message ready to be written.
pub(super) struct Ready {
    pub sender: String,
    pub control_id: String,
    pub received_ms: i64,
    pub channel: &'static str,
    pub state: MessageState,
    pub file_name: Option<String>,
    pub raw: Vec<u8>,
    pub sha256: String,
    pub mapped: Mapped,
    pub writes: Vec<ResourceWrite>,
    /// The ACK answered once committed (AA / CA).
    pub accept_ack: String,
}

/// Parses, maps and checks a message; `Err` is the rejection to answer.
pub(super) fn prepare(
    hl7v2: &Hl7v2,
    inbound: &Inbound,
    received_ms: i64,
) -> Result<Ready, Disposition> {
    let options = ParseOptions {
        max_bytes: hl7v2.limits.max_message_bytes,
    };
    let parsed = match parse_bytes(&inbound.raw, &options) {
        Ok(parsed) => parsed,
        Err(e) => {
            let header = header_of(&inbound.raw);
            let issue = parse_issue(&e);
            let code = if header.is_some() {
                AckCode::Error
            } else {
                AckCode::Reject
            };
            return Err(reject(header.as_ref(), code, vec![issue]));
        }
    };
    let mut batch = parsed.batch;
    if batch.messages.len() != 1 || !batch.envelope.is_empty() {
        let header = batch.messages.first().cloned();
        let issue = Issue::error(
            IssueCode::Structure,
            format!(
                "expected one message, found {} (and {} batch segments)",
                batch.messages.len(),
                batch.envelope.len()
            ),
        );
        return Err(reject(header.as_ref(), AckCode::Error, vec![issue]));
    }
    let Some(message) = batch.messages.pop() else {
        return Err(reject(None, AckCode::Reject, Vec::new()));
    };
    let source = Source {
        file_name: inbound.file_name.clone(),
        data_type: inbound.data_type.clone(),
        received: instant(received_ms),
    };
    let mapped = match map_message(&message, &source) {
        Ok(mapped) => mapped,
        Err(e) => {
            let (code, issue) = match e {
                MapError::Unsupported { .. } => (AckCode::Reject, unsupported_issue(&message, &e)),
                _ => (AckCode::Error, e.to_issue()),
            };
            return Err(reject(Some(&message), code, vec![issue]));
        }
    };
    let mut errors: Vec<Issue> = mapped
        .issues
        .iter()
        .filter(|i| i.is_error())
        .cloned()
        .collect();
    let mut writes = Vec::with_capacity(mapped.resources.len());
    for resource in &mapped.resources {
        match prepare_one(resource, received_ms, hl7v2) {
            Ok(write) => writes.push(write),
            Err(issues) => errors.extend(issues),
        }
    }
    if !errors.is_empty() {
        return Err(reject(Some(&message), AckCode::Error, errors));
    }
    let raw_field = |path: &str| {
        message
            .get(path)
            .map(|v| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Ready {
        sender: format!("{}|{}", raw_field("MSH-3"), raw_field("MSH-4")),
        control_id: mapped.control_id.clone(),
        received_ms,
        channel: inbound.channel.as_str(),
        state: inbound.state,
        file_name: inbound.file_name.clone(),
        raw: inbound.raw.clone(),
        sha256: sha256_hex(&inbound.raw),
        accept_ack: build_ack(Some(&message), AckCode::Accept, &[]),
        mapped,
        writes,
    })
}

/// Stamps and validates one mapped resource; its error issues on failure, located in the resource.
fn prepare_one(
    resource: &serde_json::Value,
    received_ms: i64,
    hl7v2: &Hl7v2,
) -> Result<ResourceWrite, Vec<Issue>> {
    let reference = reference_of(resource);
    let errors = |e: crate::pipeline::FhirError| -> Vec<Issue> {
        e.issues
            .into_iter()
            .filter(Issue::is_error)
            .map(|mut i| {
                if i.expression.is_none() {
                    i.expression = Some(reference.clone());
                }
                i
            })
            .collect()
    };
    let resource_type = check_type(resource, None).map_err(errors)?;
    let id = resource
        .get("id")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string();
    check_id(&id).map_err(errors)?;
    let enforced = matches!(
        hl7v2.fhir.validation.mode,
        ValidationMode::Enforce | ValidationMode::Off
    );
    let key = (enforced && checked::may_repeat(&resource_type)).then(|| Key::of(resource));
    if let Some(prepared) = key.and_then(|key| hl7v2.checked.get(key, resource, received_ms)) {
        return Ok(ResourceWrite {
            resource_type,
            id,
            prepared,
        });
    }
    let prepared = prepare_resource(
        resource.clone(),
        &resource_type,
        &id,
        1,
        received_ms,
        &hl7v2.fhir.validation,
    )
    .map_err(errors)?;
    if let Some(key) = key {
        hl7v2.checked.put(key, resource, &prepared);
    }
    Ok(ResourceWrite {
        resource_type,
        id,
        prepared,
    })
}

/// An unsupported message: table 0357 `201` (unsupported event code) when its message type is one we map
/// for other events, else `200` (unsupported message type).
fn unsupported_issue(message: &Message, e: &MapError) -> Issue {
    let message_type = message.value("MSH-9.1").unwrap_or_default();
    let known_type = data_types::table()
        .iter()
        .any(|row| row.message_type == message_type.trim());
    let issue = e.to_issue();
    if known_type {
        issue.at("MSH-9.2").rule(format!("{RULE_PREFIX}201"))
    } else {
        issue
    }
}

fn reject(message: Option<&Message>, code: AckCode, issues: Vec<Issue>) -> Disposition {
    let ack = build_ack(message, code, &issues);
    Disposition::Rejected { ack, issues }
}

/// A parse error as an issue at its HL7 position, when it has one.
fn parse_issue(e: &ParseError) -> Issue {
    let code = match e {
        ParseError::Truncated { .. } => IssueCode::Required,
        ParseError::MissingMsh { .. }
        | ParseError::BadSegmentName { .. }
        | ParseError::NotSingleMessage { .. }
        | ParseError::Empty
        | ParseError::NotHl7 { .. } => IssueCode::Structure,
        ParseError::TooLarge { .. } => IssueCode::TooLong,
        _ => IssueCode::Value,
    };
    let issue = Issue::error(code, e.to_string());
    match e.position() {
        Some(p) => issue.at(p.to_string()),
        None => issue,
    }
}

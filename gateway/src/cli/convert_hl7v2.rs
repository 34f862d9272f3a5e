//! `kakehashi convert --from hl7v2 --to fhir` (an SS-MIX2 / JAHIS HL7 v2.5 message → a transaction or
//! message Bundle, issue #5 step 2) and `--from fhir --to hl7v2` (resources → SS-MIX2 messages, step 3).
//! The issues go to stderr one a line, `severity position: text`; the gateway gives the mappers the
//! time and the control ids (mappings reads no clock).

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;
use kakehashi_mappings::fhir::parse_json;
use kakehashi_mappings::fhir_to_v2::{self, Header};
use kakehashi_mappings::hl7v2::{charset, parse_bytes, Charset, ParseOptions};
use kakehashi_mappings::v2_to_fhir::{map_message, Source};
use kakehashi_mappings::Issue;

use crate::cli::exit::{CliError, Exit};

/// The Bundle `--from hl7v2 --to fhir` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BundleKind {
    /// A transaction storing every resource at its deterministic id (PUT).
    Transaction,
    /// A message Bundle, MessageHeader first (JAMI SS-MIX2→FHIR IG).
    Message,
}

/// The character set `--from fhir --to hl7v2` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutCharset {
    /// ISO-2022-JP, MSH-18 `~ISO IR87` (the SS-MIX2 standard).
    #[value(name = "iso-2022-jp")]
    Iso2022Jp,
    /// UTF-8, MSH-18 `UNICODE UTF-8`.
    #[value(name = "utf-8")]
    Utf8,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub bundle: BundleKind,
    pub charset: OutCharset,
}

fn print_issue(issue: &Issue) {
    eprintln!(
        "{} {}: {}",
        issue.severity.as_str(),
        issue.expression.as_deref().unwrap_or("-"),
        issue.message
    );
}

/// The SS-MIX2 data type in a standard storage file name (`{patient}_{date}_{OMP-01}_…`), if any.
fn data_type_from_file_name(file: Option<&Path>) -> Option<String> {
    let name = file?.file_name()?.to_str()?;
    let part = name.split('_').nth(2)?;
    let looks_right = part == "OMD"
        || (part.len() == 6
            && part.as_bytes()[3] == b'-'
            && part[..3].bytes().all(|b| b.is_ascii_uppercase())
            && part[4..].bytes().all(|b| b.is_ascii_digit()));
    looks_right.then(|| part.to_string())
}

/// HL7 v2 → FHIR: one Bundle per message on stdout.
pub fn to_fhir(input: &[u8], file: Option<&Path>, options: Options) -> Result<Exit, CliError> {
    let parsed = parse_bytes(input, &ParseOptions::default())
        .map_err(|e| CliError::new(Exit::DataRejected, format!("not an HL7 v2 message: {e}")))?;
    for warning in &parsed.decoded.warnings {
        eprintln!("warning MSH-18: {warning}");
    }
    if parsed.batch.messages.is_empty() {
        return Err(CliError::new(
            Exit::DataRejected,
            "the input holds no HL7 v2 message",
        ));
    }
    let source = Source {
        file_name: file
            .filter(|f| f.as_os_str() != "-")
            .and_then(|f| f.file_name())
            .map(|f| f.to_string_lossy().into_owned()),
        data_type: data_type_from_file_name(file),
        received: chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
    };
    let mut failed = false;
    for message in &parsed.batch.messages {
        let mapped = match map_message(message, &source) {
            Ok(mapped) => mapped,
            Err(e) => {
                print_issue(&e.to_issue());
                failed = true;
                continue;
            }
        };
        mapped.issues.iter().for_each(print_issue);
        failed |= mapped.has_errors();
        let bundle = match options.bundle {
            BundleKind::Transaction => mapped.transaction(false),
            BundleKind::Message => mapped.message_bundle(),
        };
        let text = serde_json::to_string_pretty(&bundle)
            .map_err(|e| CliError::new(Exit::Internal, e.to_string()))?;
        println!("{text}");
    }
    if failed {
        return Err(CliError::new(
            Exit::DataRejected,
            "the message cannot be mapped (see the error issues above)",
        ));
    }
    Ok(Exit::Ok)
}

/// FHIR → HL7 v2: the messages one after another on stdout, CR after every segment.
pub fn to_hl7v2(input: &[u8], options: Options) -> Result<Exit, CliError> {
    let value = parse_json(input).map_err(|i| {
        CliError::new(
            Exit::DataRejected,
            format!("{} ({})", i.message, i.location.unwrap_or_default()),
        )
    })?;
    let charset = match options.charset {
        OutCharset::Iso2022Jp => Charset::Iso2022Jp,
        OutCharset::Utf8 => Charset::Utf8,
    };
    let now = chrono::Utc::now().with_timezone(
        &chrono::FixedOffset::east_opt(9 * 3600)
            .ok_or_else(|| CliError::new(Exit::Internal, "no +09:00 offset"))?,
    );
    let header = Header {
        sending_application: "KAKEHASHI".into(),
        timestamp: now.format("%Y%m%d%H%M%S").to_string(),
        // MSH-10 is at most 20 characters in SS-MIX2 practice: 16 hex digits and the message number.
        control_id_prefix: uuid::Uuid::new_v4().simple().to_string()[..16].to_uppercase(),
        charset,
        ..Header::default()
    };
    let converted = fhir_to_v2::convert(std::slice::from_ref(&value), &header);
    converted.issues.iter().for_each(print_issue);
    if converted.issues.iter().any(Issue::is_error) {
        return Err(CliError::new(
            Exit::DataRejected,
            "the resources cannot be mapped to HL7 v2 (see the error issues above)",
        ));
    }
    if converted.messages.is_empty() {
        return Err(CliError::new(
            Exit::DataRejected,
            "nothing in the input maps to an HL7 v2 message",
        ));
    }
    let mut bytes = Vec::new();
    for message in &converted.messages {
        let encoded = charset::encode(&message.text, charset).map_err(|e| {
            CliError::new(
                Exit::DataRejected,
                format!(
                    "the {} message cannot be written in {charset}: {e}",
                    message.data_type
                ),
            )
        })?;
        bytes.extend_from_slice(&encoded);
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::new(Exit::Io, format!("cannot write standard output: {e}")))?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_type_comes_from_a_standard_storage_file_name() {
        let name = |n: &str| data_type_from_file_name(Some(Path::new(n)));
        assert_eq!(
            name("/x/0123456789_20080126_OML-11_081251234567800_200802031630123_01_1").as_deref(),
            Some("OML-11")
        );
        assert_eq!(name("1_-_ADT-00_-_2016_-_1").as_deref(), Some("ADT-00"));
        assert_eq!(name("message.hl7"), None);
        assert_eq!(name("a_b_omp-01_c"), None);
    }
}

//! `kakehashi ssmix2 import ROOT [--dry-run]`: every file of an SS-MIX2 storage tree through the HL7 v2
//! ingest pipeline (`pipeline::hl7v2`, channel `ssmix2`), in the walk's order so a newer file wins,
//! going on past rejected files (SS-MIX2 構築ガイドライン 1.2 §2.3; jp-standards.md §4.1).

use std::io::{IsTerminal, Read};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kakehashi_mappings::ssmix2::{ConditionFlag, StoragePath};
use kakehashi_mappings::{Issue, Severity};

use super::open;
use super::summary::{Outcome, Summary};
use super::walk::{walk, Found};
use crate::cli::exit::{CliError, Exit};
use crate::cli::OutputFormat;
use crate::pipeline::hl7v2::{Channel, Disposition, Hl7v2, Hl7v2Limits, Inbound, MessageState};
use crate::store::Store;

pub fn run(
    root: &Path,
    dry_run: bool,
    config: Option<&Path>,
    format: OutputFormat,
) -> Result<Exit, CliError> {
    let settings = open::settings(config)?;
    if !root.is_dir() {
        return Err(CliError::new(
            Exit::Io,
            format!("{} is not a folder", root.display()),
        ));
    }
    let found = walk(root).map_err(|reason| CliError::new(Exit::Io, reason))?;
    let runtime = open::runtime()?;
    let (summary, io_failed) = runtime.block_on(async {
        let store = open::store(&settings).await?;
        let fhir = open::hospital(&settings, store.clone())?;
        let pipeline = Hl7v2::new(fhir, Hl7v2Limits::default());
        let result = import(&pipeline, &store, found, dry_run).await;
        store.close().await;
        Ok::<_, CliError>(result)
    })?;
    let extra = serde_json::json!({"root": root.display().to_string(), "dry_run": dry_run});
    println!("{}", summary.render(format, extra).trim_end());
    Ok(if io_failed {
        Exit::Io
    } else if summary.total.rejected > 0 {
        Exit::DataRejected
    } else {
        Exit::Ok
    })
}

/// A progress bar on standard error when it is a terminal, else nothing.
fn progress(files: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}") {
        bar.set_style(style);
    }
    bar
}

/// Imports the files in order; the flag tells whether a store failure happened (exit 74).
async fn import(
    pipeline: &Hl7v2,
    store: &Store,
    found: Vec<Found>,
    dry_run: bool,
) -> (Summary, bool) {
    let mut summary = Summary::default();
    let mut io_failed = false;
    let bar = progress(found.len());
    let limit = Hl7v2Limits::default().max_message_bytes;
    for file in found {
        let (data_type, outcome) = match one(pipeline, store, &file, dry_run, limit).await {
            Ok(done) => done,
            Err((data_type, reason, io)) => {
                io_failed |= io;
                bar.suspend(|| eprintln!("rejected {}: {reason}", file.relative));
                summary.reject(&data_type, &file.relative, reason);
                bar.inc(1);
                continue;
            }
        };
        summary.count(&data_type, outcome);
        bar.inc(1);
    }
    bar.finish_and_clear();
    (summary, io_failed)
}

type Rejection = (String, String, bool);

/// One file: its data type and outcome, or its data type, the reason it was rejected and whether that
/// was an I/O failure.
async fn one(
    pipeline: &Hl7v2,
    store: &Store,
    file: &Found,
    dry_run: bool,
    limit: usize,
) -> Result<(String, Outcome), Rejection> {
    let path = match &file.path {
        Ok(path) => path,
        Err(e) => {
            // The data type folder, when the path has one, so the rejection is counted under it.
            let folder = file.relative.split('/').nth(4).unwrap_or("?").to_string();
            return Err((folder, format!("path: {e}"), false));
        }
    };
    let data_type = path.data_type.clone();
    let raw = read(&file.full, limit).map_err(|(reason, io)| (data_type.clone(), reason, io))?;
    let (state, kept) = match path.flag {
        ConditionFlag::Current => (MessageState::Current, Outcome::Stored),
        ConditionFlag::Superseded => (MessageState::Superseded, Outcome::Superseded),
        ConditionFlag::Deleted => (MessageState::Deleted, Outcome::Deleted),
    };
    let inbound = Inbound {
        raw,
        channel: Channel::Ssmix2,
        file_name: Some(file.relative.clone()),
        data_type: Some(data_type.clone()),
        state,
    };
    if dry_run {
        return match pipeline.check(&inbound) {
            Ok(_) => Ok((data_type, kept)),
            Err(issues) => Err((data_type, reasons(&issues), false)),
        };
    }
    match pipeline.ingest(inbound).await {
        Disposition::Accepted { .. } => Ok((data_type, kept)),
        Disposition::Duplicate { .. } if path.flag == ConditionFlag::Current => {
            Ok((data_type, Outcome::Duplicate))
        }
        Disposition::Duplicate { .. } => match renamed(store, path, state).await {
            Ok(true) => Ok((data_type, kept)),
            Ok(false) => Ok((data_type, Outcome::Duplicate)),
            Err(reason) => Err((data_type, reason, true)),
        },
        Disposition::Rejected { issues, .. } => Err((data_type, reasons(&issues), false)),
        Disposition::Failed { reason, .. } => {
            Err((data_type, format!("not stored: {reason}"), true))
        }
    }
}

/// A `_2` or `_0` file whose message was imported before as the `_1` file of the same name: the
/// storage renamed it when a newer version replaced it or it was deleted (SS-MIX2 構築ガイドライン 1.2
/// §2.3 ④⑤), so its stored row takes the new state and name (its resources were already overwritten by
/// the newer message, or are retired by the delete message). `true` when a row changed.
async fn renamed(store: &Store, path: &StoragePath, state: MessageState) -> Result<bool, String> {
    let before = path.with_flag(ConditionFlag::Current).to_relative_path();
    let failed = |e: String| format!("cannot record the renamed file: {e}");
    let mut conn = store.writer().await.map_err(|e| failed(e.to_string()))?;
    let done = sqlx::query(
        "UPDATE hl7v2_messages SET state = $1, file_name = $2 \
         WHERE channel = $3 AND file_name = $4 AND state = $5",
    )
    .bind(state.as_str())
    .bind(path.to_relative_path())
    .bind(Channel::Ssmix2.as_str())
    .bind(before)
    .bind(MessageState::Current.as_str())
    .execute(&mut *conn)
    .await
    .map_err(|e| failed(e.to_string()))?;
    Ok(done.rows_affected() > 0)
}

/// Reads a file of at most `limit` bytes.
fn read(path: &Path, limit: usize) -> Result<Vec<u8>, (String, bool)> {
    let cannot = |e: std::io::Error| (format!("cannot read: {e}"), true);
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut raw = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(cannot)?;
    if raw.len() > limit {
        return Err((format!("larger than {limit} bytes"), false));
    }
    Ok(raw)
}

/// The error issues of a rejected message, each with its HL7 position: `MSH-9: message type … is not
/// supported; PID-3: …` (all issues when none is an error).
fn reasons(issues: &[Issue]) -> String {
    let errors: Vec<&Issue> = issues
        .iter()
        .filter(|i| matches!(i.severity, Severity::Error | Severity::Fatal))
        .collect();
    let shown: Vec<&Issue> = if errors.is_empty() {
        issues.iter().collect()
    } else {
        errors
    };
    if shown.is_empty() {
        return "rejected without a reason".into();
    }
    shown
        .iter()
        .map(|i| match i.location.as_ref().or(i.expression.as_ref()) {
            Some(at) => format!("{} {at}: {}", i.severity.as_str(), i.message),
            None => format!("{}: {}", i.severity.as_str(), i.message),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

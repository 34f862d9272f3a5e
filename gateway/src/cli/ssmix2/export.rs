//! `kakehashi ssmix2 export --out ROOT [--patient ID]`: the stored HL7 v2 messages (`hl7v2_messages`)
//! written as an SS-MIX2 standard storage tree (SS-MIX2 構築ガイドライン 1.2 §2; 仕様書 1.2 §1.3: ISO IR87
//! with CR segment separators; jp-standards.md §4.3). A tree written here imports back to the same
//! resources.

use std::io::Write;
use std::path::Path;

use kakehashi_mappings::hl7v2::{charset, Charset, Message};
use kakehashi_mappings::ssmix2::{ConditionFlag, MessageFacts, StoragePath};
use sqlx::Row;

use super::open;
use super::summary::{Outcome, Summary};
use crate::cli::exit::{CliError, Exit};
use crate::cli::OutputFormat;
use crate::store::Store;

/// Rows read from the store at a time.
const PAGE: i64 = 500;

/// One stored message.
struct Stored {
    data_type: String,
    file_name: Option<String>,
    state: String,
    raw: Vec<u8>,
}

pub fn run(
    out: &Path,
    patient: Option<&str>,
    config: Option<&Path>,
    format: OutputFormat,
) -> Result<Exit, CliError> {
    let settings = open::settings(config)?;
    let runtime = open::runtime()?;
    let summary = runtime.block_on(async {
        let store = open::store(&settings).await?;
        let result = export(&store, out, patient).await;
        store.close().await;
        result
    })?;
    println!(
        "{}",
        summary
            .render_as(
                format,
                serde_json::json!({"out": out.display().to_string()}),
                "written"
            )
            .trim_end()
    );
    Ok(if summary.total.rejected > 0 {
        Exit::DataRejected
    } else {
        Exit::Ok
    })
}

async fn export(store: &Store, out: &Path, patient: Option<&str>) -> Result<Summary, CliError> {
    std::fs::create_dir_all(out)
        .map_err(|e| CliError::new(Exit::Io, format!("cannot create {}: {e}", out.display())))?;
    let mut summary = Summary::default();
    let mut offset = 0;
    loop {
        let rows = page(store, offset).await?;
        offset += PAGE;
        let last = (rows.len() as i64) < PAGE;
        for row in rows {
            let written = write_one(&row, out, patient);
            match written {
                Ok(None) => {}
                Ok(Some(relative)) => {
                    let outcome = match StoragePath::parse(&relative).map(|p| p.flag) {
                        Ok(ConditionFlag::Superseded) => Outcome::Superseded,
                        Ok(ConditionFlag::Deleted) => Outcome::Deleted,
                        _ => Outcome::Stored,
                    };
                    summary.count(&row.data_type, outcome);
                }
                Err(Failure::Io(reason)) => return Err(CliError::new(Exit::Io, reason)),
                Err(Failure::Message { path, reason }) => {
                    let path = path.unwrap_or_else(|| "(stored message)".into());
                    eprintln!("not exported {path}: {reason}");
                    summary.reject(&row.data_type, &path, reason);
                }
            }
        }
        if last {
            break;
        }
    }
    Ok(summary)
}

async fn page(store: &Store, offset: i64) -> Result<Vec<Stored>, CliError> {
    let failed = |e: sqlx::Error| CliError::new(Exit::Io, format!("cannot read the messages: {e}"));
    let mut conn = store
        .reader()
        .await
        .map_err(|e| CliError::new(Exit::Io, format!("cannot read the store: {e}")))?;
    let rows = sqlx::query(
        "SELECT data_type, file_name, state, raw FROM hl7v2_messages \
         ORDER BY received_ms, sender, control_id LIMIT $1 OFFSET $2",
    )
    .bind(PAGE)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await
    .map_err(failed)?;
    rows.iter()
        .map(|r| {
            Ok(Stored {
                data_type: r.try_get("data_type")?,
                file_name: r.try_get("file_name")?,
                state: r.try_get("state")?,
                raw: r.try_get("raw")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(failed)
}

enum Failure {
    /// The output folder cannot be written: stop.
    Io(String),
    /// This message cannot be exported: report it and go on.
    Message {
        path: Option<String>,
        reason: String,
    },
}

fn message_failure(path: Option<&str>, reason: impl Into<String>) -> Failure {
    Failure::Message {
        path: path.map(str::to_string),
        reason: reason.into(),
    }
}

/// Writes one message; `Ok(None)` when it is another patient's.
fn write_one(row: &Stored, out: &Path, patient: Option<&str>) -> Result<Option<String>, Failure> {
    let flag = match row.state.as_str() {
        "superseded" => ConditionFlag::Superseded,
        "deleted" => ConditionFlag::Deleted,
        _ => ConditionFlag::Current,
    };
    let stored_path = row.file_name.as_deref();
    let text = storage_text(&row.raw).map_err(|e| message_failure(stored_path, e))?;
    let path = match stored_path.and_then(|name| StoragePath::parse(name).ok()) {
        Some(path) => path.with_flag(flag),
        None => {
            let message =
                Message::parse(&text).map_err(|e| message_failure(stored_path, e.to_string()))?;
            let facts = MessageFacts {
                data_type: Some(&row.data_type),
                flag,
            };
            StoragePath::for_message(&message, &facts)
                .map_err(|e| message_failure(stored_path, format!("no storage path: {e}")))?
        }
    };
    if patient.is_some_and(|p| p != path.patient_id) {
        return Ok(None);
    }
    let relative = path.to_relative_path();
    let bytes = charset::encode(&text, Charset::Iso2022Jp).map_err(|e| {
        message_failure(
            Some(&relative),
            format!("cannot be written in ISO-2022-JP: {e}"),
        )
    })?;
    let target = relative
        .split('/')
        .fold(out.to_path_buf(), |p, part| p.join(part));
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::Io(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(message_failure(
                Some(&relative),
                "the file exists already (another message has the same path, or the folder was not empty)",
            ))
        }
        Err(e) => return Err(Failure::Io(format!("cannot write {}: {e}", target.display()))),
    };
    file.write_all(&bytes)
        .map_err(|e| Failure::Io(format!("cannot write {}: {e}", target.display())))?;
    Ok(Some(relative))
}

/// The message text as SS-MIX2 stores it: decoded from its own character set, segments separated by
/// CR (one after the last), MSH-18 `~ISO IR87` and MSH-20 `ISO 2022-1994` unless they already say so
/// (`ISO2022-1994`, as the NHO samples write it, is the same). The caller encodes it in ISO-2022-JP.
pub fn storage_text(raw: &[u8]) -> Result<String, String> {
    let decoded = charset::decode(raw).map_err(|e| e.to_string())?;
    let mut out = String::with_capacity(decoded.text.len());
    for segment in decoded.text.split(['\r', '\n']).filter(|s| !s.is_empty()) {
        if segment.starts_with("MSH") {
            out.push_str(&fix_header(segment)?);
        } else {
            out.push_str(segment);
        }
        out.push('\r');
    }
    Ok(out)
}

/// MSH with MSH-18 and MSH-20 set for ISO-2022-JP, in the message's own delimiters.
fn fix_header(msh: &str) -> Result<String, String> {
    let separator = msh
        .chars()
        .nth(3)
        .ok_or_else(|| "MSH has no field separator".to_string())?;
    // fields[0] = "MSH", fields[1] = MSH-2 (encoding characters), fields[n] = MSH-(n+1).
    let mut fields: Vec<String> = msh.split(separator).map(str::to_string).collect();
    let repetition = fields
        .get(1)
        .and_then(|enc| enc.chars().nth(1))
        .unwrap_or('~');
    let wanted_18 = format!("{repetition}ISO IR87");
    if fields.len() < 20 {
        fields.resize(20, String::new());
    }
    if fields[17] != wanted_18 {
        fields[17] = wanted_18;
    }
    if !matches!(fields[19].as_str(), "ISO 2022-1994" | "ISO2022-1994") {
        fields[19] = "ISO 2022-1994".into();
    }
    Ok(fields.join(&separator.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_set_for_iso_2022_jp_and_segments_end_with_cr() {
        let utf8 = "MSH|^~\\&|HIS|SEND|GW|RCV|20200101||ADT^A08^ADT_A01|1|P|2.5||||||UNICODE UTF-8\r\nPID|0001||9999013||患者^太郎\r\n";
        let text = storage_text(utf8.as_bytes()).unwrap();
        assert_eq!(
            text,
            "MSH|^~\\&|HIS|SEND|GW|RCV|20200101||ADT^A08^ADT_A01|1|P|2.5||||||~ISO IR87||ISO 2022-1994\rPID|0001||9999013||患者^太郎\r"
        );
        let bytes = charset::encode(&text, Charset::Iso2022Jp).unwrap();
        assert!(bytes.windows(3).any(|w| w == b"\x1b$B"));
        let again = charset::decode(&bytes).unwrap();
        assert_eq!(again.text, text);
        // Already right: left alone (the NHO spelling of MSH-20 included).
        let nho = "MSH|^~\\&|HIS|SEND|GW|RCV|20200101||ADT^A08|1|P|2.5||||||~ISO IR87||ISO2022-1994|SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO\r";
        assert_eq!(storage_text(nho.as_bytes()).unwrap(), nho);
    }

    #[test]
    fn a_message_without_a_file_name_gets_the_path_built_from_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let row = Stored {
            data_type: "ADT-00".into(),
            file_name: None,
            state: "superseded".into(),
            raw: "MSH|^~\\&|HIS|SEND|GW|RCV|20261201093000||ADT^A08^ADT_A01|9|P|2.5\rPID|0001||9990001^^^^PI||架橋^花子\r"
                .as_bytes()
                .to_vec(),
        };
        let relative = write_one(&row, dir.path(), None).ok().flatten().unwrap();
        assert_eq!(
            relative,
            "999/000/9990001/-/ADT-00/9990001_-_ADT-00_999999999999999_20261201093000000_-_2"
        );
        let bytes = std::fs::read(dir.path().join(&relative)).unwrap();
        let text = charset::decode(&bytes).unwrap().text;
        assert!(text.starts_with("MSH|^~\\&|HIS|SEND|GW|RCV|20261201093000||ADT^A08^ADT_A01|9|P|2.5||||||~ISO IR87||ISO 2022-1994\r"), "{text}");
        // Another patient's message is left out; a second write of the same path is refused.
        assert!(matches!(
            write_one(&row, dir.path(), Some("0000001")),
            Ok(None)
        ));
        assert!(matches!(
            write_one(&row, dir.path(), None),
            Err(Failure::Message { .. })
        ));
    }
}

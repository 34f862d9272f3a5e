//! `kakehashi audit verify`: check the hash chain of the audit log in the configured database and name the
//! first edited, deleted or reordered row. Exit 0 intact, 65 broken, 69 store unavailable, 78 bad settings.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::audit::{verify_chain, ChainReport};
use crate::cli::exit::{CliError, Exit};
use crate::cli::OutputFormat;
use crate::config::Settings;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the audit log (every request, message and handshake on every zone).
    ///
    /// Reads every row in order and recomputes its SHA-256 over its predecessor's hash and its own
    /// content, then compares the last row with the chain head. Prints "audit log intact: N rows", or
    /// "audit log broken at row S: PROBLEM" naming the first edited, deleted or reordered row (or the
    /// deleted tail). Uses the database of `kakehashi serve` with the same settings; it can run while the
    /// gateway is serving (rows written meanwhile are left for the next check).
    ///
    /// Exit status: 0 intact, 65 broken, 69 the database cannot be opened (or the embedded database does
    /// not exist), 78 bad configuration.
    Verify {
        /// Read settings from this TOML file instead of ./kakehashi.toml. KAKEHASHI__SECTION__KEY
        /// environment variables override both.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// `text` prints one line; `json` prints the report: {"rows", "intact", "first_broken",
        /// "problem"}.
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
}

pub fn run(command: AuditCommand) -> Result<Exit, CliError> {
    match command {
        AuditCommand::Verify { config, format } => verify(config.as_deref(), format),
    }
}

fn verify(config: Option<&Path>, format: OutputFormat) -> Result<Exit, CliError> {
    let settings = Settings::load(config)?;
    if settings.database.url.is_empty() {
        // Opening would create an empty database: say that there is none instead.
        let file = settings.embedded_database();
        if !file.exists() {
            return Err(CliError::new(
                Exit::Unavailable,
                format!("no audit log: {} does not exist", file.display()),
            ));
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(Exit::Internal, format!("cannot start the runtime: {e}")))?;
    let report = runtime.block_on(async {
        let store = Store::open(&settings.database_url(), 2)
            .await
            .map_err(|e| CliError::new(Exit::Unavailable, format!("cannot open the store: {e}")))?;
        let report = verify_chain(&store).await.map_err(|e| {
            CliError::new(Exit::Unavailable, format!("cannot read the audit log: {e}"))
        });
        store.close().await;
        report
    })?;
    print(&report, format);
    Ok(if report.intact {
        Exit::Ok
    } else {
        Exit::DataRejected
    })
}

fn print(report: &ChainReport, format: OutputFormat) {
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string(report).unwrap_or_default()),
        OutputFormat::Text => println!("{}", text(report)),
    }
}

fn text(report: &ChainReport) -> String {
    let problem = report.problem.as_deref().unwrap_or("unknown problem");
    match (report.intact, report.first_broken) {
        (true, _) if report.rows == 1 => "audit log intact: 1 row".to_string(),
        (true, _) => format!("audit log intact: {} rows", report.rows),
        (false, Some(seq)) => format!("audit log broken at row {seq}: {problem}"),
        (false, None) => format!("audit log broken: {problem}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lines() {
        let intact = ChainReport {
            rows: 50,
            intact: true,
            first_broken: None,
            problem: None,
        };
        assert_eq!(text(&intact), "audit log intact: 50 rows");
        let broken = ChainReport {
            rows: 16,
            intact: false,
            first_broken: Some(17),
            problem: Some("row 17 was edited".into()),
        };
        assert_eq!(
            text(&broken),
            "audit log broken at row 17: row 17 was edited"
        );
    }
}

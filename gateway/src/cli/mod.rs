//! The command line (clap): `serve`, `check-config`, `convert`, `validate`, `hpki`, `audit`, `ssmix2`.
//! Each subcommand has its own file; this one parses arguments and maps results to exit codes.

mod audit;
mod check_config;
mod convert;
mod convert_consultation;
mod convert_hl7v2;
pub mod exit;
mod hpki;
mod serve;
mod ssmix2;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use exit::{code, CliError, Exit};

/// Kakehashi (架け橋) translates health records between HL7 v2 (JAHIS / SS-MIX2), JAHIS prescription
/// forms and HL7 FHIR R4 (JP Core), stores them, and serves them over FHIR REST.
#[derive(Debug, Parser)]
#[command(name = "kakehashi", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Machine-readable JSON on stdout.
    Json,
    /// Short human-readable lines on stdout.
    Text,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway. Without configuration it creates ./kakehashi-data/ (SQLite), serves FHIR REST on
    /// 127.0.0.1:8080 and health and metrics on 127.0.0.1:9090. Stop it with Ctrl-C or SIGTERM.
    Serve {
        /// Read settings from this TOML file instead of ./kakehashi.toml. KAKEHASHI__SECTION__KEY
        /// environment variables override both.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Check a configuration file (and the environment) without starting anything; exit 0 when it is
    /// usable, 78 with the reason when not.
    CheckConfig {
        /// The TOML file to check; ./kakehashi.toml when omitted.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Print the effective settings in this format.
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// Convert one message or document between formats. Reads FILE, or standard input when FILE is `-`
    /// or omitted, and writes the result to standard output. Available now: fhir → fhir (typed FHIR R4
    /// round trip into canonical JSON); hl7v2 → fhir (an SS-MIX2 message as a transaction Bundle, the
    /// issues on standard error; exit 65 when it cannot be mapped or has errors); fhir → hl7v2 (a
    /// resource or Bundle as SS-MIX2 messages, ISO-2022-JP unless --charset utf-8); consultation,
    /// careplan, consent → fhir (the online-consultation platform's JSON, schema-checked, as the
    /// transaction Bundle the gateway stores) and fhir → consultation, careplan, consent (back).
    Convert {
        /// The input format, e.g. `fhir`.
        #[arg(long, value_name = "FORMAT")]
        from: String,
        /// The output format, e.g. `fhir`.
        #[arg(long, value_name = "FORMAT")]
        to: String,
        /// The input file; `-` for standard input.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// hl7v2 → fhir: `transaction` (PUT every resource at its id) or `message` (the JAMI-style
        /// message Bundle).
        #[arg(long, value_enum, default_value = "transaction")]
        bundle: convert_hl7v2::BundleKind,
        /// fhir → hl7v2: the character set of the messages (named in MSH-18).
        #[arg(long, value_enum, default_value = "iso-2022-jp")]
        charset: convert_hl7v2::OutCharset,
    },
    /// Validate FHIR R4 JSON files (one resource or Bundle each) against the R4 core definitions and the
    /// profiles they claim in meta.profile (or --profile), with the packages given by --ig; print one
    /// OperationOutcome per file; exit 0 when no file has an error issue, 65 otherwise.
    Validate {
        /// The files to validate.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Also validate the files listed in this file, one path per line.
        #[arg(long, value_name = "LIST")]
        files_from: Option<PathBuf>,
        /// A FHIR package to load (NPM .tgz or unpacked folder), e.g. JP Core; repeatable.
        #[arg(long = "ig", value_name = "PACKAGE")]
        packages: Vec<PathBuf>,
        /// Validate against this profile (canonical URL) instead of the claimed ones.
        #[arg(long, value_name = "URL")]
        profile: Option<String>,
        /// `json` prints each OperationOutcome; `text` prints one line per issue.
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
        /// Report absent must-support elements of the profiles as information.
        #[arg(long)]
        must_support: bool,
        /// Skip the typed R4 parse (fhirbolt) that the store applies on write after validation; the
        /// validation's own structure checks still run.
        #[arg(long)]
        no_typed: bool,
        /// Print a JSON timing line (files, resources, seconds) on standard error.
        #[arg(long)]
        bench: bool,
    },
    /// Inspect and verify HPKI (保健医療福祉分野PKI) certificates: hcRole, policies, chain, revocation.
    #[command(subcommand)]
    Hpki(hpki::HpkiCommand),
    /// Work with the hash-chained audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Import and export SS-MIX2 standard storage trees (標準化ストレージ).
    #[command(subcommand)]
    Ssmix2(ssmix2::Ssmix2Command),
}

/// Parses the command line, runs it and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                code(Exit::Usage)
            } else {
                code(Exit::Ok)
            };
        }
    };
    match run(cli) {
        Ok(exit) => code(exit),
        Err(e) => {
            eprintln!("kakehashi: {}", e.reason);
            code(e.exit)
        }
    }
}

fn run(cli: Cli) -> Result<Exit, CliError> {
    match cli.command {
        Command::Serve { config } => serve::run(config.as_deref()),
        Command::CheckConfig { config, format } => check_config::run(config.as_deref(), format),
        Command::Convert {
            from,
            to,
            file,
            bundle,
            charset,
        } => convert::run(
            &from,
            &to,
            file.as_deref(),
            convert_hl7v2::Options { bundle, charset },
        ),
        Command::Validate {
            files,
            files_from,
            packages,
            profile,
            format,
            must_support,
            no_typed,
            bench,
        } => validate::run(validate::Request {
            files: &files,
            files_from: files_from.as_deref(),
            packages: &packages,
            profile: profile.as_deref(),
            format,
            must_support,
            typed: !no_typed,
            bench,
        }),
        Command::Hpki(command) => hpki::run(command),
        Command::Audit(command) => audit::run(command),
        Command::Ssmix2(command) => ssmix2::run(command),
    }
}

/// The largest input a command reads (the definition Bundles of the R4 package reach 35 MB).
const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a file, or standard input for `-` / no file, up to `MAX_INPUT_BYTES`; a failure is exit 74,
/// a larger input exit 65.
fn read_input(file: Option<&std::path::Path>) -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    let (name, reader): (String, Box<dyn Read>) = match file {
        Some(path) if path.as_os_str() != "-" => {
            let file = std::fs::File::open(path).map_err(|e| {
                CliError::new(Exit::Io, format!("cannot read {}: {e}", path.display()))
            })?;
            (path.display().to_string(), Box::new(file))
        }
        _ => ("standard input".to_string(), Box::new(std::io::stdin())),
    };
    let mut buf = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::new(Exit::Io, format!("cannot read {name}: {e}")))?;
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(CliError::new(
            Exit::DataRejected,
            format!("{name} is larger than {MAX_INPUT_BYTES} bytes"),
        ));
    }
    Ok(buf)
}

//! `kakehashi ssmix2 import ROOT` and `kakehashi ssmix2 export --out ROOT`: SS-MIX2 standard (and
//! extended) storage trees in and out of the store (SS-MIX2 標準化ストレージ 構成の説明と構築ガイドライン
//! 1.2; jp-standards.md §4.1–4.3). The path grammar is `kakehashi_mappings::ssmix2`; messages go through
//! the same HL7 v2 ingest pipeline as MLLP (`pipeline::hl7v2`).

mod export;
mod import;
mod open;
mod summary;
mod walk;

use std::path::PathBuf;

use clap::Subcommand;

use crate::cli::exit::{CliError, Exit};
use crate::cli::OutputFormat;

#[derive(Debug, Subcommand)]
pub enum Ssmix2Command {
    /// Import an SS-MIX2 storage tree: every file `ID[1-3]/ID[4-6]/ID/date/type/ID_date_type_order_time_dept_flag`
    /// (and extended storage `…/type/content folder/main_document.hl7`) goes through the HL7 v2 ingest
    /// pipeline into the store that `kakehashi serve` uses (same settings, the hospital zone's validation).
    ///
    /// Files are taken per patient, data type and order number in the order of their occurrence time, so
    /// a newer file wins; flag 1 is stored as current, 2 as superseded, 0 as deleted (a file imported
    /// before as `_1` and since renamed `_2` or `_0` by the storage takes that state). A file that cannot
    /// be imported (its path, its character set, its HL7, its mapping) is listed on standard error with
    /// the reason and the import goes on. Importing the same tree again stores nothing new (every file
    /// is a duplicate). Prints a summary per data type: files, stored (flag 1), duplicates (imported
    /// before), superseded (flag 2), deleted (flag 0), rejected.
    ///
    /// Exit status: 0 every file imported or already there, 65 some file rejected, 74 the tree or the
    /// store cannot be read or written, 78 bad configuration.
    Import {
        /// The storage root (the folder holding the `123/456/…` patient folders).
        #[arg(value_name = "ROOT")]
        root: PathBuf,
        /// Check every file (path, parse, mapping, validation) and print the summary, storing nothing;
        /// duplicates are not detected (they count as stored).
        #[arg(long)]
        dry_run: bool,
        /// Read settings from this TOML file instead of ./kakehashi.toml. KAKEHASHI__SECTION__KEY
        /// environment variables override both.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// `text` prints a table; `json` prints {"data_types": {TYPE: counts}, "total", "rejected"}.
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// Write the stored HL7 v2 messages as an SS-MIX2 storage tree: current ones with flag 1, superseded
    /// ones with 2, deleted ones with 0; every file in ISO-2022-JP (MSH-18 `~ISO IR87`, MSH-20
    /// `ISO 2022-1994`) with CR between segments, at the path it was imported from, else at the path
    /// built from its content. Existing files are never overwritten.
    ///
    /// Exit status: 0 every message written, 65 some message could not be written (listed on standard
    /// error), 74 the store or the output folder cannot be used, 78 bad configuration.
    Export {
        /// The storage root to write into (created when missing).
        #[arg(long, value_name = "ROOT")]
        out: PathBuf,
        /// Only this patient (the SS-MIX2 patient id, PID-3).
        #[arg(long, value_name = "ID")]
        patient: Option<String>,
        /// Read settings from this TOML file instead of ./kakehashi.toml.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// `text` prints a table per data type (files, written with flag 1, superseded, deleted, not
        /// written); `json` prints {"data_types": {TYPE: counts}, "total", "rejected"} with the
        /// import's keys (`stored` = written with flag 1).
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
}

pub fn run(command: Ssmix2Command) -> Result<Exit, CliError> {
    match command {
        Ssmix2Command::Import {
            root,
            dry_run,
            config,
            format,
        } => import::run(&root, dry_run, config.as_deref(), format),
        Ssmix2Command::Export {
            out,
            patient,
            config,
            format,
        } => export::run(&out, patient.as_deref(), config.as_deref(), format),
    }
}

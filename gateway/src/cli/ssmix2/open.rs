//! Opening the store for `ssmix2 import|export` the way `kakehashi serve` does (startup.rs): the same
//! settings (`--config`, ./kakehashi.toml, KAKEHASHI__… variables), the same database, the hospital
//! zone's validation. Written out here rather than shared with startup.rs, which builds the listeners
//! too; keep the two in step.

use std::path::Path;
use std::sync::Arc;

use kakehashi_mappings::validate::Options;

use crate::cli::exit::{CliError, Exit};
use crate::config::Settings;
use crate::pipeline::validation::{build_validator, Validation};
use crate::pipeline::{Fhir, Paging};
use crate::startup::StartError;
use crate::store::Store;

pub fn settings(config: Option<&Path>) -> Result<Settings, CliError> {
    let settings = Settings::load(config)?;
    crate::telemetry::init(&settings.log);
    Ok(settings)
}

pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(Exit::Internal, format!("cannot start the runtime: {e}")))
}

/// The store, created when missing (like `serve`); a store that cannot be opened is exit 74.
pub async fn store(settings: &Settings) -> Result<Store, CliError> {
    if settings.database.url.is_empty() {
        std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
            CliError::from(StartError::DataDir(
                settings.data_dir.display().to_string(),
                e,
            ))
        })?;
    }
    Store::open(&settings.database_url(), settings.database.max_connections)
        .await
        .map_err(|e| CliError::new(Exit::Io, format!("cannot open the store: {e}")))
}

/// The hospital zone's FHIR pipeline (its validation mode and packages), as `serve` builds it.
pub fn hospital(settings: &Settings, store: Store) -> Result<Fhir, CliError> {
    let validator = build_validator(&settings.validation.packages)
        .map_err(|e| CliError::from(StartError::Validation(e)))?;
    Ok(Fhir {
        store,
        paging: Paging {
            default_count: settings.fhir.default_count,
            max_count: settings.fhir.max_count,
        },
        validation: Validation {
            validator,
            mode: settings.hospital.validation,
            options: Arc::new(Options {
                must_support: settings.validation.must_support,
                ..Options::default()
            }),
        },
    })
}

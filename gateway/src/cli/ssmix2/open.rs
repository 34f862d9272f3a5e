//! Opening the store for `ssmix2 import|export` the way `kakehashi serve` does (startup.rs): the same
//! settings (`--config`, ./kakehashi.toml, KAKEHASHI__… variables), the same database, the hospital
//! zone's validation, with startup.rs's own functions.

use crate::cli::exit::{CliError, Exit};
use crate::config::Settings;
use crate::pipeline::validation::build_validator;
use crate::pipeline::Fhir;
use crate::startup::{open_store, zone_fhir, zone_validation, StartError};
use crate::store::Store;
use std::path::Path;

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
    open_store(settings).await.map_err(|e| match e {
        StartError::DataDir(..) => CliError::from(e),
        other => CliError::new(Exit::Io, other.to_string()),
    })
}

/// The hospital zone's FHIR pipeline (its validation mode and packages), as `serve` builds it.
pub fn hospital(settings: &Settings, store: Store) -> Result<Fhir, CliError> {
    let validator = build_validator(&settings.validation.packages)
        .map_err(|e| CliError::from(StartError::Validation(e)))?;
    let validation = zone_validation(settings, &validator, settings.hospital.validation);
    Ok(zone_fhir(settings, store, validation))
}

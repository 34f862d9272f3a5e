//! `kakehashi serve`: load settings, build the application, serve until Ctrl-C or SIGTERM.

use std::path::Path;

use crate::cli::exit::{CliError, Exit};
use crate::config::Settings;
use crate::startup::{shutdown_signal, Application};
use crate::telemetry;

pub fn run(config: Option<&Path>) -> Result<Exit, CliError> {
    let settings = Settings::load(config)?;
    telemetry::init(&settings.log);
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| CliError::new(Exit::Internal, format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let app = Application::build(&settings).await?;
        tracing::info!(hospital = %app.hospital_addr, admin = %app.admin_addr, "Kakehashi is serving: FHIR REST at http://{}/fhir, health at http://{}/healthz.", app.hospital_addr, app.admin_addr);
        app.run_until(shutdown_signal()).await.map_err(|e| CliError::new(Exit::Internal, format!("{e:#}")))?;
        tracing::info!("Stopped cleanly.");
        Ok(Exit::Ok)
    })
}

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
        let consultation = app
            .consultation_addr
            .map(|a| format!(", consultation zone at https://{a}/fhir (mutual TLS)"))
            .unwrap_or_default();
        let mllp = app
            .mllp_addr
            .map(|a| format!(", HL7 v2 over MLLP at {a} (and POST /hl7v2)"))
            .unwrap_or_default();
        tracing::info!(hospital = %app.hospital_addr, admin = %app.admin_addr, "Kakehashi is serving: FHIR REST at http://{}/fhir{consultation}{mllp}, health and audit at http://{}.", app.hospital_addr, app.admin_addr);
        if let Some(dev) = &app.dev_pki {
            tracing::info!(dir = %dev.dir.display(), "The consultation zone uses the development PKI (never for production); see README.txt there.");
        }
        app.run_until(shutdown_signal()).await.map_err(|e| CliError::new(Exit::Internal, format!("{e:#}")))?;
        tracing::info!("Stopped cleanly.");
        Ok(Exit::Ok)
    })
}

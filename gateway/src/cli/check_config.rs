//! `kakehashi check-config`: validate settings without starting; print the effective values.

use std::path::Path;

use crate::cli::exit::{CliError, Exit};
use crate::cli::OutputFormat;
use crate::config::Settings;

pub fn run(config: Option<&Path>, format: OutputFormat) -> Result<Exit, CliError> {
    let mut settings = Settings::load(config)?;
    // The database URL may hold a password; never print it.
    if let Some((scheme, rest)) = settings.database.url.split_once("://") {
        if let Some((_, host)) = rest.rsplit_once('@') {
            settings.database.url = format!("{scheme}://***@{host}");
        }
    }
    match format {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&settings).unwrap_or_default()
        ),
        OutputFormat::Text => println!(
            "configuration ok: hospital zone {}, admin {}, database {}",
            settings.hospital.listen,
            settings.admin.listen,
            if settings.database.url.is_empty() {
                "embedded SQLite"
            } else {
                settings.database.url.as_str()
            }
        ),
    }
    Ok(Exit::Ok)
}

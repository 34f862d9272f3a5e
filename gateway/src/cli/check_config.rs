//! `kakehashi check-config`: validate settings without starting; print the effective values.

use std::path::Path;

use crate::cli::exit::{CliError, Exit};
use crate::cli::OutputFormat;
use crate::config::Settings;

pub fn run(config: Option<&Path>, format: OutputFormat) -> Result<Exit, CliError> {
    let mut settings = Settings::load(config)?;
    check_consultation_files(&settings)?;
    if let Some(tls) = settings.mllp.tls.as_ref().filter(|_| settings.mllp.enabled) {
        crate::channels::mllp::listener::acceptor(tls)
            .map_err(|e| CliError::new(Exit::Config, format!("mllp: {e}")))?;
    }
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
            "configuration ok: hospital zone {}, MLLP {}, consultation zone {}, admin {}, database {}",
            settings.hospital.listen,
            if settings.mllp.enabled {
                settings.mllp.listen.to_string()
            } else {
                "disabled".into()
            },
            if settings.consultation.enabled {
                settings.consultation.listen.to_string()
            } else {
                "disabled".into()
            },
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

/// The consultation zone's configured certificates, keys and trust files must load (the development PKI,
/// used when none are configured, is generated at start instead).
fn check_consultation_files(settings: &Settings) -> Result<(), CliError> {
    let c = &settings.consultation;
    if !c.enabled {
        return Ok(());
    }
    let bad = |e: &dyn std::fmt::Display| CliError::new(Exit::Config, format!("consultation: {e}"));
    if !c.server_cert.as_os_str().is_empty() {
        crate::tls::read_chain(&c.server_cert).map_err(|e| bad(&e))?;
        crate::tls::read_key(&c.server_key).map_err(|e| bad(&e))?;
    }
    if !c.trust.is_empty() {
        crate::hpki::TrustStore::load(&c.trust, &c.intermediates).map_err(|e| bad(&e))?;
    }
    Ok(())
}

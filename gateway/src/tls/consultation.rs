//! The consultation zone's TLS, built from its settings: the server configuration with the HPKI client
//! verifier, the verdict engine and its CRL refresher, and the development PKI standing in for
//! certificates or trust anchors that are not configured.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::ServerConfig;

use super::client_verifier::HpkiClientVerifier;
use super::crl_refresh::CrlRefresher;
use super::dev_pki::{self, DevPki};
use super::pins::Pins;
use super::{read_chain, read_key, server_config, TlsError};
use crate::config::Settings;
use crate::hpki::{RoleRequirement, TrustStore, Verifier};

pub struct ZoneTls {
    pub config: Arc<ServerConfig>,
    pub client_verifier: Arc<HpkiClientVerifier>,
    /// The verdict engine whose CRLs `refresher` keeps current.
    pub verifier: Arc<Verifier>,
    pub refresher: CrlRefresher,
    /// Present when the development PKI is used (nothing configured).
    pub dev: Option<DevPki>,
}

/// Loads (or, for what is not configured, generates) everything the consultation listener's TLS needs;
/// the CRLs are read once here.
pub async fn zone_tls(settings: &Settings) -> Result<ZoneTls, TlsError> {
    let c = &settings.consultation;
    let no_server_cert = c.server_cert.as_os_str().is_empty();
    let dev = if no_server_cert || c.trust.is_empty() {
        Some(dev_pki::ensure(&settings.data_dir)?)
    } else {
        None
    };
    let (chain_path, key_path) = match &dev {
        Some(d) if no_server_cert => (d.server_chain.clone(), d.server_key.clone()),
        _ => (c.server_cert.clone(), c.server_key.clone()),
    };
    let (anchors, intermediates, crl_sources): (Vec<PathBuf>, Vec<PathBuf>, Vec<String>) =
        match &dev {
            Some(d) if c.trust.is_empty() => (
                vec![d.hpki_root.clone()],
                vec![d.hpki_auth_ca.clone()],
                d.crls.iter().map(|p| p.display().to_string()).collect(),
            ),
            _ => (c.trust.clone(), c.intermediates.clone(), c.crls.clone()),
        };
    let trust = TrustStore::load(&anchors, &intermediates)?;
    let mut refresher = CrlRefresher::new(crl_sources);
    let crls = refresher.load(&trust).await;
    let verifier = Arc::new(Verifier::new(trust, crls, c.revocation));
    let roles = if c.required_roles.is_empty() {
        RoleRequirement::Any
    } else {
        RoleRequirement::OneOf(c.required_roles.clone())
    };
    let client_verifier = Arc::new(HpkiClientVerifier::new(
        verifier.clone(),
        Pins::new(&c.services),
        roles,
    ));
    let config = server_config(
        read_chain(&chain_path)?,
        read_key(&key_path)?,
        client_verifier.clone(),
    )?;
    Ok(ZoneTls {
        config,
        client_verifier,
        verifier,
        refresher,
        dev,
    })
}

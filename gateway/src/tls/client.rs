//! Client-side TLS that can present an HPKI certificate. rustls' own `with_client_auth_cert` checks the
//! certificate with webpki, which refuses HPKI's critical certificatePolicies (hpki.md §5.3), so the
//! certificate is handed over through a fixed `ResolvesClientCert` instead. Used by tests, the load
//! tool and, later, outbound destinations that authenticate with mutual TLS.

use std::sync::Arc;

use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, RootCertStore, SignatureScheme, SupportedProtocolVersion};

use super::{provider, TlsError};

#[derive(Debug)]
struct FixedClientCert(Option<Arc<CertifiedKey>>);

impl ResolvesClientCert for FixedClientCert {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.0.clone()
    }

    fn has_certs(&self) -> bool {
        self.0.is_some()
    }
}

/// A client configuration trusting `server_roots`, speaking `versions`, presenting `identity`
/// (certificate chain and key) when given.
pub fn client_config(
    server_roots: &[CertificateDer<'static>],
    identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    versions: &[&'static SupportedProtocolVersion],
) -> Result<Arc<ClientConfig>, TlsError> {
    let provider = provider();
    let mut roots = RootCertStore::empty();
    for root in server_roots {
        roots.add(root.clone())?;
    }
    let certified = match identity {
        Some((chain, key)) => {
            let signing_key = provider.key_provider.load_private_key(key)?;
            Some(Arc::new(CertifiedKey::new(chain, signing_key)))
        }
        None => None,
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)?
        .with_root_certificates(roots)
        .with_client_cert_resolver(Arc::new(FixedClientCert(certified)));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

//! The consultation zone's client-certificate verifier. rustls' stock `WebPkiClientVerifier` refuses
//! every real HPKI certificate (their certificatePolicies extension is critical, hpki.md §0.4 and §5.3),
//! so this verifier applies our own HPKI verdict (purpose `authentication`) or accepts a pinned service
//! certificate, and still verifies the handshake signature with the certificate's public key.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, SubjectPublicKeyInfoDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, OtherError};
use rustls::{Error, PeerMisbehaved, SignatureScheme};

use super::pins::Pins;
use crate::hpki::{Check, Purpose, RoleRequirement, Verifier};

/// Why a client certificate was refused at the handshake; carried inside the rustls error so the
/// listener can write it to the audit log together with the peer address.
#[derive(Debug, Clone, thiserror::Error)]
#[error("client certificate refused: {code}")]
pub struct Refusal {
    /// A stable reason code of `hpki::Reason` (e.g. `expired`, `revoked`, `untrusted-issuer`).
    pub code: &'static str,
    pub subject: Option<String>,
    pub serial: Option<String>,
    pub issuer: Option<String>,
    pub roles: Vec<String>,
}

/// Finds our `Refusal` inside an error returned by the TLS acceptor.
pub fn refusal_of(error: &std::io::Error) -> Option<Refusal> {
    let rustls_error = error.get_ref()?.downcast_ref::<Error>()?;
    match rustls_error {
        Error::InvalidCertificate(CertificateError::Other(OtherError(inner))) => {
            inner.downcast_ref::<Refusal>().cloned()
        }
        _ => None,
    }
}

pub struct HpkiClientVerifier {
    verifier: Arc<Verifier>,
    pins: Pins,
    roles: RoleRequirement,
    hints: Vec<DistinguishedName>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl std::fmt::Debug for HpkiClientVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HpkiClientVerifier")
            .field("hints", &self.hints.len())
            .field("roles", &self.roles)
            .finish()
    }
}

impl HpkiClientVerifier {
    /// `roles`: hcRoles a person's certificate needs to complete the handshake (`Any`: decided later by
    /// the zone policy, per request).
    pub fn new(verifier: Arc<Verifier>, pins: Pins, roles: RoleRequirement) -> HpkiClientVerifier {
        // The CertificateRequest names the accepted CAs, so card middleware offers the HPKI
        // authentication certificate rather than the signature one.
        let hints = verifier
            .trust()
            .subjects()
            .into_iter()
            .map(DistinguishedName::from)
            .collect();
        HpkiClientVerifier {
            verifier,
            pins,
            roles,
            hints,
            algorithms: super::provider().signature_verification_algorithms,
        }
    }

    /// The service name when `der` is a pinned service certificate.
    pub fn pinned_service(&self, der: &[u8]) -> Option<&str> {
        self.pins.service(der)
    }
}

impl ClientCertVerifier for HpkiClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        if self.pins.service(end_entity).is_some() {
            return Ok(ClientCertVerified::assertion());
        }
        let presented: Vec<&[u8]> = intermediates.iter().map(|c| c.as_ref()).collect();
        let check = Check {
            purpose: Purpose::Authentication,
            at_unix: i64::try_from(now.as_secs()).unwrap_or(i64::MAX),
            roles: self.roles.clone(),
        };
        let verdict = self.verifier.verify(end_entity, &presented, &check);
        if verdict.valid {
            return Ok(ClientCertVerified::assertion());
        }
        let refusal = Refusal {
            code: verdict.reason.map(|r| r.code()).unwrap_or("invalid"),
            subject: Some(verdict.subject).filter(|s| !s.is_empty()),
            serial: Some(verdict.serial).filter(|s| !s.is_empty()),
            issuer: Some(verdict.issuer).filter(|s| !s.is_empty()),
            roles: verdict.roles,
        };
        Err(Error::InvalidCertificate(CertificateError::Other(
            OtherError(Arc::new(refusal)),
        )))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let spki = public_key(cert)?;
        let key = &spki.subject_public_key.data;
        let candidates = self
            .algorithms
            .mapping
            .iter()
            .find(|(scheme, _)| *scheme == dss.scheme)
            .map(|(_, algs)| *algs)
            .ok_or(Error::PeerMisbehaved(
                PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme,
            ))?;
        if candidates
            .iter()
            .any(|alg| alg.verify_signature(key, message, dss.signature()).is_ok())
        {
            Ok(HandshakeSignatureValid::assertion())
        } else {
            Err(Error::InvalidCertificate(CertificateError::BadSignature))
        }
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let spki = SubjectPublicKeyInfoDer::from(public_key(cert)?.raw);
        rustls::crypto::verify_tls13_signature_with_raw_key(message, &spki, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The public key of a certificate: handshake signatures are checked with it directly, because rustls'
/// own helpers parse the certificate with webpki, which refuses HPKI certificates.
fn public_key<'a>(
    cert: &'a CertificateDer<'_>,
) -> Result<x509_parser::x509::SubjectPublicKeyInfo<'a>, Error> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert)
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    Ok(parsed.tbs_certificate.subject_pki)
}

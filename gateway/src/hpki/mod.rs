//! HPKI (保健医療福祉分野PKI, issue #3): certificate facts and hcRole, the trust store, CRLs/ARLs, the
//! verdict used for mutual TLS and signatures, and an rcgen issuer for HPKI-like test certificates.
//! Background: shared/docs/hpki.md.

mod cert;
mod chain;
mod der;
pub mod facts;
pub mod hcrole;
pub mod issue;
pub mod oids;
pub mod revocation;
pub mod trust;
pub mod verdict;

use std::path::PathBuf;

pub use facts::{
    fingerprint_sha256, parse_certificate, read_certificates, sha256, CertificateFacts, HcRole,
};
pub use hcrole::{decode_hc_roles, encode_hc_roles};
pub use issue::{Authority, Issued, LeafSpec};
pub use revocation::{CrlInfo, CrlSet, RevocationMode};
pub use trust::TrustStore;
pub use verdict::{Check, Purpose, Reason, RoleRequirement, Verdict, Verifier};

/// Errors of the HPKI code (parsing, loading, issuing). Verification outcomes are [`Verdict`]s.
#[derive(Debug, thiserror::Error)]
pub enum HpkiError {
    /// Not a certificate or CRL, or a certificate with an undecodable extension.
    #[error("malformed: {0}")]
    Malformed(String),
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A CRL whose issuer is not in the trust store.
    #[error("{0}")]
    NoIssuer(String),
    /// A CRL whose signature does not verify.
    #[error("{0}")]
    BadCrlSignature(String),
    /// rcgen could not issue a certificate or CRL.
    #[error("cannot issue: {0}")]
    Issue(String),
}

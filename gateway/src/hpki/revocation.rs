//! CRLs and ARLs (HPKI publishes no OCSP, hpki.md §5.1): loading with signature checks against the
//! trust store, and the revocation status of one certificate at a given time.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::cert::CertInfo;
use super::facts::{looks_like_pem, name_string, normalized_serial, pem_blocks, rfc3339};
use super::oids;
use super::trust::{files_in, read_file, TrustStore};
use super::HpkiError;

/// What to do when no current CRL is available for a certificate in the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum RevocationMode {
    /// A stale or missing CRL fails the verdict (crl-stale / crl-missing).
    #[default]
    Strict,
    /// A stale or missing CRL gives revocation "unknown"; a listed serial still fails.
    BestEffort,
}

/// A summary of one loaded CRL.
#[derive(Debug, Clone, Serialize)]
pub struct CrlInfo {
    pub issuer: String,
    pub number: Option<String>,
    pub this_update: String,
    pub next_update: Option<String>,
    pub revoked: usize,
    /// IssuingDistributionPoint onlyContainsCACerts (an ARL such as the MHLW SARL/RARL).
    pub ca_only: bool,
}

#[derive(Debug)]
struct StoredCrl {
    issuer_raw: Vec<u8>,
    /// SHA-256 of the SubjectPublicKeyInfo that verified the CRL signature.
    signer_spki_hash: [u8; 32],
    this_update: i64,
    next_update: Option<i64>,
    /// normalized serial → revocation date (unix seconds)
    revoked: HashMap<Vec<u8>, i64>,
    ca_only: bool,
    user_only: bool,
}

/// Verified CRLs, indexed by raw issuer DN. Cheap to clone (shared entries).
#[derive(Debug, Default, Clone)]
pub struct CrlSet {
    crls: Vec<Arc<StoredCrl>>,
    by_issuer: HashMap<Vec<u8>, Vec<usize>>,
}

/// The revocation status of one certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Good,
    /// Revoked at this time (unix seconds).
    Revoked(i64),
    /// Only CRLs whose nextUpdate (the latest one given) is at or before the check time.
    Stale(i64),
    Missing,
}

impl CrlSet {
    pub fn new() -> CrlSet {
        CrlSet::default()
    }

    /// Adds one CRL (DER, or PEM "X509 CRL"). Its signature must verify with the key of a trust-store
    /// anchor or intermediate whose subject is the CRL issuer.
    pub fn add(&mut self, bytes: &[u8], trust: &TrustStore) -> Result<CrlInfo, HpkiError> {
        let der = if looks_like_pem(bytes) {
            pem_blocks(bytes, &["X509 CRL"])?
                .into_iter()
                .next()
                .ok_or_else(|| HpkiError::Malformed("no X509 CRL block in the PEM input".into()))?
        } else {
            bytes.to_vec()
        };
        let crl = match CertificateRevocationList::from_der(&der) {
            Ok((&[], crl)) => crl,
            Ok(_) => return Err(HpkiError::Malformed("trailing bytes after the CRL".into())),
            Err(e) => return Err(HpkiError::Malformed(format!("not a CRL: {e}"))),
        };
        let issuer = name_string(crl.issuer());
        let candidates = trust.named(crl.issuer().as_raw());
        if candidates.is_empty() {
            return Err(HpkiError::NoIssuer(format!(
                "no trusted certificate for CRL issuer {issuer}"
            )));
        }
        let signer = candidates.iter().find(|(_, ca)| {
            SubjectPublicKeyInfo::from_der(&ca.spki_raw)
                .map(|(_, spki)| crl.verify_signature(&spki).is_ok())
                .unwrap_or(false)
        });
        let Some((_, signer)) = signer else {
            return Err(HpkiError::BadCrlSignature(format!(
                "the signature of the CRL from {issuer} does not verify with any trusted key"
            )));
        };
        let (mut ca_only, mut user_only, mut number) = (false, false, None);
        for ext in crl.extensions() {
            let oid = ext.oid.to_id_string();
            match ext.parsed_extension() {
                ParsedExtension::IssuingDistributionPoint(idp) => {
                    if idp.indirect_crl
                        || idp.only_contains_attribute_certs
                        || idp.only_some_reasons.is_some()
                    {
                        return Err(HpkiError::Malformed(format!(
                            "CRL from {issuer}: indirect, attribute or partial-reason CRLs are not supported"
                        )));
                    }
                    ca_only = idp.only_contains_ca_certs;
                    user_only = idp.only_contains_user_certs;
                }
                ParsedExtension::CRLNumber(n) => number = Some(n.to_string()),
                ParsedExtension::ParseError { error } => {
                    return Err(HpkiError::Malformed(format!(
                        "CRL from {issuer}: extension {oid}: {error}"
                    )));
                }
                _ if ext.critical && oid != oids::AUTHORITY_KEY_IDENTIFIER => {
                    return Err(HpkiError::Malformed(format!(
                        "CRL from {issuer}: unsupported critical extension {oid} (delta CRLs are not supported)"
                    )));
                }
                _ => {}
            }
        }
        let revoked: HashMap<Vec<u8>, i64> = crl
            .iter_revoked_certificates()
            .map(|r| {
                (
                    normalized_serial(r.raw_serial()),
                    r.revocation_date.timestamp(),
                )
            })
            .collect();
        let stored = StoredCrl {
            issuer_raw: crl.issuer().as_raw().to_vec(),
            signer_spki_hash: signer.spki_hash,
            this_update: crl.last_update().timestamp(),
            next_update: crl.next_update().map(|t| t.timestamp()),
            revoked,
            ca_only,
            user_only,
        };
        let info = CrlInfo {
            issuer,
            number,
            this_update: rfc3339(stored.this_update),
            next_update: stored.next_update.map(rfc3339),
            revoked: stored.revoked.len(),
            ca_only,
        };
        self.by_issuer
            .entry(stored.issuer_raw.clone())
            .or_default()
            .push(self.crls.len());
        self.crls.push(Arc::new(stored));
        Ok(info)
    }

    /// Loads CRL files (or directories of `.crl`, `.der`, `.pem` files).
    pub fn load(paths: &[PathBuf], trust: &TrustStore) -> Result<CrlSet, HpkiError> {
        let mut set = CrlSet::new();
        for path in paths {
            for file in files_in(path, &["crl", "der", "pem"])? {
                let bytes = read_file(&file)?;
                set.add(&bytes, trust).map_err(|e| match e {
                    HpkiError::Malformed(m) => {
                        HpkiError::Malformed(format!("{}: {m}", file.display()))
                    }
                    HpkiError::NoIssuer(m) => {
                        HpkiError::NoIssuer(format!("{}: {m}", file.display()))
                    }
                    HpkiError::BadCrlSignature(m) => {
                        HpkiError::BadCrlSignature(format!("{}: {m}", file.display()))
                    }
                    other => other,
                })?;
            }
        }
        Ok(set)
    }

    pub fn len(&self) -> usize {
        self.crls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.crls.is_empty()
    }

    /// The earliest nextUpdate of all CRLs (unix seconds): when a refresh is due at the latest.
    pub fn earliest_next_update(&self) -> Option<i64> {
        self.crls.iter().filter_map(|c| c.next_update).min()
    }

    /// The status of `cert`, issued by `issuer`, at `at`. `cert_is_ca` selects the CRL scope: CA-only
    /// ARLs count for CAs only, user-only CRLs for end entities only. Only CRLs signed by the
    /// issuer's own key count.
    pub(crate) fn status(
        &self,
        cert: &CertInfo,
        issuer: &CertInfo,
        cert_is_ca: bool,
        at: i64,
    ) -> Status {
        let candidates: Vec<&StoredCrl> = self
            .by_issuer
            .get(&issuer.subject_raw)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.crls.get(i))
            .map(|c| c.as_ref())
            .filter(|c| c.signer_spki_hash == issuer.spki_hash)
            .filter(|c| if cert_is_ca { !c.user_only } else { !c.ca_only })
            .collect();
        if candidates.is_empty() {
            return Status::Missing;
        }
        // A listed serial revoked at or before `at` revokes, whichever CRL lists it (later CRLs are
        // authoritative about earlier times; entries dated after `at` do not revoke).
        if let Some(date) = candidates
            .iter()
            .filter_map(|c| c.revoked.get(&cert.serial))
            .filter(|date| **date <= at)
            .min()
        {
            return Status::Revoked(*date);
        }
        let usable = candidates
            .iter()
            .any(|c| c.this_update > at || c.next_update.is_none_or(|next| at < next));
        if usable {
            Status::Good
        } else {
            let latest = candidates
                .iter()
                .filter_map(|c| c.next_update)
                .max()
                .unwrap_or(at);
            Status::Stale(latest)
        }
    }
}

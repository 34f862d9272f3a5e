//! `CertInfo`: the owned, pre-digested view of one certificate that path validation works on
//! (parsed once; trust-store certificates are kept in this form).

use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::facts::{name_string, normalized_serial, parse_der, roles_of, serial_hex, sha256};
use super::oids;
use super::HpkiError;

#[derive(Debug, Clone)]
pub(crate) struct CertInfo {
    pub der: Vec<u8>,
    pub subject_raw: Vec<u8>,
    pub issuer_raw: Vec<u8>,
    pub subject: String,
    pub issuer: String,
    /// Serial without leading zero octets (CRL lookup key).
    pub serial: Vec<u8>,
    pub serial_hex: String,
    pub not_before: i64,
    pub not_after: i64,
    pub spki_raw: Vec<u8>,
    /// SHA-256 of the SubjectPublicKeyInfo: identifies the key that signed a CRL.
    pub spki_hash: [u8; 32],
    pub ski: Option<Vec<u8>>,
    pub aki: Option<Vec<u8>>,
    /// `Some((ca, pathLenConstraint))` when basicConstraints is present.
    pub basic_constraints: Option<(bool, Option<u32>)>,
    /// `Some` when keyUsage is present.
    pub key_usage: Option<KeyUsageBits>,
    /// `Some((clientAuth, anyExtendedKeyUsage))` when extKeyUsage is present.
    pub eku: Option<(bool, bool)>,
    pub policies: Vec<String>,
    /// Critical extensions outside [`oids::ALLOWED_CRITICAL`].
    pub unsupported_critical: Vec<String>,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KeyUsageBits {
    pub digital_signature: bool,
    pub non_repudiation: bool,
    pub key_cert_sign: bool,
}

impl CertInfo {
    pub fn from_der(der: Vec<u8>) -> Result<CertInfo, HpkiError> {
        let cert = parse_der(&der)?;
        let roles = roles_of(&cert)?.into_iter().map(|r| r.text).collect();
        let spki_raw = cert.public_key().raw.to_vec();
        let spki_hash = sha256(&spki_raw);
        let mut info = CertInfo {
            subject_raw: cert.subject().as_raw().to_vec(),
            issuer_raw: cert.issuer().as_raw().to_vec(),
            subject: name_string(cert.subject()),
            issuer: name_string(cert.issuer()),
            serial: normalized_serial(cert.raw_serial()),
            serial_hex: serial_hex(cert.raw_serial()),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            spki_raw,
            spki_hash,
            ski: None,
            aki: None,
            basic_constraints: None,
            key_usage: None,
            eku: None,
            policies: Vec::new(),
            unsupported_critical: Vec::new(),
            roles,
            der: Vec::new(),
        };
        for ext in cert.extensions() {
            let oid = ext.oid.to_id_string();
            if ext.critical && !oids::ALLOWED_CRITICAL.contains(&oid.as_str()) {
                info.unsupported_critical.push(oid.clone());
            }
            match ext.parsed_extension() {
                ParsedExtension::ParseError { error } => {
                    return Err(HpkiError::Malformed(format!("extension {oid}: {error}")));
                }
                ParsedExtension::SubjectKeyIdentifier(id) => info.ski = Some(id.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(aki) => {
                    info.aki = aki.key_identifier.as_ref().map(|id| id.0.to_vec());
                }
                ParsedExtension::BasicConstraints(bc) => {
                    info.basic_constraints = Some((bc.ca, bc.path_len_constraint));
                }
                ParsedExtension::KeyUsage(ku) => {
                    info.key_usage = Some(KeyUsageBits {
                        digital_signature: ku.digital_signature(),
                        non_repudiation: ku.non_repudiation(),
                        key_cert_sign: ku.key_cert_sign(),
                    });
                }
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    info.eku = Some((eku.client_auth, eku.any))
                }
                ParsedExtension::CertificatePolicies(policies) => {
                    info.policies
                        .extend(policies.iter().map(|p| p.policy_id.to_id_string()));
                }
                _ => {}
            }
        }
        info.der = der;
        Ok(info)
    }

    pub fn self_issued(&self) -> bool {
        self.subject_raw == self.issuer_raw
    }

    /// Whether `issuer` may have issued this certificate by name and, when both are present, key id.
    pub fn names_issuer(&self, issuer: &CertInfo) -> bool {
        if self.issuer_raw != issuer.subject_raw {
            return false;
        }
        match (&self.aki, &issuer.ski) {
            (Some(aki), Some(ski)) => aki == ski,
            _ => true,
        }
    }
}

/// Verifies the signature on `child_der` with the public key `issuer_spki` (DER SubjectPublicKeyInfo).
pub(crate) fn signature_valid(child_der: &[u8], issuer_spki: &[u8]) -> bool {
    let Ok(child) = parse_der(child_der) else {
        return false;
    };
    let Ok((_, spki)) = SubjectPublicKeyInfo::from_der(issuer_spki) else {
        return false;
    };
    child.verify_signature(Some(&spki)).is_ok()
}

//! What a certificate says, as plain owned data (`CertificateFacts`), and reading certificates from
//! DER or PEM input.

use serde::Serialize;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use super::hcrole::decode_hc_roles;
use super::oids;
use super::verdict::Purpose;
use super::HpkiError;

/// One hcRole: the coding scheme (codingSchemeReference OID) and the qualification text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HcRole {
    pub scheme: String,
    pub text: String,
}

/// The facts of one certificate, for `kakehashi hpki inspect` and for logs.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateFacts {
    pub subject: String,
    pub common_name: Option<String>,
    pub japanese_name: Option<String>,
    pub japanese_organization: Option<String>,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub roles: Vec<String>,
    pub role_entries: Vec<HcRole>,
    pub policies: Vec<String>,
    pub policies_critical: bool,
    pub key_usage: Vec<String>,
    pub extended_key_usage: Vec<String>,
    pub is_ca: bool,
    pub purpose: Option<Purpose>,
    pub crl_distribution_points: Vec<String>,
    pub critical_extensions: Vec<String>,
    pub fingerprint_sha256: String,
    pub signature_algorithm: String,
}

/// Parses one certificate (DER, or the first certificate of a PEM bundle).
pub fn parse_certificate(bytes: &[u8]) -> Result<CertificateFacts, HpkiError> {
    let first = read_certificates(bytes)?
        .into_iter()
        .next()
        .ok_or_else(|| HpkiError::Malformed("no certificate".into()))?;
    let cert = parse_der(&first)?;
    facts_of(&cert, &first)
}

/// All certificates (DER) of a PEM bundle, or the one DER certificate. Each is checked to parse.
pub fn read_certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, HpkiError> {
    let ders = if looks_like_pem(bytes) {
        let ders = pem_blocks(bytes, &["CERTIFICATE", "X509 CERTIFICATE"])?;
        if ders.is_empty() {
            return Err(HpkiError::Malformed(
                "no CERTIFICATE block in the PEM input".into(),
            ));
        }
        ders
    } else {
        vec![bytes.to_vec()]
    };
    for der in &ders {
        parse_der(der)?;
    }
    Ok(ders)
}

/// SHA-256 of some bytes (a certificate's DER, a public key).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref());
    out
}

/// SHA-256 of the DER, upper-case hex pairs separated by colons (as `openssl x509 -fingerprint` prints).
pub fn fingerprint_sha256(der: &[u8]) -> String {
    let mut out = String::with_capacity(95);
    for (i, b) in sha256(der).iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

pub(crate) fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// The decoded contents of every PEM block whose label is one of `labels` (others are skipped).
pub(crate) fn pem_blocks(bytes: &[u8], labels: &[&str]) -> Result<Vec<Vec<u8>>, HpkiError> {
    let mut out = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(bytes) {
        let block = block.map_err(|e| HpkiError::Malformed(format!("PEM: {e}")))?;
        if labels.contains(&block.label.as_str()) {
            out.push(block.contents);
        }
    }
    Ok(out)
}

/// Parses one DER certificate; trailing bytes are an error.
pub(crate) fn parse_der(der: &[u8]) -> Result<X509Certificate<'_>, HpkiError> {
    match X509Certificate::from_der(der) {
        Ok((&[], cert)) => Ok(cert),
        Ok(_) => Err(HpkiError::Malformed(
            "trailing bytes after the certificate".into(),
        )),
        Err(e) => Err(HpkiError::Malformed(format!(
            "not an X.509 certificate: {e}"
        ))),
    }
}

/// Unix seconds as RFC 3339 UTC ("2022-03-15T14:59:59Z").
pub(crate) fn rfc3339(unix: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| unix.to_string())
}

/// Serial number bytes without leading zero octets (the sign octet), as a CRL lookup key.
pub(crate) fn normalized_serial(raw: &[u8]) -> Vec<u8> {
    let skip = raw.iter().take_while(|b| **b == 0).count();
    raw[skip.min(raw.len())..].to_vec()
}

/// Upper-case hex, no separators; "00" for zero.
pub(crate) fn serial_hex(raw: &[u8]) -> String {
    let serial = normalized_serial(raw);
    if serial.is_empty() {
        return "00".into();
    }
    serial.iter().map(|b| format!("{b:02X}")).collect()
}

pub(crate) fn name_string(name: &X509Name<'_>) -> String {
    name.to_string()
}

/// The hcRoles of a parsed certificate (empty when it has no subjectDirectoryAttributes).
pub(crate) fn roles_of(cert: &X509Certificate<'_>) -> Result<Vec<HcRole>, HpkiError> {
    let mut roles = Vec::new();
    for ext in cert.extensions() {
        if ext.oid.to_id_string() == oids::SUBJECT_DIRECTORY_ATTRIBUTES {
            roles.extend(decode_hc_roles(ext.value)?);
        }
    }
    Ok(roles)
}

/// The end-entity purpose from the policy arcs (CA policies under `<arc>.3.` do not count).
pub(crate) fn purpose_of(policies: &[String]) -> Option<Purpose> {
    if policies.iter().any(|p| Purpose::Signature.admits_policy(p)) {
        Some(Purpose::Signature)
    } else if policies
        .iter()
        .any(|p| Purpose::Authentication.admits_policy(p))
    {
        Some(Purpose::Authentication)
    } else {
        None
    }
}

fn first_attr<'a>(
    mut iter: impl Iterator<Item = &'a x509_parser::x509::AttributeTypeAndValue<'a>>,
) -> Option<String> {
    iter.next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_string)
}

fn signature_algorithm_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption".into(),
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption".into(),
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption".into(),
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption".into(),
        "1.2.840.113549.1.1.10" => "rsassaPss".into(),
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256".into(),
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384".into(),
        "1.3.101.112" => "ed25519".into(),
        other => other.into(),
    }
}

fn general_name_text(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::URI(uri) => (*uri).to_string(),
        GeneralName::DirectoryName(dn) => format!("dirName:{}", name_string(dn)),
        GeneralName::DNSName(dns) => format!("DNS:{dns}"),
        GeneralName::RFC822Name(mail) => format!("email:{mail}"),
        other => format!("{other:?}"),
    }
}

fn facts_of(cert: &X509Certificate<'_>, der: &[u8]) -> Result<CertificateFacts, HpkiError> {
    let role_entries = roles_of(cert)?;
    let mut facts = CertificateFacts {
        subject: name_string(cert.subject()),
        common_name: first_attr(cert.subject().iter_common_name()),
        japanese_name: None,
        japanese_organization: None,
        issuer: name_string(cert.issuer()),
        serial: serial_hex(cert.raw_serial()),
        not_before: rfc3339(cert.validity().not_before.timestamp()),
        not_after: rfc3339(cert.validity().not_after.timestamp()),
        roles: role_entries.iter().map(|r| r.text.clone()).collect(),
        role_entries,
        policies: Vec::new(),
        policies_critical: false,
        key_usage: Vec::new(),
        extended_key_usage: Vec::new(),
        is_ca: false,
        purpose: None,
        crl_distribution_points: Vec::new(),
        critical_extensions: Vec::new(),
        fingerprint_sha256: fingerprint_sha256(der),
        signature_algorithm: signature_algorithm_name(
            &cert.signature_algorithm.algorithm.to_id_string(),
        ),
    };
    for ext in cert.extensions() {
        if ext.critical {
            facts.critical_extensions.push(ext.oid.to_id_string());
        }
        match ext.parsed_extension() {
            ParsedExtension::ParseError { error } => {
                return Err(HpkiError::Malformed(format!(
                    "extension {}: {error}",
                    ext.oid
                )));
            }
            ParsedExtension::CertificatePolicies(policies) => {
                facts.policies_critical = ext.critical;
                facts
                    .policies
                    .extend(policies.iter().map(|p| p.policy_id.to_id_string()));
            }
            ParsedExtension::KeyUsage(ku) => {
                let bits = [
                    (ku.digital_signature(), "digitalSignature"),
                    (ku.non_repudiation(), "nonRepudiation"),
                    (ku.key_encipherment(), "keyEncipherment"),
                    (ku.data_encipherment(), "dataEncipherment"),
                    (ku.key_agreement(), "keyAgreement"),
                    (ku.key_cert_sign(), "keyCertSign"),
                    (ku.crl_sign(), "cRLSign"),
                    (ku.encipher_only(), "encipherOnly"),
                    (ku.decipher_only(), "decipherOnly"),
                ];
                facts.key_usage = bits
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, n)| n.to_string())
                    .collect();
            }
            ParsedExtension::ExtendedKeyUsage(eku) => {
                let known = [
                    (eku.any, "anyExtendedKeyUsage"),
                    (eku.server_auth, "serverAuth"),
                    (eku.client_auth, "clientAuth"),
                    (eku.code_signing, "codeSigning"),
                    (eku.email_protection, "emailProtection"),
                    (eku.time_stamping, "timeStamping"),
                    (eku.ocsp_signing, "OCSPSigning"),
                ];
                facts.extended_key_usage = known
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, n)| n.to_string())
                    .collect();
                facts
                    .extended_key_usage
                    .extend(eku.other.iter().map(|o| o.to_id_string()));
            }
            ParsedExtension::BasicConstraints(bc) => facts.is_ca = bc.ca,
            ParsedExtension::SubjectAlternativeName(san) => {
                for name in &san.general_names {
                    if let GeneralName::DirectoryName(dn) = name {
                        if facts.japanese_name.is_none() {
                            facts.japanese_name = first_attr(dn.iter_common_name());
                        }
                        if facts.japanese_organization.is_none() {
                            facts.japanese_organization = first_attr(dn.iter_organization());
                        }
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(points) => {
                for point in &points.points {
                    if let Some(DistributionPointName::FullName(names)) = &point.distribution_point
                    {
                        facts
                            .crl_distribution_points
                            .extend(names.iter().map(general_name_text));
                    }
                }
            }
            _ => {}
        }
    }
    facts.purpose = purpose_of(&facts.policies);
    Ok(facts)
}

#[cfg(test)]
#[path = "facts_tests.rs"]
mod tests;

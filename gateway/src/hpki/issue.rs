//! HPKI-like certificates and CRLs made with rcgen, with the real HPKI encodings (hcRole, critical
//! certificatePolicies, Japanese name in a subjectAltName directoryName; hpki.md §1.3–§1.5, §4.3).
//! Used for the development PKI at run time and by tests.
//!
//! Keys are ECDSA P-256: ring cannot generate RSA keys (the real MEDIS/JMA certificates are
//! RSA-2048 with sha256WithRSAEncryption; the verifier handles both).

use std::net::IpAddr;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint,
    CrlIssuingDistributionPoint, CrlScope, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, RevocationReason,
    RevokedCertParams, SerialNumber,
};
use time::{Duration, OffsetDateTime};

use super::der::{arcs, oid, tlv};
use super::hcrole::encode_hc_roles;
use super::oids;
use super::HpkiError;

/// The organisation in the subject of every generated CA.
const TEST_ORGANIZATION: &str = "Kakehashi HPKI Test";
/// CPS URI in generated certificatePolicies (reserved `.invalid` TLD).
const CPS_URI: &str = "http://hpki.kakehashi.invalid/cps/";

/// A CA that can issue certificates and CRLs.
pub struct Authority {
    pub cert_der: Vec<u8>,
    pub cert_pem: String,
    pub key_pem: String,
    issuer: Issuer<'static, KeyPair>,
    crl_uri: String,
}

/// An issued end-entity certificate with its key.
pub struct Issued {
    pub cert_der: Vec<u8>,
    pub cert_pem: String,
    /// PKCS#8
    pub key_der: Vec<u8>,
    pub key_pem: String,
}

/// What to put in an end-entity certificate.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    pub common_name: String,
    pub japanese_name: Option<String>,
    pub organization: Option<String>,
    /// hcRole strings; empty = no subjectDirectoryAttributes.
    pub roles: Vec<String>,
    /// Critical certificatePolicies with this OID (+ CPS URI); `None` = no extension.
    pub policy: Option<String>,
    pub key_usage: Vec<KeyUsagePurpose>,
    pub client_auth: bool,
    pub server_auth: bool,
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<IpAddr>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub serial: u64,
    /// An unknown critical extension with this OID, for negative tests.
    pub extra_critical_extension: Option<Vec<u64>>,
}

impl LeafSpec {
    /// A doctor's authentication (認証用) certificate: policy 1.2.392.100495.1.5.1.2.0.1, keyUsage
    /// digitalSignature (critical), EKU clientAuth, valid for one year from `now`.
    pub fn doctor_authentication(
        common_name: &str,
        roles: &[&str],
        serial: u64,
        now: OffsetDateTime,
    ) -> LeafSpec {
        LeafSpec {
            common_name: common_name.to_string(),
            japanese_name: Some("診察　太郎".to_string()),
            organization: Some("KAKEHASHI TEST HOSPITAL".to_string()),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            policy: Some(oids::AUTHENTICATION_EE_POLICY.to_string()),
            key_usage: vec![KeyUsagePurpose::DigitalSignature],
            client_auth: true,
            server_auth: false,
            dns_names: Vec::new(),
            ip_addresses: Vec::new(),
            not_before: now - Duration::hours(1),
            not_after: now + Duration::days(365),
            serial,
            extra_critical_extension: None,
        }
    }

    /// A signature (署名用) certificate: policy 1.2.392.100495.1.5.1.1.0.1, keyUsage nonRepudiation
    /// only, no EKU, like the real MEDIS certificates.
    pub fn doctor_signature(
        common_name: &str,
        roles: &[&str],
        serial: u64,
        now: OffsetDateTime,
    ) -> LeafSpec {
        LeafSpec {
            policy: Some(oids::SIGNATURE_EE_POLICY.to_string()),
            key_usage: vec![KeyUsagePurpose::ContentCommitment],
            client_auth: false,
            ..LeafSpec::doctor_authentication(common_name, roles, serial, now)
        }
    }

    /// A TLS server certificate: keyUsage digitalSignature, EKU serverAuth, SAN DNS names plus
    /// 127.0.0.1 and ::1; no HPKI extensions.
    pub fn server(dns_names: &[&str], serial: u64, now: OffsetDateTime) -> LeafSpec {
        LeafSpec {
            common_name: dns_names
                .first()
                .copied()
                .unwrap_or("localhost")
                .to_string(),
            japanese_name: None,
            organization: Some(TEST_ORGANIZATION.to_string()),
            roles: Vec::new(),
            policy: None,
            key_usage: vec![KeyUsagePurpose::DigitalSignature],
            client_auth: false,
            server_auth: true,
            dns_names: dns_names.iter().map(|d| d.to_string()).collect(),
            ip_addresses: vec![
                IpAddr::from([127, 0, 0, 1]),
                IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
            ],
            not_before: now - Duration::hours(1),
            not_after: now + Duration::days(365),
            serial,
            extra_critical_extension: None,
        }
    }
}

fn issue_error(e: rcgen::Error) -> HpkiError {
    HpkiError::Issue(e.to_string())
}

fn new_key() -> Result<KeyPair, HpkiError> {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(issue_error)
}

fn ca_name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "JP");
    dn.push(DnType::OrganizationName, TEST_ORGANIZATION);
    dn.push(DnType::CommonName, common_name);
    dn
}

fn crl_uri_for(common_name: &str) -> String {
    let slug: String = common_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("http://crl.kakehashi.invalid/{slug}.crl")
}

/// certificatePolicies with one policy and a CPS URI qualifier, marked critical (as in real HPKI).
fn policies_extension(policy: &str) -> Result<CustomExtension, HpkiError> {
    let policy_arcs =
        arcs(policy).ok_or_else(|| HpkiError::Issue(format!("not an OID: {policy}")))?;
    let cps = tlv(
        0x30,
        &[
            oid(&[1, 3, 6, 1, 5, 5, 7, 2, 1]),
            tlv(0x16, CPS_URI.as_bytes()),
        ]
        .concat(),
    );
    let info = tlv(0x30, &[oid(&policy_arcs), tlv(0x30, &cps)].concat());
    let mut ext =
        CustomExtension::from_oid_content(oids::CERTIFICATE_POLICIES_ARCS, tlv(0x30, &info));
    ext.set_criticality(true);
    Ok(ext)
}

/// subjectAltName: a directoryName `C=JP, CN=<Japanese name>` (UTF8String, like MEDIS), DNS names, IPs.
fn subject_alt_name(spec: &LeafSpec) -> Option<CustomExtension> {
    let mut names = Vec::new();
    if let Some(japanese) = &spec.japanese_name {
        let rdn = |arcs: &[u64], tag: u8, value: &str| {
            tlv(
                0x31,
                &tlv(0x30, &[oid(arcs), tlv(tag, value.as_bytes())].concat()),
            )
        };
        let name = tlv(
            0x30,
            &[
                rdn(&[2, 5, 4, 6], 0x13, "JP"),
                rdn(&[2, 5, 4, 3], 0x0C, japanese),
            ]
            .concat(),
        );
        names.push(tlv(0xA4, &name));
    }
    names.extend(spec.dns_names.iter().map(|d| tlv(0x82, d.as_bytes())));
    for ip in &spec.ip_addresses {
        let bytes = match ip {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        names.push(tlv(0x87, &bytes));
    }
    (!names.is_empty()).then(|| {
        CustomExtension::from_oid_content(oids::SUBJECT_ALT_NAME_ARCS, tlv(0x30, &names.concat()))
    })
}

/// What every CA certificate here has: basicConstraints CA (critical, no pathLen), keyUsage keyCertSign
/// + cRLSign (critical), SHA-256 key identifiers.
fn ca_params(
    common_name: &str,
    serial: u64,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = ca_name(common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.key_identifier_method = KeyIdMethod::Sha256;
    params.serial_number = Some(SerialNumber::from(serial));
    params.not_before = not_before;
    params.not_after = not_after;
    params
}

impl Authority {
    /// The rcgen issuer, for tests that need certificates this module does not make.
    #[cfg(test)]
    pub(crate) fn rcgen_issuer(&self) -> &Issuer<'static, KeyPair> {
        &self.issuer
    }

    /// A self-signed root: basicConstraints CA (critical, no pathLen), keyUsage keyCertSign + cRLSign
    /// (critical), no policies (like the MHLW root), serial 1.
    pub fn root(
        common_name: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Authority, HpkiError> {
        let key = new_key()?;
        let params = ca_params(common_name, 1, not_before, not_after);
        let cert = params.self_signed(&key).map_err(issue_error)?;
        Ok(Authority::from_parts(&cert, params, key, common_name))
    }

    /// A sub-CA: basicConstraints CA (critical), keyUsage keyCertSign + cRLSign (critical), critical
    /// certificatePolicies with `policy`, a CRL distribution point (URI) for this CA's issuer's ARL.
    pub fn sub_ca(
        &self,
        common_name: &str,
        policy: &str,
        serial: u64,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Authority, HpkiError> {
        let key = new_key()?;
        let mut params = ca_params(common_name, serial, not_before, not_after);
        params.use_authority_key_identifier_extension = true;
        params.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![self.crl_uri.clone()],
        }];
        params.custom_extensions.push(policies_extension(policy)?);
        let cert = params.signed_by(&key, &self.issuer).map_err(issue_error)?;
        Ok(Authority::from_parts(&cert, params, key, common_name))
    }

    fn from_parts(
        cert: &rcgen::Certificate,
        params: CertificateParams,
        key: KeyPair,
        common_name: &str,
    ) -> Authority {
        Authority {
            cert_der: cert.der().to_vec(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            issuer: Issuer::new(params, key),
            crl_uri: crl_uri_for(common_name),
        }
    }

    /// Issues an end-entity certificate.
    pub fn issue(&self, spec: &LeafSpec) -> Result<Issued, HpkiError> {
        let key = new_key()?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "JP");
        if let Some(org) = &spec.organization {
            dn.push(DnType::OrganizationName, org.as_str());
        }
        dn.push(DnType::CommonName, spec.common_name.as_str());
        params.distinguished_name = dn;
        params.is_ca = IsCa::NoCa;
        params.key_usages = spec.key_usage.clone();
        if spec.client_auth {
            params
                .extended_key_usages
                .push(ExtendedKeyUsagePurpose::ClientAuth);
        }
        if spec.server_auth {
            params
                .extended_key_usages
                .push(ExtendedKeyUsagePurpose::ServerAuth);
        }
        params.key_identifier_method = KeyIdMethod::Sha256;
        params.use_authority_key_identifier_extension = true;
        params.serial_number = Some(SerialNumber::from(spec.serial));
        params.not_before = spec.not_before;
        params.not_after = spec.not_after;
        params.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![self.crl_uri.clone()],
        }];
        if let Some(san) = subject_alt_name(spec) {
            params.custom_extensions.push(san);
        }
        if !spec.roles.is_empty() {
            let roles: Vec<&str> = spec.roles.iter().map(String::as_str).collect();
            params
                .custom_extensions
                .push(CustomExtension::from_oid_content(
                    oids::SUBJECT_DIRECTORY_ATTRIBUTES_ARCS,
                    encode_hc_roles(&roles),
                ));
        }
        if let Some(policy) = &spec.policy {
            params.custom_extensions.push(policies_extension(policy)?);
        }
        if let Some(extra) = &spec.extra_critical_extension {
            let mut ext = CustomExtension::from_oid_content(extra, vec![0x05, 0x00]);
            ext.set_criticality(true);
            params.custom_extensions.push(ext);
        }
        let cert = params.signed_by(&key, &self.issuer).map_err(issue_error)?;
        Ok(Issued {
            cert_der: cert.der().to_vec(),
            cert_pem: cert.pem(),
            key_der: key.serialize_der(),
            key_pem: key.serialize_pem(),
        })
    }

    /// A CRL (DER) listing `revoked` (serial, revocation time) with reason keyCompromise.
    /// `ca_only` adds an IssuingDistributionPoint with onlyContainsCACerts, like the MHLW ARLs; rcgen
    /// can only write a URI distribution point there, whereas the real ARLs carry a directoryName
    /// (`…,CN=SARL`).
    pub fn crl(
        &self,
        number: u64,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
        revoked: &[(u64, OffsetDateTime)],
        ca_only: bool,
    ) -> Result<Vec<u8>, HpkiError> {
        let params = CertificateRevocationListParams {
            this_update,
            next_update,
            crl_number: SerialNumber::from(number),
            issuing_distribution_point: ca_only.then(|| CrlIssuingDistributionPoint {
                distribution_point: CrlDistributionPoint {
                    uris: vec![self.crl_uri.clone()],
                },
                scope: Some(CrlScope::CaCertsOnly),
            }),
            revoked_certs: revoked
                .iter()
                .map(|(serial, when)| RevokedCertParams {
                    serial_number: SerialNumber::from(*serial),
                    revocation_time: *when,
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        Ok(params
            .signed_by(&self.issuer)
            .map_err(issue_error)?
            .der()
            .to_vec())
    }
}

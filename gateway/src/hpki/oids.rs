//! Object identifiers used by the HPKI code (values and sources: shared/docs/hpki.md §0, §1.3, §1.4, §4.1).

/// subjectDirectoryAttributes (RFC 5280 §4.2.1.8); carries hcRole in HPKI (hpki.md §1.3).
pub const SUBJECT_DIRECTORY_ATTRIBUTES: &str = "2.5.29.9";
/// Arcs of [`SUBJECT_DIRECTORY_ATTRIBUTES`], for rcgen custom extensions.
pub const SUBJECT_DIRECTORY_ATTRIBUTES_ARCS: &[u64] = &[2, 5, 29, 9];
/// id-hcpki-at-healthcareactor (ISO 17090, hcRole attribute type; hpki.md §1.3, §4.1).
pub const HC_ACTOR: &str = "1.0.17090.0.1";
/// Arcs of [`HC_ACTOR`].
pub const HC_ACTOR_ARCS: &[u64] = &[1, 0, 17090, 0, 1];
/// id-jhpki-cdata: the MHLW coding scheme of hcRole codeDataFreeText (hpki.md §1.3).
pub const JHPKI_CDATA: &str = "1.2.392.100495.1.6.1.1";
/// Arcs of [`JHPKI_CDATA`].
pub const JHPKI_CDATA_ARCS: &[u64] = &[1, 2, 392, 100495, 1, 6, 1, 1];

/// Signature (署名用) policy arc; end-entity policies live below it, CA policies below `<arc>.3.`
/// (hpki.md §0.2: EE 1.2.392.100495.1.5.1.1.0.1, sub-CA 1.2.392.100495.1.5.1.1.3.1).
pub const SIGNATURE_POLICY_ARC: &str = "1.2.392.100495.1.5.1.1.";
/// Authentication (認証用・人) policy arc (hpki.md §0.2: sub-CA 1.2.392.100495.1.5.1.2.3.1; EE
/// 1.2.392.100495.1.5.1.2.0.1 inferred).
pub const AUTHENTICATION_POLICY_ARC: &str = "1.2.392.100495.1.5.1.2.";
/// The end-entity signature policy seen in every real HPKI signature certificate (hpki.md §1.4).
pub const SIGNATURE_EE_POLICY: &str = "1.2.392.100495.1.5.1.1.0.1";
/// The end-entity authentication policy (hpki.md §0.2, inferred; generated/README.md "ASSUMED").
pub const AUTHENTICATION_EE_POLICY: &str = "1.2.392.100495.1.5.1.2.0.1";
/// Signature sub-CA policy (hpki.md §1.2).
pub const SIGNATURE_CA_POLICY: &str = "1.2.392.100495.1.5.1.1.3.1";
/// Authentication sub-CA policy (hpki.md §1.2).
pub const AUTHENTICATION_CA_POLICY: &str = "1.2.392.100495.1.5.1.2.3.1";

/// Standard extensions (RFC 5280 §4.2).
pub const KEY_USAGE: &str = "2.5.29.15";
pub const BASIC_CONSTRAINTS: &str = "2.5.29.19";
pub const CERTIFICATE_POLICIES: &str = "2.5.29.32";
pub const CERTIFICATE_POLICIES_ARCS: &[u64] = &[2, 5, 29, 32];
pub const EXTENDED_KEY_USAGE: &str = "2.5.29.37";
pub const SUBJECT_ALT_NAME: &str = "2.5.29.17";
pub const SUBJECT_ALT_NAME_ARCS: &[u64] = &[2, 5, 29, 17];
pub const CRL_DISTRIBUTION_POINTS: &str = "2.5.29.31";
pub const AUTHORITY_KEY_IDENTIFIER: &str = "2.5.29.35";
pub const SUBJECT_KEY_IDENTIFIER: &str = "2.5.29.14";
/// CRL extensions (RFC 5280 §5.2).
pub const ISSUING_DISTRIBUTION_POINT: &str = "2.5.29.28";

/// Critical extensions we implement (issue #3 rule 2). nameConstraints (2.5.29.30) is deliberately
/// absent: we do not implement it, so a critical one is rejected.
pub const ALLOWED_CRITICAL: &[&str] = &[
    KEY_USAGE,
    BASIC_CONSTRAINTS,
    CERTIFICATE_POLICIES,
    EXTENDED_KEY_USAGE,
    SUBJECT_ALT_NAME,
    SUBJECT_DIRECTORY_ATTRIBUTES,
    CRL_DISTRIBUTION_POINTS,
    AUTHORITY_KEY_IDENTIFIER,
    SUBJECT_KEY_IDENTIFIER,
];

/// X.520 attribute types used in subject names.
pub const AT_COMMON_NAME: &str = "2.5.4.3";
pub const AT_ORGANIZATION: &str = "2.5.4.10";
/// X.520 serialNumber, used by HPKI subjects for the CA-assigned id (hpki.md §1.5).
pub const AT_SERIAL_NUMBER_ARCS: &[u64] = &[2, 5, 4, 5];

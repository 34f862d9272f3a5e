//! Facts of the real MEDIS/MHLW certificates and the generated corpus; no panic on garbage.

use super::*;

const MEDIS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpora/hpki/medis-test/"
);
const GENERATED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpora/hpki/generated/"
);

fn read(path: String) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn real_medis_doctor() {
    let facts =
        parse_certificate(&read(format!("{MEDIS}medis_test_doctor_sign_0x015E.pem"))).unwrap();
    assert_eq!(facts.roles, ["Medical Doctor"]);
    assert_eq!(facts.role_entries[0].scheme, "1.2.392.100495.1.6.1.1");
    assert_eq!(facts.policies, ["1.2.392.100495.1.5.1.1.0.1"]);
    assert!(facts.policies_critical);
    assert_eq!(facts.key_usage, ["nonRepudiation"]);
    assert!(facts.extended_key_usage.is_empty());
    assert_eq!(facts.japanese_name.as_deref(), Some("神楽坂　三十四"));
    assert_eq!(
        facts.japanese_organization.as_deref(),
        Some("医療情報大学病院")
    );
    assert_eq!(facts.common_name.as_deref(), Some("Sanjushi Kagurazaka"));
    assert_eq!(facts.serial, "015E");
    assert_eq!(facts.not_before, "2022-02-06T15:00:00Z");
    assert_eq!(facts.not_after, "2027-02-07T14:59:59Z");
    assert_eq!(facts.purpose, Some(Purpose::Signature));
    assert!(!facts.is_ca);
    assert_eq!(
        facts.crl_distribution_points,
        ["http://cert.medis.or.jp/sign/crl-sign2.crl"]
    );
    assert_eq!(facts.signature_algorithm, "sha256WithRSAEncryption");
    assert!(
        facts.subject.contains("CN=Sanjushi Kagurazaka"),
        "{}",
        facts.subject
    );
    assert!(facts
        .issuer
        .contains("HPKI-01-MedisSignCA2-forNonRepudiation"));
    let mut critical = facts.critical_extensions.clone();
    critical.sort();
    assert_eq!(critical, ["2.5.29.15", "2.5.29.32"]);
    // DER and PEM give the same facts.
    let der =
        parse_certificate(&read(format!("{MEDIS}medis_test_doctor_sign_0x015E.der"))).unwrap();
    assert_eq!(der.fingerprint_sha256, facts.fingerprint_sha256);
    assert_eq!(facts.fingerprint_sha256.len(), 95);
}

#[test]
fn real_pharmacist_and_generated_multi_role() {
    let pharmacist = parse_certificate(&read(format!(
        "{MEDIS}medis_test_pharmacist_sign_0x0164.der"
    )))
    .unwrap();
    assert_eq!(pharmacist.roles, ["Pharmacist"]);
    let multi = parse_certificate(&read(format!(
        "{GENERATED}doctor_director_multi_role_sign.pem"
    )))
    .unwrap();
    assert_eq!(multi.roles, ["Medical Doctor", "Director of Hospital"]);
    let none = parse_certificate(&read(format!("{GENERATED}no_hcrole_sign.pem"))).unwrap();
    assert!(none.roles.is_empty());
    let auth = parse_certificate(&read(format!("{GENERATED}doctor_auth.pem"))).unwrap();
    assert_eq!(auth.purpose, Some(Purpose::Authentication));
    assert_eq!(auth.extended_key_usage, ["clientAuth"]);
}

#[test]
fn real_ca_certificates() {
    let root = parse_certificate(&read(format!("{MEDIS}mhlw_hpki_root_ca_v2.der"))).unwrap();
    assert!(root.is_ca);
    assert!(root.policies.is_empty());
    assert_eq!(root.purpose, None);
    assert_eq!(root.key_usage, ["keyCertSign", "cRLSign"]);
    assert!(root.fingerprint_sha256.starts_with("6E:D2:79:6B"));
    assert!(root
        .crl_distribution_points
        .iter()
        .any(|p| p.starts_with("dirName:") && p.ends_with("CN=RARL")));
    let ca = parse_certificate(&read(format!(
        "{MEDIS}medis_sign_ca_HPKI-01-MedisSignCA2-forNonRepudiation.der"
    )))
    .unwrap();
    assert_eq!(ca.purpose, None, "a CA policy is not an end-entity purpose");
}

#[test]
fn bundles_give_every_certificate() {
    let chain = read(format!("{GENERATED}doctor_sign.chain.pem"));
    assert_eq!(read_certificates(&chain).unwrap().len(), 3);
    assert_eq!(parse_certificate(&chain).unwrap().roles, ["Medical Doctor"]);
    assert!(
        read_certificates(b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n").is_err()
    );
}

#[test]
fn truncated_or_garbage_input_is_an_error_not_a_panic() {
    let der = read(format!("{MEDIS}medis_test_doctor_sign_0x015E.der"));
    let pem = read(format!("{MEDIS}medis_test_doctor_sign_0x015E.pem"));
    for cut in (0..der.len()).step_by(7) {
        assert!(parse_certificate(&der[..cut]).is_err(), "DER prefix {cut}");
    }
    for cut in (0..pem.len()).step_by(13) {
        let _ = parse_certificate(&pem[..cut]);
    }
    // Flip bytes all over the certificate: must never panic (results may be Ok or Err).
    let mut state = 0x2545_f491_u32;
    for _ in 0..400 {
        let mut bytes = der.clone();
        for _ in 0..4 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let i = state as usize % bytes.len();
            bytes[i] ^= (state >> 8) as u8 | 1;
        }
        let _ = parse_certificate(&bytes);
        let _ = read_certificates(&bytes);
    }
    for garbage in [
        &b""[..],
        b"\x30",
        b"\x30\x82\xff\xff",
        b"hello",
        b"-----BEGIN CERTIFICATE-----\n!!!\n",
    ] {
        assert!(parse_certificate(garbage).is_err());
    }
}

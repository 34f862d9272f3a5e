//! The real MEDIS chain with its 2022 CRLs, and CRL loading: signatures against the trust store, PEM.

use time::Duration;

use super::*;

const CORPORA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/hpki/");

fn corpus(path: &str) -> Vec<u8> {
    std::fs::read(format!("{CORPORA}{path}")).unwrap()
}

#[test]
fn real_medis_doctor_verifies_to_the_mhlw_root() {
    let trust = TrustStore::from_der(
        vec![corpus("real-ca/mhlw_hpki_root_ca_v2.der")],
        vec![corpus("real-ca/medis_sign_ca.der")],
    )
    .unwrap();
    let mut crls = CrlSet::new();
    let ee_crl = crls
        .add(
            &corpus("medis-test/medis_sign_ca_crl_1470_2022-09-06.crl.der"),
            &trust,
        )
        .unwrap();
    assert_eq!(ee_crl.number.as_deref(), Some("1470"));
    assert!(!ee_crl.ca_only);
    let arl = crls
        .add(
            &corpus("medis-test/mhlw_arl_SARL_3269_2022-09-05.crl.der"),
            &trust,
        )
        .unwrap();
    assert!(arl.ca_only);
    let verifier = Verifier::new(trust, crls, RevocationMode::Strict);
    let at = chrono::DateTime::parse_from_rfc3339("2022-09-07T08:18:25Z")
        .unwrap()
        .timestamp();
    let check = Check {
        purpose: Purpose::Signature,
        at_unix: at,
        roles: RoleRequirement::OneOf(vec!["Medical Doctor".into()]),
    };
    let verdict = verifier.verify(
        &corpus("medis-test/medis_test_doctor_sign_0x015E.der"),
        &[],
        &check,
    );
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(verdict.chain.len(), 3);
    assert_eq!(verdict.revocation, "good");
    let verdict = verifier.verify(
        &corpus("medis-test/medis_test_doctor_sign_0x6F_2017_expired.der"),
        &[],
        &check,
    );
    assert_eq!(reason(&verdict), Some("expired"));
    // The JMA doctor has no issuer in this store.
    let verdict = verifier.verify(
        &corpus("medis-test/jma_test_doctor_sign_0x8090_expired.der"),
        &[],
        &check,
    );
    assert_eq!(reason(&verdict), Some("untrusted-issuer"));
}

#[test]
fn crls_must_verify_against_the_trust_store() {
    let pki = pki();
    let trust = pki.trust();
    let (this, next) = (now(), now() + Duration::days(4));
    // Same issuer name, other key.
    let (from, to) = (now() - Duration::days(10), now() + Duration::days(10));
    let impostor = pki
        .root
        .sub_ca("TEST SignCA", oids::SIGNATURE_CA_POLICY, 99, from, to)
        .unwrap();
    let mut set = CrlSet::new();
    let err = set
        .add(&impostor.crl(1, this, next, &[], false).unwrap(), &trust)
        .unwrap_err();
    assert!(matches!(err, HpkiError::BadCrlSignature(_)), "{err}");
    let stranger = Authority::root("Stranger", from, to).unwrap();
    let err = set
        .add(&stranger.crl(1, this, next, &[], false).unwrap(), &trust)
        .unwrap_err();
    assert!(matches!(err, HpkiError::NoIssuer(_)), "{err}");
    assert!(matches!(
        set.add(b"garbage", &trust),
        Err(HpkiError::Malformed(_))
    ));
    assert!(set.is_empty());
    // PEM works too.
    let der = pki.sign_ca.crl(2, this, next, &[], false).unwrap();
    let pem = pem_wrap("X509 CRL", &der);
    assert_eq!(
        set.add(pem.as_bytes(), &trust).unwrap().number.as_deref(),
        Some("2")
    );
}

fn pem_wrap(label: &str, der: &[u8]) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::new();
    for chunk in der.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    let body: Vec<String> = text
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        body.join("\n")
    )
}

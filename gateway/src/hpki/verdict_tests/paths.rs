//! Verdict tests about the path: critical extensions, untrusted and lookalike issuers, signatures,
//! CA checks, path length, malformed input, the signature cache and sharing across threads.

use time::Duration;

use super::*;

#[test]
fn unknown_critical_extension() {
    let pki = pki();
    let mut spec = LeafSpec::doctor_authentication("Taro", &["Medical Doctor"], 150, now());
    spec.extra_critical_extension = Some(vec![1, 3, 6, 1, 4, 1, 99999, 1]);
    let cert = pki.auth_ca.issue(&spec).unwrap();
    let verdict = pki.verifier().verify(&cert.cert_der, &[], &auth(DOCTORS));
    assert_eq!(reason(&verdict), Some("unsupported-critical-extension"));
    assert!(verdict.detail.unwrap().contains("1.3.6.1.4.1.99999.1"));
}

#[test]
fn untrusted_ca_with_identical_names() {
    let pki = pki();
    let (from, to) = (now() - Duration::days(3650), now() + Duration::days(3650));
    let evil_root = Authority::root("TEST HPKI Root CA", from, to).unwrap();
    let evil_ca = evil_root
        .sub_ca("TEST AuthCA", oids::AUTHENTICATION_CA_POLICY, 5, from, to)
        .unwrap();
    let cert = doctor(&evil_ca, &["Medical Doctor"], 160);
    let verifier = pki.verifier();
    for presented in [
        vec![],
        vec![&evil_ca.cert_der[..]],
        vec![&evil_ca.cert_der[..], &evil_root.cert_der[..]],
    ] {
        let verdict = verifier.verify(&cert.cert_der, &presented, &auth(DOCTORS));
        assert_eq!(reason(&verdict), Some("untrusted-issuer"), "{presented:?}");
    }
    // A presented self-signed certificate is never an anchor.
    let direct = doctor(&evil_root, &["Medical Doctor"], 161);
    let verdict = verifier.verify(&direct.cert_der, &[&evil_root.cert_der], &auth(DOCTORS));
    assert_eq!(reason(&verdict), Some("untrusted-issuer"));
}

#[test]
fn bad_signature() {
    let pki = pki();
    let verifier = pki.verifier();
    // Issuer name matches the trusted auth CA, no AKI, signed by another key.
    let (from, to) = (now() - Duration::days(10), now() + Duration::days(10));
    let impostor = pki
        .root
        .sub_ca("TEST AuthCA", oids::AUTHENTICATION_CA_POLICY, 77, from, to)
        .unwrap();
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Forged");
    params.not_before = from;
    params.not_after = to;
    let forged = params.signed_by(&key, impostor.rcgen_issuer()).unwrap();
    let verdict = verifier.verify(forged.der(), &[], &auth(DOCTORS));
    assert_eq!(reason(&verdict), Some("bad-signature"));
    assert!(verdict.detail.unwrap().contains("TEST AuthCA"));

    // A tampered signature on a real issued certificate.
    let mut tampered = doctor(&pki.auth_ca, &["Medical Doctor"], 170).cert_der;
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    assert_eq!(
        reason(&verifier.verify(&tampered, &[], &auth(DOCTORS))),
        Some("bad-signature")
    );
}

#[test]
fn not_a_ca_and_path_too_long() {
    let pki = pki();
    let verifier = pki.verifier();
    // An end entity (no basicConstraints CA) that issued a certificate.
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Not a CA");
    params.use_authority_key_identifier_extension = true;
    params.not_before = now() - Duration::days(1);
    params.not_after = now() + Duration::days(10);
    let not_ca = params
        .clone()
        .signed_by(&key, pki.auth_ca.rcgen_issuer())
        .unwrap();
    let not_ca_issuer = rcgen::Issuer::new(params, key);
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut leaf = rcgen::CertificateParams::default();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, "Leaf");
    let leaf = leaf.signed_by(&leaf_key, &not_ca_issuer).unwrap();
    let verdict = verifier.verify(leaf.der(), &[not_ca.der()], &auth(DOCTORS));
    assert_eq!(reason(&verdict), Some("not-a-ca"));

    // root → 5 presented sub-CAs → leaf: 7 certificates.
    let (from, to) = (now() - Duration::days(10), now() + Duration::days(10));
    let mut cas = vec![pki
        .root
        .sub_ca("Deep 1", oids::AUTHENTICATION_CA_POLICY, 201, from, to)
        .unwrap()];
    for i in 2..=5 {
        let next = cas
            .last()
            .unwrap()
            .sub_ca(
                &format!("Deep {i}"),
                oids::AUTHENTICATION_CA_POLICY,
                200 + i,
                from,
                to,
            )
            .unwrap();
        cas.push(next);
    }
    let leaf = doctor(cas.last().unwrap(), &["Medical Doctor"], 210);
    let presented: Vec<&[u8]> = cas.iter().rev().map(|c| c.cert_der.as_slice()).collect();
    let verdict = verifier.verify(&leaf.cert_der, &presented, &auth(DOCTORS));
    assert_eq!(reason(&verdict), Some("path-too-long"), "{verdict:?}");
    // Four presented sub-CAs (6 certificates) build; revocation of the unlisted CAs then fails.
    let leaf = doctor(&cas[3], &["Medical Doctor"], 211);
    let verdict = verifier.verify(&leaf.cert_der, &presented[1..], &auth(DOCTORS));
    assert_eq!(verdict.chain.len(), 6);
    assert_eq!(reason(&verdict), Some("crl-missing"));
}

#[test]
fn malformed_end_entity_and_cache_consistency() {
    let pki = pki();
    let verifier = pki.verifier();
    let verdict = verifier.verify(b"\x30\x03\x02\x01\x00", &[], &auth(DOCTORS));
    assert_eq!(reason(&verdict), Some("malformed"));
    assert!(verdict.subject.is_empty());
    let cert = doctor(&pki.auth_ca, &["Medical Doctor"], 190);
    for cut in [0, 10, cert.cert_der.len() / 2, cert.cert_der.len() - 1] {
        assert_eq!(
            reason(&verifier.verify(&cert.cert_der[..cut], &[], &auth(DOCTORS))),
            Some("malformed")
        );
    }
    // Garbage presented intermediates are ignored.
    let first = verifier.verify(&cert.cert_der, &[b"junk"], &auth(DOCTORS));
    let second = verifier.verify(&cert.cert_der, &[], &auth(DOCTORS));
    assert!(first.valid && second.valid);
    // The cache never skips the time check.
    let mut later = auth(DOCTORS);
    later.at_unix = NOW + 400 * 86_400;
    assert_eq!(
        reason(&verifier.verify(&cert.cert_der, &[], &later)),
        Some("expired")
    );
}

#[test]
fn verifier_is_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Verifier>();
    let pki = pki();
    let verifier = std::sync::Arc::new(pki.verifier());
    let cert = doctor(&pki.auth_ca, &["Medical Doctor"], 195).cert_der;
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (verifier, cert) = (verifier.clone(), cert.clone());
            std::thread::spawn(move || {
                (0..20).all(|_| verifier.verify(&cert, &[], &auth(DOCTORS)).valid)
            })
        })
        .collect();
    verifier.replace_crls(pki.crls(&[]));
    assert!(handles.into_iter().all(|h| h.join().unwrap()));
}

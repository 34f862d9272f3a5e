//! Verdict tests on an rcgen PKI built at test time (root, signing CA, authentication CA): validity,
//! revocation, policy, key usage, roles. Path building is in `paths.rs`; the real MEDIS chain and
//! CRL loading in `crls.rs`.

mod crls;
mod paths;

use time::{Duration, OffsetDateTime};

use super::*;
use crate::hpki::issue::{Authority, Issued, LeafSpec};
use crate::hpki::oids;
use crate::hpki::HpkiError;

pub(super) const NOW: i64 = 1_800_000_000; // 2027-01-15T08:00:00Z
pub(super) const DOCTORS: &[&str] = &["Medical Doctor", "Dentist"];

pub(super) fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(NOW).unwrap()
}

pub(super) struct Pki {
    pub root: Authority,
    pub sign_ca: Authority,
    pub auth_ca: Authority,
}

pub(super) fn pki() -> Pki {
    let (from, to) = (now() - Duration::days(3650), now() + Duration::days(3650));
    let root = Authority::root("TEST HPKI Root CA", from, to).unwrap();
    let sign_ca = root
        .sub_ca("TEST SignCA", oids::SIGNATURE_CA_POLICY, 4, from, to)
        .unwrap();
    let auth_ca = root
        .sub_ca("TEST AuthCA", oids::AUTHENTICATION_CA_POLICY, 5, from, to)
        .unwrap();
    Pki {
        root,
        sign_ca,
        auth_ca,
    }
}

impl Pki {
    pub(super) fn trust(&self) -> TrustStore {
        TrustStore::from_der(
            vec![self.root.cert_der.clone()],
            vec![self.sign_ca.cert_der.clone(), self.auth_ca.cert_der.clone()],
        )
        .unwrap()
    }

    /// Current CRLs: the sub-CAs revoke serial 666, the root's ARL revokes `revoked_cas`.
    pub(super) fn crls(&self, revoked_cas: &[u64]) -> CrlSet {
        let (this, next) = (now() - Duration::days(1), now() + Duration::days(3));
        let gone = [(666, now() - Duration::days(2))];
        let arl: Vec<(u64, OffsetDateTime)> = revoked_cas
            .iter()
            .map(|s| (*s, now() - Duration::days(2)))
            .collect();
        let trust = self.trust();
        let mut set = CrlSet::new();
        set.add(
            &self.sign_ca.crl(1470, this, next, &gone, false).unwrap(),
            &trust,
        )
        .unwrap();
        set.add(
            &self.auth_ca.crl(10, this, next, &gone, false).unwrap(),
            &trust,
        )
        .unwrap();
        let info = set
            .add(
                &self.root.crl(3269, this, next, &arl, true).unwrap(),
                &trust,
            )
            .unwrap();
        assert!(info.ca_only);
        set
    }

    pub(super) fn verifier(&self) -> Verifier {
        Verifier::new(self.trust(), self.crls(&[]), RevocationMode::Strict)
    }
}

pub(super) fn auth(roles: &[&str]) -> Check {
    Check {
        purpose: Purpose::Authentication,
        at_unix: NOW,
        roles: if roles.is_empty() {
            RoleRequirement::Any
        } else {
            RoleRequirement::OneOf(roles.iter().map(|r| r.to_string()).collect())
        },
    }
}

pub(super) fn sign(roles: &[&str]) -> Check {
    Check {
        purpose: Purpose::Signature,
        ..auth(roles)
    }
}

pub(super) fn doctor(ca: &Authority, roles: &[&str], serial: u64) -> Issued {
    ca.issue(&LeafSpec::doctor_authentication(
        "Taro Shinsatsu",
        roles,
        serial,
        now(),
    ))
    .unwrap()
}

pub(super) fn reason(verdict: &Verdict) -> Option<&'static str> {
    verdict.reason.map(Reason::code)
}

#[test]
fn valid_doctor_authentication() {
    let pki = pki();
    let cert = doctor(&pki.auth_ca, &["Medical Doctor"], 100);
    let verdict = pki.verifier().verify(&cert.cert_der, &[], &auth(DOCTORS));
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(verdict.reason, None);
    assert_eq!(verdict.roles, ["Medical Doctor"]);
    assert_eq!(verdict.chain.len(), 3);
    assert!(verdict.chain[2].contains("TEST HPKI Root CA"));
    assert_eq!(verdict.revocation, "good");
    assert_eq!(verdict.serial, "64");
    assert_eq!(verdict.at, "2027-01-15T08:00:00Z");
}

#[test]
fn dentist_pharmacist_and_nurse_are_valid_where_their_role_is_allowed() {
    let pki = pki();
    let verifier = pki.verifier();
    for (role, serial) in [("Dentist", 101), ("Pharmacist", 102), ("Nurse", 103)] {
        let cert = pki
            .sign_ca
            .issue(&LeafSpec::doctor_signature(
                "Hanako Test",
                &[role],
                serial,
                now(),
            ))
            .unwrap();
        let verdict = verifier.verify(&cert.cert_der, &[], &sign(&[role]));
        assert!(verdict.valid, "{role}: {verdict:?}");
        assert_eq!(verdict.roles, [role]);
        assert!(verifier.verify(&cert.cert_der, &[], &sign(&[])).valid);
    }
}

#[test]
fn expired_and_not_yet_valid() {
    let pki = pki();
    let verifier = pki.verifier();
    let mut spec = LeafSpec::doctor_authentication("Old Doctor", &["Medical Doctor"], 110, now());
    spec.not_before = now() - Duration::days(400);
    spec.not_after = now() - Duration::days(1);
    let verdict = verifier.verify(
        &pki.auth_ca.issue(&spec).unwrap().cert_der,
        &[],
        &auth(DOCTORS),
    );
    assert_eq!(reason(&verdict), Some("expired"));
    assert!(verdict
        .detail
        .as_deref()
        .unwrap()
        .starts_with("certificate expired at 2027-01-14T"));
    assert_eq!(verdict.revocation, "not-checked");

    spec.not_before = now() + Duration::days(1);
    spec.not_after = now() + Duration::days(30);
    let verdict = verifier.verify(
        &pki.auth_ca.issue(&spec).unwrap().cert_der,
        &[],
        &auth(DOCTORS),
    );
    assert_eq!(reason(&verdict), Some("not-yet-valid"));
}

#[test]
fn revoked_end_entity_and_revocation_after_the_check_time() {
    let pki = pki();
    let mut spec = LeafSpec::doctor_authentication("Taro", &["Medical Doctor"], 666, now());
    spec.not_before = now() - Duration::days(30);
    let cert = pki.auth_ca.issue(&spec).unwrap();
    let verifier = pki.verifier();
    let verdict = verifier.verify(&cert.cert_der, &[], &auth(DOCTORS));
    assert_eq!(reason(&verdict), Some("revoked"));
    assert_eq!(verdict.revocation, "revoked");
    // Three days earlier the certificate was not yet revoked (revocationDate is after `at`), and the
    // later CRL is authoritative for that time.
    let mut earlier = auth(DOCTORS);
    earlier.at_unix = NOW - 3 * 86_400;
    let verdict = verifier.verify(&cert.cert_der, &[], &earlier);
    assert!(verdict.valid, "{verdict:?}");
}

#[test]
fn stale_and_missing_crls_fail_strict_and_pass_best_effort() {
    let pki = pki();
    let cert = doctor(&pki.auth_ca, &["Medical Doctor"], 120);
    let trust = pki.trust();
    let (this, next) = (now() - Duration::days(10), now() - Duration::days(6));
    let mut stale = CrlSet::new();
    stale
        .add(&pki.auth_ca.crl(1, this, next, &[], false).unwrap(), &trust)
        .unwrap();
    stale
        .add(&pki.root.crl(1, this, next, &[], true).unwrap(), &trust)
        .unwrap();
    assert_eq!(stale.earliest_next_update(), Some(NOW - 6 * 86_400));

    let strict = Verifier::new(trust.clone(), stale.clone(), RevocationMode::Strict);
    let verdict = strict.verify(&cert.cert_der, &[], &auth(DOCTORS));
    assert_eq!(reason(&verdict), Some("crl-stale"));
    let lenient = Verifier::new(trust.clone(), stale, RevocationMode::BestEffort);
    let verdict = lenient.verify(&cert.cert_der, &[], &auth(DOCTORS));
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(verdict.revocation, "unknown");

    let strict = Verifier::new(trust.clone(), CrlSet::new(), RevocationMode::Strict);
    assert_eq!(
        reason(&strict.verify(&cert.cert_der, &[], &auth(DOCTORS))),
        Some("crl-missing")
    );
    let lenient = Verifier::new(trust.clone(), CrlSet::new(), RevocationMode::BestEffort);
    assert_eq!(
        lenient
            .verify(&cert.cert_der, &[], &auth(DOCTORS))
            .revocation,
        "unknown"
    );

    // The refresher swaps in current CRLs while the verifier is shared.
    strict.replace_crls(pki.crls(&[]));
    assert_eq!(strict.crls().len(), 3);
    assert!(strict.verify(&cert.cert_der, &[], &auth(DOCTORS)).valid);
}

#[test]
fn only_an_ee_crl_covers_the_end_entity() {
    // The root's CA-only ARL must not stand in for the auth CA's own CRL.
    let pki = pki();
    let cert = doctor(&pki.auth_ca, &["Medical Doctor"], 121);
    let trust = pki.trust();
    let mut set = CrlSet::new();
    let (this, next) = (now() - Duration::days(1), now() + Duration::days(3));
    set.add(&pki.root.crl(1, this, next, &[], true).unwrap(), &trust)
        .unwrap();
    let verifier = Verifier::new(trust, set, RevocationMode::Strict);
    let verdict = verifier.verify(&cert.cert_der, &[], &auth(DOCTORS));
    assert_eq!(reason(&verdict), Some("crl-missing"));
    assert!(verdict.detail.unwrap().contains("TEST AuthCA"));
}

#[test]
fn wrong_policy_and_wrong_key_usage() {
    let pki = pki();
    let verifier = pki.verifier();
    // A signature certificate used for authentication.
    let signature = pki
        .sign_ca
        .issue(&LeafSpec::doctor_signature(
            "Taro",
            &["Medical Doctor"],
            130,
            now(),
        ))
        .unwrap();
    assert_eq!(
        reason(&verifier.verify(&signature.cert_der, &[], &auth(DOCTORS))),
        Some("wrong-policy")
    );
    // An authentication certificate used for a signature.
    let authentication = doctor(&pki.auth_ca, &["Medical Doctor"], 131);
    assert_eq!(
        reason(&verifier.verify(&authentication.cert_der, &[], &sign(DOCTORS))),
        Some("wrong-policy")
    );
    // A CA policy is not an end-entity policy.
    let mut spec = LeafSpec::doctor_authentication("Taro", &["Medical Doctor"], 132, now());
    spec.policy = Some(oids::AUTHENTICATION_CA_POLICY.into());
    let ca_policy = pki.auth_ca.issue(&spec).unwrap();
    assert_eq!(
        reason(&verifier.verify(&ca_policy.cert_der, &[], &auth(DOCTORS))),
        Some("wrong-policy")
    );

    // Authentication policy but keyUsage nonRepudiation only.
    let mut spec = LeafSpec::doctor_authentication("Taro", &["Medical Doctor"], 133, now());
    spec.key_usage = vec![rcgen::KeyUsagePurpose::ContentCommitment];
    let cert = pki.auth_ca.issue(&spec).unwrap();
    assert_eq!(
        reason(&verifier.verify(&cert.cert_der, &[], &auth(DOCTORS))),
        Some("wrong-key-usage")
    );
    // digitalSignature, but an EKU without clientAuth.
    let mut spec = LeafSpec::doctor_authentication("Taro", &["Medical Doctor"], 134, now());
    spec.client_auth = false;
    spec.server_auth = true;
    let cert = pki.auth_ca.issue(&spec).unwrap();
    assert_eq!(
        reason(&verifier.verify(&cert.cert_der, &[], &auth(DOCTORS))),
        Some("wrong-key-usage")
    );
    // A signature certificate without nonRepudiation.
    let mut spec = LeafSpec::doctor_signature("Taro", &["Medical Doctor"], 135, now());
    spec.key_usage = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    let cert = pki.sign_ca.issue(&spec).unwrap();
    assert_eq!(
        reason(&verifier.verify(&cert.cert_der, &[], &sign(DOCTORS))),
        Some("wrong-key-usage")
    );
}

#[test]
fn roles_missing_not_allowed_and_multiple() {
    let pki = pki();
    let verifier = pki.verifier();
    let none = doctor(&pki.auth_ca, &[], 140);
    assert_eq!(
        reason(&verifier.verify(&none.cert_der, &[], &auth(DOCTORS))),
        Some("role-missing")
    );
    assert!(
        verifier.verify(&none.cert_der, &[], &auth(&[])).valid,
        "RoleRequirement::Any"
    );

    let pharmacist = doctor(&pki.auth_ca, &["Pharmacist"], 141);
    let verdict = verifier.verify(&pharmacist.cert_der, &[], &auth(DOCTORS));
    assert_eq!(reason(&verdict), Some("role-not-allowed"));
    assert_eq!(verdict.roles, ["Pharmacist"]);
    assert_eq!(verdict.revocation, "good");

    let two = doctor(
        &pki.auth_ca,
        &["Medical Doctor", "Director of Hospital"],
        142,
    );
    let verdict = verifier.verify(&two.cert_der, &[], &auth(&["Director of Hospital"]));
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(verdict.roles, ["Medical Doctor", "Director of Hospital"]);
    // Exact string compare.
    assert_eq!(
        reason(&verifier.verify(&two.cert_der, &[], &auth(&["medical doctor"]))),
        Some("role-not-allowed")
    );
}

#[test]
fn revoked_intermediate_in_the_root_arl() {
    let pki = pki();
    let verifier = Verifier::new(pki.trust(), pki.crls(&[5]), RevocationMode::Strict);
    let cert = doctor(&pki.auth_ca, &["Medical Doctor"], 180);
    let verdict = verifier.verify(&cert.cert_der, &[], &auth(DOCTORS));
    assert_eq!(reason(&verdict), Some("revoked"));
    assert!(verdict.detail.unwrap().contains("CA certificate"));
    // The signing CA (serial 4) is not listed.
    let signed = pki
        .sign_ca
        .issue(&LeafSpec::doctor_signature(
            "Taro",
            &["Medical Doctor"],
            181,
            now(),
        ))
        .unwrap();
    assert!(verifier.verify(&signed.cert_der, &[], &sign(DOCTORS)).valid);
}

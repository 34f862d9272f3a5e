//! `kakehashi hpki inspect|verify` on the real HPKI certificates and CRLs in shared/corpora/hpki (read
//! in place) and on the generated HPKI-like test PKI there.

mod common;

use common::kakehashi;

use std::process::Output;

const CORPORA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora/hpki/");
/// The time stamp of the signature in Prescription-004_01.xml (medis-test/README.md).
const SIGNED_AT: &str = "2022-09-07T08:18:25Z";

fn path(relative: &str) -> String {
    format!("{CORPORA}{relative}")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| a.to_string()).collect()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `hpki verify CERT` against the real MHLW root and MEDIS signing CA with the 2022 CRLs.
fn verify_medis(cert: &str, extra: &[&str]) -> Output {
    let mut list = args(&["hpki", "verify"]);
    list.push(path(cert));
    list.extend(args(&["--trust"]));
    list.push(path("real-ca/mhlw_hpki_root_ca_v2.pem"));
    list.push("--intermediate".into());
    list.push(path("real-ca/medis_sign_ca.pem"));
    for crl in [
        "medis-test/medis_sign_ca_crl_1470_2022-09-06.crl.der",
        "medis-test/mhlw_arl_SARL_3269_2022-09-05.crl.der",
    ] {
        list.push("--crl".into());
        list.push(path(crl));
    }
    list.extend(args(extra));
    kakehashi(&list)
}

#[test]
fn real_medis_doctor_verifies_to_the_mhlw_root() {
    let out = verify_medis(
        "medis-test/medis_test_doctor_sign_0x015E.pem",
        &["--at", SIGNED_AT, "--role", "Medical Doctor"],
    );
    let verdict = json(&out);
    assert_eq!(out.status.code(), Some(0), "{verdict}");
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["roles"], serde_json::json!(["Medical Doctor"]));
    assert_eq!(verdict["purpose"], "signature");
    assert_eq!(verdict["revocation"], "good");
    assert_eq!(verdict["serial"], "015E");
    assert_eq!(verdict["chain"].as_array().unwrap().len(), 3);
    assert!(verdict["chain"][2]
        .as_str()
        .unwrap()
        .contains("MHLW HPKI Root CA V2"));
}

#[test]
fn real_medis_pharmacist_is_not_a_doctor() {
    let out = kakehashi::<String>(&[
        "hpki".into(),
        "inspect".into(),
        path("medis-test/medis_test_pharmacist_sign_0x0164.pem"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["roles"], serde_json::json!(["Pharmacist"]));

    let out = verify_medis(
        "medis-test/medis_test_pharmacist_sign_0x0164.pem",
        &["--at", SIGNED_AT, "--role", "Medical Doctor"],
    );
    let verdict = json(&out);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(verdict["valid"], false);
    assert_eq!(verdict["reason"], "role-not-allowed");
    // The same certificate passes where pharmacists are accepted.
    let out = verify_medis(
        "medis-test/medis_test_pharmacist_sign_0x0164.pem",
        &["--at", SIGNED_AT, "--role", "Pharmacist"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", json(&out));
}

#[test]
fn expired_real_certificates() {
    let out = verify_medis(
        "medis-test/medis_test_doctor_sign_0x6F_2017_expired.pem",
        &["--at", SIGNED_AT],
    );
    let verdict = json(&out);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(verdict["reason"], "expired");
    assert!(
        verdict["detail"]
            .as_str()
            .unwrap()
            .contains("2022-03-15T14:59:59Z"),
        "{verdict}"
    );

    let out = kakehashi::<String>(&[
        "hpki".into(),
        "verify".into(),
        path("medis-test/jma_test_doctor_sign_0x8090_expired.pem"),
        "--trust".into(),
        path("medis-test/mhlw_hpki_root_ca_v2.pem"),
        "--intermediate".into(),
        path("medis-test/jma_sign_ca_HPKI-01-HPKI_JV2-forNonRepudiation.pem"),
        "--at".into(),
        "2024-01-01T00:00:00Z".into(),
    ]);
    let verdict = json(&out);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(verdict["reason"], "expired", "{verdict}");
    assert_eq!(verdict["chain"].as_array().unwrap().len(), 3);
}

#[test]
fn old_crls_are_stale_unless_best_effort() {
    let at = ["--at", "2026-11-25T00:00:00Z", "--role", "Medical Doctor"];
    let out = verify_medis("medis-test/medis_test_doctor_sign_0x015E.pem", &at);
    let verdict = json(&out);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(verdict["reason"], "crl-stale");

    let out = verify_medis(
        "medis-test/medis_test_doctor_sign_0x015E.pem",
        &[&at[..], &["--revocation", "best-effort"]].concat(),
    );
    let verdict = json(&out);
    assert_eq!(out.status.code(), Some(0), "{verdict}");
    assert_eq!(verdict["revocation"], "unknown");
}

/// `hpki verify` on the generated test PKI at a time inside its CRLs' window.
fn verify_generated(cert: &str) -> Output {
    let mut list = args(&["hpki", "verify"]);
    list.push(path(&format!("generated/{cert}")));
    list.push("--trust".into());
    list.push(path("generated/root_ca.pem"));
    list.push("--intermediate".into());
    list.push(path("generated/sign_ca.pem"));
    for crl in [
        "generated/sign_ca.crl.der",
        "generated/root_arl_sarl.crl.der",
    ] {
        list.push("--crl".into());
        list.push(path(crl));
    }
    list.extend(args(&[
        "--at",
        "2026-11-23T00:00:00Z",
        "--role",
        "Medical Doctor",
    ]));
    kakehashi(&list)
}

#[test]
fn generated_chain_valid_revoked_and_untrusted() {
    let out = verify_generated("doctor_sign.pem");
    let verdict = json(&out);
    assert_eq!(out.status.code(), Some(0), "{verdict}");
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["revocation"], "good");

    let out = verify_generated("doctor_sign_revoked.pem");
    let verdict = json(&out);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(verdict["reason"], "revoked", "{verdict}");
    assert_eq!(verdict["revocation"], "revoked");

    // The chain file presents the untrusted root too: a presented self-signed root is no anchor.
    for file in [
        "untrusted_doctor_sign.pem",
        "untrusted_doctor_sign.chain.pem",
    ] {
        let out = verify_generated(file);
        assert_eq!(out.status.code(), Some(65));
        assert_eq!(json(&out)["reason"], "untrusted-issuer", "{file}");
    }

    let out = verify_generated("no_hcrole_sign.pem");
    assert_eq!(json(&out)["reason"], "role-missing");
    let out = verify_generated("doctor_director_multi_role_sign.pem");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        json(&out)["roles"],
        serde_json::json!(["Medical Doctor", "Director of Hospital"])
    );
}

#[test]
fn usage_and_data_errors() {
    // A CRL whose signature does not verify: generated/sign_ca.crl against the lookalike signing CA of
    // variant_noncritical_cp (same subject DN, other key): exit 65 with one line naming the file.
    let out = kakehashi::<String>(&[
        "hpki".into(),
        "verify".into(),
        path("generated/doctor_sign.pem"),
        "--trust".into(),
        path("generated/root_ca.pem"),
        "--intermediate".into(),
        path("generated/variant_noncritical_cp/sign_ca.pem"),
        "--crl".into(),
        path("generated/sign_ca.crl.der"),
    ]);
    assert_eq!(out.status.code(), Some(65));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("sign_ca.crl.der") && stderr.contains("signature"),
        "{stderr}"
    );
    // A CRL from an issuer that is not configured at all.
    let out = kakehashi::<String>(&[
        "hpki".into(),
        "verify".into(),
        path("medis-test/medis_test_doctor_sign_0x015E.pem"),
        "--trust".into(),
        path("real-ca/mhlw_hpki_root_ca_v2.pem"),
        "--crl".into(),
        path("generated/sign_ca.crl.der"),
    ]);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);

    let out = kakehashi::<String>(&[
        "hpki".into(),
        "inspect".into(),
        "/nonexistent/cert.pem".into(),
    ]);
    assert_eq!(out.status.code(), Some(74));
    let out = kakehashi::<String>(&[
        "hpki".into(),
        "inspect".into(),
        path("medis-test/README.md"),
    ]);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    let out = verify_medis(
        "medis-test/medis_test_doctor_sign_0x015E.pem",
        &["--at", "yesterday"],
    );
    assert_eq!(out.status.code(), Some(2));
    // A file that is not a certificate still gets a verdict.
    let out = verify_medis("medis-test/README.md", &[]);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(json(&out)["reason"], "malformed");

    let help = kakehashi(&args(&["hpki", "verify", "--help"]));
    let help = String::from_utf8_lossy(&help.stdout);
    for word in [
        "--trust",
        "--intermediate",
        "--crl",
        "--at",
        "--purpose",
        "--role",
        "--revocation",
        "best-effort",
    ] {
        assert!(help.contains(word), "{help}");
    }
}

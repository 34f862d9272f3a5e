//! An HPKI-like PKI generated at test time with the real encodings (hcRole, critical policies): a root,
//! authentication and signing CAs with their CRLs and ARL, every client certificate the consultation
//! zone must accept or refuse, and a TLS server certificate; written to a temporary folder so the
//! gateway loads them from real files.

use std::path::PathBuf;

use kakehashi::config::{PinnedService, Settings};
use kakehashi::hpki::oids::{AUTHENTICATION_CA_POLICY, SIGNATURE_CA_POLICY};
use kakehashi::hpki::{Authority, Issued, LeafSpec};
use rcgen::KeyUsagePurpose;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::{Duration, OffsetDateTime};

/// Serial of the revoked doctor certificate (listed in the authentication CA's CRL).
const REVOKED_SERIAL: u64 = 666;

/// A client certificate chain and its key.
pub struct Client {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl Client {
    fn from(issued: &Issued, ca: Option<&Authority>) -> Client {
        let mut chain = vec![CertificateDer::from(issued.cert_der.clone())];
        if let Some(ca) = ca {
            chain.push(CertificateDer::from(ca.cert_der.clone()));
        }
        Client {
            chain,
            key: PrivateKeyDer::from_pem_slice(issued.key_pem.as_bytes()).expect("key"),
        }
    }

    pub fn identity(&self) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        (self.chain.clone(), self.key.clone_key())
    }
}

pub struct TestPki {
    pub dir: tempfile::TempDir,
    root: Authority,
    auth_ca: Authority,
    sign_ca: Authority,
    untrusted_auth_ca: Authority,
    tls_ca: Authority,
    server: Issued,
    pinned_service: Issued,
    now: OffsetDateTime,
}

impl TestPki {
    pub fn new() -> TestPki {
        let now = OffsetDateTime::now_utc();
        let (start, end) = (now - Duration::days(30), now + Duration::days(3650));
        let auth_ca_under = |root: &Authority| {
            root.sub_ca(
                "TEST-AuthCA-forAuthentication",
                AUTHENTICATION_CA_POLICY,
                2,
                start,
                end,
            )
            .unwrap()
        };
        let root = Authority::root("TEST HPKI Root CA", start, end).unwrap();
        let auth_ca = auth_ca_under(&root);
        let sign_ca = root
            .sub_ca(
                "TEST-SignCA-forNonRepudiation",
                SIGNATURE_CA_POLICY,
                3,
                start,
                end,
            )
            .unwrap();
        // The same names under a root nobody trusts.
        let untrusted_auth_ca =
            auth_ca_under(&Authority::root("TEST HPKI Root CA", start, end).unwrap());
        let tls_ca = Authority::root("TEST TLS CA", start, end).unwrap();
        let server = tls_ca
            .issue(&LeafSpec::server(&["localhost"], 9, now))
            .unwrap();
        let pinned_service = tls_ca
            .issue(&LeafSpec::server(&["platform.example"], 10, now))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki {
            dir,
            root,
            auth_ca,
            sign_ca,
            untrusted_auth_ca,
            tls_ca,
            server,
            pinned_service,
            now,
        };
        pki.write_files();
        pki
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write_files(&self) {
        let write = |name: &str, bytes: &[u8]| std::fs::write(self.path(name), bytes).unwrap();
        let now = self.now;
        write("root.pem", self.root.cert_pem.as_bytes());
        write(
            "intermediates.pem",
            format!("{}{}", self.auth_ca.cert_pem, self.sign_ca.cert_pem).as_bytes(),
        );
        let this = now - Duration::days(1);
        let next = now + Duration::days(3);
        let revoked = [(REVOKED_SERIAL, now - Duration::days(2))];
        write(
            "auth-ca.crl.der",
            &self.auth_ca.crl(7, this, next, &revoked, false).unwrap(),
        );
        write(
            "sign-ca.crl.der",
            &self.sign_ca.crl(7, this, next, &[], false).unwrap(),
        );
        write(
            "root.arl.der",
            &self.root.crl(7, this, next, &[], true).unwrap(),
        );
        write(
            "server.pem",
            format!("{}{}", self.server.cert_pem, self.tls_ca.cert_pem).as_bytes(),
        );
        write("server.key.pem", self.server.key_pem.as_bytes());
    }

    /// Points the consultation zone at this PKI, with the `platform` service pinned.
    pub fn configure(&self, settings: &mut Settings) {
        let c = &mut settings.consultation;
        c.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        c.server_cert = self.path("server.pem");
        c.server_key = self.path("server.key.pem");
        c.trust = vec![self.path("root.pem")];
        c.intermediates = vec![self.path("intermediates.pem")];
        c.crls = ["auth-ca.crl.der", "sign-ca.crl.der", "root.arl.der"]
            .iter()
            .map(|n| self.path(n).display().to_string())
            .collect();
        c.services = vec![PinnedService {
            name: "platform".into(),
            sha256: kakehashi::hpki::fingerprint_sha256(&self.pinned_service.cert_der),
        }];
    }

    /// The CA the server certificate chains to.
    pub fn server_roots(&self) -> Vec<CertificateDer<'static>> {
        vec![CertificateDer::from(self.tls_ca.cert_der.clone())]
    }

    fn doctor_spec(&self, roles: &[&str], serial: u64) -> LeafSpec {
        LeafSpec::doctor_authentication("Kakehashi Test", roles, serial, self.now)
    }

    /// A client certificate by name; see the match arms for what each one is.
    pub fn client(&self, name: &str) -> Client {
        let auth =
            |spec: LeafSpec| Client::from(&self.auth_ca.issue(&spec).unwrap(), Some(&self.auth_ca));
        match name {
            "doctor" => auth(self.doctor_spec(&["Medical Doctor"], 100)),
            "dentist" => auth(self.doctor_spec(&["Dentist"], 101)),
            "pharmacist" => auth(self.doctor_spec(&["Pharmacist"], 102)),
            "nurse" => auth(self.doctor_spec(&["Nurse"], 103)),
            "two-roles" => auth(self.doctor_spec(&["Nurse", "Medical Doctor"], 104)),
            "no-role" => auth(self.doctor_spec(&[], 105)),
            "expired" => {
                let mut spec = self.doctor_spec(&["Medical Doctor"], 106);
                spec.not_before = self.now - Duration::days(20);
                spec.not_after = self.now - Duration::days(1);
                auth(spec)
            }
            "not-yet-valid" => {
                let mut spec = self.doctor_spec(&["Medical Doctor"], 107);
                spec.not_before = self.now + Duration::days(1);
                auth(spec)
            }
            "revoked" => auth(self.doctor_spec(&["Medical Doctor"], REVOKED_SERIAL)),
            "signature-certificate" => {
                let spec = LeafSpec::doctor_signature(
                    "Kakehashi Test",
                    &["Medical Doctor"],
                    108,
                    self.now,
                );
                Client::from(&self.sign_ca.issue(&spec).unwrap(), Some(&self.sign_ca))
            }
            "wrong-key-usage" => {
                let mut spec = self.doctor_spec(&["Medical Doctor"], 109);
                spec.key_usage = vec![KeyUsagePurpose::KeyAgreement];
                auth(spec)
            }
            "unknown-critical-extension" => {
                let mut spec = self.doctor_spec(&["Medical Doctor"], 110);
                spec.extra_critical_extension = Some(vec![1, 2, 3, 4, 5]);
                auth(spec)
            }
            "untrusted" => {
                let spec = self.doctor_spec(&["Medical Doctor"], 100);
                Client::from(
                    &self.untrusted_auth_ca.issue(&spec).unwrap(),
                    Some(&self.untrusted_auth_ca),
                )
            }
            "sato" => {
                // The doctor of the fixtures/consultation examples.
                let mut spec = self.doctor_spec(&["Medical Doctor"], 120);
                spec.common_name = "Ichiro Sato".into();
                spec.japanese_name = Some("佐藤　一郎".into());
                auth(spec)
            }
            "sato-pharmacist" => {
                let mut spec = self.doctor_spec(&["Pharmacist"], 121);
                spec.common_name = "Ichiro Sato".into();
                spec.japanese_name = Some("佐藤　一郎".into());
                auth(spec)
            }
            "pinned-service" => Client::from(&self.pinned_service, None),
            "unpinned-service" => {
                let other = self
                    .tls_ca
                    .issue(&LeafSpec::server(&["other.example"], 11, self.now))
                    .unwrap();
                Client::from(&other, None)
            }
            "wrong-key" => {
                // The doctor's certificate with somebody else's private key.
                let mut client = auth(self.doctor_spec(&["Medical Doctor"], 100));
                client.key = auth(self.doctor_spec(&["Medical Doctor"], 111)).key;
                client
            }
            other => panic!("no test certificate {other}"),
        }
    }
}

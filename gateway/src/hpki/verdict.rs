//! `Verifier`: the HPKI verdict on a certificate (issue #3 rules 1–8, first failure wins) for mutual
//! TLS and signature checks, with a bounded cache of signature checks already passed.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};

use super::cert::CertInfo;
use super::chain::{self, Failure};
use super::facts::{fingerprint_sha256, rfc3339};
use super::oids;
use super::revocation::{CrlSet, RevocationMode, Status};
use super::trust::TrustStore;

/// What the certificate is used for: document signatures (署名用) or authentication (認証用).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    Signature,
    Authentication,
}

impl Purpose {
    /// Whether an end-entity policy OID belongs to this purpose (under its arc, not under `<arc>.3.`).
    pub fn admits_policy(self, policy: &str) -> bool {
        let arc = match self {
            Purpose::Signature => oids::SIGNATURE_POLICY_ARC,
            Purpose::Authentication => oids::AUTHENTICATION_POLICY_ARC,
        };
        policy
            .strip_prefix(arc)
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with("3."))
    }
}

/// Which hcRoles are acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleRequirement {
    /// No hcRole needed.
    Any,
    /// At least one hcRole equal (exact string) to one of these.
    OneOf(Vec<String>),
}

/// What to check: purpose, time (unix seconds) and roles.
#[derive(Debug, Clone)]
pub struct Check {
    pub purpose: Purpose,
    pub at_unix: i64,
    pub roles: RoleRequirement,
}

/// Why a certificate was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    Malformed,
    UnsupportedCriticalExtension,
    UntrustedIssuer,
    BadSignature,
    NotACa,
    PathTooLong,
    Expired,
    NotYetValid,
    WrongPolicy,
    WrongKeyUsage,
    Revoked,
    CrlStale,
    CrlMissing,
    RoleMissing,
    RoleNotAllowed,
}

impl Reason {
    /// The stable code (the serde name), e.g. "expired", "untrusted-issuer".
    pub fn code(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed",
            Reason::UnsupportedCriticalExtension => "unsupported-critical-extension",
            Reason::UntrustedIssuer => "untrusted-issuer",
            Reason::BadSignature => "bad-signature",
            Reason::NotACa => "not-a-ca",
            Reason::PathTooLong => "path-too-long",
            Reason::Expired => "expired",
            Reason::NotYetValid => "not-yet-valid",
            Reason::WrongPolicy => "wrong-policy",
            Reason::WrongKeyUsage => "wrong-key-usage",
            Reason::Revoked => "revoked",
            Reason::CrlStale => "crl-stale",
            Reason::CrlMissing => "crl-missing",
            Reason::RoleMissing => "role-missing",
            Reason::RoleNotAllowed => "role-not-allowed",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The outcome of [`Verifier::verify`].
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub valid: bool,
    pub reason: Option<Reason>,
    pub detail: Option<String>,
    pub purpose: Purpose,
    pub at: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub roles: Vec<String>,
    pub chain: Vec<String>,
    pub revocation: String,
    pub fingerprint_sha256: String,
}

/// Signature checks remembered (entries; the cache is cleared when full).
const CACHE_LIMIT: usize = 4096;

/// Verifies certificates against a trust store and CRLs. `Send + Sync`; CRLs can be replaced while
/// other threads verify.
#[derive(Debug)]
pub struct Verifier {
    trust: TrustStore,
    crls: RwLock<Arc<CrlSet>>,
    mode: RevocationMode,
    /// SHA-256 of (child DER, issuer DER) of signature checks that passed.
    passed: Mutex<HashSet<[u8; 32]>>,
}

impl Verifier {
    pub fn new(trust: TrustStore, crls: CrlSet, mode: RevocationMode) -> Verifier {
        Verifier {
            trust,
            crls: RwLock::new(Arc::new(crls)),
            mode,
            passed: Mutex::new(HashSet::new()),
        }
    }

    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    pub fn mode(&self) -> RevocationMode {
        self.mode
    }

    /// Swaps in a new CRL set (from the refresher); verifications already running keep the old one.
    pub fn replace_crls(&self, crls: CrlSet) {
        let mut guard = self.crls.write().unwrap_or_else(|e| e.into_inner());
        *guard = Arc::new(crls);
    }

    pub fn crls(&self) -> Arc<CrlSet> {
        Arc::clone(&self.crls.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// The verdict on `end_entity_der` with the peer's other certificates `presented_intermediates`.
    pub fn verify(
        &self,
        end_entity_der: &[u8],
        presented_intermediates: &[&[u8]],
        check: &Check,
    ) -> Verdict {
        let mut verdict = Verdict {
            valid: false,
            reason: None,
            detail: None,
            purpose: check.purpose,
            at: rfc3339(check.at_unix),
            subject: String::new(),
            issuer: String::new(),
            serial: String::new(),
            roles: Vec::new(),
            chain: Vec::new(),
            revocation: "not-checked".into(),
            fingerprint_sha256: fingerprint_sha256(end_entity_der),
        };
        // 1. malformed
        let ee = match CertInfo::from_der(end_entity_der.to_vec()) {
            Ok(ee) => Arc::new(ee),
            Err(e) => return fail(verdict, Failure::new(Reason::Malformed, e.to_string())),
        };
        verdict.subject = ee.subject.clone();
        verdict.issuer = ee.issuer.clone();
        verdict.serial = ee.serial_hex.clone();
        verdict.roles = ee.roles.clone();
        // 2. critical extensions of the end entity (the CAs' are checked while building the path)
        if let Some(oid) = ee.unsupported_critical.first() {
            let detail = format!("{}: unsupported critical extension {oid}", ee.subject);
            return fail(
                verdict,
                Failure::new(Reason::UnsupportedCriticalExtension, detail),
            );
        }
        // 3. path
        let presented: Vec<Arc<CertInfo>> = presented_intermediates
            .iter()
            .filter_map(|der| CertInfo::from_der(der.to_vec()).ok())
            .map(Arc::new)
            .collect();
        let mut path = vec![Arc::clone(&ee)];
        let built = chain::build(&mut path, &presented, &self.trust, &|child, issuer| {
            self.signed(child, issuer)
        });
        verdict.chain = path.iter().map(|c| c.subject.clone()).collect();
        if let Err(failure) = built {
            return fail(verdict, failure);
        }
        let at = check.at_unix;
        // 4. validity of every certificate, anchor included
        for (i, cert) in path.iter().enumerate() {
            let who = if i == 0 {
                "certificate".to_string()
            } else {
                format!("CA certificate {}", cert.subject)
            };
            if at < cert.not_before {
                let detail = format!("{who} is not valid before {}", rfc3339(cert.not_before));
                return fail(verdict, Failure::new(Reason::NotYetValid, detail));
            }
            if at > cert.not_after {
                let detail = format!("{who} expired at {}", rfc3339(cert.not_after));
                return fail(verdict, Failure::new(Reason::Expired, detail));
            }
        }
        // 5. policy
        if !ee.policies.iter().any(|p| check.purpose.admits_policy(p)) {
            let detail = format!(
                "no {} end-entity policy (under {}) in [{}]",
                purpose_name(check.purpose),
                match check.purpose {
                    Purpose::Signature => oids::SIGNATURE_POLICY_ARC,
                    Purpose::Authentication => oids::AUTHENTICATION_POLICY_ARC,
                },
                ee.policies.join(", ")
            );
            return fail(verdict, Failure::new(Reason::WrongPolicy, detail));
        }
        // 6. key usage
        if let Err(detail) = key_usage_fits(&ee, check.purpose) {
            return fail(verdict, Failure::new(Reason::WrongKeyUsage, detail));
        }
        // 7. revocation
        let crls = self.crls();
        let mut unknown = false;
        for pair in path.windows(2) {
            let (cert, issuer) = (&pair[0], &pair[1]);
            let is_ca = !Arc::ptr_eq(cert, &ee);
            let who = if is_ca {
                format!("CA certificate {}", cert.subject)
            } else {
                "certificate".into()
            };
            match crls.status(cert, issuer, is_ca, at) {
                Status::Good => {}
                Status::Revoked(when) => {
                    verdict.revocation = "revoked".into();
                    let detail = format!(
                        "{who} was revoked at {} by {}",
                        rfc3339(when),
                        issuer.subject
                    );
                    return fail(verdict, Failure::new(Reason::Revoked, detail));
                }
                Status::Stale(next) if self.mode == RevocationMode::Strict => {
                    verdict.revocation = "unknown".into();
                    let detail = format!(
                        "no current CRL from {} for {who}: the latest expired at {}",
                        issuer.subject,
                        rfc3339(next)
                    );
                    return fail(verdict, Failure::new(Reason::CrlStale, detail));
                }
                Status::Missing if self.mode == RevocationMode::Strict => {
                    verdict.revocation = "unknown".into();
                    let detail = format!("no CRL from {} for {who}", issuer.subject);
                    return fail(verdict, Failure::new(Reason::CrlMissing, detail));
                }
                Status::Stale(_) | Status::Missing => unknown = true,
            }
        }
        verdict.revocation = if unknown { "unknown" } else { "good" }.into();
        // 8. roles
        if let RoleRequirement::OneOf(allowed) = &check.roles {
            if ee.roles.is_empty() {
                return fail(
                    verdict,
                    Failure::new(Reason::RoleMissing, "the certificate has no hcRole"),
                );
            }
            if !ee.roles.iter().any(|r| allowed.contains(r)) {
                let detail = format!(
                    "hcRole [{}] is not one of [{}]",
                    ee.roles.join(", "),
                    allowed.join(", ")
                );
                return fail(verdict, Failure::new(Reason::RoleNotAllowed, detail));
            }
        }
        verdict.valid = true;
        verdict
    }

    /// Whether `issuer`'s key signed `child`, remembering checks that passed.
    fn signed(&self, child: &CertInfo, issuer: &CertInfo) -> bool {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(&(child.der.len() as u64).to_be_bytes());
        ctx.update(&child.der);
        ctx.update(&issuer.der);
        let mut key = [0u8; 32];
        key.copy_from_slice(ctx.finish().as_ref());
        if self
            .passed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&key)
        {
            return true;
        }
        if !super::cert::signature_valid(&child.der, &issuer.spki_raw) {
            return false;
        }
        let mut passed = self.passed.lock().unwrap_or_else(|e| e.into_inner());
        if passed.len() >= CACHE_LIMIT {
            passed.clear();
        }
        passed.insert(key);
        true
    }
}

fn purpose_name(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Signature => "signature",
        Purpose::Authentication => "authentication",
    }
}

fn key_usage_fits(ee: &CertInfo, purpose: Purpose) -> Result<(), String> {
    match purpose {
        Purpose::Signature => match ee.key_usage {
            Some(ku) if ku.non_repudiation => Ok(()),
            _ => Err("a signature certificate needs keyUsage nonRepudiation".into()),
        },
        Purpose::Authentication => {
            if !ee.key_usage.is_some_and(|ku| ku.digital_signature) {
                return Err("an authentication certificate needs keyUsage digitalSignature".into());
            }
            match ee.eku {
                Some((client_auth, any)) if !client_auth && !any => {
                    Err("extendedKeyUsage lacks clientAuth".into())
                }
                _ => Ok(()),
            }
        }
    }
}

fn fail(mut verdict: Verdict, failure: Failure) -> Verdict {
    verdict.valid = false;
    verdict.reason = Some(failure.reason);
    verdict.detail = Some(failure.detail);
    verdict
}

#[cfg(test)]
#[path = "verdict_tests/mod.rs"]
mod tests;

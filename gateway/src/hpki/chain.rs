//! Path building: end entity → presented or configured intermediates → configured anchor, matching
//! issuer DN to subject DN (raw bytes) and AKI key id to SKI where both exist (issue #3 rules 2–3).

use std::sync::Arc;

use super::cert::CertInfo;
use super::trust::TrustStore;
use super::verdict::Reason;

/// The longest path allowed, end entity and anchor included.
pub(crate) const MAX_PATH: usize = 6;

#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub reason: Reason,
    pub detail: String,
}

impl Failure {
    pub fn new(reason: Reason, detail: impl Into<String>) -> Failure {
        Failure {
            reason,
            detail: detail.into(),
        }
    }
}

/// Builds a path. `path` starts as `[end entity]`; on success it ends with an anchor. On failure it
/// holds the longest partial path that was reached. `signed` checks (child, issuer) signatures.
pub(crate) fn build(
    path: &mut Vec<Arc<CertInfo>>,
    presented: &[Arc<CertInfo>],
    trust: &TrustStore,
    signed: &dyn Fn(&CertInfo, &CertInfo) -> bool,
) -> Result<(), Failure> {
    let mut longest = path.clone();
    let result = extend(path, presented, trust, signed, &mut longest);
    if result.is_err() {
        *path = longest;
    }
    result
}

fn extend(
    path: &mut Vec<Arc<CertInfo>>,
    presented: &[Arc<CertInfo>],
    trust: &TrustStore,
    signed: &dyn Fn(&CertInfo, &CertInfo) -> bool,
    longest: &mut Vec<Arc<CertInfo>>,
) -> Result<(), Failure> {
    let Some(child) = path.last().cloned() else {
        return Err(Failure::new(Reason::Malformed, "empty path"));
    };
    let mut candidates: Vec<(bool, Arc<CertInfo>)> = trust
        .named(&child.issuer_raw)
        .into_iter()
        .map(|(anchor, c)| (anchor, Arc::clone(c)))
        .collect();
    for cert in presented {
        // A presented self-issued certificate is never an anchor, and a presented copy of a
        // configured certificate adds nothing.
        if cert.subject_raw == child.issuer_raw
            && !cert.self_issued()
            && !candidates.iter().any(|(_, c)| c.der == cert.der)
        {
            candidates.push((false, Arc::clone(cert)));
        }
    }
    candidates.retain(|(_, c)| child.names_issuer(c) && !path.iter().any(|p| p.der == c.der));
    if candidates.is_empty() {
        return Err(Failure::new(
            Reason::UntrustedIssuer,
            format!(
                "no trusted issuer for {} (issuer {})",
                child.subject, child.issuer
            ),
        ));
    }
    if path.len() >= MAX_PATH {
        return Err(Failure::new(
            Reason::PathTooLong,
            format!(
                "more than {MAX_PATH} certificates above {}",
                path[0].subject
            ),
        ));
    }
    let mut first_failure = None;
    for (anchor, candidate) in candidates {
        match accept(path, &child, &candidate, signed) {
            Err(failure) => {
                first_failure.get_or_insert(failure);
            }
            Ok(()) => {
                path.push(Arc::clone(&candidate));
                if path.len() > longest.len() {
                    *longest = path.clone();
                }
                if anchor {
                    return Ok(());
                }
                match extend(path, presented, trust, signed, longest) {
                    Ok(()) => return Ok(()),
                    Err(failure) => {
                        path.pop();
                        first_failure.get_or_insert(failure);
                    }
                }
            }
        }
    }
    Err(first_failure.unwrap_or_else(|| Failure::new(Reason::UntrustedIssuer, "no issuer")))
}

/// Whether `issuer` may stand above `child` at position `path.len()`.
fn accept(
    path: &[Arc<CertInfo>],
    child: &CertInfo,
    issuer: &CertInfo,
    signed: &dyn Fn(&CertInfo, &CertInfo) -> bool,
) -> Result<(), Failure> {
    if let Some(oid) = issuer.unsupported_critical.first() {
        return Err(Failure::new(
            Reason::UnsupportedCriticalExtension,
            format!(
                "CA {}: unsupported critical extension {oid}",
                issuer.subject
            ),
        ));
    }
    if !signed(child, issuer) {
        return Err(Failure::new(
            Reason::BadSignature,
            format!(
                "the signature of {} does not verify with the key of {}",
                child.subject, issuer.subject
            ),
        ));
    }
    let is_ca = matches!(issuer.basic_constraints, Some((true, _)));
    let may_sign = issuer.key_usage.is_none_or(|ku| ku.key_cert_sign);
    if !is_ca || !may_sign {
        let why = if is_ca {
            "keyUsage lacks keyCertSign"
        } else {
            "basicConstraints CA is not true"
        };
        return Err(Failure::new(
            Reason::NotACa,
            format!(
                "{} issued {} but is not a CA ({why})",
                issuer.subject, child.subject
            ),
        ));
    }
    // Intermediate CAs between this issuer and the end entity (self-issued ones do not count).
    let below = path.iter().skip(1).filter(|c| !c.self_issued()).count();
    if let Some((_, Some(limit))) = issuer.basic_constraints {
        if below > limit as usize {
            return Err(Failure::new(
                Reason::PathTooLong,
                format!("{}: pathLenConstraint {limit} allows fewer CAs below it than the {below} found", issuer.subject),
            ));
        }
    }
    Ok(())
}

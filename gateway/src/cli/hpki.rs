//! `kakehashi hpki inspect|verify`: print a certificate's HPKI facts, or the verdict on it against a
//! trust store and CRLs (issue #3).

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::cli::exit::{CliError, Exit};
use crate::hpki::{
    parse_certificate, read_certificates, Check, CrlSet, HpkiError, Purpose, RevocationMode,
    RoleRequirement, TrustStore, Verifier,
};

#[derive(Debug, Subcommand)]
pub enum HpkiCommand {
    /// Print the facts of a certificate as JSON: subject, Japanese name, hcRoles, policies, key usage,
    /// validity, CRL distribution points, fingerprint. Exit 0; 74 when the file cannot be read; 65
    /// when it is not a certificate.
    Inspect {
        /// The certificate: DER, or PEM (the first certificate of a bundle is inspected).
        #[arg(value_name = "CERT")]
        cert: PathBuf,
    },
    /// Verify a certificate the way the gateway does (chain to a configured anchor, signatures,
    /// critical extensions, validity, HPKI policy and key usage, CRLs/ARLs, hcRole) and print the
    /// verdict as JSON. Exit 0 when valid, 65 when not (or when a CRL does not verify).
    Verify {
        /// The certificate to verify: DER or PEM. Further certificates in a PEM bundle are treated as
        /// intermediates presented by the holder (never as trust anchors).
        #[arg(value_name = "CERT")]
        cert: PathBuf,
        /// A trust anchor (e.g. the MHLW HPKI Root CA V2): a PEM bundle or DER file, or a directory of
        /// .pem/.crt/.cer/.der files. Repeat for more.
        #[arg(long = "trust", value_name = "FILE_OR_DIR", required = true)]
        trust: Vec<PathBuf>,
        /// A configured intermediate CA (e.g. the MEDIS or JMA signing CA): file or directory, as for
        /// --trust. Repeat for more.
        #[arg(long = "intermediate", value_name = "FILE_OR_DIR")]
        intermediates: Vec<PathBuf>,
        /// A CRL or ARL (DER or PEM "X509 CRL"), or a directory of .crl/.der/.pem files; its signature
        /// must verify against a --trust or --intermediate certificate. Repeat for more.
        #[arg(long = "crl", value_name = "FILE_OR_DIR")]
        crls: Vec<PathBuf>,
        /// The time to verify at, RFC 3339 (e.g. 2022-09-07T08:18:25Z, the signature time stamp);
        /// default: now.
        #[arg(long, value_name = "RFC3339")]
        at: Option<String>,
        /// What the certificate is used for; default: the purpose of its own end-entity policy, else
        /// signature.
        #[arg(long, value_enum)]
        purpose: Option<Purpose>,
        /// An acceptable hcRole, exact text (e.g. "Medical Doctor", "Dentist", "Pharmacist"). Repeat
        /// for more; at least one must match. Without --role any certificate passes the role check.
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        /// strict: a missing or out-of-date CRL fails (crl-missing / crl-stale); best-effort: it gives
        /// revocation "unknown" and the certificate can still be valid.
        #[arg(long, value_enum, default_value = "strict")]
        revocation: RevocationMode,
    },
}

pub fn run(command: HpkiCommand) -> Result<Exit, CliError> {
    match command {
        HpkiCommand::Inspect { cert } => inspect(&cert),
        HpkiCommand::Verify {
            cert,
            trust,
            intermediates,
            crls,
            at,
            purpose,
            roles,
            revocation,
        } => {
            let at_unix = match at {
                Some(text) => chrono::DateTime::parse_from_rfc3339(&text)
                    .map_err(|e| {
                        CliError::new(
                            Exit::Usage,
                            format!("--at {text}: not an RFC 3339 time: {e}"),
                        )
                    })?
                    .timestamp(),
                None => chrono::Utc::now().timestamp(),
            };
            let roles = if roles.is_empty() {
                RoleRequirement::Any
            } else {
                RoleRequirement::OneOf(roles)
            };
            verify(
                &cert,
                &trust,
                &intermediates,
                &crls,
                at_unix,
                purpose,
                roles,
                revocation,
            )
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path)
        .map_err(|e| CliError::new(Exit::Io, format!("cannot read {}: {e}", path.display())))
}

fn hpki_error(e: HpkiError) -> CliError {
    match e {
        HpkiError::Io { .. } => CliError::new(Exit::Io, e.to_string()),
        other => CliError::new(Exit::DataRejected, other.to_string()),
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::new(Exit::Internal, format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

fn inspect(cert: &Path) -> Result<Exit, CliError> {
    let bytes = read(cert)?;
    let facts = parse_certificate(&bytes)
        .map_err(|e| CliError::new(Exit::DataRejected, format!("{}: {e}", cert.display())))?;
    print_json(&facts)?;
    Ok(Exit::Ok)
}

#[allow(clippy::too_many_arguments)]
fn verify(
    cert: &Path,
    trust: &[PathBuf],
    intermediates: &[PathBuf],
    crls: &[PathBuf],
    at_unix: i64,
    purpose: Option<Purpose>,
    roles: RoleRequirement,
    mode: RevocationMode,
) -> Result<Exit, CliError> {
    let bytes = read(cert)?;
    let store = TrustStore::load(trust, intermediates).map_err(hpki_error)?;
    let crls = CrlSet::load(crls, &store).map_err(hpki_error)?;
    // Unreadable input still gets a verdict (malformed) so that the output is always a Verdict.
    let certs = read_certificates(&bytes).unwrap_or_else(|_| vec![bytes.clone()]);
    let (end_entity, presented) = certs
        .split_first()
        .map(|(ee, rest)| (ee.clone(), rest.to_vec()))
        .unwrap_or_default();
    let purpose = purpose
        .or_else(|| parse_certificate(&end_entity).ok().and_then(|f| f.purpose))
        .unwrap_or(Purpose::Signature);
    let verifier = Verifier::new(store, crls, mode);
    let presented: Vec<&[u8]> = presented.iter().map(Vec::as_slice).collect();
    let check = Check {
        purpose,
        at_unix,
        roles,
    };
    let verdict = verifier.verify(&end_entity, &presented, &check);
    print_json(&verdict)?;
    Ok(if verdict.valid {
        Exit::Ok
    } else {
        Exit::DataRejected
    })
}

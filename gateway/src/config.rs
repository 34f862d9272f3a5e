//! Typed settings (design.md §3): built-in defaults → `kakehashi.toml` (or `--config FILE`) →
//! `KAKEHASHI__SECTION__KEY` environment variables. Unknown keys are errors, so typos are caught.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::hpki::RevocationMode;
use crate::zones::policy::{self, PolicyRule};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Folder for the embedded database and generated files; created on start.
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub hospital: HospitalZoneSettings,
    pub consultation: ConsultationZoneSettings,
    /// The e-prescription hub on the consultation zone.
    pub eprescription: EprescriptionSettings,
    /// The hospital zone's MLLP listener (HL7 v2 over TCP).
    pub mllp: MllpSettings,
    /// Who may do what in which zone; empty: the built-in default rules (see `zones::policy`).
    pub policy: Vec<PolicyRule>,
    pub admin: AdminSettings,
    pub audit: AuditSettings,
    pub fhir: FhirSettings,
    pub validation: ValidationSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// Empty: SQLite at `<data_dir>/kakehashi.db`. `sqlite://FILE` or `postgres://USER:PASSWORD@HOST/DB`.
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HospitalZoneSettings {
    /// Where the hospital-zone FHIR REST listener binds (port 0 picks a free port).
    pub listen: SocketAddr,
    /// What happens to a resource that fails validation on write in this zone.
    pub validation: ValidationMode,
}

/// The consultation zone (design.md §2): HTTPS with mutual TLS, HPKI doctors and pinned services.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsultationZoneSettings {
    /// false: no consultation listener.
    pub enabled: bool,
    pub listen: SocketAddr,
    /// The server's certificate chain (PEM) and key; both empty: a development certificate generated
    /// into `<data_dir>/dev-pki/` on first start.
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    /// HPKI trust anchors (files or folders, PEM or DER), e.g. the MHLW HPKI Root CA V2; empty: the
    /// development HPKI root in `<data_dir>/dev-pki/`.
    pub trust: Vec<PathBuf>,
    /// Issuing CAs (e.g. the MEDIS authentication CA) so clients need not send them.
    pub intermediates: Vec<PathBuf>,
    /// CRLs and ARLs: files or `http://` URLs, reloaded every `crl_refresh_seconds`.
    pub crls: Vec<String>,
    pub crl_refresh_seconds: u64,
    /// `strict`: a stale or missing CRL refuses the certificate; `best-effort`: it does not.
    pub revocation: RevocationMode,
    /// hcRoles a doctor certificate needs to complete the handshake at all; empty: decided per request
    /// by the policy.
    pub required_roles: Vec<String>,
    /// Service certificates identified by SHA-256 fingerprint (the consultation platform itself).
    pub services: Vec<PinnedService>,
    /// Identifier systems (prefixes) local to the hospital; the consultation zone sees zone-facing
    /// substitutes instead (identifier cross-reference).
    pub hidden_identifier_systems: Vec<String>,
    /// What happens to a resource that fails validation on write in this zone.
    pub validation: ValidationMode,
}

/// The e-prescription hub (issue #7), served on the consultation zone's listener.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EprescriptionSettings {
    /// false: no `/eprescriptions` routes.
    pub enabled: bool,
    /// Failed look-ups a client (certificate or address) may make per window before it is refused.
    pub lookup_failures: u32,
    pub lookup_window_seconds: u64,
}

impl Default for EprescriptionSettings {
    fn default() -> Self {
        EprescriptionSettings {
            enabled: true,
            lookup_failures: 10,
            lookup_window_seconds: 600,
        }
    }
}

/// The MLLP listener of the hospital zone (HL7 v2.5.1 Appendix C; issue #5).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MllpSettings {
    /// false: no MLLP listener.
    pub enabled: bool,
    /// Where it binds (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Largest message; a longer frame is answered with AR and the connection closed.
    pub max_message_bytes: usize,
    /// A connection that sends nothing for this long is closed.
    pub idle_timeout_secs: u64,
    /// Connections served at once; more are closed on accept.
    pub max_connections: usize,
    /// MLLP over TLS 1.2+ (ring), when set.
    pub tls: Option<MllpTls>,
}

/// The MLLP listener's certificate chain and key (PEM).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MllpTls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Default for MllpSettings {
    fn default() -> Self {
        MllpSettings {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 2575)),
            max_message_bytes: 10 * 1024 * 1024,
            idle_timeout_secs: 300,
            max_connections: 256,
            tls: None,
        }
    }
}

/// Validation on write per zone (issue #4): `enforce` refuses a resource with error issues (422 and the
/// OperationOutcome); `warn` stores it and logs the number of issues; `off` skips validation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValidationMode {
    #[default]
    Enforce,
    Warn,
    Off,
}

/// The FHIR packages the validator loads at start, beside the embedded R4 core definitions.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValidationSettings {
    /// FHIR packages: NPM `.tgz` files or unpacked folders (e.g. JP Core 1.1.1, the JAMI e-prescription IG).
    pub packages: Vec<PathBuf>,
    /// Report absent must-support elements of the claimed profiles as information issues.
    pub must_support: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinnedService {
    /// The name used in the policy (`service:NAME`) and in the audit log.
    pub name: String,
    /// SHA-256 of the certificate (DER), hex with or without colons.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminSettings {
    /// Where the admin listener (/healthz, /readyz, /metrics) binds; keep it on loopback.
    pub listen: SocketAddr,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSettings {
    /// Which requests are answered only after their audit row is committed.
    pub commit_before_answer: AuditCommit,
}

/// `changes`: requests that may change stored data (create, update, delete, transaction, batch,
/// operations) wait for their audit row's commit; the others are answered once their row is queued and
/// it is committed by the next batch (a crash can lose that last batch). `all`: every request waits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditCommit {
    #[default]
    Changes,
    All,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FhirSettings {
    /// Largest accepted request body in bytes; larger bodies get 413.
    pub max_body_bytes: usize,
    /// Page size when a search gives no `_count`.
    pub default_count: usize,
    /// Largest page size a search may ask for.
    pub max_count: usize,
    /// Public base URL used in links and `fullUrl`s; empty: derived from the Host header.
    pub base_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// A tracing filter such as `info` or `kakehashi=debug`; `RUST_LOG` overrides it.
    pub level: String,
    /// `text` or `json`.
    pub format: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("kakehashi-data"),
            database: DatabaseSettings::default(),
            hospital: HospitalZoneSettings::default(),
            consultation: ConsultationZoneSettings::default(),
            eprescription: EprescriptionSettings::default(),
            mllp: MllpSettings::default(),
            policy: Vec::new(),
            admin: AdminSettings::default(),
            audit: AuditSettings::default(),
            fhir: FhirSettings::default(),
            validation: ValidationSettings::default(),
            log: LogSettings::default(),
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: String::new(),
            max_connections: 8,
        }
    }
}

impl Default for HospitalZoneSettings {
    fn default() -> Self {
        HospitalZoneSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            validation: ValidationMode::Enforce,
        }
    }
}

impl Default for ConsultationZoneSettings {
    fn default() -> Self {
        ConsultationZoneSettings {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            server_cert: PathBuf::new(),
            server_key: PathBuf::new(),
            trust: Vec::new(),
            intermediates: Vec::new(),
            crls: Vec::new(),
            crl_refresh_seconds: 3600,
            revocation: RevocationMode::Strict,
            required_roles: Vec::new(),
            services: Vec::new(),
            // JP Core 患者番号 systems: urn:oid:1.2.392.100495.20.3.51.1 + 医療機関コード (jp-standards.md).
            hidden_identifier_systems: vec!["urn:oid:1.2.392.100495.20.3.51.".into()],
            validation: ValidationMode::Enforce,
        }
    }
}

impl Default for AdminSettings {
    fn default() -> Self {
        AdminSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 9090)),
        }
    }
}

impl Default for FhirSettings {
    fn default() -> Self {
        FhirSettings {
            max_body_bytes: 16 * 1024 * 1024,
            default_count: 50,
            max_count: 1000,
            base_url: String::new(),
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            level: "info".into(),
            format: "text".into(),
        }
    }
}

/// Why the configuration cannot be used (exit code 78).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    Missing(PathBuf),
    #[error("{0}")]
    Invalid(String),
}

impl Settings {
    /// Loads defaults, then `file` (or `./kakehashi.toml` when present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) if !path.exists() => return Err(ConfigError::Missing(path.to_path_buf())),
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("kakehashi.toml").exists() => {
                figment = figment.merge(Toml::file_exact("kakehashi.toml"))
            }
            None => {}
        }
        figment = figment.merge(Env::prefixed("KAKEHASHI__").split("__"));
        let settings: Settings = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let url = &self.database.url;
        if !(url.is_empty()
            || url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid(format!(
                "database.url must be empty (embedded SQLite), sqlite://FILE or postgres://…; got a value starting with {:?}",
                url.split(':').next().unwrap_or("")
            )));
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return Err(ConfigError::Invalid(
                "log.format must be \"text\" or \"json\"".into(),
            ));
        }
        if self.fhir.default_count == 0 || self.fhir.default_count > self.fhir.max_count {
            return Err(ConfigError::Invalid(
                "fhir.default_count must be between 1 and fhir.max_count".into(),
            ));
        }
        let e = &self.eprescription;
        if e.lookup_failures == 0 || e.lookup_window_seconds == 0 {
            return Err(ConfigError::Invalid(
                "eprescription.lookup_failures and lookup_window_seconds must be above 0".into(),
            ));
        }
        let c = &self.consultation;
        if c.server_cert.as_os_str().is_empty() != c.server_key.as_os_str().is_empty() {
            return Err(ConfigError::Invalid(
                "consultation.server_cert and consultation.server_key go together".into(),
            ));
        }
        if c.trust.is_empty() && !(c.intermediates.is_empty() && c.crls.is_empty()) {
            return Err(ConfigError::Invalid(
                "consultation.intermediates and consultation.crls need consultation.trust".into(),
            ));
        }
        if c.crl_refresh_seconds == 0 {
            return Err(ConfigError::Invalid(
                "consultation.crl_refresh_seconds must be at least 1".into(),
            ));
        }
        for service in &c.services {
            if crate::tls::pins::parse_fingerprint(&service.sha256).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "consultation.services: the sha256 of {:?} is not 64 hex digits",
                    service.name
                )));
            }
        }
        policy::check_rules(&self.policy).map_err(ConfigError::Invalid)?;
        let m = &self.mllp;
        if m.max_message_bytes == 0 || m.idle_timeout_secs == 0 || m.max_connections == 0 {
            return Err(ConfigError::Invalid(
                "mllp.max_message_bytes, mllp.idle_timeout_secs and mllp.max_connections must be at least 1".into(),
            ));
        }
        if self.database.max_connections == 0 {
            return Err(ConfigError::Invalid(
                "database.max_connections must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The embedded SQLite file (used when `database.url` is empty).
    pub fn embedded_database(&self) -> PathBuf {
        self.data_dir.join("kakehashi.db")
    }

    /// The database URL in force: the configured one, or the embedded SQLite file in `data_dir`.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}", self.embedded_database().display())
        } else {
            self.database.url.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_readme() {
        let s = Settings::default();
        assert_eq!(s.hospital.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.admin.listen.to_string(), "127.0.0.1:9090");
        assert_eq!(s.fhir.max_body_bytes, 16 * 1024 * 1024);
        assert!(s.database_url().ends_with("kakehashi-data/kakehashi.db"));
        assert_eq!(s.mllp.listen.to_string(), "127.0.0.1:2575");
        assert_eq!(s.mllp.max_message_bytes, 10_485_760);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k.toml");
        std::fs::write(&file, "[hospital]\nlisen = \"127.0.0.1:1\"\n").unwrap();
        let err = Settings::load(Some(&file)).unwrap_err().to_string();
        assert!(err.contains("lisen"), "{err}");
        std::fs::write(&file, "[database]\nurl = \"mysql://x\"\n").unwrap();
        assert!(Settings::load(Some(&file)).is_err());
        std::fs::write(&file, "[fhir]\ndefault_count = 20\n").unwrap();
        assert_eq!(Settings::load(Some(&file)).unwrap().fhir.default_count, 20);
    }
}

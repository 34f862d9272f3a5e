//! What one audit record says: who (certificate subject and serial, service name or network peer), what
//! (zone, channel, interaction, target), when, and the outcome. Targets are server ids, never identifiers,
//! names or query strings, so the log holds no patient data.

use serde::Serialize;

/// How the requester was identified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WhoKind {
    /// A person with an HPKI certificate.
    Doctor,
    /// A service with a pinned certificate.
    Service,
    /// A plain network peer (the hospital LAN).
    Network,
    /// The request failed before the requester was identified.
    #[default]
    Unknown,
}

impl WhoKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WhoKind::Doctor => "doctor",
            WhoKind::Service => "service",
            WhoKind::Network => "network",
            WhoKind::Unknown => "unknown",
        }
    }

    /// The kind stored as `text`; anything unrecognised reads as `Unknown`.
    pub fn parse(text: &str) -> WhoKind {
        match text {
            "doctor" => WhoKind::Doctor,
            "service" => WhoKind::Service,
            "network" => WhoKind::Network,
            _ => WhoKind::Unknown,
        }
    }
}

/// The requester.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Who {
    pub kind: WhoKind,
    /// Certificate subject DN, service name, or `hospital-lan`.
    pub name: String,
    /// Certificate serial number (hex) when there is a certificate.
    pub serial: Option<String>,
    /// Certificate issuer DN when there is a certificate.
    pub issuer: Option<String>,
    /// Roles (e.g. HPKI hcRole values).
    pub roles: Vec<String>,
}

/// Whether the request was allowed and, if so, whether it succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Allowed,
    Refused,
    /// Allowed, but the operation failed (4xx content error or 5xx).
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }

    /// The outcome stored as `text`; anything unrecognised reads as `Failed`.
    pub fn parse(text: &str) -> Outcome {
        match text {
            "allowed" => Outcome::Allowed,
            "refused" => Outcome::Refused,
            _ => Outcome::Failed,
        }
    }
}

/// One request, message or handshake as the caller saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Epoch milliseconds, set by the caller.
    pub recorded_ms: i64,
    /// `consultation`, `hospital` or `admin`.
    pub zone: String,
    /// `fhir-rest`, `tls`, later `mllp`.
    pub channel: String,
    /// The FHIR interaction (`create`, `read`, `vread`, `update`, `delete`, `search`, `history`,
    /// `transaction`, `batch`, `capabilities`, `operation`) or `handshake`.
    pub action: String,
    pub resource_type: Option<String>,
    /// `Type/<server id>`: server ids only, never identifiers, names or query strings.
    pub target: Option<String>,
    pub who: Who,
    pub outcome: Outcome,
    /// The HTTP status when there is one.
    pub status: Option<u16>,
    /// A stable code such as `expired`, `policy-denied`, `unpinned-service`.
    pub reason: Option<String>,
    /// The peer as `ip:port`.
    pub source: Option<String>,
}

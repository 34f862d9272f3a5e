//! Who is on the other end of a request, as established by the listener of its zone: an HPKI person
//! (from the verified client certificate), a pinned service, or a peer of the hospital network.

use crate::audit::{Who, WhoKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// An HPKI certificate holder (doctor, dentist, pharmacist …) verified at the handshake.
    Person {
        subject: String,
        serial: String,
        issuer: String,
        roles: Vec<String>,
        /// The holder's names: the subject's common name (roman letters on HPKI cards) and the Japanese
        /// name of the subjectAltName directory name, when present.
        names: Vec<String>,
    },
    /// A pinned service certificate (the online-consultation platform itself).
    Service { name: String, fingerprint: String },
    /// A peer of the hospital zone's listener (identified by the network it comes from; its address is
    /// in the audit row's source).
    Network,
    /// Nothing established (should not reach a handler; refused by every rule).
    Unidentified,
}

impl Identity {
    /// The audit log's view of this identity (no patient data: certificate facts and names only).
    pub fn who(&self) -> Who {
        match self {
            Identity::Person {
                subject,
                serial,
                issuer,
                roles,
                ..
            } => Who {
                kind: WhoKind::Doctor,
                name: subject.clone(),
                serial: Some(serial.clone()),
                issuer: Some(issuer.clone()),
                roles: roles.clone(),
            },
            Identity::Service { name, fingerprint } => Who {
                kind: WhoKind::Service,
                name: name.clone(),
                serial: Some(fingerprint.clone()),
                issuer: None,
                roles: Vec::new(),
            },
            Identity::Network => Who {
                kind: WhoKind::Network,
                name: "hospital-lan".into(),
                serial: None,
                issuer: None,
                roles: Vec::new(),
            },
            Identity::Unidentified => Who {
                kind: WhoKind::Unknown,
                name: "unidentified".into(),
                serial: None,
                issuer: None,
                roles: Vec::new(),
            },
        }
    }
}

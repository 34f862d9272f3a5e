//! The e-prescription hub (issue #7), pharmacy side: prescriptions are stored under a 6-digit exchange
//! number (引換番号); a pharmacy holding a Pharmacist HPKI certificate retrieves the document with that
//! number and the patient's birth date, once per dispensing, and posts the dispensing result back.
//! Accepting signed prescriptions from the consultation zone (XAdES verification, conversion, the
//! prescribing rules) is not built yet.

mod dispensing;
mod limiter;
mod refusal;
mod retrieve;

use std::net::IpAddr;
use std::sync::Arc;

pub use limiter::{LimitSettings, Limiter};
pub use refusal::HubError;
pub use retrieve::LookUp;

use crate::store::Store;
use crate::zones::identity::Identity;

/// What the hub needs.
#[derive(Clone)]
pub struct Hub {
    pub store: Store,
    pub limiter: Arc<Limiter>,
}

/// The rate limit's keys of a client: its certificate and its address (without the port: a guesser
/// opens new connections).
fn client_keys(who: &Identity, peer: Option<IpAddr>) -> Vec<String> {
    let mut keys = vec![dispenser_of(who)];
    keys.extend(peer.map(|ip| format!("addr:{ip}")));
    keys
}

/// Who holds a prescription while dispensing: the certificate's issuer and serial (or the service).
fn dispenser_of(who: &Identity) -> String {
    match who {
        Identity::Person { issuer, serial, .. } => format!("cert:{issuer}#{serial}"),
        Identity::Service { name, .. } => format!("service:{name}"),
        Identity::Network => "network".into(),
        Identity::Unidentified => "unidentified".into(),
    }
}

/// A fresh exchange number: six random decimal digits (the store draws again on a collision). The
/// randomness is the operating system's: the low 62 bits of a v4 UUID are random, and their remainder
/// modulo 10⁶ is uniform to within 10⁻¹².
pub fn draw_exchange_number() -> String {
    let random = (uuid::Uuid::new_v4().as_u128() as u64) & ((1 << 62) - 1);
    format!("{:06}", random % 1_000_000)
}

//! Pinned service certificates: the consultation platform is identified by the SHA-256 fingerprint of
//! its certificate, not by HPKI (it is a system, not a licensed person).

use std::collections::HashMap;

use crate::config::PinnedService;
use crate::hpki::sha256;

/// Reads a SHA-256 fingerprint written as 64 hex digits, with or without colons or spaces.
pub fn parse_fingerprint(text: &str) -> Option<[u8; 32]> {
    let hex: String = text
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect();
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// The pinned services by fingerprint.
#[derive(Debug, Clone, Default)]
pub struct Pins {
    by_fingerprint: HashMap<[u8; 32], String>,
}

impl Pins {
    /// Builds the set; fingerprints were checked with the configuration.
    pub fn new(services: &[PinnedService]) -> Pins {
        Pins {
            by_fingerprint: services
                .iter()
                .filter_map(|s| parse_fingerprint(&s.sha256).map(|fp| (fp, s.name.clone())))
                .collect(),
        }
    }

    /// The service name when `der` is a pinned certificate.
    pub fn service(&self, der: &[u8]) -> Option<&str> {
        if self.by_fingerprint.is_empty() {
            return None;
        }
        self.by_fingerprint.get(&sha256(der)).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hpki::fingerprint_sha256;

    #[test]
    fn fingerprints_parse_with_or_without_colons() {
        let fp = sha256(b"certificate");
        let text = fingerprint_sha256(b"certificate");
        assert_eq!(parse_fingerprint(&text), Some(fp));
        assert_eq!(
            parse_fingerprint(&text.replace(':', "").to_lowercase()),
            Some(fp)
        );
        assert_eq!(parse_fingerprint("AB:CD"), None);
        assert_eq!(parse_fingerprint(&"zz".repeat(32)), None);
        let pins = Pins::new(&[PinnedService {
            name: "platform".into(),
            sha256: text,
        }]);
        assert_eq!(pins.service(b"certificate"), Some("platform"));
        assert_eq!(pins.service(b"other"), None);
    }
}

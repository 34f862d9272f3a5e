//! Deterministic resource ids (design.md §4 invariant 4): the same source identifiers always give the
//! same id, so re-importing a message or a storage tree stores nothing new.
//!
//! An id is the parts joined with `.`, characters FHIR ids do not allow replaced by `-`; when that is
//! longer than FHIR's 64 characters, or lost information (non-ASCII, replaced characters), a readable
//! prefix and a 64-bit FNV-1a hash of the exact parts are used instead. FNV is written here because it
//! must never change between versions (std's and foldhash's hashers may).

/// The id for `parts`, e.g. `["1319999999", "patient", "1000000001"]` → `1319999999.patient.1000000001`.
pub fn make(parts: &[&str]) -> String {
    let mut clean = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    let mut exact = true;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            clean.push('.');
        }
        for c in part.chars() {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                clean.push(c);
            } else {
                clean.push('-');
                exact = false;
            }
        }
    }
    if exact && clean.len() <= 64 {
        return clean;
    }
    let hash = fnv1a(&parts.join("."));
    let prefix: String = clean.chars().take(47).collect();
    format!("{prefix}.{hash:016x}")
}

/// 64-bit FNV-1a of `text` (also the consultation mappings' deterministic `urn:uuid:`s).
pub(crate) fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_readable_when_they_can_be_and_stable_and_valid_always() {
        assert_eq!(
            make(&["1319999999", "patient", "1000000001"]),
            "1319999999.patient.1000000001"
        );
        let odd = make(&["-", "patient", "患者 01/2"]);
        assert_eq!(odd, make(&["-", "patient", "患者 01/2"]));
        assert_ne!(odd, make(&["-", "patient", "患者 01/3"]));
        let long = make(&["x".repeat(100).as_str()]);
        for id in [&odd, &long] {
            assert!(id.len() <= 64, "{id}");
            assert!(crate::fhir::is_valid_id(id), "{id}");
        }
        // A known FNV-1a value, so the ids never change between releases.
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}

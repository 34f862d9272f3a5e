//! A tiny DER writer (tag-length-value), enough for the HPKI extensions we encode ourselves.

/// One TLV with definite length.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// An OBJECT IDENTIFIER from its arcs (the first two must form a valid first octet group).
pub(crate) fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = Vec::new();
    let first = match arcs {
        [a, b, ..] => a.saturating_mul(40).saturating_add(*b),
        [a] => a.saturating_mul(40),
        [] => 0,
    };
    base128(first, &mut body);
    for &arc in arcs.iter().skip(2) {
        base128(arc, &mut body);
    }
    tlv(0x06, &body)
}

fn base128(mut value: u64, out: &mut Vec<u8>) {
    let mut tmp = vec![(value & 0x7f) as u8];
    value >>= 7;
    while value > 0 {
        tmp.push(0x80 | (value & 0x7f) as u8);
        value >>= 7;
    }
    tmp.reverse();
    out.extend(tmp);
}

/// Parses a dotted OID ("1.2.3") into arcs.
pub(crate) fn arcs(dotted: &str) -> Option<Vec<u64>> {
    let arcs: Option<Vec<u64>> = dotted.split('.').map(|a| a.parse().ok()).collect();
    arcs.filter(|a| a.len() >= 2)
}

/// A DER SET OF: the encoded elements sorted (X.690 §11.6).
pub(crate) fn set_of(mut elements: Vec<Vec<u8>>) -> Vec<u8> {
    elements.sort();
    tlv(0x31, &elements.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_and_oids_encode_like_der() {
        assert_eq!(tlv(0x04, &[0; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(tlv(0x04, &[0; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(
            oid(&[1, 0, 17090, 0, 1]),
            [0x06, 0x06, 0x28, 0x81, 0x85, 0x42, 0x00, 0x01]
        );
        assert_eq!(arcs("2.5.29.32"), Some(vec![2, 5, 29, 32]));
        assert_eq!(arcs("x"), None);
    }
}

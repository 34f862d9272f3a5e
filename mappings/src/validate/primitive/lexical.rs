//! The lexical forms of the string-based R4 primitives other than dates and times: code, id, uri, url,
//! canonical, oid, uuid, base64Binary and xhtml (the regexes of R4 §2.24, written out as scans).
//!
//! The callers have already rejected empty strings and control characters.

use super::{Echo, FaultKind, Primitive, PrimitiveFault, MAX_ID_CHARS};

/// Whitespace as the spec's `\s` means it (XML Schema): space, tab, CR and LF.
fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// True when the value starts or ends with XML whitespace.
fn has_outer_space(s: &str) -> bool {
    let b = s.as_bytes();
    b.first().copied().is_some_and(is_xml_space) || b.last().copied().is_some_and(is_xml_space)
}

fn format_fault(message: String) -> PrimitiveFault {
    PrimitiveFault::new(FaultKind::Format, message)
}

/// code: `[^\s]+(\s[^\s]+)*`, i.e. no leading or trailing whitespace and no run of two or more.
pub(super) fn check_code(s: &str) -> Result<(), PrimitiveFault> {
    if has_outer_space(s) {
        return Err(PrimitiveFault::new(
            FaultKind::Whitespace,
            format!(
                "{} is not a valid code: it has leading or trailing whitespace.",
                Echo(s)
            ),
        ));
    }
    let run = s
        .as_bytes()
        .windows(2)
        .any(|pair| is_xml_space(pair[0]) && is_xml_space(pair[1]));
    if run {
        return Err(PrimitiveFault::new(
            FaultKind::Whitespace,
            format!(
                "{} is not a valid code: it contains two or more whitespace characters in a row.",
                Echo(s)
            ),
        ));
    }
    Ok(())
}

/// id: `[A-Za-z0-9\-\.]{1,64}`.
pub(super) fn check_id(s: &str) -> Result<(), PrimitiveFault> {
    if has_outer_space(s) {
        return Err(PrimitiveFault::new(
            FaultKind::Whitespace,
            format!(
                "{} is not a valid id: it has leading or trailing whitespace.",
                Echo(s)
            ),
        ));
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
    if !s.bytes().all(allowed) {
        return Err(format_fault(format!(
            "{} is not a valid id: only A-Z, a-z, 0-9, '-' and '.' are allowed.",
            Echo(s)
        )));
    }
    // All bytes are ASCII here, so the byte length is the character count.
    if s.len() > MAX_ID_CHARS {
        return Err(PrimitiveFault::new(
            FaultKind::TooLong,
            format!(
                "{} is not a valid id: it has {} characters, more than the maximum of {MAX_ID_CHARS}.",
                Echo(s),
                s.len()
            ),
        ));
    }
    Ok(())
}

/// uri, url and canonical: no whitespace; canonical may carry `|version`. A url may be relative
/// (`Binary/f006` in Attachment.url of the official examples), as the reference validator accepts.
pub(super) fn check_uri(primitive: Primitive, s: &str) -> Result<(), PrimitiveFault> {
    let name = primitive.name();
    if s.chars().any(char::is_whitespace) {
        return Err(format_fault(format!(
            "{} is not a valid {name}: it contains whitespace.",
            Echo(s)
        )));
    }
    match primitive {
        Primitive::Canonical => check_canonical_version(s),
        _ => Ok(()),
    }
}

/// canonical: `url|version#fragment`, where a `|` needs a url before it and a version after it.
fn check_canonical_version(s: &str) -> Result<(), PrimitiveFault> {
    let Some((url, rest)) = s.split_once('|') else {
        return Ok(());
    };
    let version = rest.split_once('#').map_or(rest, |(version, _)| version);
    if url.is_empty() || version.is_empty() || rest.contains('|') {
        return Err(format_fault(format!(
            "{} is not a valid canonical: a version must be written once, as url|version.",
            Echo(s)
        )));
    }
    Ok(())
}

/// oid: `urn:oid:[0-2](\.(0|[1-9][0-9]*))+`.
pub(super) fn check_oid(s: &str) -> Result<(), PrimitiveFault> {
    let valid = s.strip_prefix("urn:oid:").is_some_and(|arcs| {
        // The first arc is one digit 0-2; one or more `.arc` follow, each 0 or without a leading zero.
        let b = arcs.as_bytes();
        matches!(b, [b'0'..=b'2', b'.', ..])
            && b[2..].split(|&c| c == b'.').all(|arc| match arc {
                [] => false,
                [b'0'] => true,
                [b'0', ..] => false,
                _ => arc.iter().all(u8::is_ascii_digit),
            })
    });
    if valid {
        Ok(())
    } else {
        Err(format_fault(format!(
            "{} is not a valid oid (urn:oid: followed by dotted numbers such as urn:oid:1.2.3).",
            Echo(s)
        )))
    }
}

/// uuid: `urn:uuid:` and 8-4-4-4-12 lower-case hex digits.
pub(super) fn check_uuid(s: &str) -> Result<(), PrimitiveFault> {
    let valid = s.strip_prefix("urn:uuid:").is_some_and(|hex| {
        let b = hex.as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, &c)| match i {
                8 | 13 | 18 | 23 => c == b'-',
                _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
            })
    });
    if valid {
        Ok(())
    } else {
        Err(format_fault(format!(
            "{} is not a valid uuid (urn:uuid: followed by 8-4-4-4-12 lower-case hex digits).",
            Echo(s)
        )))
    }
}

/// base64Binary: `(\s*([0-9a-zA-Z\+/=]){4}\s*)+`, i.e. groups of four base64 characters with whitespace
/// only between groups. The value is not echoed: it is usually a document.
pub(super) fn check_base64(s: &str) -> Result<(), PrimitiveFault> {
    let mut chars = 0usize;
    // The number of base64 characters since the last whitespace; it must end on a group boundary.
    let mut run = 0usize;
    let mut whole_groups = true;
    for b in s.bytes() {
        if is_xml_space(b) {
            whole_groups &= run.is_multiple_of(4);
            run = 0;
        } else if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') {
            run += 1;
            chars += 1;
        } else {
            return Err(format_fault(
                "The base64Binary value contains a character other than A-Z, a-z, 0-9, '+', '/', '=' and whitespace."
                    .to_owned(),
            ));
        }
    }
    if chars == 0 || !whole_groups || !run.is_multiple_of(4) {
        return Err(format_fault(
            "The base64Binary value is not a sequence of four-character groups (whitespace is allowed only between groups)."
                .to_owned(),
        ));
    }
    Ok(())
}

/// xhtml: a string that starts, after optional whitespace, with a `<div` element. The XHTML content
/// itself is checked elsewhere, and the value is not echoed.
pub(super) fn check_xhtml(s: &str) -> Result<(), PrimitiveFault> {
    let rest = s.trim_start_matches([' ', '\t', '\n', '\r']);
    let valid = rest.strip_prefix("<div").is_some_and(|after| {
        after
            .bytes()
            .next()
            .is_some_and(|b| is_xml_space(b) || b == b'>' || b == b'/')
    });
    if valid {
        Ok(())
    } else {
        Err(format_fault(
            "The xhtml value must be a single XHTML <div> element (it must start with '<div')."
                .to_owned(),
        ))
    }
}

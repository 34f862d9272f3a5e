//! HL7 v2 escape sequences (v2.5 §2.7), decoded and encoded with the message's own delimiters (MSH-2).
//!
//! Written by hand rather than taken from hl7-parser 0.3.0: its `Separators::decode` slices with a char
//! index as a byte index and panics on Japanese text holding an escape (`東京都\T\2`, crates.md §3).
//! Here every slice is at a position `str::find` returned, so multi-byte text is safe.
//!
//! Decoding: `\F\ \S\ \T\ \R\ \E\` (and `\P\` with a v2.7 truncation character) give the delimiter,
//! `\Xhh…\` gives the bytes as UTF-8 when they are valid UTF-8, `\.br\` gives a newline (JAHIS free-text
//! comments use it for line breaks); every other sequence (`\H\ \N\ \Zxx\ \Cxxyy\ \.sp\` …), a sequence
//! that does not end, and bad hex are kept verbatim. Encoding writes a newline back as `\.br\` and a
//! carriage return as `\X0D\`, so `decode(encode(s)) == s` for every string.

use std::borrow::Cow;

use super::delimiters::Delimiters;

/// Replaces the escape sequences in a raw value.
pub fn decode<'a>(value: &'a str, delimiters: &Delimiters) -> Cow<'a, str> {
    let escape = delimiters.escape;
    if !value.contains(escape) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find(escape) {
        out.push_str(&rest[..start]);
        let after = &rest[start + escape.len_utf8()..];
        let Some(end) = after.find(escape) else {
            out.push_str(&rest[start..]);
            return Cow::Owned(out);
        };
        let sequence = &after[..end];
        if !expand(sequence, delimiters, &mut out) {
            out.push(escape);
            out.push_str(sequence);
            out.push(escape);
        }
        rest = &after[end + escape.len_utf8()..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Writes the meaning of one sequence (without its escape characters); false when it is kept verbatim.
fn expand(sequence: &str, d: &Delimiters, out: &mut String) -> bool {
    let c = match sequence {
        "F" => d.field,
        "S" => d.component,
        "T" => d.subcomponent,
        "R" => d.repetition,
        "E" => d.escape,
        "P" => match d.truncation {
            Some(t) => t,
            None => return false,
        },
        ".br" => '\n',
        _ => {
            let Some(hex) = sequence.strip_prefix('X') else {
                return false;
            };
            let Some(bytes) = hex_bytes(hex) else {
                return false;
            };
            let Ok(text) = String::from_utf8(bytes) else {
                return false;
            };
            out.push_str(&text);
            return true;
        }
    };
    out.push(c);
    true
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if hex.is_empty() || !hex.len().is_multiple_of(2) || !hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Escapes the delimiters, newlines and carriage returns of a value.
pub fn encode<'a>(value: &'a str, d: &Delimiters) -> Cow<'a, str> {
    let special = |c: char| {
        c == d.field
            || c == d.component
            || c == d.subcomponent
            || c == d.repetition
            || c == d.escape
            || Some(c) == d.truncation
            || c == '\n'
            || c == '\r'
    };
    if !value.contains(special) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        let code = if c == d.field {
            "F"
        } else if c == d.component {
            "S"
        } else if c == d.subcomponent {
            "T"
        } else if c == d.repetition {
            "R"
        } else if c == d.escape {
            "E"
        } else if Some(c) == d.truncation {
            "P"
        } else if c == '\n' {
            ".br"
        } else if c == '\r' {
            "X0D"
        } else {
            out.push(c);
            continue;
        };
        out.push(d.escape);
        out.push_str(code);
        out.push(d.escape);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std() -> Delimiters {
        Delimiters::default()
    }

    #[test]
    fn japanese_text_with_delimiters_round_trips() {
        let d = std();
        assert_eq!(encode("山田^太郎", &d), "山田\\S\\太郎");
        assert_eq!(decode("山田\\S\\太郎", &d), "山田^太郎");
        for text in [
            "山田^太郎",
            "東京都渋谷区渋谷1&2",
            "記号|A",
            "～波~",
            "\\",
            "一行目\n二行目\r",
            "ｶﾅ\\E\\",
        ] {
            assert_eq!(decode(&encode(text, &d), &d), text, "{text}");
        }
    }

    #[test]
    fn every_standard_escape_decodes() {
        let d = std();
        assert_eq!(decode("東京都渋谷区渋谷1\\T\\2", &d), "東京都渋谷区渋谷1&2");
        assert_eq!(
            decode("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f", &d),
            "a|b^c&d~e\\f"
        );
        assert_eq!(decode("一\\.br\\二", &d), "一\n二");
        assert_eq!(decode("x\\P\\y", &d), "x\\P\\y");
    }

    #[test]
    fn hex_escapes_decode_as_utf8() {
        let d = std();
        assert_eq!(decode("A\\X0D0A\\B", &d), "A\r\nB");
        assert_eq!(decode("\\XE5B1B1\\田", &d), "山田");
        assert_eq!(decode("\\X41\\", &d), "A");
        for verbatim in ["\\X4\\", "\\XZZ\\", "\\XFF\\", "\\X\\"] {
            assert_eq!(decode(verbatim, &d), verbatim);
        }
    }

    #[test]
    fn unknown_and_unterminated_escapes_are_kept() {
        let d = std();
        for text in [
            "\\H\\強調\\N\\",
            "\\Z99\\",
            "\\.sp\\",
            "山田\\太郎",
            "末尾\\",
            "\\\\",
        ] {
            assert_eq!(decode(text, &d), text, "{text}");
        }
    }

    #[test]
    fn the_message_delimiters_are_used() {
        let d = Delimiters::from_header("MSH", '#', "$*!@%").unwrap();
        assert_eq!(encode("山田$太郎#|^\\", &d), "山田!S!太郎!F!|^\\");
        assert_eq!(decode("山田!S!太郎!F!!T!!R!!E!!P!", &d), "山田$太郎#@*!%");
        assert_eq!(decode("a\\S\\b", &d), "a\\S\\b");
    }

    #[test]
    fn plain_values_are_borrowed() {
        assert!(matches!(decode("山田", &std()), Cow::Borrowed(_)));
        assert!(matches!(encode("山田", &std()), Cow::Borrowed(_)));
    }
}

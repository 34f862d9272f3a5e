//! MSH-18 (character set) read from the raw bytes before decoding, and the character set it names
//! (jp-standards.md §4.3). MSH-1 is the byte after `MSH`, MSH-2 the encoding characters; the fields up
//! to MSH-18 are ASCII except for text in ISO 2022 escape runs, which is skipped.

use super::charset::{Charset, ESC};
use super::delimiters::Delimiters;
use super::error::ParseError;
use super::position::Position;

/// The character set MSH-18 names; repetitions are combined (`~ISO IR87`, `ISO IR6~ISO IR87~ISO IR13`).
pub fn charset_from_msh18(value: &str, repetition: char) -> Result<Charset, ParseError> {
    let bad = |reason| ParseError::BadCharset {
        value: value.to_owned(),
        reason,
    };
    let (mut jis, mut katakana, mut other) = (false, false, None);
    for rep in value.split(repetition) {
        let name: String = rep
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let charset = match name.as_str() {
            "" | "ASCII" | "ISOIR6" => continue,
            "ISOIR87" | "ISO20221994" => {
                jis = true;
                continue;
            }
            "ISOIR13" => {
                katakana = true;
                continue;
            }
            "ISOIR159" => return Err(bad("JIS X 0212 is not supported")),
            "SHIFTJIS" | "SJIS" | "CP932" | "WINDOWS31J" => Charset::ShiftJis,
            "UNICODEUTF8" | "UTF8" => Charset::Utf8,
            "8859/1" | "ISO88591" => Charset::Latin1,
            _ => return Err(bad("unknown character set")),
        };
        match other {
            Some(seen) if seen != charset => return Err(bad("conflicting character sets")),
            _ => other = Some(charset),
        }
    }
    match (jis, katakana, other) {
        (true, _, None) => Ok(Charset::Iso2022Jp),
        (false, true, None | Some(Charset::ShiftJis)) => Ok(Charset::ShiftJis),
        (false, false, Some(charset)) => Ok(charset),
        (false, false, None) => Ok(Charset::Ascii),
        _ => Err(bad("conflicting character sets")),
    }
}

/// Finds the first MSH in the raw bytes and returns MSH-18 and the repetition character; `None` when
/// the input is a batch without messages. Bytes inside ISO 2022 double-byte runs are skipped, since they
/// may hold `|` or CR-free lookalikes of the delimiters.
pub(crate) fn read_msh18(bytes: &[u8]) -> Result<Option<(String, char)>, ParseError> {
    let start = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0B))
        .ok_or(ParseError::Empty)?;
    let head = &bytes[start..];
    let msh = if head.starts_with(b"MSH") {
        start
    } else if head.starts_with(b"FHS") || head.starts_with(b"BHS") {
        match find_msh_line(bytes, start) {
            Some(at) => at,
            None => return Ok(None),
        }
    } else if head.len() >= 4
        && head[..3]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && head[0].is_ascii_uppercase()
        && head[3].is_ascii_punctuation()
    {
        return Err(ParseError::MissingMsh {
            segment: String::from_utf8_lossy(&head[..3]).into_owned(),
            line: 1,
        });
    } else {
        return Err(ParseError::NotHl7 {
            byte: start,
            reason: "the input does not start with an MSH, FHS or BHS segment",
        });
    };
    let Some(&separator) = bytes.get(msh + 3) else {
        return Err(ParseError::Truncated {
            position: Position::field_of("MSH", 1),
        });
    };
    let encoding: Vec<u8> = bytes[msh + 4..]
        .iter()
        .take_while(|&&b| b != separator && b != b'\r' && b != b'\n')
        .copied()
        .collect();
    // The delimiters are checked before MSH-18 is read with them, so that bad ones are reported as
    // what they are rather than as a strange character set.
    if encoding.is_ascii() {
        let text: String = encoding.iter().map(|&b| char::from(b)).collect();
        Delimiters::from_header("MSH", char::from(separator), &text)?;
    }
    let repetition = encoding.get(1).map_or('~', |&b| char::from(b));
    let mut field = 2;
    let mut value = Vec::new();
    let mut ascii = true;
    let mut i = msh + 4 + encoding.len();
    while let Some(&b) = bytes.get(i) {
        if b == ESC {
            // ESC ( B and ESC ( J return to one-byte ASCII-like text; ESC $ ... starts double bytes.
            ascii = matches!(bytes.get(i + 1..i + 3), Some([b'(', b'B' | b'J']));
            i += 3;
            continue;
        }
        if ascii {
            if b == b'\r' || b == b'\n' {
                break;
            }
            if b == separator {
                field += 1;
                if field > 18 {
                    break;
                }
                i += 1;
                continue;
            }
        }
        if field == 18 {
            value.push(b);
        }
        i += 1;
    }
    Ok(Some((
        String::from_utf8_lossy(&value).into_owned(),
        repetition,
    )))
}

/// The byte offset of the first line starting with `MSH` after `from`.
fn find_msh_line(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len())
        .find(|&i| {
            matches!(bytes[i], b'\r' | b'\n') && bytes.get(i + 1..i + 4) == Some(b"MSH".as_slice())
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repetitions_are_combined() {
        let cases = [
            ("~ISO IR87", Charset::Iso2022Jp),
            ("~ISOIR87", Charset::Iso2022Jp),
            ("iso ir87", Charset::Iso2022Jp),
            ("~ISO IR87~ISO IR13", Charset::Iso2022Jp),
            ("ISO IR13", Charset::ShiftJis),
            ("SJIS~ISO IR13", Charset::ShiftJis),
            ("~", Charset::Ascii),
            ("ISO IR6", Charset::Ascii),
        ];
        for (value, expected) in cases {
            assert_eq!(charset_from_msh18(value, '~').unwrap(), expected, "{value}");
        }
        assert_eq!(
            charset_from_msh18("*ISO IR87", '*').unwrap(),
            Charset::Iso2022Jp
        );
        assert!(charset_from_msh18("ISO IR87~UTF-8", '~').is_err());
    }

    #[test]
    fn msh_18_is_found_after_a_batch_header_and_past_escape_runs() {
        let raw = b"FHS|^~\\&\rMSH|^~\\&|\x1b$B4|\x1b(B||||||ADT^A08|1|P|2.5||||||~ISO IR87|x\r";
        assert_eq!(
            read_msh18(raw).unwrap(),
            Some(("~ISO IR87".to_owned(), '~'))
        );
        assert_eq!(
            read_msh18(b"MSH|^~\\&|A\r").unwrap(),
            Some((String::new(), '~'))
        );
        assert_eq!(read_msh18(b"BHS|^~\\&\rBTS|0").unwrap(), None);
    }
}

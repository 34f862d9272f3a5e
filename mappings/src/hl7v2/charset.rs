//! Character sets of HL7 v2 bytes (jp-standards.md §4.3, crates.md §4): MSH-18 is read from the ASCII
//! prefix of the raw bytes, the whole message is decoded to UTF-8 *before* it is split (JIS X 0208 bytes
//! inside `ESC $ B` runs collide with `|^~\&`), and text can be encoded back for sending.
//!
//! ISO-8859-1 (`8859/1`) is decoded byte for byte (U+0000–U+00FF), not as windows-1252.

use std::fmt;

use encoding_rs::{DecoderResult, EncoderResult, Encoding, ISO_2022_JP, SHIFT_JIS};

use super::error::ParseError;
use super::msh18::{charset_from_msh18, read_msh18};

pub(crate) const ESC: u8 = 0x1B;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A character set we decode and encode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Charset {
    /// MSH-18 empty or `ASCII` / `ISO IR6`; decoded as UTF-8 (a superset), losslessly checked.
    Ascii,
    /// `UNICODE UTF-8`, `UTF-8`.
    Utf8,
    /// `~ISO IR87` (JIS X 0208 by ISO 2022 escapes), optionally with `ISO IR13` half-width kana.
    Iso2022Jp,
    /// `SHIFT_JIS`, `SJIS`, or `ISO IR13` alone (the WHATWG Shift_JIS, i.e. windows-31j).
    ShiftJis,
    /// `8859/1`.
    Latin1,
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Charset::Ascii => "ASCII",
            Charset::Utf8 => "UTF-8",
            Charset::Iso2022Jp => "ISO-2022-JP",
            Charset::ShiftJis => "Shift_JIS",
            Charset::Latin1 => "ISO-8859-1",
        })
    }
}

/// Something odd about the bytes that did not stop decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CharsetWarning {
    /// MSH-18 says ISO-2022-JP but the bytes hold no escape and are UTF-8 (seen in the Acedia corpus).
    Utf8LabelledIso2022Jp { msh18: String },
    /// MSH-18 is empty but the bytes hold `ESC $` switches; decoded as ISO-2022-JP.
    Iso2022JpWithoutLabel,
    /// MSH-18 is empty but the bytes hold non-ASCII UTF-8; decoded as UTF-8.
    NonAsciiWithoutLabel,
    /// A UTF-8 byte order mark was removed.
    ByteOrderMark,
}

impl fmt::Display for CharsetWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CharsetWarning::Utf8LabelledIso2022Jp { msh18 } => write!(
                f,
                "MSH-18 is {msh18:?} (ISO-2022-JP) but the bytes are UTF-8; decoded as UTF-8"
            ),
            CharsetWarning::Iso2022JpWithoutLabel => f.write_str(
                "MSH-18 is empty but the bytes hold ISO-2022-JP escapes; decoded as ISO-2022-JP",
            ),
            CharsetWarning::NonAsciiWithoutLabel => {
                f.write_str("MSH-18 is empty but the bytes hold non-ASCII UTF-8; decoded as UTF-8")
            }
            CharsetWarning::ByteOrderMark => f.write_str("a UTF-8 byte order mark was removed"),
        }
    }
}

/// Bytes decoded to text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// MSH-18 as written (empty when absent).
    pub msh18: String,
    /// The character set MSH-18 names.
    pub declared: Charset,
    /// The character set actually used.
    pub used: Charset,
    pub warnings: Vec<CharsetWarning>,
}

/// Reads MSH-18 from the raw bytes and decodes them to UTF-8.
pub fn decode(raw: &[u8]) -> Result<Decoded, ParseError> {
    let mut warnings = Vec::new();
    let (bytes, skipped) = match raw.strip_prefix(BOM) {
        Some(rest) => {
            warnings.push(CharsetWarning::ByteOrderMark);
            (rest, BOM.len())
        }
        None => (raw, 0),
    };
    if let Some(byte) = bytes.iter().position(|&b| b == 0) {
        return Err(ParseError::NotHl7 {
            byte: byte + skipped,
            reason: "NUL byte (binary data)",
        });
    }
    let msh18 = read_msh18(bytes).map_err(|e| shift(e, skipped))?;
    let repetition = msh18.as_ref().map_or('~', |(_, r)| *r);
    let msh18 = msh18.map(|(v, _)| v).unwrap_or_default();
    let declared = charset_from_msh18(&msh18, repetition)?;
    let has_esc = bytes.contains(&ESC);
    let used = match declared {
        Charset::Iso2022Jp
            if !has_esc && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() =>
        {
            warnings.push(CharsetWarning::Utf8LabelledIso2022Jp {
                msh18: msh18.clone(),
            });
            Charset::Utf8
        }
        Charset::Ascii if bytes.windows(2).any(|w| w == [ESC, b'$']) => {
            warnings.push(CharsetWarning::Iso2022JpWithoutLabel);
            Charset::Iso2022Jp
        }
        Charset::Ascii if !bytes.is_ascii() => {
            warnings.push(CharsetWarning::NonAsciiWithoutLabel);
            Charset::Utf8
        }
        other => other,
    };
    let text = decode_as(bytes, used).map_err(|e| shift(e, skipped))?;
    Ok(Decoded {
        text,
        msh18,
        declared,
        used,
        warnings,
    })
}

/// Decodes bytes in one character set; malformed bytes are an error with their offset (no U+FFFD).
pub fn decode_as(bytes: &[u8], charset: Charset) -> Result<String, ParseError> {
    match charset {
        Charset::Ascii | Charset::Utf8 => {
            let (bom, body) = match bytes.strip_prefix(BOM) {
                Some(body) => (BOM.len(), body),
                None => (0, bytes),
            };
            match std::str::from_utf8(body) {
                Ok(s) => Ok(s.to_owned()),
                Err(e) => Err(ParseError::Malformed {
                    charset,
                    offset: bom + e.valid_up_to(),
                }),
            }
        }
        Charset::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        Charset::Iso2022Jp => decode_with(ISO_2022_JP, bytes, charset),
        Charset::ShiftJis => decode_with(SHIFT_JIS, bytes, charset),
    }
}

fn decode_with(
    encoding: &'static Encoding,
    bytes: &[u8],
    charset: Charset,
) -> Result<String, ParseError> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len());
    let mut out = String::with_capacity(capacity);
    let mut read_total = 0;
    loop {
        let rest = bytes.get(read_total..).unwrap_or_default();
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, true);
        read_total += read;
        match result {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => {
                out.reserve(rest.len().saturating_mul(3).saturating_add(16))
            }
            DecoderResult::Malformed(bad, extra) => {
                return Err(ParseError::Malformed {
                    charset,
                    offset: read_total.saturating_sub(usize::from(bad) + usize::from(extra)),
                })
            }
        }
    }
}

/// Encodes text in a character set; a character without a code is an error (no `&#NNNN;`).
/// encoding_rs turns half-width katakana into full-width ones in ISO-2022-JP.
pub fn encode(text: &str, charset: Charset) -> Result<Vec<u8>, ParseError> {
    let unmappable = |(index, ch): (usize, char)| ParseError::Unmappable { charset, ch, index };
    match charset {
        Charset::Utf8 => Ok(text.as_bytes().to_vec()),
        Charset::Ascii => match text.char_indices().find(|(_, c)| !c.is_ascii()) {
            Some(found) => Err(unmappable(found)),
            None => Ok(text.as_bytes().to_vec()),
        },
        Charset::Latin1 => text
            .char_indices()
            .map(|(i, c)| u8::try_from(u32::from(c)).map_err(|_| unmappable((i, c))))
            .collect(),
        Charset::Iso2022Jp => encode_with(ISO_2022_JP, text, charset),
        Charset::ShiftJis => encode_with(SHIFT_JIS, text, charset),
    }
}

fn encode_with(
    encoding: &'static Encoding,
    text: &str,
    charset: Charset,
) -> Result<Vec<u8>, ParseError> {
    let mut encoder = encoding.new_encoder();
    let capacity = encoder
        .max_buffer_length_from_utf8_without_replacement(text.len())
        .unwrap_or(text.len());
    let mut out = Vec::with_capacity(capacity);
    let mut read_total = 0;
    loop {
        let rest = text.get(read_total..).unwrap_or_default();
        let (result, read) =
            encoder.encode_from_utf8_to_vec_without_replacement(rest, &mut out, true);
        read_total += read;
        match result {
            EncoderResult::InputEmpty => return Ok(out),
            EncoderResult::OutputFull => {
                out.reserve(rest.len().saturating_mul(2).saturating_add(16))
            }
            EncoderResult::Unmappable(ch) => {
                return Err(ParseError::Unmappable {
                    charset,
                    ch,
                    index: read_total.saturating_sub(ch.len_utf8()),
                })
            }
        }
    }
}

fn shift(error: ParseError, by: usize) -> ParseError {
    match error {
        ParseError::NotHl7 { byte, reason } => ParseError::NotHl7 {
            byte: byte + by,
            reason,
        },
        ParseError::Malformed { charset, offset } => ParseError::Malformed {
            charset,
            offset: offset + by,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msh(msh18: &str) -> String {
        format!("MSH|^~\\&|HIS|SEND|GW|RCV|20080203163012||OUL^R22^OUL_R22|1|P|2.5||||||{msh18}||ISO2022-1994\rPID|1\r")
    }

    #[test]
    fn msh_18_variants_name_their_charsets() {
        let cases = [
            ("~ISO IR87", Charset::Iso2022Jp),
            ("ISO IR87", Charset::Iso2022Jp),
            ("~ISOIR87", Charset::Iso2022Jp),
            ("ISO 2022-1994", Charset::Iso2022Jp),
            ("ISO2022-1994", Charset::Iso2022Jp),
            ("~ISO IR87~ISO IR13", Charset::Iso2022Jp),
            ("ISO IR6~ISO IR87", Charset::Iso2022Jp),
            ("SHIFT_JIS", Charset::ShiftJis),
            ("SJIS", Charset::ShiftJis),
            ("ISO IR13", Charset::ShiftJis),
            ("UNICODE UTF-8", Charset::Utf8),
            ("UTF-8", Charset::Utf8),
            ("8859/1", Charset::Latin1),
            ("", Charset::Ascii),
            ("ASCII", Charset::Ascii),
        ];
        for (value, expected) in cases {
            assert_eq!(
                decode(msh(value).as_bytes()).unwrap().declared,
                expected,
                "{value}"
            );
        }
    }

    #[test]
    fn unknown_and_conflicting_charsets_are_errors() {
        for value in [
            "KLINGON",
            "UTF-8~SJIS",
            "~ISO IR87~UNICODE UTF-8",
            "~ISO IR159",
        ] {
            let err = decode(msh(value).as_bytes()).unwrap_err();
            assert!(
                matches!(err, ParseError::BadCharset { .. }),
                "{value}: {err}"
            );
        }
    }

    #[test]
    fn iso_2022_jp_decodes_and_round_trips() {
        let text = msh("~ISO IR87").replace("PID|1", "PID|1||1^^^^PI||山田^太郎");
        let bytes = encode(&text, Charset::Iso2022Jp).unwrap();
        assert!(bytes.is_ascii() && bytes.contains(&ESC));
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.used, Charset::Iso2022Jp);
        assert!(decoded.warnings.is_empty());
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn jis_bytes_that_look_like_delimiters_do_not_confuse_msh_18() {
        // 万 is 4B 7C in JIS X 0208: a `|` byte inside the ESC $ B run of MSH-4.
        let text = "MSH|^~\\&|HIS|万|GW|RCV|2008||ADT^A08|1|P|2.5||||||~ISO IR87\r";
        let bytes = encode(text, Charset::Iso2022Jp).unwrap();
        assert!(bytes.windows(2).any(|w| w == [0x4B, b'|']));
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.msh18, "~ISO IR87");
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn utf8_labelled_iso_2022_jp_is_decoded_with_a_warning() {
        let text = msh("~ISO IR87").replace("PID|1", "PID|1||1||山田^太郎");
        let decoded = decode(text.as_bytes()).unwrap();
        assert_eq!(
            (decoded.declared, decoded.used),
            (Charset::Iso2022Jp, Charset::Utf8)
        );
        assert!(matches!(
            decoded.warnings[..],
            [CharsetWarning::Utf8LabelledIso2022Jp { .. }]
        ));
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn unlabelled_escapes_and_utf8_get_warnings() {
        let text = msh("").replace("PID|1", "PID|1||1||山田");
        let jis = encode(&text, Charset::Iso2022Jp).unwrap();
        let decoded = decode(&jis).unwrap();
        assert_eq!(decoded.used, Charset::Iso2022Jp);
        assert_eq!(
            decoded.warnings,
            vec![CharsetWarning::Iso2022JpWithoutLabel]
        );
        let decoded = decode(text.as_bytes()).unwrap();
        assert_eq!(decoded.warnings, vec![CharsetWarning::NonAsciiWithoutLabel]);
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let mut bytes = BOM.to_vec();
        bytes.extend_from_slice(msh("UNICODE UTF-8").as_bytes());
        let decoded = decode(&bytes).unwrap();
        assert!(decoded.text.starts_with("MSH|"));
        assert_eq!(decoded.warnings, vec![CharsetWarning::ByteOrderMark]);
    }

    #[test]
    fn shift_jis_and_latin1_decode() {
        let text = msh("SHIFT_JIS").replace("PID|1", "PID|1||1||山田^ﾀﾛｳ");
        let bytes = encode(&text, Charset::ShiftJis).unwrap();
        assert_eq!(decode(&bytes).unwrap().text, text);
        let text = msh("8859/1").replace("PID|1", "PID|1||1||Müller");
        let bytes = encode(&text, Charset::Latin1).unwrap();
        assert_eq!(bytes.iter().filter(|&&b| b == 0xFC).count(), 1);
        assert_eq!(decode(&bytes).unwrap().text, text);
    }

    #[test]
    fn half_width_katakana_in_iso_ir13_runs_decode() {
        // ESC ( I switches to JIS X 0201 katakana: `6` `E` are ｶ ﾅ.
        let mut bytes = msh("~ISO IR87~ISO IR13").into_bytes();
        bytes.extend_from_slice(b"NTE|1||\x1b(I6E\x1b(B\r");
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.declared, Charset::Iso2022Jp);
        assert!(decoded.text.ends_with("NTE|1||ｶﾅ\r"), "{}", decoded.text);
    }

    #[test]
    fn malformed_bytes_are_errors_with_their_offset() {
        let mut bytes = msh("UNICODE UTF-8").into_bytes();
        let at = bytes.len();
        bytes.extend_from_slice(b"\xFF\xFE");
        assert_eq!(
            decode(&bytes).unwrap_err(),
            ParseError::Malformed {
                charset: Charset::Utf8,
                offset: at
            }
        );
        let mut bytes = msh("~ISO IR87").into_bytes();
        let at = bytes.len();
        bytes.extend_from_slice(b"\x1B$B\x0A");
        let err = decode(&bytes).unwrap_err();
        assert!(
            matches!(err, ParseError::Malformed { charset: Charset::Iso2022Jp, offset } if offset >= at),
            "{err}"
        );
        let mut bytes = msh("SJIS").into_bytes();
        bytes.extend_from_slice(b"\x81");
        assert!(matches!(
            decode(&bytes).unwrap_err(),
            ParseError::Malformed { .. }
        ));
    }

    #[test]
    fn unmappable_characters_are_errors() {
        let err = encode("abc😀", Charset::Iso2022Jp).unwrap_err();
        assert_eq!(
            err,
            ParseError::Unmappable {
                charset: Charset::Iso2022Jp,
                ch: '😀',
                index: 3
            }
        );
        assert!(matches!(
            encode("山", Charset::Ascii),
            Err(ParseError::Unmappable { index: 0, .. })
        ));
        assert!(matches!(
            encode("a山", Charset::Latin1),
            Err(ParseError::Unmappable { index: 1, .. })
        ));
        assert!(matches!(
            encode("😀", Charset::ShiftJis),
            Err(ParseError::Unmappable { .. })
        ));
    }

    #[test]
    fn not_hl7_inputs_are_errors() {
        assert_eq!(decode(b"   \r\n").unwrap_err(), ParseError::Empty);
        assert!(matches!(
            decode(b"{\"resourceType\":1}").unwrap_err(),
            ParseError::NotHl7 { byte: 0, .. }
        ));
        assert!(matches!(
            decode(b"MSH|\x00").unwrap_err(),
            ParseError::NotHl7 { byte: 4, .. }
        ));
        assert!(matches!(
            decode(b"PID|1\r").unwrap_err(),
            ParseError::MissingMsh { .. }
        ));
        assert!(matches!(
            decode(b"MSH").unwrap_err(),
            ParseError::Truncated { .. }
        ));
    }

    #[test]
    fn batches_take_the_charset_of_their_first_msh() {
        let text = format!(
            "FHS|^~\\&\rBHS|^~\\&\r{}BTS|1\rFTS|1\r",
            msh("UNICODE UTF-8")
        );
        assert_eq!(decode(text.as_bytes()).unwrap().declared, Charset::Utf8);
        assert_eq!(
            decode(b"BHS|^~\\&\rBTS|0\r").unwrap().declared,
            Charset::Ascii
        );
    }
}

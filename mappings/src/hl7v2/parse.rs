//! Splitting decoded HL7 v2 text into messages, segments and fields, and the byte-level entry point
//! that decodes by MSH-18 first (jp-standards.md §4.3).
//!
//! Our own splitter rather than hl7-parser 0.3.0 (crates.md §3): the splitting itself is a few lines of
//! `str::split` on the message's own delimiters, while hl7-parser would still need our escape decoder,
//! our charset step and our own batch (FHS/BHS/BTS/FTS) handling, gives errors without HL7 positions,
//! and borrows the input so a decoded `String` could not be returned with it. Owning the values keeps
//! `Message` free of lifetimes for the mapping layer.
//!
//! Segment terminators CR, LF and CRLF are all accepted (SS-MIX2 files use CR, the Acedia corpus LF);
//! blank lines, a leading BOM and MLLP framing bytes (VT, FS) are skipped.

use super::charset::{self, Decoded};
use super::delimiters::Delimiters;
use super::error::ParseError;
use super::message::{pieces, Field, Message, Segment};
use super::position::Position;

/// The default largest input, 10 MiB.
pub const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// Limits for reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Inputs longer than this many bytes are refused with [`ParseError::TooLarge`].
    pub max_bytes: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// The messages of one input, with the batch segments (FHS, BHS, BTS, FTS) around them, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Batch {
    pub envelope: Vec<Segment>,
    pub messages: Vec<Message>,
}

/// Bytes read: how they were decoded and what they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub decoded: Decoded,
    pub batch: Batch,
}

/// Decodes raw bytes by their MSH-18 and splits them into messages.
pub fn parse_bytes(raw: &[u8], options: &ParseOptions) -> Result<Parsed, ParseError> {
    check_size(raw.len(), options)?;
    let decoded = charset::decode(raw)?;
    let batch = parse_str(&decoded.text, options)?;
    Ok(Parsed { decoded, batch })
}

/// Splits decoded text into messages (one, several, or a batch).
pub fn parse_str(text: &str, options: &ParseOptions) -> Result<Batch, ParseError> {
    check_size(text.len(), options)?;
    let mut batch = Batch::default();
    let mut current: Option<Message> = None;
    let mut batch_delimiters: Option<Delimiters> = None;
    let mut any = false;
    for (number, (offset, line)) in lines(text).enumerate() {
        let number = number + 1;
        any = true;
        let name = line.get(..3).unwrap_or(line);
        match name {
            "FHS" | "BHS" => {
                batch.messages.extend(current.take());
                let (segment, d) = header(line, name)?;
                batch_delimiters = Some(d);
                batch.envelope.push(segment);
            }
            "BTS" | "FTS" => {
                let d = current
                    .as_ref()
                    .map(|m| m.delimiters)
                    .or(batch_delimiters)
                    .unwrap_or_default();
                batch.messages.extend(current.take());
                batch.envelope.push(segment(line, &d, number)?);
            }
            "MSH" => {
                batch.messages.extend(current.take());
                let (segment, d) = header(line, name)?;
                if segment.field(9).is_none_or(|f| f.join(&d).is_empty()) {
                    return Err(ParseError::Truncated {
                        position: Position::field_of("MSH", 9),
                    });
                }
                current = Some(Message {
                    delimiters: d,
                    segments: vec![segment],
                });
            }
            _ => match current.as_mut() {
                Some(message) => {
                    let s = segment(line, &message.delimiters, number)?;
                    message.segments.push(s);
                }
                None if valid_name(name) => {
                    return Err(ParseError::MissingMsh {
                        segment: name.to_owned(),
                        line: number,
                    })
                }
                None => {
                    return Err(ParseError::NotHl7 {
                        byte: offset,
                        reason: "a line that is not an HL7 segment comes before any MSH",
                    })
                }
            },
        }
    }
    batch.messages.extend(current.take());
    if !any {
        return Err(ParseError::Empty);
    }
    Ok(batch)
}

fn check_size(size: usize, options: &ParseOptions) -> Result<(), ParseError> {
    if size > options.max_bytes {
        return Err(ParseError::TooLarge {
            size,
            max: options.max_bytes,
        });
    }
    Ok(())
}

/// The non-blank lines with their byte offsets; CR, LF and CRLF all end a line.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split(['\r', '\n'])
        .map(move |line| {
            let start = offset;
            offset += line.len() + 1;
            (start, line)
        })
        .filter_map(|(start, line)| {
            let trimmed = line
                .trim_start_matches(['\u{feff}', '\u{0b}'])
                .trim_end_matches('\u{1c}');
            let start =
                start + (line.len() - line.trim_start_matches(['\u{feff}', '\u{0b}']).len());
            (!trimmed.trim().is_empty()).then_some((start, trimmed))
        })
}

fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 3
        && b[0].is_ascii_uppercase()
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// An MSH, FHS or BHS line: MSH-1 is the character after the name, MSH-2 runs to the next separator.
fn header(line: &str, name: &str) -> Result<(Segment, Delimiters), ParseError> {
    let after = line.get(3..).unwrap_or_default();
    let mut chars = after.chars();
    let Some(separator) = chars.next() else {
        return Err(ParseError::Truncated {
            position: Position::field_of(name, 1),
        });
    };
    let rest = chars.as_str();
    let (encoding, fields) = match rest.find(separator) {
        Some(i) => (&rest[..i], Some(&rest[i + separator.len_utf8()..])),
        None => (rest, None),
    };
    if encoding.is_empty() {
        return Err(ParseError::Truncated {
            position: Position::field_of(name, 2),
        });
    }
    let d = Delimiters::from_header(name, separator, encoding)?;
    let mut all = vec![Field::value(&separator.to_string()), Field::value(encoding)];
    if let Some(fields) = fields {
        all.extend(pieces(fields, separator).map(|f| Field::parse(f, &d)));
    }
    Ok((
        Segment {
            name: name.to_owned(),
            fields: all,
        },
        d,
    ))
}

/// Any other segment.
fn segment(line: &str, d: &Delimiters, number: usize) -> Result<Segment, ParseError> {
    let (name, fields) = match line.find(d.field) {
        Some(i) => (&line[..i], Some(&line[i + d.field.len_utf8()..])),
        None => (line, None),
    };
    if !valid_name(name) {
        return Err(ParseError::BadSegmentName {
            name: name.chars().take(20).collect(),
            line: number,
        });
    }
    Ok(Segment {
        name: name.to_owned(),
        fields: fields.map_or_else(Vec::new, |f| {
            pieces(f, d.field).map(|f| Field::parse(f, d)).collect()
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSH: &str = "MSH|^~\\&|HIS|SEND|GW|RCV|20080203163012||ADT^A08^ADT_A01|1|P|2.5";

    fn parse(text: &str) -> Result<Batch, ParseError> {
        parse_str(text, &ParseOptions::default())
    }

    #[test]
    fn cr_lf_and_crlf_terminators_give_the_same_message() {
        let body = [MSH, "PID|1||123^^^^PI||山田^太郎", "PV1|1|O"];
        let expected = parse(&body.join("\r")).unwrap();
        for sep in ["\n", "\r\n", "\r\r", "\n\n"] {
            let text = format!("{}{sep}", body.join(sep));
            assert_eq!(parse(&text).unwrap(), expected, "{sep:?}");
        }
        assert_eq!(expected.messages[0].segments().len(), 3);
    }

    #[test]
    fn batches_are_split_into_messages() {
        let text = format!(
            "FHS|^~\\&|HIS\rBHS|^~\\&|HIS\r{MSH}\rPID|1\r{}\rPID|2\rBTS|2\rFTS|1\r",
            MSH.replace("|1|P|", "|2|P|")
        );
        let batch = parse(&text).unwrap();
        assert_eq!(batch.messages.len(), 2);
        let names: Vec<&str> = batch.envelope.iter().map(Segment::name).collect();
        assert_eq!(names, ["FHS", "BHS", "BTS", "FTS"]);
        assert_eq!(batch.messages[1].get("MSH-10").as_deref(), Some("2"));
        assert_eq!(batch.messages[1].get("PID-1").as_deref(), Some("2"));
        assert_eq!(
            batch.envelope[2]
                .field(1)
                .map(|f| f.join(&Delimiters::default()).into_owned()),
            Some("2".into())
        );
    }

    #[test]
    fn the_message_own_delimiters_split_it() {
        let text =
            "MSH#$*!@#HIS######ADT$A08#1#P#2.5\rPID#1##123$$$$PI##山田$太郎*ヤマダ$タロウ#x|y^z~w\r";
        let batch = parse(text).unwrap();
        let m = &batch.messages[0];
        assert_eq!(m.get("MSH-1").as_deref(), Some("#"));
        assert_eq!(m.get("MSH-2").as_deref(), Some("$*!@"));
        assert_eq!(m.get("MSH-9.2").as_deref(), Some("A08"));
        assert_eq!(m.get("PID-5[2].2").as_deref(), Some("タロウ"));
        assert_eq!(m.get("PID-6").as_deref(), Some("x|y^z~w"));
        assert_eq!(m.to_hl7(), text);
    }

    #[test]
    fn mllp_framing_and_bom_are_skipped() {
        let text = format!("\u{feff}\u{0b}{MSH}\rPID|1\r\u{1c}\r");
        let batch = parse(&text).unwrap();
        assert_eq!(batch.messages[0].segments().len(), 2);
    }

    #[test]
    fn every_error_kind_is_reported() {
        let small = ParseOptions { max_bytes: 10 };
        assert_eq!(
            parse_str(MSH, &small).unwrap_err(),
            ParseError::TooLarge {
                size: MSH.len(),
                max: 10
            }
        );
        assert_eq!(
            parse_bytes(MSH.as_bytes(), &small).unwrap_err().to_string(),
            format!(
                "message of {} bytes exceeds the maximum of 10 bytes",
                MSH.len()
            )
        );
        assert_eq!(parse(" \r\n\r").unwrap_err(), ParseError::Empty);
        assert!(matches!(
            parse("hello world").unwrap_err(),
            ParseError::NotHl7 { byte: 0, .. }
        ));
        assert_eq!(
            parse("PID|1\rMSH|^~\\&").unwrap_err(),
            ParseError::MissingMsh {
                segment: "PID".into(),
                line: 1
            }
        );
        let err = parse("MSH|^~").unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad delimiters at MSH-2: fewer than four encoding characters"
        );
        assert_eq!(
            parse("MSH").unwrap_err().to_string(),
            "truncated message: MSH-1 is missing"
        );
        assert_eq!(
            parse("MSH|").unwrap_err().to_string(),
            "truncated message: MSH-2 is missing"
        );
        let err = parse("MSH|^~\\&|HIS|SEND").unwrap_err();
        assert_eq!(err.to_string(), "truncated message: MSH-9 is missing");
        assert_eq!(
            err.position().map(ToString::to_string).as_deref(),
            Some("MSH-9")
        );
        assert_eq!(
            parse(&format!("{MSH}\rPID|1\r山田太郎\r")).unwrap_err(),
            ParseError::BadSegmentName {
                name: "山田太郎".into(),
                line: 3
            }
        );
        assert!(matches!(
            parse(&format!("{MSH}\rpid|1")).unwrap_err(),
            ParseError::BadSegmentName { .. }
        ));
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = b"MSH|^~\\&\r\nPIDOBX0123\x1b$B()\xe5\xb1\xb1\xff";
        for round in 0..3000 {
            let len = usize::try_from(next() % 200).unwrap_or(0);
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    if round % 2 == 0 {
                        r.to_le_bytes()[0]
                    } else {
                        alphabet[usize::try_from(r % alphabet.len() as u64).unwrap_or(0)]
                    }
                })
                .collect();
            let mut prefixed = b"MSH|^~\\&|".to_vec();
            prefixed.extend_from_slice(&bytes);
            for input in [&bytes, &prefixed] {
                if let Ok(parsed) = parse_bytes(input, &ParseOptions::default()) {
                    for m in &parsed.batch.messages {
                        let _ = m.value("PID-5[2].1");
                        let _ = m.to_hl7();
                    }
                }
            }
        }
    }

    #[test]
    fn a_ten_megabyte_message_is_parsed_or_refused_without_panicking() {
        let obx = "OBX|1|ST|A^所見||山田^太郎\\T\\花子~次|||\r";
        let mut text = format!("{MSH}\r");
        while text.len() < DEFAULT_MAX_BYTES - obx.len() {
            text.push_str(obx);
        }
        let batch = parse(&text).unwrap();
        assert!(batch.messages[0].segments().len() > 100_000);
        text.push_str(obx);
        text.push_str(obx);
        assert!(matches!(
            parse(&text).unwrap_err(),
            ParseError::TooLarge { .. }
        ));
        assert!(matches!(
            parse_bytes(text.as_bytes(), &ParseOptions::default()).unwrap_err(),
            ParseError::TooLarge { .. }
        ));
    }
}

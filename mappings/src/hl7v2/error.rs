//! The one error type of HL7 v2 reading: every failure of decoding, splitting and addressing, each with a
//! precise one-line message and, where it has one, the HL7 position or byte offset.

use super::charset::Charset;
use super::position::Position;

/// Why bytes or text could not be read as HL7 v2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The input is larger than [`super::ParseOptions::max_bytes`].
    #[error("message of {size} bytes exceeds the maximum of {max} bytes")]
    TooLarge { size: usize, max: usize },
    /// Nothing but whitespace.
    #[error("empty input: no HL7 segment")]
    Empty,
    /// The input does not look like HL7 v2 at all (binary data, JSON, a NUL byte...).
    #[error("not HL7 v2 at byte {byte}: {reason}")]
    NotHl7 { byte: usize, reason: &'static str },
    /// Segments come before any MSH header.
    #[error("missing MSH: segment {segment} (segment {line}) comes before any MSH")]
    MissingMsh { segment: String, line: usize },
    /// MSH-1 or MSH-2 (or FHS/BHS-1/2) are not usable delimiters.
    #[error("bad delimiters at {position}: {reason}")]
    BadDelimiters {
        position: Position,
        reason: &'static str,
    },
    /// The header ends before a required field.
    #[error("truncated message: {position} is missing")]
    Truncated { position: Position },
    /// A segment whose name is not three upper-case letters or digits.
    #[error("bad segment name {name:?} (segment {line})")]
    BadSegmentName { name: String, line: usize },
    /// MSH-18 names a character set we cannot decode.
    #[error("bad character set {value:?} in MSH-18: {reason}")]
    BadCharset { value: String, reason: &'static str },
    /// The bytes are not valid in the character set used to decode them.
    #[error("malformed {charset} bytes at byte {offset}")]
    Malformed { charset: Charset, offset: usize },
    /// A character of the text has no code in the target character set.
    #[error("character {ch:?} at byte {index} cannot be encoded in {charset}")]
    Unmappable {
        charset: Charset,
        ch: char,
        index: usize,
    },
    /// [`super::Message::parse`] was given a batch or several messages.
    #[error("expected one message, found {count} (and {envelope} batch segments)")]
    NotSingleMessage { count: usize, envelope: usize },
    /// A position string such as `PID-5[2].1` that does not parse.
    #[error("bad HL7 position {text:?}: {reason}")]
    BadPosition { text: String, reason: &'static str },
}

impl ParseError {
    /// The HL7 position the error is about, when it has one.
    pub fn position(&self) -> Option<&Position> {
        match self {
            ParseError::BadDelimiters { position, .. } | ParseError::Truncated { position } => {
                Some(position)
            }
            _ => None,
        }
    }
}

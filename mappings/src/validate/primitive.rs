//! FHIR R4 primitive datatypes in JSON: the JSON shape and lexical format of each value (R4 §2.24, §2.6.2).
//!
//! The validator calls [`check`] for every primitive value in a resource, so the checks are hand-written
//! scans that do not allocate when the value is valid. Only a fault builds a message.

mod datetime;
mod lexical;
#[cfg(test)]
mod tests;

use std::fmt::{self, Write as _};

use serde_json::{Number, Value};

use crate::fhir::json::json_type_name;
use datetime::DateTimeFault;

/// The maximum size of a `string` or `markdown` value in bytes (FHIR R4 §2.24.0.1: 1 MB).
pub const MAX_STRING_BYTES: usize = 1024 * 1024;

/// The maximum length of an `id` value in characters.
pub const MAX_ID_CHARS: usize = 64;

/// How many characters of a value a message may quote; longer values are cut and end in "…".
const MAX_ECHO_CHARS: usize = 64;

/// The prefix of the FHIRPath system types that snapshots use for `id`, `extension.url` and `*.value`.
const FHIRPATH_TYPE_PREFIX: &str = "http://hl7.org/fhirpath/";

/// The class of a primitive fault, so that the caller can choose an issue code and severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// The JSON value has the wrong JSON type (a string where a number belongs, a null, an array, …).
    WrongJsonType,
    /// The value does not match the lexical form of its type (including impossible calendar dates).
    Format,
    /// An integer type's value lies outside the type's range.
    Range,
    /// The value is longer than its type allows (`string`/`markdown` over 1 MB, `id` over 64 characters).
    TooLong,
    /// A `code` or `id` has leading or trailing whitespace, or a `code` has a run of whitespace inside.
    Whitespace,
}

/// Why a primitive value is not valid; `message` is one English sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PrimitiveFault {
    pub kind: FaultKind,
    pub message: String,
}

impl PrimitiveFault {
    fn new(kind: FaultKind, message: String) -> Self {
        PrimitiveFault { kind, message }
    }
}

/// The R4 primitive types, with the FHIRPath system types folded into their FHIR counterparts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Primitive {
    Boolean,
    Integer,
    PositiveInt,
    UnsignedInt,
    Decimal,
    String,
    Markdown,
    Code,
    Id,
    Uri,
    Url,
    Canonical,
    Oid,
    Uuid,
    Base64Binary,
    Date,
    DateTime,
    Instant,
    Time,
    Xhtml,
}

impl Primitive {
    /// The primitive for a type code, or None for complex types, resources and unknown codes.
    fn from_code(code: &str) -> Option<Self> {
        let code = code
            .strip_prefix(FHIRPATH_TYPE_PREFIX)
            .map_or(code, |system| {
                // Only the System.* names may follow the FHIRPath prefix.
                if system.starts_with("System.") {
                    system
                } else {
                    ""
                }
            });
        let primitive = match code {
            "boolean" | "System.Boolean" => Primitive::Boolean,
            "integer" | "System.Integer" => Primitive::Integer,
            "positiveInt" => Primitive::PositiveInt,
            "unsignedInt" => Primitive::UnsignedInt,
            "decimal" | "System.Decimal" => Primitive::Decimal,
            "string" | "System.String" => Primitive::String,
            "markdown" => Primitive::Markdown,
            "code" => Primitive::Code,
            "id" => Primitive::Id,
            "uri" => Primitive::Uri,
            "url" => Primitive::Url,
            "canonical" => Primitive::Canonical,
            "oid" => Primitive::Oid,
            "uuid" => Primitive::Uuid,
            "base64Binary" => Primitive::Base64Binary,
            "date" | "System.Date" => Primitive::Date,
            "dateTime" | "System.DateTime" => Primitive::DateTime,
            "instant" => Primitive::Instant,
            "time" | "System.Time" => Primitive::Time,
            "xhtml" => Primitive::Xhtml,
            _ => return None,
        };
        Some(primitive)
    }

    /// The FHIR name of the type, used in messages.
    fn name(self) -> &'static str {
        match self {
            Primitive::Boolean => "boolean",
            Primitive::Integer => "integer",
            Primitive::PositiveInt => "positiveInt",
            Primitive::UnsignedInt => "unsignedInt",
            Primitive::Decimal => "decimal",
            Primitive::String => "string",
            Primitive::Markdown => "markdown",
            Primitive::Code => "code",
            Primitive::Id => "id",
            Primitive::Uri => "uri",
            Primitive::Url => "url",
            Primitive::Canonical => "canonical",
            Primitive::Oid => "oid",
            Primitive::Uuid => "uuid",
            Primitive::Base64Binary => "base64Binary",
            Primitive::Date => "date",
            Primitive::DateTime => "dateTime",
            Primitive::Instant => "instant",
            Primitive::Time => "time",
            Primitive::Xhtml => "xhtml",
        }
    }
}

/// True for the R4 primitive types (`boolean` … `uuid`, `xhtml`) and the FHIRPath `System.*` types, written
/// either bare (`System.String`) or with the `http://hl7.org/fhirpath/` prefix that snapshots use.
pub fn is_primitive(type_code: &str) -> bool {
    Primitive::from_code(type_code).is_some()
}

/// Checks the JSON shape and lexical format of a value of FHIR R4 primitive type `type_code`.
///
/// `http://hl7.org/fhirpath/System.String` (and the other `System.*` types) are checked as their FHIR
/// counterparts. A `type_code` that is not primitive (see [`is_primitive`]) is not this function's concern
/// and yields `Ok(())`.
pub fn check(type_code: &str, value: &Value) -> Result<(), PrimitiveFault> {
    let Some(primitive) = Primitive::from_code(type_code) else {
        return Ok(());
    };
    match (primitive, value) {
        (_, Value::Null) => Err(PrimitiveFault::new(
            FaultKind::WrongJsonType,
            format!(
                "A JSON null is never a valid {} value; omit the element instead.",
                primitive.name()
            ),
        )),
        (Primitive::Boolean, Value::Bool(_)) => Ok(()),
        (Primitive::Boolean, other) => Err(wrong_json_type(primitive, "boolean", other)),
        (Primitive::Decimal, Value::Number(_)) => Ok(()),
        (
            Primitive::Integer | Primitive::PositiveInt | Primitive::UnsignedInt,
            Value::Number(n),
        ) => check_integer(primitive, n),
        (
            Primitive::Integer
            | Primitive::PositiveInt
            | Primitive::UnsignedInt
            | Primitive::Decimal,
            other,
        ) => Err(wrong_json_type(primitive, "number", other)),
        (_, Value::String(s)) => check_string(primitive, s),
        (_, other) => Err(wrong_json_type(primitive, "string", other)),
    }
}

/// The fault for a value of the wrong JSON type, e.g. "must be a JSON number, not a string".
fn wrong_json_type(primitive: Primitive, expected: &str, actual: &Value) -> PrimitiveFault {
    let actual = json_type_name(actual);
    PrimitiveFault::new(
        FaultKind::WrongJsonType,
        format!(
            "The {} value must be a JSON {expected}, not {actual}.",
            primitive.name()
        ),
    )
}

/// Checks `integer`, `positiveInt` and `unsignedInt`: integer number text within the type's range.
fn check_integer(primitive: Primitive, n: &Number) -> Result<(), PrimitiveFault> {
    let min: i64 = match primitive {
        Primitive::PositiveInt => 1,
        Primitive::UnsignedInt => 0,
        _ => i64::from(i32::MIN),
    };
    let max = i64::from(i32::MAX);
    // `as_i64` is None for number text with a fraction or exponent (and for integers beyond i64).
    if let Some(i) = n.as_i64() {
        if (min..=max).contains(&i) {
            return Ok(());
        }
    }
    let text = n.to_string();
    let digits = text.strip_prefix('-').unwrap_or(&text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        Err(PrimitiveFault::new(
            FaultKind::Range,
            format!(
                "{} is out of range for {} ({min} to {max}).",
                Echo(&text),
                primitive.name()
            ),
        ))
    } else {
        Err(PrimitiveFault::new(
            FaultKind::Format,
            format!(
                "{} is not a valid {}: it must be a whole number without a fraction or exponent.",
                Echo(&text),
                primitive.name()
            ),
        ))
    }
}

/// Checks the rules common to all string-based types, then the type's own lexical form.
fn check_string(primitive: Primitive, s: &str) -> Result<(), PrimitiveFault> {
    let name = primitive.name();
    if s.is_empty() {
        return Err(PrimitiveFault::new(
            FaultKind::Format,
            format!("An empty string is not a valid {name} value; omit the element instead."),
        ));
    }
    if matches!(primitive, Primitive::String | Primitive::Markdown) && s.len() > MAX_STRING_BYTES {
        return Err(PrimitiveFault::new(
            FaultKind::TooLong,
            format!(
                "The {name} value is {} bytes long, more than the maximum of {MAX_STRING_BYTES} bytes (1 MB).",
                s.len()
            ),
        ));
    }
    if let Some((position, c)) = first_control_char(s) {
        return Err(PrimitiveFault::new(
            FaultKind::Format,
            format!(
                "The {name} value contains the control character U+{:04X} at character {}; only tab, carriage return and line feed are allowed.",
                u32::from(c),
                position + 1
            ),
        ));
    }
    match primitive {
        Primitive::String | Primitive::Markdown => Ok(()),
        Primitive::Code => lexical::check_code(s),
        Primitive::Id => lexical::check_id(s),
        Primitive::Uri | Primitive::Url | Primitive::Canonical => lexical::check_uri(primitive, s),
        Primitive::Oid => lexical::check_oid(s),
        Primitive::Uuid => lexical::check_uuid(s),
        Primitive::Base64Binary => lexical::check_base64(s),
        Primitive::Xhtml => lexical::check_xhtml(s),
        Primitive::Date => date_fault(primitive, s, datetime::check_date(s)),
        Primitive::DateTime => date_fault(primitive, s, datetime::check_date_time(s)),
        Primitive::Instant => date_fault(primitive, s, datetime::check_instant(s)),
        Primitive::Time => date_fault(primitive, s, datetime::check_time(s)),
        // The JSON number and boolean types never reach the string checks.
        Primitive::Boolean
        | Primitive::Integer
        | Primitive::PositiveInt
        | Primitive::UnsignedInt
        | Primitive::Decimal => Ok(()),
    }
}

/// The first control character (other than tab, CR and LF) and its character position, if any.
fn first_control_char(s: &str) -> Option<(usize, char)> {
    // FHIR R4 §2.24.0.1 (string): no characters below U+0020 except tab, CR and LF. C1 controls
    // (U+0080–U+009F) are allowed, as the reference validator allows them (the official examples hold
    // them in narratives).
    let suspicious = s
        .bytes()
        .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'));
    if !suspicious {
        return None;
    }
    s.chars()
        .enumerate()
        .find(|&(_, c)| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
}

/// Turns a date/time check result into a fault with a message for `primitive`.
fn date_fault(
    primitive: Primitive,
    s: &str,
    result: Result<(), DateTimeFault>,
) -> Result<(), PrimitiveFault> {
    let fault = match result {
        Ok(()) => return Ok(()),
        Err(fault) => fault,
    };
    let value = Echo(s);
    let name = primitive.name();
    let message = match fault {
        DateTimeFault::NoSuchDay { year, month, days } => {
            format!("{value} is not a valid {name}: {year:04}-{month:02} has only {days} days.")
        }
        DateTimeFault::MissingTimezone => format!(
            "{value} is not a valid {name}: a time of day requires a timezone (Z, +hh:mm or -hh:mm)."
        ),
        DateTimeFault::Shape => match primitive {
            Primitive::Date => format!("{value} is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)."),
            Primitive::DateTime => format!(
                "{value} is not a valid dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.fff] with a timezone)."
            ),
            Primitive::Instant => format!(
                "{value} is not a valid instant (YYYY-MM-DDThh:mm:ss[.fff] followed by Z, +hh:mm or -hh:mm)."
            ),
            _ => format!("{value} is not a valid {name} (hh:mm:ss or hh:mm:ss.fff)."),
        },
    };
    Err(PrimitiveFault::new(FaultKind::Format, message))
}

/// A value quoted for a message: in single quotes, cut to [`MAX_ECHO_CHARS`] characters, with tab, CR, LF
/// and any other control character escaped so that the message stays on one line.
struct Echo<'a>(&'a str);

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('\'')?;
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(MAX_ECHO_CHARS) {
            match c {
                '\t' => f.write_str("\\t")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                c if c.is_control() => write!(f, "\\u{{{:04x}}}", u32::from(c))?,
                c => f.write_char(c)?,
            }
        }
        if chars.next().is_some() {
            f.write_char('…')?;
        }
        f.write_char('\'')
    }
}

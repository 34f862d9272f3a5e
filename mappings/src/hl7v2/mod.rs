//! Reading HL7 v2.5 messages as Japanese regional networks send them (JAHIS / SS-MIX2, issue #5 step 1;
//! jp-standards.md §4.3): bytes are decoded to UTF-8 by MSH-18 first, then split into segments, fields,
//! repetitions, components and subcomponents. No mapping to FHIR happens here.

pub mod ack;
pub mod build;
pub mod charset;
pub mod delimiters;
pub mod error;
pub mod escape;
pub mod message;
pub mod msh18;
pub mod parse;
pub mod position;

pub use build::{MessageBuilder, SegmentBuilder};
pub use charset::{Charset, CharsetWarning, Decoded};
pub use delimiters::Delimiters;
pub use error::ParseError;
pub use message::{Component, Field, Message, Repetition, Segment};
pub use parse::{parse_bytes, parse_str, Batch, ParseOptions, Parsed, DEFAULT_MAX_BYTES};
pub use position::Position;

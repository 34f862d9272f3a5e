//! The errors of FHIRPath parsing and evaluation.

/// An expression that does not parse (or uses an unknown function or constant).
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[error("FHIRPath syntax error at character {position}: {message}")]
pub struct ParseError {
    /// Character offset (0-based) in the expression text where the problem was found.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(position: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            position,
            message: message.into(),
        }
    }
}

/// An expression that parsed but could not be evaluated on the given input.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// A feature the engine does not implement (e.g. `memberOf`, a regex the `regex` crate refuses).
    #[error("FHIRPath feature not supported: {0}")]
    Unsupported(String),
    /// Operands of the wrong type (e.g. `'a' < 1`).
    #[error("FHIRPath type error: {0}")]
    Type(String),
    /// A collection with more than one item where a single item is required.
    #[error("FHIRPath: {0} needs a single item, got a collection of {1}")]
    NotSingleton(String, usize),
}

//! FHIRPath (http://hl7.org/fhirpath/N1/) for the invariants in StructureDefinition snapshots.
//!
//! Each expression is parsed once into an immutable syntax tree ([`Expression`], `Send + Sync`, cheap to
//! clone and share across threads) and evaluated synchronously over FHIR JSON (`serde_json::Value`)
//! without copying it: collection items borrow the message ([`Node`]). Primitives and their `_x`
//! siblings are navigated as one item, choice elements (`value[x]`) are found by their type suffix, and
//! an optional [`Model`] supplies exact types; without it the engine falls back on built-in R4 type
//! knowledge (see `types.rs`).
//!
//! Why our own engine rather than a crate: helios-fhirpath evaluates over its own typed model (we
//! would have to convert every message) and pins exact serde/serde_json versions for the whole
//! dependency graph; octofhir-fhirpath is async (boxed futures per node), about 80k lines with about 40
//! dependencies, and its current release needs rustc 1.98 (we build with 1.95).
//!
//! Deviations and gaps (documented, deliberate):
//! - `matches()` is a partial match (regex search, single-line mode), as in FHIRPath N1 and the
//!   reference Java engine; look-around and backreferences are refused by the `regex` crate and give
//!   [`EvalError::Unsupported`].
//! - Decimals are `f64`; `~` on decimals uses a small tolerance instead of the least precision.
//! - Date/time arithmetic, quantity arithmetic and unit conversion are unsupported
//!   ([`EvalError::Unsupported`]); quantities compare only when their units are the same.
//! - A date/time without timezone is compared as if it were UTC.
//! - `memberOf()` and `conformsTo()` return [`EvalError::Unsupported`] (terminology/profiles live
//!   elsewhere); `trace()` returns its input and logs nothing (this crate does no I/O).

mod ast;
mod error;
mod eval;
mod guard;
mod html;
mod lexer;
mod navigate;
mod parser;
mod temporal;
mod types;
mod value;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_invariants;
#[cfg(test)]
mod tests_nav;

use std::sync::Arc;

pub use ast::TypeSpec;
pub use error::{EvalError, ParseError};
pub use temporal::{Temporal, TemporalKind};
pub use types::{builtin_is_a, choice_suffix_type, is_resource_type};
pub use value::{Item, Node};

/// A parsed FHIRPath expression.
#[derive(Clone, Debug)]
pub struct Expression {
    text: Arc<str>,
    root: Arc<ast::Expr>,
    guard: Arc<guard::Guard>,
}

impl Expression {
    /// Parses `text`; unknown functions and constants are parse errors.
    pub fn parse(text: &str) -> Result<Expression, ParseError> {
        let root = parser::parse(text)?;
        Ok(Expression {
            text: text.into(),
            guard: Arc::new(guard::Guard::new(&root)),
            root: Arc::new(root),
        })
    }

    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates the expression with `focus` as the input (and `$this`).
    pub fn evaluate<'a>(&self, focus: Node<'a>, env: &Env<'a>) -> Result<Vec<Item<'a>>, EvalError> {
        eval::evaluate(&self.root, focus, env)
    }

    /// FHIR invariant semantics: a single boolean gives its value; any other non-empty result gives
    /// true (as the reference Java validator's `convertToBoolean`); an empty result also gives true,
    /// because an expression over an absent element does not apply
    /// (`fullUrl.contains('/_history/').not()` on a Bundle entry without fullUrl).
    pub fn is_satisfied<'a>(&self, focus: Node<'a>, env: &Env<'a>) -> Result<bool, EvalError> {
        if let Some(answer) = self.guard.answer(&self.root, &focus) {
            return Ok(answer);
        }
        let result = self.evaluate(focus, env)?;
        Ok(result.is_empty() || eval::truthy(&result))
    }
}

/// The evaluation environment: external constants, the clock value, the type model and the
/// reference resolver. Everything is optional.
#[derive(Clone, Copy, Default)]
pub struct Env<'a> {
    /// `%resource` (defaults to the focus when `None`).
    pub resource: Option<Node<'a>>,
    /// `%rootResource` (defaults to `%resource`).
    pub root_resource: Option<Node<'a>>,
    /// `%context` (defaults to the focus).
    pub context: Option<Node<'a>>,
    /// The instant for `now()`/`today()`, RFC 3339, given by the caller (this crate reads no clock).
    pub now: Option<&'a str>,
    /// Exact FHIR type information; without it built-in R4 rules are used.
    pub model: Option<&'a dyn Model>,
    /// Resolves references that are not `#id` for `resolve()` (e.g. Bundle entries).
    pub resolver: Option<&'a dyn Resolver>,
}

/// FHIR type information (from StructureDefinitions).
pub trait Model: Sync {
    /// The FHIR type of the child reached through JSON key `json_key` (e.g. "birthDate",
    /// "valueQuantity") of an element of type `parent`; `None` when unknown.
    fn child_type<'m>(&'m self, parent: &str, json_key: &str) -> Option<&'m str>;
    /// Whether `name` is a choice element (`value[x]`) of `parent`.
    fn is_choice(&self, parent: &str, name: &str) -> bool;
    /// Whether `type_name` is `ancestor` or derives from it.
    fn is_a(&self, type_name: &str, ancestor: &str) -> bool;
}

/// Resolves a reference string (`Patient/1`, `urn:uuid:…`) to a resource.
pub trait Resolver: Sync {
    /// The resource the reference points at, if known.
    fn resolve<'a>(&'a self, reference: &str) -> Option<Node<'a>>;
}

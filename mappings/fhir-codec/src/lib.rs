//! The only crate that calls fhirbolt (FHIR R4 typed model, JSON only).
//!
//! fhirbolt's (de)serialisers are generic and are monomorphised in whichever crate calls them, which costs
//! minutes of release build time; keeping every call here, behind non-generic functions, compiles them once
//! (../shared/docs/crates.md §2). Always parse into `r4::Resource`: deserialising into a concrete resource
//! type fails on any `code` that follows a nested resource (fhirbolt 0.4.0 bug, same document).

pub use fhirbolt::model::r4;
use fhirbolt::serde::{DeserializationConfig, DeserializationMode};

use std::panic::{catch_unwind, AssertUnwindSafe};

/// What fhirbolt reports about bad input; its text carries no location (see
/// `kakehashi_mappings::fhir::locate`). fhirbolt 0.4.0 also panics on some malformed input (an unwrap in
/// its element deserialiser, e.g. `"given":["a",1]`); such panics are caught and reported as errors too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs, once, a panic hook that stays silent for panics caught by `guarded` (they are input
/// errors, reported as such) and hands every other panic to the previous hook.
fn install_quiet_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(|g| g.get()) {
                previous(info);
            }
        }));
    });
}

fn guarded<T>(f: impl FnOnce() -> Result<T, fhirbolt::json::Error>) -> Result<T, Error> {
    install_quiet_hook();
    GUARDED.with(|g| g.set(true));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    match outcome {
        Ok(result) => result.map_err(|e| Error(e.to_string())),
        Err(_) => Err(Error(
            "malformed element (the typed parser failed on this input)".to_string(),
        )),
    }
}

/// Parses one resource strictly: unknown elements, missing required elements and type errors are errors.
pub fn parse_resource(json: &[u8]) -> Result<r4::Resource, Error> {
    guarded(|| {
        fhirbolt::json::from_slice(
            json,
            Some(DeserializationConfig {
                mode: DeserializationMode::Strict,
            }),
        )
    })
}

/// Serialises a resource to compact JSON in FHIR's canonical element order.
pub fn to_json(resource: &r4::Resource) -> Result<Vec<u8>, Error> {
    guarded(|| fhirbolt::json::to_vec(resource, None))
}

/// Parses strictly and serialises again: the typed round trip every stored resource goes through.
pub fn canonicalise(json: &[u8]) -> Result<Vec<u8>, Error> {
    to_json(&parse_resource(json)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_bundle_with_a_code_after_a_nested_resource() {
        let json = br#"{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","gender":"male"},"request":{"method":"PUT","url":"Patient/a"}}]}"#;
        let out = canonicalise(json).expect("bundle parses through Resource");
        assert!(String::from_utf8(out)
            .unwrap()
            .contains(r#""method":"PUT""#));
    }

    #[test]
    fn rejects_unknown_elements() {
        let err = parse_resource(br#"{"resourceType":"Patient","foo":1}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `foo`"));
    }

    #[test]
    fn a_panic_inside_fhirbolt_is_an_error() {
        let err = parse_resource(br#"{"resourceType":"Patient","name":[{"given":["a",1]}]}"#)
            .unwrap_err();
        assert!(!err.0.is_empty());
    }
}

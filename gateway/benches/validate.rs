//! Criterion benchmark of validation (issue #4): the 100-patient JP Core transaction Bundle
//! (`fixtures/fhir/bench/`) against JP Core 1.1.1 loaded as the server loads packages, with the profiles
//! compiled once beforehand (as in a running server), with and without the JSON parse and the typed
//! R4 parse that `kakehashi validate` adds.
//! Run: `cargo bench -p kakehashi --bench validate`.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use kakehashi::pipeline::validation::build_validator;
use kakehashi_mappings::fhir::canonicalise;
use kakehashi_mappings::validate::Options;
use serde_json::Value;

/// The package paths the gateway's tests use.
#[path = "../tests/common/mod.rs"]
mod common;

use common::JP_CORE;

const BUNDLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/fhir/bench/jp-core-transaction-100-patients.json"
);

fn bundle(c: &mut Criterion) {
    let validator = build_validator(&[PathBuf::from(JP_CORE)]).expect("JP Core loads");
    let bytes = std::fs::read(BUNDLE).expect("the bench Bundle");
    let json: Value = serde_json::from_slice(&bytes).expect("JSON");
    let options = Options::default();
    // The first run compiles the profiles it meets; a server has done that long before.
    let issues = validator.validate(&json, &options);
    assert!(
        !issues.iter().any(|i| i.is_error()),
        "the bench Bundle must be valid: {:?}",
        issues.iter().find(|i| i.is_error())
    );
    let mut group = c.benchmark_group("jp-core-transaction-100-patients");
    group.sample_size(30);
    group.bench_function("validate", |b| {
        b.iter(|| validator.validate(&json, &options))
    });
    group.bench_function("parse+typed+validate", |b| {
        b.iter(|| {
            let json: Value = serde_json::from_slice(&bytes).expect("JSON");
            let typed = canonicalise(&json).is_ok();
            (typed, validator.validate(&json, &options))
        })
    });
    group.finish();
}

criterion_group!(benches, bundle);
criterion_main!(benches);

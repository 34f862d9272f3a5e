//! What the gateway's test files share: running the real `kakehashi` and reading its output, and
//! where the FHIR packages in ../shared are.

use std::ffi::OsStr;
use std::process::{Command, Output};

/// Runs the built binary with `args` (no RUST_LOG from the caller's environment).
#[allow(dead_code)] // the package tests use only the paths below
pub fn kakehashi<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kakehashi"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("binary runs")
}

/// JP Core 1.1.1 as published (.tgz), in ../shared.
#[allow(dead_code)] // not every test file loads packages
pub const JP_CORE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpora/fhir-packages/jp-core.r4-1.1.1-snap.tgz"
);

/// The JAMI e-prescription IG as an unpacked folder, in ../shared.
#[allow(dead_code)]
pub const JAMI_EPRESCRIPTION: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpora/eprescription/jami-eprescription-ig/package"
);

/// Output bytes as text (lossy).
#[allow(dead_code)] // not every test file prints output
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

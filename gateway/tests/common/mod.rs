//! What the binary's test files share: running the real `kakehashi` and reading its output.

use std::ffi::OsStr;
use std::process::{Command, Output};

/// Runs the built binary with `args` (no RUST_LOG from the caller's environment).
pub fn kakehashi<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kakehashi"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("binary runs")
}

/// Output bytes as text (lossy).
#[allow(dead_code)] // not every test file prints output
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

//! Shared by the mappings integration tests (and the gateway's HL7 v2 validation test): the files under a
//! folder, and where the official R4 package (`hl7.fhir.r4.examples`
//! 4.0.1) is unpacked, fetched with `../shared/scripts/fetch-fhir-r4-examples.sh` when missing. A missing
//! package is a failure, never a silent skip.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the example package is unpacked when `KAKEHASHI_FHIR_EXAMPLES` is unset.
const DEFAULT_DIR: &str = ".cache/kakehashi/fhir-r4-examples";
const FETCH_SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/scripts/fetch-fhir-r4-examples.sh"
);

/// The `package` folder of the R4 examples, fetched when missing.
#[allow(dead_code)] // the HL7 v2 tests use only `files_under`
pub fn r4_package_dir() -> PathBuf {
    let root = match std::env::var_os("KAKEHASHI_FHIR_EXAMPLES") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => {
            let home =
                std::env::var_os("HOME").expect("HOME is set (or set KAKEHASHI_FHIR_EXAMPLES)");
            Path::new(&home).join(DEFAULT_DIR)
        }
    };
    let package = root.join("package");
    if package.is_dir() {
        return package;
    }
    eprintln!(
        "FHIR R4 package missing at {}; fetching it with {FETCH_SCRIPT}",
        package.display()
    );
    let output = Command::new("bash")
        .arg(FETCH_SCRIPT)
        .arg(&root)
        .output()
        .unwrap_or_else(|e| panic!("could not run {FETCH_SCRIPT}: {e}"));
    assert!(
        output.status.success(),
        "fetching the FHIR R4 package failed ({}); run `bash {FETCH_SCRIPT}` by hand or set \
         KAKEHASHI_FHIR_EXAMPLES to a folder holding package/*.json.\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let printed = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| PathBuf::from(l.trim()).join("package"));
    let package = printed.unwrap_or(package);
    assert!(
        package.is_dir(),
        "the fetch script succeeded but {} is not a folder",
        package.display()
    );
    package
}

/// Every file under `dir`, sorted by path; none when `dir` cannot be read.
#[allow(dead_code)] // not every test file walks a folder
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect()
}

//! The committed `definitions/r4-core.json.gz` equals `compact` of the R4 package; regenerate it with `UPDATE_GOLDEN=1 cargo test -p kakehashi-mappings --test r4_core_definitions`.
//!
//! The R4 conformance resources come from the `hl7.fhir.r4.examples@4.0.1` package (which carries
//! every `hl7.fhir.r4.core@4.0.1` StructureDefinition, ValueSet and CodeSystem), unpacked under
//! `$KAKEHASHI_FHIR_EXAMPLES/package` or `$HOME/.cache/kakehashi/fhir-r4-examples/package`; when the
//! folder is missing, `shared/scripts/fetch-fhir-r4-examples.sh` downloads it. The test never skips
//! silently: a missing package is a failure.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod common;

use kakehashi_mappings::validate::core::{compact, embedded_r4_core};
use serde_json::Value;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/definitions/r4-core.json.gz");
/// The resource types `compact` reads; other files are not parsed, to keep the test quick.
const READ_PREFIXES: &[&str] = &["StructureDefinition-", "ValueSet-", "CodeSystem-"];

/// The StructureDefinition, ValueSet and CodeSystem files of the package, parsed, sorted by file name.
fn load_conformance(dir: &Path) -> Vec<Value> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            name.is_some_and(|n| {
                n.ends_with(".json") && READ_PREFIXES.iter().any(|pre| n.starts_with(pre))
            })
        })
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
        })
        .collect()
}

/// How many entries of each resourceType a Bundle holds, as "Type: n" lines.
fn counts(bundle: &Value) -> Vec<(String, usize)> {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for entry in bundle["entry"].as_array().into_iter().flatten() {
        let rt = entry["resource"]["resourceType"].as_str().unwrap_or("?");
        *counts.entry(rt.to_string()).or_default() += 1;
    }
    counts.into_iter().collect()
}

#[test]
fn committed_r4_core_definitions_match_the_package() {
    let dir = common::r4_package_dir();
    let started = Instant::now();
    let resources = load_conformance(&dir);
    assert!(
        resources.len() > 3000,
        "only {} conformance resources under {}",
        resources.len(),
        dir.display()
    );
    let bundle = compact(&resources);
    let text = serde_json::to_string(&bundle).expect("a Value serialises");
    eprintln!(
        "compact: {} resources read, {:?} by type, {} bytes of JSON, {:.1?}",
        resources.len(),
        counts(&bundle),
        text.len(),
        started.elapsed()
    );
    let by_type = counts(&bundle);
    let count = |t: &str| by_type.iter().find(|(k, _)| k == t).map_or(0, |(_, n)| *n);
    assert!(count("StructureDefinition") >= 650, "{by_type:?}");
    assert!(count("ValueSet") >= 600, "{by_type:?}");
    assert!(count("CodeSystem") >= 450, "{by_type:?}");

    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        let file = std::fs::File::create(GOLDEN).unwrap_or_else(|e| panic!("{GOLDEN}: {e}"));
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        gz.write_all(text.as_bytes()).expect("write the gzip");
        gz.finish().expect("finish the gzip");
        eprintln!("rewrote {GOLDEN}");
        return;
    }
    let gz = std::fs::read(GOLDEN).unwrap_or_else(|e| panic!("{GOLDEN}: {e}"));
    let mut committed = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut committed)
        .expect("the committed file is gzip");
    let committed: Value = serde_json::from_slice(&committed).expect("the committed file is JSON");
    assert!(
        committed == bundle,
        "{GOLDEN} is out of date; regenerate it with \
         `UPDATE_GOLDEN=1 cargo test -p kakehashi-mappings --test r4_core_definitions`"
    );
}

#[test]
fn embedded_r4_core_reads_back_the_committed_file() {
    let started = Instant::now();
    let resources = embedded_r4_core().expect("the embedded definitions parse");
    eprintln!(
        "embedded_r4_core: {} resources in {:.1?}",
        resources.len(),
        started.elapsed()
    );
    let patient = resources.iter().find(|r| {
        r["resourceType"] == "StructureDefinition"
            && r["url"] == "http://hl7.org/fhir/StructureDefinition/Patient"
    });
    let elements = patient.and_then(|p| p["snapshot"]["element"].as_array());
    assert!(
        elements.is_some_and(|e| e.len() > 30),
        "the embedded definitions lack the Patient snapshot"
    );
    assert!(
        resources
            .iter()
            .any(|r| r["url"] == "http://hl7.org/fhir/ValueSet/administrative-gender"),
        "the embedded definitions lack the administrative-gender ValueSet"
    );
}

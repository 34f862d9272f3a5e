//! The FHIR that the HL7 v2 mappings produce is valid JP Core 1.1.1 (issue #5 tests): every golden
//! fixture under `fixtures/hl7v2/ok/` and every message of the SS-MIX2 corpus in ../shared is decoded,
//! mapped and each resource validated against the profile it claims, with the JP Core package loaded as
//! the server loads configured packages.

mod common;
#[path = "../../mappings/tests/common/mod.rs"]
mod mappings_common;

use std::fs;
use std::path::{Path, PathBuf};

use common::JP_CORE;
use kakehashi::pipeline::validation::build_validator;
use kakehashi_mappings::hl7v2::{parse_bytes, ParseOptions};
use kakehashi_mappings::v2_to_fhir::{map_message, Source};
use kakehashi_mappings::validate::Options;
use mappings_common::files_under;

/// An error the mapped output is allowed to have because JP Core cannot be met from the v2 data.
struct Allowed {
    resource_type: &'static str,
    /// The issue's expression, exactly.
    expression: &'static str,
    /// The start of the issue's message.
    message: &'static str,
    #[allow(dead_code)] // documentation: why it cannot be met
    why: &'static str,
}

/// Keep this list short and every entry explained.
const ALLOWED: &[Allowed] = &[];

/// The extended-storage folder name of vital signs, for fixtures kept under `ORU-R30/`.
const VITALS: &str = "L-OBSERVATIONS^OBSERVATIONS^99ZL01";
/// The Kakehashi-local data type of RDS^O13 dispenses, for fixtures kept under `RDS-O13/`.
const DISPENSE: &str = "L-DISPENSE^DISPENSE^99ZKH";

/// (file, data type hint) for every message to check.
fn messages() -> Vec<(PathBuf, Option<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = files_under(&root.join("fixtures/hl7v2/ok"));
    let mut out: Vec<(PathBuf, Option<String>)> = files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "hl7"))
        .map(|p| {
            let folder = p
                .parent()
                .and_then(Path::file_name)
                .map(|f| f.to_string_lossy().into_owned());
            let hint = folder.map(|f| match f.as_str() {
                "ORU-R30" => VITALS.to_string(),
                "RDS-O13" => DISPENSE.to_string(),
                _ => f,
            });
            (p, hint)
        })
        .collect();
    let corpus = files_under(&root.join("../shared/corpora/ssmix2"));
    for p in corpus {
        let s = p.to_string_lossy().into_owned();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_message = (s.contains("standard_root") && !name.contains('.'))
            || name == "main_document.hl7"
            || (s.contains("/debug/") && name.ends_with(".txt") && !name.ends_with(".utf8.txt"));
        if is_message {
            // The storage path names the data type: `…/<date>/<type>/<file>`.
            let hint = if name == "main_document.hl7" {
                Some(VITALS.to_string())
            } else if s.contains("standard_root") {
                p.parent()
                    .and_then(Path::file_name)
                    .map(|f| f.to_string_lossy().into_owned())
            } else {
                None
            };
            out.push((p, hint));
        }
    }
    out.sort();
    out
}

#[test]
fn mapped_fhir_passes_jp_core_validation() {
    let validator = build_validator(&[PathBuf::from(JP_CORE)]).expect("JP Core loads");
    let options = Options::default();
    let messages = messages();
    assert!(
        messages.len() >= 6,
        "only {} messages found",
        messages.len()
    );
    let mut failures = Vec::new();
    let mut resources = 0;
    for (path, hint) in &messages {
        let raw = fs::read(path).expect("readable");
        let parsed = match parse_bytes(&raw, &ParseOptions::default()) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{}: parse: {e}", path.display()));
                continue;
            }
        };
        for message in &parsed.batch.messages {
            let source = Source {
                file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
                data_type: hint.clone(),
                received: "2026-12-02T00:00:00.000Z".into(),
            };
            let mapped = match map_message(message, &source) {
                Ok(m) => m,
                Err(e) => {
                    failures.push(format!("{}: map: {e}", path.display()));
                    continue;
                }
            };
            for issue in mapped.issues.iter().filter(|i| i.is_error()) {
                failures.push(format!(
                    "{}: mapping error at {}: {}",
                    path.display(),
                    issue.expression.as_deref().unwrap_or("-"),
                    issue.message
                ));
            }
            for resource in &mapped.resources {
                resources += 1;
                let kind = resource["resourceType"].as_str().unwrap_or_default();
                for issue in validator.validate(resource, &options) {
                    if !issue.is_error() {
                        continue;
                    }
                    let at = issue.expression.clone().unwrap_or_default();
                    if ALLOWED.iter().any(|a| {
                        a.resource_type == kind
                            && a.expression == at
                            && issue.message.starts_with(a.message)
                    }) {
                        continue;
                    }
                    failures.push(format!(
                        "{}: {kind}/{}: {at}: {}",
                        path.display(),
                        resource["id"].as_str().unwrap_or_default(),
                        issue.message
                    ));
                }
            }
        }
    }
    assert!(resources >= 12, "only {resources} resources mapped");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

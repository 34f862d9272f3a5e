//! `kakehashi validate FILE… [--ig PACKAGE…] [--profile URL] [--format json|text]` (issue #4 §3): each
//! file is parsed (located JSON errors), validated against the R4 core definitions and the given
//! packages, then (unless `--no-typed`) parsed with the typed R4 model (fhirbolt) as the store does; one
//! OperationOutcome per file; exit 0 when no file has an error issue, 65 otherwise.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kakehashi_mappings::fhir::{operation_outcome, parse_json, typed};
use kakehashi_mappings::validate::{Options, Validator};
use kakehashi_mappings::Issue;
use rayon::prelude::*;
use serde_json::Value;

use crate::cli::exit::{CliError, Exit};
use crate::cli::{read_input, OutputFormat};
use crate::pipeline::validation::build_validator;

pub struct Request<'a> {
    pub files: &'a [PathBuf],
    pub files_from: Option<&'a Path>,
    pub packages: &'a [PathBuf],
    pub profile: Option<&'a str>,
    pub format: OutputFormat,
    pub must_support: bool,
    /// Also parse with the typed R4 model, as the store does.
    pub typed: bool,
    /// Print a timing summary line on stderr.
    pub bench: bool,
}

struct Checked {
    file: PathBuf,
    issues: Vec<Issue>,
    resources: usize,
    phases: Phases,
}

pub fn run(request: Request<'_>) -> Result<Exit, CliError> {
    let mut files = request.files.to_vec();
    if let Some(list) = request.files_from {
        let text = std::fs::read_to_string(list)
            .map_err(|e| CliError::new(Exit::Io, format!("cannot read {}: {e}", list.display())))?;
        files.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(PathBuf::from),
        );
    }
    if files.is_empty() {
        return Err(CliError::new(Exit::Usage, "no files to validate"));
    }
    let loading = Instant::now();
    let validator = build_validator(request.packages)
        .map_err(|e| CliError::new(Exit::Config, e.to_string()))?;
    let options = Options {
        profiles: request.profile.map(str::to_string).into_iter().collect(),
        must_support: request.must_support,
        now: Some(chrono::Utc::now().to_rfc3339()),
    };
    if request.bench {
        // Like the peer, which imports every model before its clock starts: every profile is compiled
        // before timing, as a running server has long done.
        validator.definitions().compile_all();
    }
    let loaded = loading.elapsed();
    // Each file is read before the clock starts, so the figure is validation, not disk.
    let inputs: Vec<(PathBuf, Result<Vec<u8>, CliError>)> = files
        .iter()
        .map(|f| (f.clone(), read_input(Some(f))))
        .collect();
    let bytes: usize = inputs
        .iter()
        .map(|(_, r)| r.as_ref().map_or(0, Vec::len))
        .sum();
    let started = Instant::now();
    let results: Vec<Result<Checked, CliError>> = inputs
        .into_par_iter()
        .map(|(file, input)| {
            let input = input?;
            Ok(check(&validator, &options, request.typed, file, &input))
        })
        .collect();
    let elapsed = started.elapsed();
    let mut rejected = false;
    let mut resources = 0;
    let mut phases = Phases::default();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for result in results {
        let checked = result?;
        resources += checked.resources;
        phases.add(&checked.phases);
        rejected |= checked.issues.iter().any(Issue::is_error);
        print(&mut out, &checked, request.format)
            .map_err(|e| CliError::new(Exit::Io, format!("cannot write the report: {e}")))?;
    }
    if request.bench {
        eprintln!(
            "{}",
            serde_json::json!({
                "files": files.len(), "resources": resources, "bytes": bytes,
                "seconds": elapsed.as_secs_f64(), "load_seconds": loaded.as_secs_f64(),
                "threads": rayon::current_num_threads(), "typed": request.typed,
                // Per phase, summed over files (CPU time on one thread).
                "parse_seconds": phases.parse.as_secs_f64(),
                "validate_seconds": phases.validate.as_secs_f64(),
                "typed_seconds": phases.typed.as_secs_f64(),
                "resources_per_s": resources as f64 / elapsed.as_secs_f64().max(1e-9),
            })
        );
    }
    Ok(if rejected {
        Exit::DataRejected
    } else {
        Exit::Ok
    })
}

/// The issues of one file, the number of resources in it and the time of each phase.
fn check(
    validator: &Validator,
    options: &Options,
    typed: bool,
    file: PathBuf,
    input: &[u8],
) -> Checked {
    let mut phases = Phases::default();
    let clock = Instant::now();
    let json = match parse_json(input) {
        Ok(json) => json,
        Err(issue) => {
            return Checked {
                file,
                issues: vec![issue],
                resources: 0,
                phases,
            }
        }
    };
    phases.parse = clock.elapsed();
    let clock = Instant::now();
    let mut issues = validator.validate(&json, options);
    phases.validate = clock.elapsed();
    // The typed R4 model is the gate the store uses; its verdict counts when the walk missed it.
    if typed && !issues.iter().any(Issue::is_error) {
        let clock = Instant::now();
        if let Err(issue) = typed::check(&json, input) {
            issues.insert(0, issue);
        }
        phases.typed = clock.elapsed();
    }
    Checked {
        file,
        issues,
        resources: count_resources(&json),
        phases,
    }
}

/// Time spent per phase: JSON parse, validation, typed R4 parse.
#[derive(Default)]
struct Phases {
    parse: Duration,
    validate: Duration,
    typed: Duration,
}

impl Phases {
    fn add(&mut self, other: &Phases) {
        self.parse += other.parse;
        self.validate += other.validate;
        self.typed += other.typed;
    }
}

/// The resource and every resource inside it (Bundle entries, contained, Parameters), counted as
/// `tests/load/count_resources.py` counts them.
pub fn count_resources(value: &Value) -> usize {
    if value.get("resourceType").is_none() {
        return 0;
    }
    let mut n = 1;
    for entry in value["entry"].as_array().into_iter().flatten() {
        if let Some(r) = entry.get("resource") {
            n += count_resources(r);
        }
    }
    for r in value["contained"].as_array().into_iter().flatten() {
        n += count_resources(r);
    }
    if value["resourceType"] == "Parameters" {
        n += parameter_resources(&value["parameter"]);
    }
    n
}

/// The resources in a Parameters `parameter` (or `part`) list, at any depth.
fn parameter_resources(list: &Value) -> usize {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|p| p.get("resource").map_or(0, count_resources) + parameter_resources(&p["part"]))
        .sum()
}

fn print(out: &mut impl Write, checked: &Checked, format: OutputFormat) -> std::io::Result<()> {
    let file = checked.file.display();
    match format {
        OutputFormat::Json => writeln!(
            out,
            "{}",
            serde_json::json!({"file": file.to_string(), "outcome": operation_outcome(&checked.issues)})
        ),
        OutputFormat::Text if checked.issues.is_empty() => writeln!(out, "{file}: ok"),
        OutputFormat::Text => {
            for i in &checked.issues {
                let at = i
                    .expression
                    .as_deref()
                    .or(i.location.as_deref())
                    .unwrap_or("-");
                let rule = i
                    .rule
                    .as_deref()
                    .map(|r| format!(" [{r}]"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{file}: {} {} at {at}{rule}: {}",
                    i.severity.as_str(),
                    i.code.as_str(),
                    i.message
                )?;
            }
            Ok(())
        }
    }
}

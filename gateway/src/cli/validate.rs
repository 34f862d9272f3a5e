//! `kakehashi validate FILE…`: the typed R4 check of each file, one OperationOutcome per file.

use std::path::PathBuf;

use kakehashi_mappings::fhir::{canonicalise, operation_outcome, parse_json};
use kakehashi_mappings::Issue;

use crate::cli::exit::{CliError, Exit};
use crate::cli::{read_input, OutputFormat};

pub fn run(files: &[PathBuf], format: OutputFormat) -> Result<Exit, CliError> {
    let mut rejected = false;
    for file in files {
        let input = read_input(Some(file))?;
        let issues: Vec<Issue> = match parse_json(&input).and_then(|v| canonicalise(&v)) {
            Ok(_) => Vec::new(),
            Err(issue) => vec![issue],
        };
        rejected |= issues.iter().any(Issue::is_error);
        match format {
            OutputFormat::Json => println!(
                "{}",
                serde_json::json!({"file": file.display().to_string(), "outcome": operation_outcome(&issues)})
            ),
            OutputFormat::Text if issues.is_empty() => println!("{}: ok", file.display()),
            OutputFormat::Text => {
                for i in &issues {
                    let at = i
                        .expression
                        .as_deref()
                        .or(i.location.as_deref())
                        .unwrap_or("-");
                    println!(
                        "{}: {} {} at {}: {}",
                        file.display(),
                        i.severity.as_str(),
                        i.code.as_str(),
                        at,
                        i.message
                    );
                }
            }
        }
    }
    Ok(if rejected {
        Exit::DataRejected
    } else {
        Exit::Ok
    })
}

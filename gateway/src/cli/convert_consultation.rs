//! `kakehashi convert` between the online-consultation platform's native documents and FHIR (issue #6):
//! `--from consultation|careplan|consent --to fhir` checks the document against its JSON Schema and
//! writes the transaction Bundle the gateway stores; `--from fhir --to consultation|careplan|consent`
//! reads such a Bundle (or a collection of the same resources) back into the native document. The
//! guideline rules need what the gateway holds (consents, plans, other sessions) and run on submission,
//! not here.

use kakehashi_mappings::consultation::schema::Format;
use kakehashi_mappings::consultation::{self as mapping, MapContext};
use kakehashi_mappings::fhir::parse_json;
use kakehashi_mappings::Issue;
use serde_json::Value;

use crate::cli::exit::{CliError, Exit};

/// The identifier system the gateway's consultation zone gives the platform's patient ids (its tokens).
const PATIENT_ID_SYSTEM: &str = "urn:kakehashi:xref:consultation";

fn rejected(issues: &[Issue]) -> CliError {
    for issue in issues {
        eprintln!(
            "{}: {} ({})",
            issue.severity.as_str(),
            issue.message,
            issue.expression.as_deref().unwrap_or("-")
        );
    }
    let first = issues
        .first()
        .map(|i| {
            format!(
                "{} at {}",
                i.message,
                i.expression.as_deref().unwrap_or("-")
            )
        })
        .unwrap_or_default();
    CliError::new(
        Exit::DataRejected,
        format!("the document is refused: {first}"),
    )
}

fn json(input: &[u8]) -> Result<Value, CliError> {
    parse_json(input).map_err(|i| {
        CliError::new(
            Exit::DataRejected,
            format!("{} ({})", i.message, i.location.unwrap_or_default()),
        )
    })
}

/// A native document of `format` → its FHIR transaction Bundle on stdout.
pub fn to_fhir(format: Format, input: &[u8]) -> Result<Exit, CliError> {
    let ctx = MapContext {
        patient_id_system: PATIENT_ID_SYSTEM.to_string(),
    };
    let bundle = mapping::native_to_fhir(format, &json(input)?, &ctx).map_err(|i| rejected(&i))?;
    print(&bundle)
}

/// A FHIR Bundle → the native document of `format` on stdout.
pub fn from_fhir(format: Format, input: &[u8]) -> Result<Exit, CliError> {
    let native = mapping::native_from_fhir(format, &json(input)?).map_err(|i| rejected(&i))?;
    print(&native)
}

fn print(value: &Value) -> Result<Exit, CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::new(Exit::Internal, format!("could not write JSON: {e}")))?;
    println!("{text}");
    Ok(Exit::Ok)
}

//! `kakehashi convert --from F --to F [FILE|-]`: one input, one output on stdout (HL7 v2 ↔ FHIR in
//! `convert_hl7v2.rs`, consultation documents ↔ FHIR in `convert_consultation.rs`).

use std::path::Path;

use kakehashi_mappings::consultation::schema::Format;
use kakehashi_mappings::fhir::{canonicalise, parse_json};

use crate::cli::exit::{CliError, Exit};
use crate::cli::read_input;
use crate::cli::{convert_consultation, convert_hl7v2};

/// The conversions available, as `(from, to)`.
const CONVERSIONS: &[(&str, &str)] = &[
    ("fhir", "fhir"),
    ("hl7v2", "fhir"),
    ("fhir", "hl7v2"),
    ("consultation", "fhir"),
    ("fhir", "consultation"),
    ("careplan", "fhir"),
    ("fhir", "careplan"),
    ("consent", "fhir"),
    ("fhir", "consent"),
];

pub fn run(
    from: &str,
    to: &str,
    file: Option<&Path>,
    options: convert_hl7v2::Options,
) -> Result<Exit, CliError> {
    if !CONVERSIONS.contains(&(from, to)) {
        let known: Vec<String> = CONVERSIONS
            .iter()
            .map(|(f, t)| format!("{f} → {t}"))
            .collect();
        return Err(CliError::new(
            Exit::Usage,
            format!(
                "no conversion from '{from}' to '{to}'; available: {}",
                known.join(", ")
            ),
        ));
    }
    let input = read_input(file)?;
    match (from, to) {
        ("hl7v2", "fhir") => return convert_hl7v2::to_fhir(&input, file, options),
        ("fhir", "hl7v2") => return convert_hl7v2::to_hl7v2(&input, options),
        ("fhir", "fhir") => {}
        (native, "fhir") => {
            if let Some(format) = Format::from_name(native) {
                return convert_consultation::to_fhir(format, &input);
            }
        }
        ("fhir", native) => {
            if let Some(format) = Format::from_name(native) {
                return convert_consultation::from_fhir(format, &input);
            }
        }
        _ => {}
    }
    let value = parse_json(&input).map_err(|i| {
        CliError::new(
            Exit::DataRejected,
            format!("{} ({})", i.message, i.location.unwrap_or_default()),
        )
    })?;
    let out = canonicalise(&value).map_err(|i| {
        CliError::new(
            Exit::DataRejected,
            format!("{} at {}", i.message, i.expression.unwrap_or_default()),
        )
    })?;
    println!("{}", String::from_utf8_lossy(&out));
    Ok(Exit::Ok)
}

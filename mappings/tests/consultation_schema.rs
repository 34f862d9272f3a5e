//! The native formats' JSON Schemas (mappings/schemas/, issue #6) against the fixtures in
//! fixtures/consultation/ and against the serde models: ok/ documents fit both and write back unchanged,
//! err/ documents give exactly their expected issues, schema and model agree member by member, and
//! every property is described in English with its Japanese term.

#[path = "consultation_schema/full.rs"]
mod full;
#[path = "consultation_schema/walk.rs"]
mod walk;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kakehashi_mappings::consultation::model::{CarePlan, Consent, ConsultationRecord};
use kakehashi_mappings::consultation::schema::{self, Format, COMMON_SCHEMA};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use walk::{described_schemas, has_japanese, members, schema_paths, value_paths};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/consultation");

fn documents(folder: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(format!("{FIXTURES}/{folder}"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = file_name(path);
            name.ends_with(".json")
                && !name.ends_with(".expected.json")
                && !name.ends_with(".fhir.json")
        })
        .collect();
    paths.sort();
    paths
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap()
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The format a fixture is written in, from its file-name prefix.
fn format_of(path: &Path) -> Format {
    let name = file_name(path);
    [
        ("record-", Format::ConsultationRecord),
        ("care-plan-", Format::CarePlan),
        ("consent-", Format::Consent),
    ]
    .into_iter()
    .find(|(prefix, _)| name.starts_with(prefix))
    .map(|(_, format)| format)
    .unwrap_or_else(|| panic!("{name}: no record-, care-plan- or consent- prefix"))
}

/// Reads `document` into the model `T` through `schema::parse` and writes it back.
fn round_trip<T: DeserializeOwned + Serialize>(format: Format, document: &Value) -> Value {
    let model: T = schema::parse(format, document).unwrap_or_else(|issues| panic!("{issues:#?}"));
    serde_json::to_value(&model).unwrap()
}

fn model_round_trip(format: Format, document: &Value) -> Value {
    match format {
        Format::ConsultationRecord => round_trip::<ConsultationRecord>(format, document),
        Format::CarePlan => round_trip::<CarePlan>(format, document),
        Format::Consent => round_trip::<Consent>(format, document),
    }
}

#[test]
fn every_ok_fixture_fits_its_schema_and_model_and_writes_back_unchanged() {
    let paths = documents("ok");
    assert!(paths.len() >= 12, "only {} ok fixtures", paths.len());
    for path in &paths {
        let format = format_of(path);
        let document = read(path);
        let issues = schema::check(format, &document);
        assert!(issues.is_empty(), "{}: {issues:#?}", file_name(path));
        assert_eq!(
            model_round_trip(format, &document),
            document,
            "{}",
            file_name(path)
        );
    }
}

#[test]
fn every_err_fixture_gives_exactly_its_expected_issues() {
    let paths = documents("err");
    assert!(paths.len() >= 8, "only {} err fixtures", paths.len());
    for path in &paths {
        let format = format_of(path);
        let issues = schema::check(format, &read(path));
        let mut found: Vec<(String, String)> = issues
            .iter()
            .map(|issue| {
                assert!(issue.is_error(), "{issue:?}");
                assert!(!issue.message.is_empty(), "{issue:?}");
                let expression = issue.expression.clone().unwrap_or_default();
                (expression, issue.code.as_str().to_string())
            })
            .collect();
        found.sort();
        let expected_path = path.with_extension("expected.json");
        let mut expected: Vec<(String, String)> = read(&expected_path)
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let field = |name: &str| e[name].as_str().unwrap().to_string();
                (field("expression"), field("code"))
            })
            .collect();
        expected.sort();
        assert_eq!(found, expected, "{}: {issues:#?}", file_name(path));
        // The model refuses it too (the schema is never looser than serde).
        let parsed = match format {
            Format::ConsultationRecord => {
                schema::parse::<ConsultationRecord>(format, &read(path)).map(drop)
            }
            Format::CarePlan => schema::parse::<CarePlan>(format, &read(path)).map(drop),
            Format::Consent => schema::parse::<Consent>(format, &read(path)).map(drop),
        };
        assert_eq!(parsed, Err(issues), "{}", file_name(path));
    }
}

/// The fully populated documents, written by the models.
fn full_documents() -> Vec<(Format, Value)> {
    vec![
        (
            Format::ConsultationRecord,
            serde_json::to_value(full::record()).unwrap(),
        ),
        (
            Format::CarePlan,
            serde_json::to_value(full::care_plan()).unwrap(),
        ),
        (
            Format::Consent,
            serde_json::to_value(full::consent()).unwrap(),
        ),
    ]
}

fn schema_of(format: Format) -> Value {
    serde_json::from_str(format.schema_text()).unwrap()
}

fn common() -> Value {
    serde_json::from_str(COMMON_SCHEMA).unwrap()
}

#[test]
fn the_models_fully_populated_output_fits_the_schemas_and_uses_every_member() {
    let common = common();
    for (format, document) in full_documents() {
        let issues = schema::check(format, &document);
        assert!(issues.is_empty(), "{}: {issues:#?}", format.name());
        let schema = schema_of(format);
        let mut allowed = BTreeSet::new();
        schema_paths(&schema, &schema, &common, "", &mut allowed);
        let mut written = BTreeSet::new();
        value_paths(&document, "", &mut written);
        assert_eq!(
            allowed,
            written,
            "{}: schema members vs model members",
            format.name()
        );
    }
}

fn model_accepts(format: Format, document: &Value) -> bool {
    match format {
        Format::ConsultationRecord => {
            serde_json::from_value::<ConsultationRecord>(document.clone()).is_ok()
        }
        Format::CarePlan => serde_json::from_value::<CarePlan>(document.clone()).is_ok(),
        Format::Consent => serde_json::from_value::<Consent>(document.clone()).is_ok(),
    }
}

#[test]
fn the_schemas_require_exactly_the_members_the_models_require() {
    for (format, document) in full_documents() {
        let mut all = Vec::new();
        members(&document, "", &mut all);
        assert!(all.len() > 20, "{}", format.name());
        for (parent, name) in all {
            let mut without = document.clone();
            let removed = without
                .pointer_mut(&parent)
                .and_then(Value::as_object_mut)
                .and_then(|object| object.remove(&name));
            assert!(removed.is_some());
            let issues = schema::check(format, &without);
            let by_schema = issues.is_empty();
            assert_eq!(
                by_schema,
                model_accepts(format, &without),
                "{}: without {parent}/{name}: schema says {issues:?}",
                format.name()
            );
            if !by_schema {
                assert_eq!(issues.len(), 1, "{issues:?}");
                assert_eq!(issues[0].code.as_str(), "required");
                let expression = issues[0].expression.as_deref().unwrap_or_default();
                assert!(
                    expression.ends_with(&name),
                    "{expression} for {parent}/{name}"
                );
            }
        }
    }
}

#[test]
fn every_property_is_described_with_its_japanese_term() {
    let mut schemas: Vec<(&str, Value)> = Format::ALL
        .into_iter()
        .map(|format| (format.name(), schema_of(format)))
        .collect();
    schemas.push(("common", common()));
    let mut checked = 0;
    for (name, schema) in &schemas {
        for keyword in ["title", "description"] {
            let text = schema[keyword].as_str().unwrap_or_default();
            assert!(has_japanese(text), "{name}: {keyword} {text:?}");
        }
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        let mut found = Vec::new();
        described_schemas(schema, "", &mut found);
        for (pointer, node) in found {
            let description = node["description"].as_str().unwrap_or_default();
            assert!(
                !description.trim().is_empty() && has_japanese(description),
                "{name}#{pointer}: description {description:?}"
            );
            assert!(
                description.chars().any(|c| c.is_ascii_alphabetic()),
                "{name}#{pointer}: no English in {description:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} descriptions checked");
}

/// Every object schema refuses unknown members, as serde's `deny_unknown_fields` does.
#[test]
fn every_object_schema_refuses_unknown_members() {
    fn walk(node: &Value, pointer: &str, name: &str) {
        match node {
            Value::Object(object) => {
                if object.contains_key("properties") {
                    assert_eq!(
                        object.get("additionalProperties"),
                        Some(&Value::Bool(false)),
                        "{name}#{pointer}"
                    );
                }
                for (key, child) in object {
                    walk(child, &format!("{pointer}/{key}"), name);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{pointer}/{i}"), name);
                }
            }
            _ => {}
        }
    }
    for format in Format::ALL {
        walk(&schema_of(format), "", format.name());
    }
    walk(&common(), "", "common");
}

/// The codes of the models' real enums (`Form`, `ConsentKind`) are exactly the schemas' enums.
#[test]
fn the_schema_enums_of_form_and_consent_kind_are_the_models_codes() {
    use kakehashi_mappings::consultation::model::{ConsentKind, Form};
    let codes = |schema: &Value, pointer: &str| -> Vec<String> {
        schema
            .pointer(pointer)
            .and_then(Value::as_array)
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    let forms = codes(
        &schema_of(Format::ConsultationRecord),
        "/properties/form/enum",
    );
    let model_forms: Vec<String> = [Form::DtoP, Form::DtoPwithD, Form::DtoPwithN]
        .into_iter()
        .map(|f| f.code().to_string())
        .collect();
    assert_eq!(forms, model_forms);
    for form in &forms {
        assert_eq!(Form::from_code(form).map(Form::code), Some(form.as_str()));
    }
    let kinds = codes(&schema_of(Format::Consent), "/properties/kind/enum");
    let model_kinds: Vec<String> = ConsentKind::ALL
        .into_iter()
        .map(|k| k.code().to_string())
        .collect();
    assert_eq!(kinds, model_kinds);
}

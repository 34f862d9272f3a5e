//! The JSON Schemas (draft 2020-12) of the platform's native formats, embedded from mappings/schemas/ and
//! checked with the jsonschema crate: one `Issue` per schema error, then serde into the models (issue #6,
//! requirements.md §1.2, §2.2).

mod messages;

use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::issue::{Issue, IssueCode};

/// One of the platform's native JSON formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// オンライン診療記録 (`model::ConsultationRecord`).
    ConsultationRecord,
    /// 診療計画 (`model::CarePlan`).
    CarePlan,
    /// 同意 (`model::Consent`).
    Consent,
}

impl Format {
    pub const ALL: [Format; 3] = [
        Format::ConsultationRecord,
        Format::CarePlan,
        Format::Consent,
    ];

    /// The format named on a command line or in a route: `consultation`, `record`,
    /// `consultation-record`, `careplan`, `care-plan` or `consent` (ASCII case ignored).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "consultation" | "record" | "consultation-record" => Some(Format::ConsultationRecord),
            "careplan" | "care-plan" => Some(Format::CarePlan),
            "consent" => Some(Format::Consent),
            _ => None,
        }
    }

    /// The format's canonical name, as in its schema's file name and `$id`.
    pub fn name(self) -> &'static str {
        match self {
            Format::ConsultationRecord => "consultation-record",
            Format::CarePlan => "care-plan",
            Format::Consent => "consent",
        }
    }

    /// The schema's `$id`, e.g. `urn:kakehashi:schema:consultation-record`.
    pub fn schema_id(self) -> &'static str {
        match self {
            Format::ConsultationRecord => "urn:kakehashi:schema:consultation-record",
            Format::CarePlan => "urn:kakehashi:schema:care-plan",
            Format::Consent => "urn:kakehashi:schema:consent",
        }
    }

    /// The schema's text as shipped in mappings/schemas/.
    pub fn schema_text(self) -> &'static str {
        match self {
            Format::ConsultationRecord => RECORD_SCHEMA,
            Format::CarePlan => CARE_PLAN_SCHEMA,
            Format::Consent => CONSENT_SCHEMA,
        }
    }

    fn index(self) -> usize {
        match self {
            Format::ConsultationRecord => 0,
            Format::CarePlan => 1,
            Format::Consent => 2,
        }
    }
}

/// The `$id` of the shared definitions every format refers to.
pub const COMMON_SCHEMA_ID: &str = "urn:kakehashi:schema:common";
/// mappings/schemas/common.schema.json: patient, doctor, institution, period, disease, the patterns.
pub const COMMON_SCHEMA: &str = include_str!("../../schemas/common.schema.json");
const RECORD_SCHEMA: &str = include_str!("../../schemas/consultation-record.schema.json");
const CARE_PLAN_SCHEMA: &str = include_str!("../../schemas/care-plan.schema.json");
const CONSENT_SCHEMA: &str = include_str!("../../schemas/consent.schema.json");

/// The compiled validators (in `Format::index` order) and what the messages need from the schemas.
struct Compiled {
    validators: Vec<jsonschema::Validator>,
    patterns: messages::PatternNames,
}

fn compiled() -> &'static Result<Compiled, String> {
    static COMPILED: OnceLock<Result<Compiled, String>> = OnceLock::new();
    COMPILED.get_or_init(compile)
}

fn compile() -> Result<Compiled, String> {
    let common: Value = serde_json::from_str(COMMON_SCHEMA).map_err(|e| format!("common: {e}"))?;
    let patterns = messages::PatternNames::from_common(&common);
    let registry = jsonschema::Registry::new()
        .add(COMMON_SCHEMA_ID, common)
        .and_then(|builder| builder.prepare())
        .map_err(|e| format!("common: {e}"))?;
    let mut validators = Vec::with_capacity(Format::ALL.len());
    for format in Format::ALL {
        let schema: Value = serde_json::from_str(format.schema_text())
            .map_err(|e| format!("{}: {e}", format.name()))?;
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_registry(&registry)
            .offline()
            .build(&schema)
            .map_err(|e| format!("{}: {e}", format.name()))?;
        validators.push(validator);
    }
    Ok(Compiled {
        validators,
        patterns,
    })
}

/// Checks `document` against `format`'s schema: one error `Issue` per schema error, its `expression` the
/// dotted path of the offending member (`firstVisit.priorInformation[0].source`; for a missing member the
/// path of the member itself), none for the document's root. Empty when the document fits.
pub fn check(format: Format, document: &Value) -> Vec<Issue> {
    let compiled = match compiled() {
        Ok(compiled) => compiled,
        Err(reason) => {
            return vec![Issue::error(
                IssueCode::Exception,
                format!(
                    "the embedded {} schema does not compile: {reason}",
                    format.name()
                ),
            )]
        }
    };
    let Some(validator) = compiled.validators.get(format.index()) else {
        return vec![Issue::error(
            IssueCode::Exception,
            format!("no validator for the {} schema", format.name()),
        )];
    };
    validator
        .iter_errors(document)
        .flat_map(|error| messages::issues(format, document, &error, &compiled.patterns))
        .collect()
}

/// Checks `document` against `format`'s schema and then reads it into the model `T` (which should be the
/// format's model: `ConsultationRecord`, `CarePlan` or `Consent`). Schema errors come back as `check`
/// gives them; a document the schema accepts but serde refuses gives one `Structure` issue.
pub fn parse<T: DeserializeOwned>(format: Format, document: &Value) -> Result<T, Vec<Issue>> {
    let issues = check(format, document);
    if !issues.is_empty() {
        return Err(issues);
    }
    T::deserialize(document).map_err(|e| {
        vec![Issue::error(
            IssueCode::Structure,
            format!("the document does not fit the {} model: {e}", format.name()),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consultation::model::Consent;
    use serde_json::json;

    fn consent() -> Value {
        json!({
            "consentId": "CNS-1",
            "kind": "recording",
            "patient": {"id": "0123456789"},
            "status": "active",
            "dateTime": "2026-11-30T09:58:00+09:00",
            "method": "verbal"
        })
    }

    #[test]
    fn names_choose_the_format() {
        assert_eq!(
            Format::from_name("record"),
            Some(Format::ConsultationRecord)
        );
        assert_eq!(
            Format::from_name("consultation"),
            Some(Format::ConsultationRecord)
        );
        assert_eq!(Format::from_name("careplan"), Some(Format::CarePlan));
        assert_eq!(Format::from_name("Care-Plan"), Some(Format::CarePlan));
        assert_eq!(Format::from_name("consent"), Some(Format::Consent));
        assert_eq!(Format::from_name("bundle"), None);
        for format in Format::ALL {
            assert_eq!(Format::from_name(format.name()), Some(format));
            assert!(format.schema_text().contains(format.schema_id()));
        }
    }

    #[test]
    fn the_schemas_compile() {
        assert!(compiled().is_ok(), "{:?}", compiled().as_ref().err());
    }

    #[test]
    fn a_fitting_document_parses() {
        let parsed: Consent = parse(Format::Consent, &consent()).unwrap();
        assert_eq!(parsed.patient.id, "0123456789");
    }

    #[test]
    fn a_missing_member_is_named_by_its_own_path() {
        let mut document = consent();
        document["patient"] = json!({"name": "山田 花子"});
        let issues = check(Format::Consent, &document);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].code, IssueCode::Required);
        assert_eq!(issues[0].expression.as_deref(), Some("patient.id"));
        assert!(issues[0].message.contains("`id`"), "{}", issues[0].message);
    }

    #[test]
    fn each_unknown_member_is_one_issue() {
        let mut document = consent();
        document["patient"]["nmae"] = json!("x");
        document["extra"] = json!(1);
        let mut found: Vec<_> = check(Format::Consent, &document)
            .into_iter()
            .map(|i| (i.code, i.expression.unwrap_or_default()))
            .collect();
        found.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            found,
            [
                (IssueCode::Structure, "extra".to_string()),
                (IssueCode::Structure, "patient.nmae".to_string())
            ]
        );
    }

    #[test]
    fn a_date_time_without_offset_names_the_expected_form() {
        let mut document = consent();
        document["dateTime"] = json!("2026-11-30T09:58:00");
        let issues = check(Format::Consent, &document);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].code, IssueCode::Value);
        assert!(issues[0].message.contains("日時"), "{}", issues[0].message);
    }

    #[test]
    fn a_root_that_is_not_an_object_has_no_expression() {
        let issues = check(Format::CarePlan, &json!([1]));
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].expression, None);
        assert_eq!(issues[0].code, IssueCode::Structure);
    }

    #[test]
    fn serde_refusals_are_issues_too() {
        // The schema accepts 1.0 as an integer; the model's u16 does not.
        let mut document = consent();
        document["doctor"] = json!({"name": "佐藤 一郎", "registrationYear": 2008.0});
        assert!(check(Format::Consent, &document).is_empty());
        let issues = parse::<Consent>(Format::Consent, &document).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, IssueCode::Structure);
    }
}

//! The parsed form of a search request (R4 search §3.1.1): which conditions, paging, summary, includes.
//! Anything this store does not support is an issue, never silently ignored, so the answer is truthful.

use crate::fhir::search::date::DateRange;
use crate::fhir::search::params::{registry, ParamType};
use crate::issue::{Issue, IssueCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePrefix {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A token alternative: `system|code`, `code` (any system), `|code` (no system), `system|` (any code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenMatch {
    /// `None`: any system; `Some(None)`: no system; `Some(Some(s))`: that system.
    pub system: Option<Option<String>>,
    pub code: Option<String>,
}

/// A reference alternative: `Type/id` or a bare `id` (any type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefMatch {
    pub resource_type: Option<String>,
    pub id: String,
}

/// One search parameter with its comma-separated alternatives (OR); conditions are ANDed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Id(Vec<String>),
    LastUpdated(Vec<(DatePrefix, DateRange)>),
    Token {
        param: String,
        any_of: Vec<TokenMatch>,
    },
    Reference {
        param: String,
        any_of: Vec<RefMatch>,
    },
    Date {
        param: String,
        any_of: Vec<(DatePrefix, DateRange)>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SummaryMode {
    #[default]
    None,
    Count,
}

/// `_include=Source:param`: add the resources the matches refer to through `param`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub source: String,
    pub param: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub conditions: Vec<Condition>,
    pub count: Option<usize>,
    pub offset: usize,
    pub summary: SummaryMode,
    pub includes: Vec<Include>,
}

/// Parameters accepted and ignored because they only concern the response format.
const FORMAT_PARAMS: &[&str] = &["_format", "_pretty"];

/// Parses the query parameters of a search on `resource_type`.
pub fn parse_search(
    resource_type: &str,
    params: &[(String, String)],
) -> Result<SearchQuery, Issue> {
    let mut query = SearchQuery::default();
    for (raw_name, value) in params {
        let (name, modifier) = match raw_name.split_once(':') {
            Some((n, m)) => (n, Some(m)),
            None => (raw_name.as_str(), None),
        };
        if let Some(m) = modifier {
            return Err(
                unsupported(format!("The search modifier ':{m}' is not supported."))
                    .at(raw_name.clone()),
            );
        }
        let bad = |what: &str| {
            Issue::error(
                IssueCode::Invalid,
                format!("Invalid value for search parameter '{name}': {what}."),
            )
            .at(raw_name.clone())
        };
        match name {
            _ if FORMAT_PARAMS.contains(&name) => {}
            "_id" => query.conditions.push(Condition::Id(split(value).map(str::to_string).collect())),
            "_lastUpdated" => query.conditions.push(Condition::LastUpdated(dates(value).ok_or_else(|| bad("expected a date with an optional prefix"))?)),
            "_count" => query.count = Some(value.parse().map_err(|_| bad("expected a whole number"))?),
            "_offset" => query.offset = value.parse().map_err(|_| bad("expected a whole number"))?,
            "_summary" => match value.as_str() {
                "count" => query.summary = SummaryMode::Count,
                "false" => query.summary = SummaryMode::None,
                other => return Err(unsupported(format!("_summary={other} is not supported; use count or false.")).at("_summary")),
            },
            "_include" => query.includes.push(include(resource_type, value).ok_or_else(|| {
                unsupported(format!("_include={value} is not supported; use {resource_type}:<reference parameter> or *:patient.")).at("_include")
            })?),
            _ => match registry().kind(resource_type, name) {
                Some(ParamType::Token) => query.conditions.push(Condition::Token {
                    param: name.to_string(),
                    any_of: split(value).map(token).collect(),
                }),
                Some(ParamType::Reference) => query.conditions.push(Condition::Reference {
                    param: name.to_string(),
                    any_of: split(value).map(reference).collect::<Option<_>>().ok_or_else(|| bad("expected Type/id or id"))?,
                }),
                Some(ParamType::Date) => query.conditions.push(Condition::Date {
                    param: name.to_string(),
                    any_of: dates(value).ok_or_else(|| bad("expected a date with an optional prefix"))?,
                }),
                None => {
                    return Err(unsupported(format!("The search parameter '{name}' is not supported for {resource_type}; see the CapabilityStatement.")).at(raw_name.clone()))
                }
            },
        }
    }
    Ok(query)
}

fn unsupported(message: String) -> Issue {
    Issue::error(IssueCode::NotSupported, message)
}

fn split(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').filter(|v| !v.is_empty())
}

fn token(value: &str) -> TokenMatch {
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    match value.split_once('|') {
        Some(("", code)) => TokenMatch {
            system: Some(None),
            code: nonempty(code),
        },
        Some((system, code)) => TokenMatch {
            system: Some(Some(system.to_string())),
            code: nonempty(code),
        },
        None => TokenMatch {
            system: None,
            code: Some(value.to_string()),
        },
    }
}

fn reference(value: &str) -> Option<RefMatch> {
    if let Some(local) = crate::fhir::references::parse_reference(value) {
        return Some(RefMatch {
            resource_type: Some(local.resource_type),
            id: local.id,
        });
    }
    crate::fhir::is_valid_id(value).then(|| RefMatch {
        resource_type: None,
        id: value.to_string(),
    })
}

fn dates(value: &str) -> Option<Vec<(DatePrefix, DateRange)>> {
    split(value).map(date).collect()
}

fn date(value: &str) -> Option<(DatePrefix, DateRange)> {
    let prefixes = [
        ("eq", DatePrefix::Eq),
        ("ne", DatePrefix::Ne),
        ("lt", DatePrefix::Lt),
        ("le", DatePrefix::Le),
        ("gt", DatePrefix::Gt),
        ("ge", DatePrefix::Ge),
    ];
    let (prefix, rest) = prefixes
        .iter()
        .find_map(|(p, kind)| value.strip_prefix(p).map(|rest| (*kind, rest)))
        .unwrap_or((DatePrefix::Eq, value));
    Some((prefix, DateRange::parse(rest)?))
}

fn include(resource_type: &str, value: &str) -> Option<Include> {
    let (source, param) = value.split_once(':')?;
    if param.contains(':') {
        return None;
    }
    let source = if source == "*" { resource_type } else { source };
    (source == resource_type && registry().kind(source, param) == Some(ParamType::Reference)).then(
        || Include {
            source: source.to_string(),
            param: param.to_string(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(ty: &str, pairs: &[(&str, &str)]) -> Result<SearchQuery, Issue> {
        let params: Vec<(String, String)> = pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        parse_search(ty, &params)
    }

    #[test]
    fn parses_tokens_references_dates_and_paging() {
        let query = q(
            "Observation",
            &[
                ("identifier", "urn:s|1,2"),
                ("patient", "Patient/p1"),
                ("date", "ge2020-01"),
                ("_count", "10"),
                ("_include", "*:patient"),
            ],
        )
        .unwrap();
        assert_eq!(query.count, Some(10));
        assert_eq!(
            query.includes,
            vec![Include {
                source: "Observation".into(),
                param: "patient".into()
            }]
        );
        assert!(
            matches!(&query.conditions[0], Condition::Token { any_of, .. } if any_of.len() == 2 && any_of[1].system.is_none())
        );
        assert!(
            matches!(&query.conditions[2], Condition::Date { any_of, .. } if any_of[0].0 == DatePrefix::Ge)
        );
    }

    #[test]
    fn unknown_parameters_and_modifiers_are_refused() {
        assert_eq!(
            q("Patient", &[("name", "x")]).unwrap_err().code,
            IssueCode::NotSupported
        );
        assert_eq!(
            q("Patient", &[("identifier:exact", "x")]).unwrap_err().code,
            IssueCode::NotSupported
        );
        assert_eq!(
            q("Observation", &[("date", "sa2020")]).unwrap_err().code,
            IssueCode::Invalid
        );
        assert!(q("Patient", &[("_format", "json")]).is_ok());
    }
}

//! ValueSet `compose.include.filter` evaluated over the concepts of one loaded code system.

use std::collections::HashSet;

use regex::Regex;
use serde_json::Value;

use super::code_system::CodeSystemData;

/// One `filter` entry: `property` `op` `value`.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    pub(crate) property: String,
    pub(crate) op: String,
    pub(crate) value: String,
}

impl Filter {
    pub(crate) fn parse(item: &Value) -> Filter {
        let text = |key: &str| {
            item.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Filter {
            property: text("property"),
            op: text("op"),
            value: text("value"),
        }
    }

    /// Whether the filter is about the code itself rather than a property.
    fn on_code(&self) -> bool {
        matches!(self.property.as_str(), "concept" | "code")
    }

    /// The codes the filter selects when the code system is not available, if that is decidable
    /// from the filter alone (`concept = X`, `concept in X,Y`); `is-a X` is only known to hold X.
    pub(crate) fn known_codes(&self) -> Option<(Vec<String>, bool)> {
        if !self.on_code() {
            return None;
        }
        match self.op.as_str() {
            "=" => Some((vec![self.value.clone()], true)),
            "in" => Some((split_list(&self.value).map(str::to_string).collect(), true)),
            "is-a" | "generalizes" => Some((vec![self.value.clone()], false)),
            _ => None,
        }
    }

    /// The indexes of the concepts of `cs` that pass the filter, or why the filter is not supported.
    pub(crate) fn select(&self, cs: &CodeSystemData) -> Result<Vec<usize>, String> {
        let all = || (0..cs.concepts.len()).collect::<Vec<_>>();
        let found = |code: &str| cs.find(code);
        let op = self.op.as_str();
        if self.on_code() {
            let anchor = found(&self.value);
            return match op {
                "=" => Ok(anchor.into_iter().collect()),
                "is-a" => Ok(anchor
                    .map(|i| cs.descendants_or_self(i))
                    .unwrap_or_default()),
                "descendent-of" => Ok(anchor
                    .map(|i| cs.descendants_or_self(i).into_iter().skip(1).collect())
                    .unwrap_or_default()),
                "generalizes" => Ok(anchor.map(|i| cs.ancestors_or_self(i)).unwrap_or_default()),
                "is-not-a" => {
                    let below: HashSet<usize> = anchor
                        .map(|i| cs.descendants_or_self(i).into_iter().collect())
                        .unwrap_or_default();
                    Ok(all().into_iter().filter(|i| !below.contains(i)).collect())
                }
                "in" => Ok(split_list(&self.value).filter_map(found).collect()),
                "not-in" => {
                    let listed: HashSet<usize> =
                        split_list(&self.value).filter_map(found).collect();
                    Ok(all().into_iter().filter(|i| !listed.contains(i)).collect())
                }
                "regex" => {
                    let re = anchored(&self.value)?;
                    Ok(all()
                        .into_iter()
                        .filter(|&i| re.is_match(&cs.concepts[i].code))
                        .collect())
                }
                _ => Err(self.unsupported()),
            };
        }
        match (self.property.as_str(), op) {
            // `parent = X`: the children of X; `child = X`: the parents of X (from any hierarchy source).
            ("parent", "=") => Ok(found(&self.value)
                .map(|i| cs.children_of(i).to_vec())
                .unwrap_or_default()),
            ("child", "=") => Ok(found(&self.value)
                .map(|i| cs.parents_of(i).to_vec())
                .unwrap_or_default()),
            ("parent", "exists") | ("child", "exists") => {
                let want = self.value != "false";
                let links = |i: usize| {
                    if self.property == "parent" {
                        cs.parents_of(i)
                    } else {
                        cs.children_of(i)
                    }
                };
                Ok(all()
                    .into_iter()
                    .filter(|&i| links(i).is_empty() != want)
                    .collect())
            }
            ("display", _) => self.select_by(cs, |i| {
                cs.concepts[i].display.iter().map(String::as_str).collect()
            }),
            (name, _) => {
                if !cs.declared_properties.contains(name) {
                    return Err(format!(
                        "filter property `{name}` is not defined by code system `{}`",
                        cs.url
                    ));
                }
                self.select_by(cs, |i| cs.property_values(i, name).collect())
            }
        }
    }

    /// Applies `=`, `in`, `not-in`, `regex` or `exists` to the values `values(i)` of each concept.
    fn select_by<'a>(
        &self,
        cs: &'a CodeSystemData,
        values: impl Fn(usize) -> Vec<&'a str>,
    ) -> Result<Vec<usize>, String> {
        let all = 0..cs.concepts.len();
        match self.op.as_str() {
            "=" => Ok(all
                .filter(|&i| values(i).contains(&self.value.as_str()))
                .collect()),
            "in" => {
                let list: HashSet<&str> = split_list(&self.value).collect();
                Ok(all
                    .filter(|&i| values(i).iter().any(|v| list.contains(v)))
                    .collect())
            }
            "not-in" => {
                let list: HashSet<&str> = split_list(&self.value).collect();
                Ok(all
                    .filter(|&i| !values(i).iter().any(|v| list.contains(v)))
                    .collect())
            }
            "regex" => {
                let re = anchored(&self.value)?;
                Ok(all
                    .filter(|&i| values(i).iter().any(|v| re.is_match(v)))
                    .collect())
            }
            "exists" => {
                let want = self.value != "false";
                Ok(all.filter(|&i| values(i).is_empty() != want).collect())
            }
            _ => Err(self.unsupported()),
        }
    }

    fn unsupported(&self) -> String {
        format!(
            "filter `{} {} {}` is not supported",
            self.property, self.op, self.value
        )
    }
}

/// The items of a comma-separated `in`/`not-in` value.
fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// A regex that must match the whole value.
fn anchored(pattern: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|e| format!("filter regex `{pattern}` is not valid: {e}"))
}

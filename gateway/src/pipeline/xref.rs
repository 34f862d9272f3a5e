//! Identifier cross-reference for the consultation zone (design.md §2): identifiers whose system is
//! hospital-local (configured prefixes, by default JP Core 患者番号 `urn:oid:1.2.392.100495.20.3.51.`)
//! leave the gateway towards that zone as `{system: "urn:kakehashi:xref:consultation", value: TOKEN}`,
//! and such tokens coming in are turned back into the local identifier before anything is stored.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::store::{Store, StoreError};

/// Rewrites identifiers between the hospital's own systems and one zone's tokens.
#[derive(Clone)]
pub struct Xref {
    store: Store,
    zone: &'static str,
    token_system: String,
    hidden: Arc<Vec<String>>,
}

impl Xref {
    pub fn new(store: Store, zone: &'static str, hidden_systems: &[String]) -> Xref {
        Xref {
            store,
            zone,
            token_system: format!("urn:kakehashi:xref:{zone}"),
            hidden: Arc::new(hidden_systems.to_vec()),
        }
    }

    /// The identifier system of this zone's tokens (`urn:kakehashi:xref:<zone>`).
    pub fn token_system(&self) -> &str {
        &self.token_system
    }

    /// The hospital identifier (system, value) behind one of this zone's tokens.
    pub async fn local_of(&self, token: &str) -> Result<Option<(String, String)>, StoreError> {
        self.store.xref_local(self.zone, token).await
    }

    /// This zone's token for a hospital-side name (an identifier, or `Type/id` of a resource).
    pub async fn token_of(
        &self,
        system: &str,
        value: &str,
        now_ms: i64,
    ) -> Result<String, StoreError> {
        self.store
            .xref_token(self.zone, system, value, now_ms)
            .await
    }

    fn is_hidden(&self, system: &str) -> bool {
        self.hidden.iter().any(|prefix| system.starts_with(prefix))
    }

    /// False when `body` cannot hold a hospital-local identifier, so it need not be parsed. Our responses
    /// are written by serde_json, which escapes none of the characters of a system URI, so a hidden
    /// system in them always appears literally.
    pub fn may_hide(&self, body: &[u8]) -> bool {
        self.hidden
            .iter()
            .any(|prefix| contains(body, prefix.as_bytes()))
    }

    /// False when `body` holds no zone token to translate back.
    pub fn may_translate(&self, body: &[u8]) -> bool {
        contains(body, self.token_system.as_bytes())
    }

    /// Replaces hospital-local identifiers in a response body by tokens; true when something changed.
    pub async fn outbound(&self, body: &mut Value, now_ms: i64) -> Result<bool, StoreError> {
        let mut found = Vec::new();
        visit(body, &mut |system, value| {
            if self.is_hidden(system) {
                found.push((system.to_string(), value.to_string()));
            }
            None
        });
        if found.is_empty() {
            return Ok(false);
        }
        let mut tokens = HashMap::new();
        for (system, value) in found {
            let token = self
                .store
                .xref_token(self.zone, &system, &value, now_ms)
                .await?;
            tokens.insert((system, value), token);
        }
        visit(body, &mut |system, value| {
            tokens
                .get(&(system.to_string(), value.to_string()))
                .map(|token| (self.token_system.clone(), token.clone()))
        });
        Ok(true)
    }

    /// Replaces known tokens in a request body by the local identifiers; true when something changed.
    /// Unknown tokens are left as they are (the resource then simply does not match anything local).
    pub async fn inbound(&self, body: &mut Value) -> Result<bool, StoreError> {
        let mut found = Vec::new();
        visit(body, &mut |system, value| {
            if system == self.token_system {
                found.push(value.to_string());
            }
            None
        });
        if found.is_empty() {
            return Ok(false);
        }
        let mut locals = HashMap::new();
        for token in found {
            if let Some(local) = self.store.xref_local(self.zone, &token).await? {
                locals.insert(token, local);
            }
        }
        let token_system = self.token_system.clone();
        visit(body, &mut |system, value| {
            if system == token_system {
                locals.get(value).cloned()
            } else {
                None
            }
        });
        rewrite_conditional_queries(body, &token_system, &locals);
        Ok(!locals.is_empty())
    }
}

/// A transaction's conditional creates name identifiers in query text (`request.ifNoneExist`,
/// `identifier=SYSTEM|VALUE`), which the Identifier rewrite does not see: known tokens there become the
/// local identifier too, so the create finds the hospital's resource.
fn rewrite_conditional_queries(
    bundle: &mut Value,
    token_system: &str,
    locals: &HashMap<String, (String, String)>,
) {
    let Some(entries) = bundle.get_mut("entry").and_then(Value::as_array_mut) else {
        return;
    };
    for entry in entries {
        let Some(Value::String(query)) = entry.pointer_mut("/request/ifNoneExist") else {
            continue;
        };
        let mut changed = false;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .map(|(name, value)| {
                let local = value
                    .split_once('|')
                    .filter(|(system, _)| *system == token_system)
                    .and_then(|(_, token)| locals.get(token));
                match local {
                    Some((system, value)) => {
                        changed = true;
                        (name, format!("{system}|{value}"))
                    }
                    None => (name, value),
                }
            })
            .collect();
        if changed {
            *query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Calls `f(system, value)` for every JSON object with string `system` and `value` members (FHIR
/// Identifier wherever it sits: resource identifiers, Reference.identifier, contained resources,
/// Bundle entries); when `f` returns a pair, the object's system and value become that pair.
fn visit(node: &mut Value, f: &mut impl FnMut(&str, &str) -> Option<(String, String)>) {
    match node {
        Value::Object(map) => {
            rewrite_identifier(map, f);
            for child in map.values_mut() {
                visit(child, f);
            }
        }
        Value::Array(items) => {
            for child in items {
                visit(child, f);
            }
        }
        _ => {}
    }
}

fn rewrite_identifier(
    map: &mut Map<String, Value>,
    f: &mut impl FnMut(&str, &str) -> Option<(String, String)>,
) {
    let (Some(Value::String(system)), Some(Value::String(value))) =
        (map.get("system"), map.get("value"))
    else {
        return;
    };
    if let Some((new_system, new_value)) = f(system, value) {
        map.insert("system".into(), Value::String(new_system));
        map.insert("value".into(), Value::String(new_value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn substring_prefilter() {
        assert!(contains(b"abc urn:oid:1.2 x", b"urn:oid:1.2"));
        assert!(!contains(b"urn:oid:1.3", b"urn:oid:1.2"));
        assert!(!contains(b"", b"x"));
        assert!(!contains(b"x", b""));
    }

    #[test]
    fn conditional_queries_follow_the_identifier_rewrite() {
        let mut bundle = json!({"resourceType": "Bundle", "entry": [
            {"request": {"method": "POST", "url": "Patient",
                "ifNoneExist": "identifier=urn%3Akakehashi%3Axref%3Aconsultation|T1"}},
            {"request": {"method": "POST", "url": "Patient", "ifNoneExist": "identifier=urn:other|T1"}}
        ]});
        let locals = HashMap::from([(
            "T1".to_string(),
            (
                "urn:oid:1.2.392.100495.20.3.51.11311234567".to_string(),
                "00012345".to_string(),
            ),
        )]);
        rewrite_conditional_queries(&mut bundle, "urn:kakehashi:xref:consultation", &locals);
        let query = bundle["entry"][0]["request"]["ifNoneExist"]
            .as_str()
            .unwrap();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(
            pairs,
            [(
                "identifier".to_string(),
                "urn:oid:1.2.392.100495.20.3.51.11311234567|00012345".to_string()
            )]
        );
        assert_eq!(
            bundle["entry"][1]["request"]["ifNoneExist"],
            "identifier=urn:other|T1"
        );
    }

    #[test]
    fn visit_finds_identifiers_everywhere_and_rewrites_them() {
        let mut body = json!({
            "resourceType": "Bundle",
            "entry": [{"resource": {
                "resourceType": "Consent",
                "patient": {"identifier": {"system": "urn:oid:1.2.392.100495.20.3.51.11311234567", "value": "00012345"}},
                "identifier": [{"system": "urn:other", "value": "x"}]
            }}]
        });
        let mut seen = Vec::new();
        visit(&mut body, &mut |s, v| {
            seen.push(format!("{s}|{v}"));
            s.starts_with("urn:oid:1.2.392.100495.20.3.51.").then(|| {
                (
                    "urn:kakehashi:xref:consultation".to_string(),
                    "T1".to_string(),
                )
            })
        });
        assert_eq!(seen.len(), 2);
        let patient = &body["entry"][0]["resource"]["patient"]["identifier"];
        assert_eq!(patient["system"], "urn:kakehashi:xref:consultation");
        assert_eq!(patient["value"], "T1");
        assert_eq!(body["entry"][0]["resource"]["identifier"][0]["value"], "x");
    }
}

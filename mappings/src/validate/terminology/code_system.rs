//! A loaded CodeSystem: its concepts indexed by code, the is-a hierarchy and concept properties.

use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::set::{fold, TriSet};

/// One concept of a code system.
#[derive(Debug, Clone)]
pub(crate) struct Concept {
    pub(crate) code: String,
    pub(crate) display: Option<String>,
    /// Property code and value as text (`valueCoding` gives its code, booleans `true`/`false`).
    pub(crate) properties: Vec<(String, String)>,
}

/// A CodeSystem reduced to what terminology checks need.
#[derive(Debug)]
pub(crate) struct CodeSystemData {
    pub(crate) url: String,
    pub(crate) version: Option<String>,
    /// `caseSensitive: false` makes codes compare case-insensitively; absent counts as sensitive.
    pub(crate) case_sensitive: bool,
    /// `CodeSystem.content`; anything but `complete` means absent codes are not known to be invalid.
    pub(crate) content: String,
    /// `CodeSystem.valueSet`: the canonical of the value set holding all its codes.
    pub(crate) value_set: Option<String>,
    /// Property codes declared in `CodeSystem.property`.
    pub(crate) declared_properties: HashSet<String>,
    pub(crate) concepts: Vec<Concept>,
    index: HashMap<String, usize>,
    parents: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
    /// The implicit "all codes" value set, computed on first use.
    pub(crate) all_codes: OnceLock<Arc<TriSet>>,
}

impl CodeSystemData {
    /// Reads a CodeSystem resource; `None` when it has no `url`.
    pub(crate) fn parse(resource: &Value) -> Option<CodeSystemData> {
        let url = resource.get("url")?.as_str()?.to_string();
        let text = |key: &str| {
            resource
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let case_sensitive = resource
            .get("caseSensitive")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let declared_properties = resource
            .get("property")
            .and_then(Value::as_array)
            .map(|props| {
                props
                    .iter()
                    .filter_map(|p| p.get("code").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let mut cs = CodeSystemData {
            url,
            version: text("version"),
            case_sensitive,
            content: text("content").unwrap_or_else(|| "complete".to_string()),
            value_set: text("valueSet"),
            declared_properties,
            concepts: Vec::new(),
            index: HashMap::new(),
            parents: Vec::new(),
            children: Vec::new(),
            all_codes: OnceLock::new(),
        };
        let mut edges = Vec::new();
        if let Some(list) = resource.get("concept").and_then(Value::as_array) {
            cs.read_concepts(list, None, &mut edges);
        }
        cs.link(&edges);
        Some(cs)
    }

    /// Appends concepts depth-first, recording (parent, child) index pairs of the nesting.
    fn read_concepts(
        &mut self,
        list: &[Value],
        parent: Option<usize>,
        edges: &mut Vec<(usize, usize)>,
    ) {
        for item in list {
            let Some(code) = item.get("code").and_then(Value::as_str) else {
                continue;
            };
            let key = fold(!self.case_sensitive, code);
            let idx = match self.index.get(&key) {
                // A code listed twice (some code systems repeat a code under a second parent) is one
                // concept with two parents.
                Some(&idx) => idx,
                None => {
                    let idx = self.concepts.len();
                    self.concepts.push(Concept {
                        code: code.to_string(),
                        display: item
                            .get("display")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        properties: read_properties(item),
                    });
                    self.index.insert(key, idx);
                    idx
                }
            };
            if let Some(p) = parent {
                edges.push((p, idx));
            }
            if let Some(nested) = item.get("concept").and_then(Value::as_array) {
                self.read_concepts(nested, Some(idx), edges);
            }
        }
    }

    /// Builds parent and child lists from nesting and from `parent`/`child` properties.
    fn link(&mut self, nesting: &[(usize, usize)]) {
        let mut edges: Vec<(usize, usize)> = nesting.to_vec();
        for (idx, concept) in self.concepts.iter().enumerate() {
            for (name, value) in &concept.properties {
                let Some(other) = self.find(value) else {
                    continue;
                };
                match name.as_str() {
                    "parent" => edges.push((other, idx)),
                    "child" => edges.push((idx, other)),
                    _ => {}
                }
            }
        }
        self.parents = vec![Vec::new(); self.concepts.len()];
        self.children = vec![Vec::new(); self.concepts.len()];
        for (parent, child) in edges {
            if parent != child && !self.children[parent].contains(&child) {
                self.children[parent].push(child);
                self.parents[child].push(parent);
            }
        }
    }

    /// Whether every code of the system is listed.
    pub(crate) fn is_complete(&self) -> bool {
        self.content == "complete"
    }

    pub(crate) fn find(&self, code: &str) -> Option<usize> {
        self.index.get(&fold(!self.case_sensitive, code)).copied()
    }

    /// `idx` and everything below it.
    pub(crate) fn descendants_or_self(&self, idx: usize) -> Vec<usize> {
        walk(idx, &self.children)
    }

    /// `idx` and everything above it.
    pub(crate) fn ancestors_or_self(&self, idx: usize) -> Vec<usize> {
        walk(idx, &self.parents)
    }

    pub(crate) fn parents_of(&self, idx: usize) -> &[usize] {
        &self.parents[idx]
    }

    pub(crate) fn children_of(&self, idx: usize) -> &[usize] {
        &self.children[idx]
    }

    /// The values of property `name` on concept `idx`.
    pub(crate) fn property_values<'a>(
        &'a self,
        idx: usize,
        name: &'a str,
    ) -> impl Iterator<Item = &'a str> {
        self.concepts[idx]
            .properties
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Breadth-first closure over `links`, starting with `start`; safe on cyclic data.
fn walk(start: usize, links: &[Vec<usize>]) -> Vec<usize> {
    let mut seen = vec![start];
    let mut visited: HashSet<usize> = [start].into_iter().collect();
    let mut i = 0;
    while i < seen.len() {
        let here = seen[i];
        i += 1;
        for &next in &links[here] {
            if visited.insert(next) {
                seen.push(next);
            }
        }
    }
    seen
}

/// `concept.property[]` as (code, value text) pairs.
fn read_properties(concept: &Value) -> Vec<(String, String)> {
    let Some(list) = concept.get("property").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|p| {
            let name = p.get("code")?.as_str()?;
            let obj = p.as_object()?;
            let value = obj.iter().find_map(|(k, v)| {
                if !k.starts_with("value") {
                    return None;
                }
                match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Bool(b) => Some(b.to_string()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Object(o) => o.get("code").and_then(Value::as_str).map(str::to_string),
                    _ => None,
                }
            })?;
            Some((name.to_string(), value))
        })
        .collect()
}

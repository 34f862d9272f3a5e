//! A StructureDefinition snapshot compiled once into a tree the walker can follow quickly: children by
//! JSON name, choice prefixes, slices, cardinality, types, fixed/pattern values, bindings and the
//! invariants as parsed FHIRPath (issue #4 §1, §2).

use foldhash::{HashMap, HashMapExt};

use serde_json::Value;

use crate::fhirpath::Expression;
use crate::validate::string_list;

/// Index of an element inside its profile.
pub type ElementIdx = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    Required,
    Extensible,
    Preferred,
    Example,
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub strength: Strength,
    pub value_set: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintSeverity {
    Error,
    Warning,
}

#[derive(Debug)]
pub struct Constraint {
    pub key: String,
    pub severity: ConstraintSeverity,
    pub human: String,
    /// The parsed expression, or why it could not be parsed.
    pub expression: Result<Expression, String>,
    /// Recognised well-known invariants evaluated natively on the hot path.
    pub native: Option<Native>,
}

/// Invariants that apply to nearly every element; evaluated without FHIRPath (they are also covered by
/// the FHIRPath engine's tests with the same expressions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Native {
    /// ele-1: `hasValue() or (children().count() > id.count())`.
    HasValueOrChildren,
    /// ext-1: `extension.exists() != value.exists()`.
    ExtensionOrValue,
}

#[derive(Debug, Clone)]
pub struct TypeRef {
    /// `string`, `HumanName`, `Reference`, `Resource`; System types as `System.String`.
    pub code: String,
    pub profiles: Vec<String>,
    pub target_profiles: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlicingRules {
    Open,
    Closed,
    OpenAtEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscriminatorKind {
    Value,
    Pattern,
    Type,
    Profile,
    Exists,
}

#[derive(Debug, Clone)]
pub struct Discriminator {
    pub kind: DiscriminatorKind,
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct Slicing {
    pub discriminators: Vec<Discriminator>,
    pub rules: SlicingRules,
    pub ordered: bool,
}

#[derive(Debug)]
pub struct Element {
    pub id: String,
    pub path: String,
    /// The element's name as in JSON, without `[x]` (`value` for `value[x]`).
    pub name: String,
    pub choice: bool,
    pub slice_name: Option<String>,
    pub min: u32,
    /// `None` is `*`.
    pub max: Option<u32>,
    /// Whether the base definition allows more than one (so JSON holds an array).
    pub base_many: bool,
    pub types: Vec<TypeRef>,
    pub children: Vec<ElementIdx>,
    /// JSON name → child (non-choice children).
    pub child_names: HashMap<String, ElementIdx>,
    /// Choice children: (prefix, child).
    pub choice_children: Vec<(String, ElementIdx)>,
    pub slicing: Option<Slicing>,
    pub slices: Vec<ElementIdx>,
    pub fixed: Option<Value>,
    pub pattern: Option<Value>,
    pub binding: Option<Binding>,
    pub constraints: Vec<Constraint>,
    /// `contentReference`: the element whose children and types this one reuses.
    pub content_reference: Option<ElementIdx>,
    pub must_support: bool,
    pub max_length: Option<usize>,
}

impl Element {
    pub fn allows_many(&self) -> bool {
        self.base_many || self.max.is_none_or(|m| m > 1)
    }
}

/// A compiled StructureDefinition.
#[derive(Debug)]
pub struct Profile {
    pub url: String,
    pub name: String,
    /// The type it constrains (`Patient`, `Extension`, `HumanName`).
    pub type_name: String,
    pub kind: String,
    pub derivation: Option<String>,
    pub base_definition: Option<String>,
    pub elements: Vec<Element>,
}

impl Profile {
    /// Compiles `elements` (a snapshot) of StructureDefinition `sd`.
    pub fn compile(sd: &Value, elements: &[Value]) -> Result<Profile, String> {
        let text = |k: &str| sd.get(k).and_then(Value::as_str).map(str::to_string);
        let url = text("url").ok_or("the StructureDefinition has no url")?;
        let type_name = text("type").ok_or_else(|| format!("{url} has no type"))?;
        let mut compiled: Vec<Element> = Vec::with_capacity(elements.len());
        let mut by_id: HashMap<String, ElementIdx> = HashMap::new();
        for (i, e) in elements.iter().enumerate() {
            let element = compile_element(e, i).map_err(|why| format!("{url}: {why}"))?;
            by_id.insert(element.id.clone(), i);
            compiled.push(element);
        }
        if compiled.is_empty() {
            return Err(format!("{url} has no elements"));
        }
        // Link children and slices by id: the parent of `A.b:s.c` is `A.b:s`; `A.b:s` is a slice of `A.b`.
        for i in 1..compiled.len() {
            let id = compiled[i].id.clone();
            let Some((parent_id, last)) = split_last(&id) else {
                continue;
            };
            match last.split_once(':') {
                Some((base_name, _slice)) => {
                    // A slice (or re-slice `a/b`) of the sibling element without the slice part.
                    let sliced_id = match last.rsplit_once('/') {
                        Some((outer, _)) => format!("{parent_id}.{outer}"),
                        None => format!("{parent_id}.{base_name}"),
                    };
                    if let Some(&sliced) = by_id.get(&sliced_id) {
                        compiled[sliced].slices.push(i);
                    }
                }
                None => {
                    if let Some(&parent) = by_id.get(parent_id) {
                        compiled[parent].children.push(i);
                    }
                }
            }
        }
        for i in 0..compiled.len() {
            let children = compiled[i].children.clone();
            for c in children {
                let (name, choice) = (compiled[c].name.clone(), compiled[c].choice);
                if choice {
                    compiled[i].choice_children.push((name, c));
                } else {
                    compiled[i].child_names.insert(name, c);
                }
            }
            if let Some(reference) = elements[i].get("contentReference").and_then(Value::as_str) {
                let target = reference.trim_start_matches('#');
                // contentReference names an element id, optionally with the StructureDefinition url.
                let target = target.rsplit_once('#').map_or(target, |(_, t)| t);
                compiled[i].content_reference = by_id.get(target).copied();
            }
        }
        Ok(Profile {
            url,
            name: text("name").unwrap_or_default(),
            type_name,
            kind: text("kind").unwrap_or_default(),
            derivation: text("derivation"),
            base_definition: text("baseDefinition"),
            elements: compiled,
        })
    }

    pub fn root(&self) -> &Element {
        &self.elements[0]
    }

    /// The element whose children and types apply at `idx` (following `contentReference`).
    pub fn definition_of(&self, idx: ElementIdx) -> ElementIdx {
        self.elements[idx].content_reference.unwrap_or(idx)
    }

    /// The choice child of element `idx` that JSON key `key` (`valueQuantity`) fills, with the type the
    /// key names.
    pub fn choice_child(&self, idx: ElementIdx, key: &str) -> Option<(ElementIdx, &TypeRef)> {
        let element = &self.elements[self.definition_of(idx)];
        element.choice_children.iter().find_map(|(prefix, child)| {
            let suffix = key.strip_prefix(prefix.as_str())?;
            self.elements[self.definition_of(*child)]
                .types
                .iter()
                .find(|t| type_suffix_matches(&t.code, suffix))
                .map(|t| (*child, t))
        })
    }

    /// The element at `path` below `from` (dotted names, e.g. `coding.system`), if the profile has it.
    pub fn descendant(&self, from: ElementIdx, path: &str) -> Option<ElementIdx> {
        let mut at = from;
        for name in path.split('.') {
            let def = self.definition_of(at);
            let element = &self.elements[def];
            at = match element.child_names.get(name) {
                Some(&c) => c,
                None => element
                    .choice_children
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|&(_, c)| c)?,
            };
        }
        Some(at)
    }
}

/// `Quantity` matches `Quantity`; `dateTime` matches `DateTime` (a choice key's suffix).
fn type_suffix_matches(code: &str, suffix: &str) -> bool {
    let mut chars = code.chars();
    match chars.next() {
        Some(first) => {
            suffix.len() == code.len()
                && suffix.starts_with(first.to_ascii_uppercase())
                && suffix[first.len_utf8()..] == *chars.as_str()
        }
        None => false,
    }
}

/// `A.b:s.c` → (`A.b:s`, `c`). Slice names in the packages we load hold no dots.
fn split_last(id: &str) -> Option<(&str, &str)> {
    id.rsplit_once('.')
}

fn compile_element(e: &Value, index: usize) -> Result<Element, String> {
    let path = e
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("element {index} has no path"))?
        .to_string();
    let id = e
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| path.clone());
    let last = path.rsplit('.').next().unwrap_or(&path);
    let (name, choice) = match last.strip_suffix("[x]") {
        Some(n) => (n.to_string(), true),
        None => (last.to_string(), false),
    };
    let min = e.get("min").and_then(Value::as_u64).unwrap_or(0) as u32;
    let max = parse_max(e.get("max"));
    let base_max = parse_max(e.pointer("/base/max"));
    let base_many = e.pointer("/base/max").is_some() && base_max.is_none_or(|m| m > 1);
    let types = e
        .get("type")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(compile_type)
        .collect();
    let mut fixed = None;
    let mut pattern = None;
    if let Some(object) = e.as_object() {
        for (k, v) in object {
            if k.starts_with("fixed") {
                fixed = Some(v.clone());
            } else if k.starts_with("pattern") {
                pattern = Some(v.clone());
            }
        }
    }
    let binding = e.get("binding").and_then(|b| {
        let strength = match b.get("strength")?.as_str()? {
            "required" => Strength::Required,
            "extensible" => Strength::Extensible,
            "preferred" => Strength::Preferred,
            _ => Strength::Example,
        };
        Some(Binding {
            strength,
            value_set: b.get("valueSet")?.as_str()?.to_string(),
        })
    });
    let constraints = e
        .get("constraint")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(compile_constraint)
        .collect();
    let slicing = e.get("slicing").map(compile_slicing);
    Ok(Element {
        id,
        path,
        name,
        choice,
        slice_name: e
            .get("sliceName")
            .and_then(Value::as_str)
            .map(str::to_string),
        min,
        max,
        base_many,
        types,
        children: Vec::new(),
        child_names: HashMap::new(),
        choice_children: Vec::new(),
        slicing,
        slices: Vec::new(),
        fixed,
        pattern,
        binding,
        constraints,
        content_reference: None,
        must_support: e.get("mustSupport").and_then(Value::as_bool) == Some(true),
        max_length: e
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|n| n as usize),
    })
}

fn parse_max(max: Option<&Value>) -> Option<u32> {
    match max.and_then(Value::as_str) {
        Some("*") | None => None,
        Some(n) => n.parse().ok(),
    }
}

fn compile_type(t: &Value) -> Option<TypeRef> {
    let mut code = t.get("code")?.as_str()?.to_string();
    // System types in snapshots carry the FHIR type in an extension (`id` elements: System.String).
    if let Some(fhir_type) = t
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|x| {
            x["url"] == "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"
        })
        .and_then(|x| x["valueUrl"].as_str().or(x["valueUri"].as_str()))
    {
        if code.starts_with("http://hl7.org/fhirpath/System.") {
            code = fhir_type.to_string();
        }
    }
    Some(TypeRef {
        code,
        profiles: string_list(t.get("profile")),
        target_profiles: string_list(t.get("targetProfile")),
    })
}

const ELE_1: &str = "hasValue() or (children().count() > id.count())";
const EXT_1: &str = "extension.exists() != value.exists()";

fn compile_constraint(c: &Value) -> Option<Constraint> {
    let key = c.get("key")?.as_str()?.to_string();
    let text = c.get("expression").and_then(Value::as_str);
    let native = match (key.as_str(), text) {
        ("ele-1", Some(ELE_1)) => Some(Native::HasValueOrChildren),
        ("ext-1", Some(EXT_1)) => Some(Native::ExtensionOrValue),
        _ => None,
    };
    let expression = match text {
        Some(text) if native.is_none() => Expression::parse(text).map_err(|e| e.to_string()),
        Some(_) => Err("evaluated natively".to_string()),
        None => Err("the constraint has no FHIRPath expression".to_string()),
    };
    Some(Constraint {
        key,
        severity: match c.get("severity").and_then(Value::as_str) {
            Some("warning") => ConstraintSeverity::Warning,
            _ => ConstraintSeverity::Error,
        },
        human: c
            .get("human")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        expression,
        native,
    })
}

fn compile_slicing(s: &Value) -> Slicing {
    let discriminators = s
        .get("discriminator")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|d| {
            let kind = match d.get("type")?.as_str()? {
                "value" => DiscriminatorKind::Value,
                "pattern" => DiscriminatorKind::Pattern,
                "type" => DiscriminatorKind::Type,
                "profile" => DiscriminatorKind::Profile,
                "exists" => DiscriminatorKind::Exists,
                _ => return None,
            };
            Some(Discriminator {
                kind,
                path: d.get("path")?.as_str()?.to_string(),
            })
        })
        .collect();
    Slicing {
        discriminators,
        rules: match s.get("rules").and_then(Value::as_str) {
            Some("closed") => SlicingRules::Closed,
            Some("openAtEnd") => SlicingRules::OpenAtEnd,
            _ => SlicingRules::Open,
        },
        ordered: s.get("ordered").and_then(Value::as_bool) == Some(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_suffixes_match_type_codes() {
        assert!(type_suffix_matches("Quantity", "Quantity"));
        assert!(type_suffix_matches("dateTime", "DateTime"));
        assert!(!type_suffix_matches("date", "DateTime"));
        assert!(!type_suffix_matches("string", "Str"));
    }

    #[test]
    fn ids_split_at_the_last_element() {
        assert_eq!(split_last("Patient.name"), Some(("Patient", "name")));
        assert_eq!(
            split_last("Patient.identifier:local.system"),
            Some(("Patient.identifier:local", "system"))
        );
        assert_eq!(
            split_last("Patient.extension:race"),
            Some(("Patient", "extension:race"))
        );
        assert_eq!(split_last("Patient"), None);
    }
}

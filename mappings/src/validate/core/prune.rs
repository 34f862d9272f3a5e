//! Pruning R4 conformance resources down to the fields the validator reads, for the compact Bundle.

use serde_json::{Map, Value};

const FHIR_TYPE_EXTENSION: &str =
    "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";
const REGEX_EXTENSION: &str = "http://hl7.org/fhir/StructureDefinition/regex";

const SD_KEYS: &[&str] = &[
    "resourceType",
    "url",
    "version",
    "name",
    "type",
    "kind",
    "abstract",
    "derivation",
    "baseDefinition",
    "fhirVersion",
    "context",
];
const ELEMENT_KEYS: &[&str] = &[
    "id",
    "path",
    "sliceName",
    "sliceIsConstraining",
    "min",
    "max",
    "contentReference",
    "mustSupport",
    "isModifier",
    "maxLength",
];
/// Prefixes of the choice elements kept whole (`fixedCode`, `patternCodeableConcept`, ...).
const ELEMENT_CHOICE_PREFIXES: &[&str] = &["fixed", "pattern", "minValue", "maxValue"];
const BASE_KEYS: &[&str] = &["path", "min", "max"];
const TYPE_KEYS: &[&str] = &["code", "profile", "targetProfile", "aggregation"];
const SLICING_KEYS: &[&str] = &["discriminator", "ordered", "rules"];
const BINDING_KEYS: &[&str] = &["strength", "valueSet"];
const CONSTRAINT_KEYS: &[&str] = &["key", "severity", "expression", "human", "source"];
const VS_KEYS: &[&str] = &["resourceType", "url", "version", "name", "status"];
const CS_KEYS: &[&str] = &[
    "resourceType",
    "url",
    "version",
    "name",
    "status",
    "content",
    "caseSensitive",
    "valueSet",
    "hierarchyMeaning",
];
const CS_PROPERTY_KEYS: &[&str] = &["code", "uri", "type"];
const CONCEPT_KEYS: &[&str] = &["code", "display", "property"];

/// The fields of `object` whose key is in `keys`, in the object's own order.
fn pick(object: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    object
        .iter()
        .filter(|(key, _)| keys.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// Applies `f` to every object of the array at `object[key]`, when there is one.
fn map_array(
    object: &Map<String, Value>,
    key: &str,
    f: impl Fn(&Map<String, Value>) -> Map<String, Value>,
) -> Option<Value> {
    let items = object.get(key)?.as_array()?;
    let mapped: Vec<Value> = items
        .iter()
        .filter_map(Value::as_object)
        .map(|item| Value::Object(f(item)))
        .collect();
    Some(Value::Array(mapped))
}

/// The extensions of `object` whose url is one of `urls`, or `None` when none is left.
fn kept_extensions(object: &Map<String, Value>, urls: &[&str]) -> Option<Value> {
    let kept: Vec<Value> = object
        .get("extension")?
        .as_array()?
        .iter()
        .filter(|ext| {
            ext.get("url")
                .and_then(Value::as_str)
                .is_some_and(|url| urls.contains(&url))
        })
        .cloned()
        .collect();
    (!kept.is_empty()).then_some(Value::Array(kept))
}

/// A StructureDefinition with its header fields and pruned snapshot elements.
pub(super) fn structure_definition(sd: &Value) -> Value {
    let Some(sd) = sd.as_object() else {
        return sd.clone();
    };
    let mut out = pick(sd, SD_KEYS);
    let elements = sd
        .get("snapshot")
        .and_then(Value::as_object)
        .and_then(|snapshot| map_array(snapshot, "element", element))
        .unwrap_or_else(|| Value::Array(Vec::new()));
    let mut snapshot = Map::new();
    snapshot.insert("element".into(), elements);
    out.insert("snapshot".into(), Value::Object(snapshot));
    Value::Object(out)
}

/// Whether `key` is a choice element kept whole, such as `fixedUri` or `maxValueInteger`.
fn is_kept_choice(key: &str) -> bool {
    ELEMENT_CHOICE_PREFIXES.iter().any(|prefix| {
        key.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
    })
}

/// One snapshot element, in the element's own key order.
fn element(element: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in element {
        let kept = match key.as_str() {
            "extension" => kept_extensions(element, &[REGEX_EXTENSION]),
            "base" => value.as_object().map(|o| Value::Object(pick(o, BASE_KEYS))),
            "type" => map_array(element, "type", element_type),
            "slicing" => value
                .as_object()
                .map(|o| Value::Object(pick(o, SLICING_KEYS))),
            "binding" => value
                .as_object()
                .map(|o| Value::Object(pick(o, BINDING_KEYS))),
            "constraint" => map_array(element, "constraint", |c| pick(c, CONSTRAINT_KEYS)),
            k if ELEMENT_KEYS.contains(&k) || is_kept_choice(k) => Some(value.clone()),
            _ => None,
        };
        if let Some(kept) = kept {
            out.insert(key.clone(), kept);
        }
    }
    out
}

/// One `ElementDefinition.type`, keeping the fhir-type extension (and the regex extension, which R4
/// puts on the type of the primitive `value` elements).
fn element_type(ty: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in ty {
        if key == "extension" {
            if let Some(kept) = kept_extensions(ty, &[FHIR_TYPE_EXTENSION, REGEX_EXTENSION]) {
                out.insert(key.clone(), kept);
            }
        } else if TYPE_KEYS.contains(&key.as_str()) {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

/// A ValueSet with its header fields, `compose` and `expansion`, without extensions or designations.
pub(super) fn value_set(vs: &Value) -> Value {
    let Some(vs) = vs.as_object() else {
        return vs.clone();
    };
    let mut out = pick(vs, VS_KEYS);
    for key in ["compose", "expansion"] {
        if let Some(value) = vs.get(key) {
            out.insert(key.into(), without_extensions(value));
        }
    }
    Value::Object(out)
}

/// A copy of `value` without `extension`, `designation` or `_primitive` members at any depth.
fn without_extensions(value: &Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .filter(|(key, _)| {
                    key.as_str() != "extension"
                        && key.as_str() != "designation"
                        && !key.starts_with('_')
                })
                .map(|(key, value)| (key.clone(), without_extensions(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_extensions).collect()),
        other => other.clone(),
    }
}

/// A CodeSystem with its header fields, property definitions and concept tree.
pub(super) fn code_system(cs: &Value) -> Value {
    let Some(cs) = cs.as_object() else {
        return cs.clone();
    };
    let mut out = Map::new();
    for (key, value) in cs {
        let kept = match key.as_str() {
            "property" => map_array(cs, "property", |p| pick(p, CS_PROPERTY_KEYS)),
            "concept" => map_array(cs, "concept", concept),
            k if CS_KEYS.contains(&k) => Some(value.clone()),
            _ => None,
        };
        if let Some(kept) = kept {
            out.insert(key.clone(), kept);
        }
    }
    Value::Object(out)
}

/// One CodeSystem concept with its code, display, properties and children.
fn concept(concept_: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in concept_ {
        if key == "concept" {
            if let Some(children) = map_array(concept_, "concept", concept) {
                out.insert(key.clone(), children);
            }
        } else if CONCEPT_KEYS.contains(&key.as_str()) {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

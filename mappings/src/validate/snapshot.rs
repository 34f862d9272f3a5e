//! Snapshot generation for StructureDefinitions published with a differential only (the JAMI
//! e-prescription IG): the base definition's snapshot with each differential element merged in by id,
//! slices and the children of complex types added where the differential reaches them.
//!
//! Written here because no Rust crate generates snapshots; this is the subset of the FHIR algorithm
//! (ProfileUtilities.generateSnapshot) that validation needs: element order is kept for existing
//! elements and new ones are appended, which the compiled profile does not depend on (it links by id).

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::fhirpath::choice_suffix_type;
use crate::validate::definitions::Definitions;

/// Keys of a differential element that are not merged onto the snapshot element.
const NOT_MERGED: &[&str] = &["id", "path", "sliceName"];
/// Base definitions chains longer than this are refused (a loop in `baseDefinition`).
const MAX_DEPTH: usize = 12;

/// The snapshot elements of `sd`, generated from its base definition and its differential.
pub fn generate(defs: &Definitions, sd: &Value, depth: usize) -> Result<Vec<Value>, String> {
    let url = sd.get("url").and_then(Value::as_str).unwrap_or("?");
    if depth > MAX_DEPTH {
        return Err(format!("{url}: the baseDefinition chain is too deep"));
    }
    let base_url = sd
        .get("baseDefinition")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{url} has neither a snapshot nor a baseDefinition"))?;
    let base = defs
        .structure(base_url)
        .ok_or_else(|| format!("{url}: its base {base_url} is not loaded"))?;
    let mut builder = Builder {
        defs,
        elements: snapshot_of(defs, base, depth + 1)?,
        by_id: HashMap::new(),
        aliases: Vec::new(),
        depth,
    };
    builder.reindex();
    let differential = sd
        .pointer("/differential/element")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{url} has no differential"))?;
    for element in differential {
        let Some(id) = element
            .get("id")
            .or_else(|| element.get("path"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        let id = builder.unalias(id);
        let at = builder
            .ensure(&id)
            .map_err(|why| format!("{url}: differential element {id}: {why}"))?;
        merge(&mut builder.elements[at], element);
    }
    Ok(builder.elements)
}

/// The snapshot of `sd`, generated when it has only a differential.
fn snapshot_of(defs: &Definitions, sd: &Value, depth: usize) -> Result<Vec<Value>, String> {
    match sd.pointer("/snapshot/element").and_then(Value::as_array) {
        Some(elements) if !elements.is_empty() => Ok(elements.clone()),
        _ => generate(defs, sd, depth),
    }
}

struct Builder<'d> {
    defs: &'d Definitions,
    elements: Vec<Value>,
    by_id: HashMap<String, usize>,
    /// Differential slice ids that name a base slice in another letter case, with the base slice's id.
    aliases: Vec<(String, String)>,
    depth: usize,
}

impl Builder<'_> {
    fn reindex(&mut self) {
        self.by_id.clear();
        for (i, e) in self.elements.iter().enumerate() {
            if let Some(id) = e
                .get("id")
                .or_else(|| e.get("path"))
                .and_then(Value::as_str)
            {
                self.by_id.insert(id.to_string(), i);
            }
        }
    }

    /// `id` with any slice alias replaced by the base slice it names.
    fn unalias(&self, id: &str) -> String {
        for (alias, base) in &self.aliases {
            if let Some(rest) = id.strip_prefix(alias.as_str()) {
                if rest.is_empty() || rest.starts_with(['.', ':', '/']) {
                    return format!("{base}{rest}");
                }
            }
        }
        id.to_string()
    }

    fn push(&mut self, element: Value) -> usize {
        let id = element["id"].as_str().unwrap_or_default().to_string();
        self.elements.push(element);
        let at = self.elements.len() - 1;
        self.by_id.insert(id, at);
        at
    }

    /// The index of the element with `id`, creating it (and its parents) when the differential reaches
    /// below what the snapshot has.
    fn ensure(&mut self, id: &str) -> Result<usize, String> {
        if let Some(&at) = self.by_id.get(id) {
            return Ok(at);
        }
        let (parent_id, last) = id
            .rsplit_once('.')
            .ok_or_else(|| "it names a different root element".to_string())?;
        let parent = self.ensure(parent_id)?;
        // Making the parent may have expanded its type, children included.
        if let Some(&at) = self.by_id.get(id) {
            return Ok(at);
        }
        if let Some((name, slice)) = last.split_once(':') {
            return self.add_slice(parent_id, name, slice);
        }
        if !self.has_children(parent_id) {
            if let Some(at) = self.child_of_one_choice_type(parent, parent_id, last)? {
                return Ok(at);
            }
            self.expand_type(parent)?;
            if let Some(&at) = self.by_id.get(id) {
                return Ok(at);
            }
        }
        // `X.valueString` is the shorthand of the type slice `X.value[x]:valueString`.
        if let Some(choice) = self.choice_for(parent_id, last) {
            let at = self.add_slice(parent_id, &format!("{choice}[x]"), last)?;
            let type_code = type_of_choice_key(&choice, last);
            self.elements[at]["type"] = serde_json::json!([{ "code": type_code }]);
            // Later elements below the shorthand (`doseQuantity.system`) belong to the type slice.
            self.aliases
                .push((id.to_string(), format!("{parent_id}.{choice}[x]:{last}")));
            return Ok(at);
        }
        Err(format!("{parent_id} has no child {last}"))
    }

    fn has_children(&self, parent_id: &str) -> bool {
        let prefix = format!("{parent_id}.");
        self.by_id
            .keys()
            .any(|k| k.starts_with(&prefix) && !k[prefix.len()..].contains('.'))
    }

    fn choice_for(&self, parent_id: &str, key: &str) -> Option<String> {
        let prefix = format!("{parent_id}.");
        self.by_id.keys().find_map(|k| {
            let name = k.strip_prefix(&prefix)?.strip_suffix("[x]")?;
            let rest = key.strip_prefix(name)?;
            rest.starts_with(|c: char| c.is_ascii_uppercase())
                .then(|| name.to_string())
        })
    }

    /// Adds slice `slice` of `parent_id.name`: a copy of the sliced element and its descendants.
    fn add_slice(&mut self, parent_id: &str, name: &str, slice: &str) -> Result<usize, String> {
        let sliced_id = format!("{parent_id}.{name}");
        let sliced = self.ensure(&sliced_id)?;
        let slice_id = format!("{sliced_id}:{slice}");
        if let Some(&at) = self.by_id.get(&slice_id) {
            return Ok(at);
        }
        // The JAMI e-prescription IG was written against a JP Core whose slice names began with a
        // capital (`extension:PrefectureNo`); JP Core 1.1.x names them `prefectureNo`. A new slice
        // would leave the base slice's url and profile behind and make every example fail, so a
        // slice that differs from a base slice only in letter case constrains that base slice.
        if let Some(base_id) = self.slice_in_other_case(&slice_id) {
            self.aliases.push((slice_id, base_id.clone()));
            return Ok(self.by_id[&base_id]);
        }
        let mut root = self.elements[sliced].clone();
        if let Some(object) = root.as_object_mut() {
            object.remove("slicing");
            object.insert("id".into(), Value::String(slice_id.clone()));
            object.insert(
                "sliceName".into(),
                Value::String(slice.rsplit('/').next().unwrap_or(slice).to_string()),
            );
        }
        let at = self.push(root);
        // The sliced element's descendants (not its other slices) are the slice's too.
        let prefix = format!("{sliced_id}.");
        let descendants: Vec<Value> = self
            .elements
            .iter()
            .filter(|e| e["id"].as_str().is_some_and(|id| id.starts_with(&prefix)))
            .cloned()
            .collect();
        for mut d in descendants {
            let id = d["id"].as_str().unwrap_or_default();
            let new_id = format!("{slice_id}.{}", &id[prefix.len()..]);
            d["id"] = Value::String(new_id);
            self.push(d);
        }
        Ok(at)
    }

    /// A differential element below a choice of several types (`bounds[x].value`, where only Duration
    /// of Duration|Range|Period has `value`) constrains the one type that has that child: it goes into
    /// the type slice `bounds[x]:boundsDuration`, so a Period or Range is not held to Duration's
    /// children. `None` when the element has a single type.
    fn child_of_one_choice_type(
        &mut self,
        parent: usize,
        parent_id: &str,
        child: &str,
    ) -> Result<Option<usize>, String> {
        let types: Vec<String> = self.elements[parent]["type"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["code"].as_str().map(str::to_string))
            .collect();
        if types.len() < 2 {
            return Ok(None);
        }
        let having: Vec<&String> = types
            .iter()
            .filter(|code| self.type_has_child(code, child))
            .collect();
        let ([code], Some((grandparent, name))) = (having.as_slice(), parent_id.rsplit_once('.'))
        else {
            return Err(format!(
                "{parent_id} has {} types, and {} of them have a child {child}",
                types.len(),
                having.len()
            ));
        };
        let Some(choice) = name.strip_suffix("[x]") else {
            return Err(format!("{parent_id} has several types but is not a choice"));
        };
        let slice = format!("{choice}{}", capitalised(code));
        let at = self.add_slice(grandparent, name, &slice)?;
        self.elements[at]["type"] = serde_json::json!([{ "code": code }]);
        let slice_id = format!("{parent_id}:{slice}");
        if !self.has_children(&slice_id) {
            self.expand_type(at)?;
        }
        let child_id = format!("{slice_id}.{child}");
        self.aliases
            .push((format!("{parent_id}.{child}"), child_id.clone()));
        self.by_id
            .get(&child_id)
            .copied()
            .map(Some)
            .ok_or_else(|| format!("{slice_id} has no child {child}"))
    }

    /// Whether the definition of data type `code` has a child element `child`.
    fn type_has_child(&self, code: &str, child: &str) -> bool {
        let Some(sd) = self
            .defs
            .type_url(code)
            .and_then(|url| self.defs.structure(url))
        else {
            return false;
        };
        let id = format!("{code}.{child}");
        sd.pointer("/snapshot/element")
            .and_then(Value::as_array)
            .is_some_and(|elements| elements.iter().any(|e| e["id"] == id.as_str()))
    }

    /// The id of an existing slice that is `slice_id` but for letter case.
    fn slice_in_other_case(&self, slice_id: &str) -> Option<String> {
        self.by_id
            .keys()
            .find(|k| k.eq_ignore_ascii_case(slice_id))
            .cloned()
    }

    /// Adds the children of the (single) type of element `at`, from that type's definition or profile.
    fn expand_type(&mut self, at: usize) -> Result<(), String> {
        let element = &self.elements[at];
        let id = element["id"].as_str().unwrap_or_default().to_string();
        let path = element["path"].as_str().unwrap_or_default().to_string();
        let types = element["type"].as_array().cloned().unwrap_or_default();
        let [t] = types.as_slice() else {
            return Err(format!(
                "{id} has {} types, so its children are ambiguous",
                types.len()
            ));
        };
        let code = t["code"].as_str().unwrap_or_default();
        let url = t["profile"][0]
            .as_str()
            .map(str::to_string)
            .or_else(|| self.defs.type_url(code).map(str::to_string))
            .ok_or_else(|| format!("the type {code} of {id} is not loaded"))?;
        let sd = self
            .defs
            .structure(&url)
            .ok_or_else(|| format!("the type profile {url} of {id} is not loaded"))?;
        let elements = snapshot_of(self.defs, sd, self.depth + 1)?;
        let Some(root_path) = elements
            .first()
            .and_then(|e| e["path"].as_str())
            .map(str::to_string)
        else {
            return Ok(());
        };
        for e in elements.iter().skip(1) {
            let mut e = e.clone();
            let (Some(eid), Some(epath)) = (e["id"].as_str(), e["path"].as_str()) else {
                continue;
            };
            let (Some(id_rest), Some(path_rest)) =
                (eid.strip_prefix(&root_path), epath.strip_prefix(&root_path))
            else {
                continue;
            };
            let (new_id, new_path) = (format!("{id}{id_rest}"), format!("{path}{path_rest}"));
            e["id"] = Value::String(new_id);
            e["path"] = Value::String(new_path);
            self.push(e);
        }
        Ok(())
    }
}

/// `dateTime` → `DateTime`: a type code as the suffix of a choice element's JSON name.
fn capitalised(code: &str) -> String {
    let mut chars = code.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

/// `value` + `valueString` → `string`; `valueQuantity` → `Quantity`.
fn type_of_choice_key(name: &str, key: &str) -> String {
    let suffix = &key[name.len()..];
    choice_suffix_type(suffix).unwrap_or(suffix).to_string()
}

/// Puts the differential's constraints onto the snapshot element: scalar properties replace, constraints
/// are added by key.
fn merge(target: &mut Value, differential: &Value) {
    let (Some(target), Some(diff)) = (target.as_object_mut(), differential.as_object()) else {
        return;
    };
    for (k, v) in diff {
        if NOT_MERGED.contains(&k.as_str()) {
            continue;
        }
        if k == "constraint" {
            merge_constraints(target, v);
            continue;
        }
        // A new fixed/pattern replaces any other choice of it.
        if k.starts_with("fixed") || k.starts_with("pattern") {
            let family = if k.starts_with("fixed") {
                "fixed"
            } else {
                "pattern"
            };
            target.retain(|existing, _| !existing.starts_with(family));
        }
        target.insert(k.clone(), v.clone());
    }
}

fn merge_constraints(target: &mut Map<String, Value>, added: &Value) {
    let list = target
        .entry("constraint")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(list) = list.as_array_mut() else {
        return;
    };
    for c in added.as_array().into_iter().flatten() {
        let key = &c["key"];
        match list.iter_mut().find(|e| &e["key"] == key) {
            Some(existing) => *existing = c.clone(),
            None => list.push(c.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(differential: Value) -> Vec<Value> {
        let defs = Definitions::with_r4_core().expect("core");
        let sd = serde_json::json!({
            "url": "urn:test:profile",
            "baseDefinition": "http://hl7.org/fhir/StructureDefinition/MedicationRequest",
            "differential": {"element": differential},
        });
        generate(&defs, &sd, 0).expect("snapshot")
    }

    fn element<'e>(elements: &'e [Value], id: &str) -> Option<&'e Value> {
        elements.iter().find(|e| e["id"] == id)
    }

    #[test]
    fn a_child_of_a_multi_type_choice_goes_into_the_type_slice_that_has_it() {
        let bounds = "MedicationRequest.dosageInstruction.timing.repeat.bounds[x]";
        let elements = generated(serde_json::json!([
            {"id": format!("{bounds}.value"), "min": 1},
            {"id": format!("{bounds}.value.extension"), "max": "0"},
        ]));
        let slice = element(&elements, &format!("{bounds}:boundsDuration")).expect("type slice");
        assert_eq!(slice["type"], serde_json::json!([{"code": "Duration"}]));
        let value = element(&elements, &format!("{bounds}:boundsDuration.value")).expect("value");
        assert_eq!(value["min"], 1);
        let extension = format!("{bounds}:boundsDuration.value.extension");
        assert_eq!(
            element(&elements, &extension).expect("extension")["max"],
            "0"
        );
        // The choice itself keeps its three types and gets no children of one of them.
        assert!(element(&elements, &format!("{bounds}.value")).is_none());
    }

    #[test]
    fn a_shorthand_choice_and_its_children_share_one_type_slice() {
        let dose = "MedicationRequest.dosageInstruction.doseAndRate";
        let elements = generated(serde_json::json!([
            {"id": format!("{dose}.doseQuantity"), "min": 1},
            {"id": format!("{dose}.doseQuantity.system"), "fixedUri": "http://unitsofmeasure.org"},
        ]));
        let slice = format!("{dose}.dose[x]:doseQuantity");
        assert_eq!(element(&elements, &slice).expect("slice")["min"], 1);
        let system = element(&elements, &format!("{slice}.system")).expect("system");
        assert_eq!(system["fixedUri"], "http://unitsofmeasure.org");
    }

    #[test]
    fn choice_keys_name_their_type() {
        assert_eq!(type_of_choice_key("value", "valueString"), "string");
        assert_eq!(type_of_choice_key("value", "valueDateTime"), "dateTime");
        assert_eq!(type_of_choice_key("value", "valueQuantity"), "Quantity");
        assert_eq!(
            type_of_choice_key("value", "valueCodeableConcept"),
            "CodeableConcept"
        );
    }
}

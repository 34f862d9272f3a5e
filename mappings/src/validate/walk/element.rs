//! The children of one complex element: JSON keys matched to the definition's elements (names, choice
//! types, primitive `_x` siblings), JSON array shape, cardinality, must-support, then slicing and each
//! value (FHIR R4 JSON §2.6.2, ElementDefinition min/max).

use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::issue::{Issue, IssueCode};
use crate::validate::primitive;
use crate::validate::profile::{Element, ElementIdx, Profile};
use crate::validate::slicing;
use crate::validate::walk::{Frame, Walker};

/// Bundles with at least this many entries have them validated in parallel.
const PARALLEL_ENTRIES: usize = 16;

/// One occurrence of an element: its JSON value and, for primitives, its `_x` object.
#[derive(Clone, Copy)]
pub(crate) struct Occurrence<'r> {
    pub value: Option<&'r Value>,
    pub extra: Option<&'r Value>,
    /// Index in the JSON array, when the element is an array.
    pub index: Option<usize>,
}

/// The JSON keys that hold one child element.
struct Slot<'r, 'p> {
    child: ElementIdx,
    key: &'r str,
    type_code: &'p str,
    value: Option<&'r Value>,
    extra: Option<&'r Value>,
}

impl Walker<'_> {
    /// Walks the children of `object` against the children of element `parent` of `profile`.
    pub(crate) fn children<'r>(
        &mut self,
        profile: &Arc<Profile>,
        parent: ElementIdx,
        object: &'r Map<String, Value>,
        path: &str,
        is_resource: bool,
        frame: Frame<'r>,
    ) {
        let def = profile.definition_of(parent);
        let element = &profile.elements[def];
        let mut slots: Vec<Slot<'r, '_>> = Vec::with_capacity(object.len());
        for (key, value) in object {
            if is_resource && key == "resourceType" {
                continue;
            }
            let (name, underscore) = match key.strip_prefix('_') {
                Some(name) => (name, true),
                None => (key.as_str(), false),
            };
            let found = match element.child_names.get(name) {
                Some(&child) => {
                    let types = &profile.elements[profile.definition_of(child)].types;
                    let type_code = types
                        .first()
                        .map_or("Element", |t| effective_type(profile, child, &t.code));
                    Some((child, type_code))
                }
                None => profile
                    .choice_child(parent, name)
                    .map(|(child, t)| (child, t.code.as_str())),
            };
            let Some((child, type_code)) = found else {
                self.report(
                    Issue::error(IssueCode::Structure, format!("Unknown element '{key}'."))
                        .at(format!("{path}.{key}")),
                );
                continue;
            };
            if underscore && !primitive::is_primitive(type_code) {
                self.report(
                    Issue::error(
                        IssueCode::Structure,
                        format!("'{key}' is only allowed for primitive elements; {name} is a {type_code}."),
                    )
                    .at(format!("{path}.{key}")),
                );
                continue;
            }
            // The value key and its `_x` sibling fill one slot.
            let base_key = if underscore { name } else { key.as_str() };
            match slots
                .iter_mut()
                .find(|s| s.child == child && s.key == base_key)
            {
                Some(slot) if underscore => slot.extra = Some(value),
                Some(slot) => slot.value = Some(value),
                None => slots.push(Slot {
                    child,
                    key: if underscore { &key[1..] } else { key.as_str() },
                    type_code,
                    value: (!underscore).then_some(value),
                    extra: underscore.then_some(value),
                }),
            }
        }
        for &child in &element.children {
            let mine: Vec<&Slot<'r, '_>> = slots.iter().filter(|s| s.child == child).collect();
            self.child(profile, child, &mine, path, frame);
        }
    }

    fn child<'r>(
        &mut self,
        profile: &Arc<Profile>,
        child: ElementIdx,
        slots: &[&Slot<'r, '_>],
        path: &str,
        frame: Frame<'r>,
    ) {
        let element = &profile.elements[child];
        if slots.len() > 1 {
            let keys: Vec<&str> = slots.iter().map(|s| s.key).collect();
            self.report(
                Issue::error(
                    IssueCode::Structure,
                    format!(
                        "Only one choice of {}[x] is allowed, found {}.",
                        element.name,
                        keys.join(", ")
                    ),
                )
                .at(format!("{path}.{}", keys[1]))
                .rule(element.id.clone()),
            );
        }
        let many = element.allows_many();
        let (occurrences, key, type_code) = match slots.first() {
            Some(slot) => (self.occurrences(slot, many, path), slot.key, slot.type_code),
            None => (Vec::new(), element.name.as_str(), ""),
        };
        let count = occurrences.len() as u32;
        self.cardinality(
            element,
            count,
            || element.path.clone(),
            || child_path(path, key, None),
        );
        if count == 0 {
            if element.must_support
                && self.options.must_support
                && profile.derivation.as_deref() == Some("constraint")
            {
                self.report(
                    Issue::information(
                        IssueCode::Informational,
                        format!("Must-support element {} is absent.", element.path),
                    )
                    .at(format!("{path}.{key}"))
                    .rule(element.id.clone()),
                );
            }
            return;
        }
        let targets = if element.slicing.is_some() || !element.slices.is_empty() {
            slicing::assign(
                self,
                profile,
                child,
                &occurrences,
                type_code,
                path,
                key,
                frame,
            )
        } else {
            vec![child; occurrences.len()]
        };
        if element.path == "Bundle.entry"
            && occurrences.len() >= PARALLEL_ENTRIES
            && rayon::current_num_threads() > 1
        {
            // The entries of a large Bundle are independent resources: each is walked on its own
            // thread, and the findings are put back in entry order.
            let found: Vec<Vec<Issue>> = occurrences
                .par_iter()
                .zip(targets)
                .map(|(occurrence, target)| {
                    let mut walker = self.fork();
                    walker.occurrence(profile, target, type_code, occurrence, (path, key), frame);
                    walker.issues
                })
                .collect();
            self.issues.extend(found.into_iter().flatten());
            return;
        }
        for (occurrence, target) in occurrences.iter().zip(targets) {
            self.occurrence(profile, target, type_code, occurrence, (path, key), frame);
        }
    }

    /// One occurrence of child `key` of the element at `path`, against element `target`.
    fn occurrence<'r>(
        &mut self,
        profile: &Arc<Profile>,
        target: ElementIdx,
        type_code: &str,
        occurrence: &Occurrence<'r>,
        (path, key): (&str, &str),
        frame: Frame<'r>,
    ) {
        let at = child_path(path, key, occurrence.index);
        self.item(
            profile,
            target,
            type_code,
            occurrence.value,
            occurrence.extra,
            &at,
            frame,
        );
    }

    /// `count` occurrences of `element` (an element or a slice, named `what` in messages) against its
    /// min and max: too few is `required`, too many `structure`, with the element id as the rule.
    pub(crate) fn cardinality(
        &mut self,
        element: &Element,
        count: u32,
        what: impl Fn() -> String,
        at: impl Fn() -> String,
    ) {
        if count < element.min {
            self.report(
                Issue::error(
                    IssueCode::Required,
                    format!(
                        "{}: minimum required = {}, but only found {count}.",
                        what(),
                        element.min
                    ),
                )
                .at(at())
                .rule(element.id.clone()),
            );
        }
        if let Some(max) = element.max.filter(|&max| count > max) {
            self.report(
                Issue::error(
                    IssueCode::Structure,
                    format!("{}: maximum allowed = {max}, but found {count}.", what()),
                )
                .at(at())
                .rule(element.id.clone()),
            );
        }
    }

    /// The occurrences in a slot: one per array item (pairing `x` and `_x` by index), with the JSON
    /// shape checked against the element's cardinality.
    fn occurrences<'r>(
        &mut self,
        slot: &Slot<'r, '_>,
        many: bool,
        path: &str,
    ) -> Vec<Occurrence<'r>> {
        let at = || child_path(path, slot.key, None);
        let arrays = (
            slot.value.and_then(Value::as_array),
            slot.extra.and_then(Value::as_array),
        );
        let is_array = arrays.0.is_some() || arrays.1.is_some();
        if slot.value.is_some_and(Value::is_null) {
            self.report(
                Issue::error(
                    IssueCode::Structure,
                    "null is not a FHIR value; leave the element out instead.",
                )
                .at(at()),
            );
            return Vec::new();
        }
        if is_array != many {
            let message = if many {
                "This element can repeat, so its JSON value must be an array."
            } else {
                "This element cannot repeat, so its JSON value must not be an array."
            };
            self.report(Issue::error(IssueCode::Structure, message).at(at()));
            if !is_array {
                return vec![Occurrence {
                    value: slot.value,
                    extra: slot.extra,
                    index: None,
                }];
            }
        }
        if !is_array {
            return vec![Occurrence {
                value: slot.value,
                extra: slot.extra,
                index: None,
            }];
        }
        let (values, extras) = arrays;
        if (slot.value.is_some() && values.is_none()) || (slot.extra.is_some() && extras.is_none())
        {
            self.report(
                Issue::error(
                    IssueCode::Structure,
                    format!("'{0}' and '_{0}' must both be arrays.", slot.key),
                )
                .at(at()),
            );
            return Vec::new();
        }
        let (nv, ne) = (values.map_or(0, Vec::len), extras.map_or(0, Vec::len));
        if values.is_some() && extras.is_some() && nv != ne {
            self.report(
                Issue::error(
                    IssueCode::Structure,
                    format!(
                        "'{0}' has {nv} items but '_{0}' has {ne}; they pair up by index.",
                        slot.key
                    ),
                )
                .at(at()),
            );
        }
        let n = nv.max(ne);
        if n == 0 {
            self.report(
                Issue::error(
                    IssueCode::Structure,
                    "An array must not be empty; leave the element out.",
                )
                .at(at()),
            );
            return Vec::new();
        }
        (0..n)
            .filter_map(|i| {
                let value = values.and_then(|v| v.get(i)).filter(|v| !v.is_null());
                let extra = extras.and_then(|v| v.get(i)).filter(|v| !v.is_null());
                if value.is_none() && extra.is_none() {
                    self.report(
                        Issue::error(
                            IssueCode::Structure,
                            "An array item is null and has no '_' extension either.",
                        )
                        .at(child_path(path, slot.key, Some(i))),
                    );
                    return None;
                }
                Some(Occurrence {
                    value,
                    extra,
                    index: Some(i),
                })
            })
            .collect()
    }
}

/// `path.key` or `path.key[index]`: the location of a child, built without the formatting machinery
/// (this runs for every element of every resource).
pub(crate) fn child_path(path: &str, key: &str, index: Option<usize>) -> String {
    let mut at = String::with_capacity(path.len() + key.len() + 8);
    at.push_str(path);
    at.push('.');
    at.push_str(key);
    if let Some(i) = index {
        at.push('[');
        push_decimal(&mut at, i);
        at.push(']');
    }
    at
}

fn push_decimal(out: &mut String, n: usize) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// The type to check a value by: `Resource.id` is declared `string` in the R4 snapshots but is an `id`.
fn effective_type<'p>(profile: &Profile, child: ElementIdx, code: &'p str) -> &'p str {
    let element = &profile.elements[child];
    if code == "string" && element.name == "id" && profile.kind == "resource" {
        let is_root_id = element.path.matches('.').count() == 1;
        if is_root_id {
            return "id";
        }
    }
    code
}

//! Slicing (R4 §5.1.0.14 profiling, ElementDefinition.slicing): each occurrence of a sliced element is
//! assigned to the first slice whose discriminators it matches — value and pattern (the slice's fixed
//! or pattern value at the discriminator path), type, profile (a trial validation), exists — and the
//! slices' cardinalities, closed rules and order are checked.

use std::sync::Arc;

use serde_json::Value;

use crate::fhir::references::contained;
use crate::issue::{Issue, IssueCode};
use crate::validate::profile::{DiscriminatorKind, ElementIdx, Profile, SlicingRules};
use crate::validate::walk::{child_path, Frame, Occurrence, Walker, MAX_RESOLVING};
use crate::validate::{compare, reference};

/// The element each occurrence is validated against: its slice, or the sliced element itself.
#[allow(clippy::too_many_arguments)]
pub(crate) fn assign<'r>(
    walker: &mut Walker<'_>,
    profile: &Arc<Profile>,
    sliced: ElementIdx,
    occurrences: &[Occurrence<'r>],
    type_code: &str,
    path: &str,
    key: &str,
    frame: Frame<'r>,
) -> Vec<ElementIdx> {
    let element = &profile.elements[sliced];
    let slices = element.slices.clone();
    let mut targets = Vec::with_capacity(occurrences.len());
    let mut slice_of = Vec::with_capacity(occurrences.len());
    for occurrence in occurrences {
        let found = slices
            .iter()
            .position(|&s| matches_slice(walker, profile, sliced, s, occurrence, type_code, frame));
        slice_of.push(found);
        targets.push(found.map_or(sliced, |i| slices[i]));
    }
    let at = |o: &Occurrence<'_>| child_path(path, key, o.index);
    for (i, &s) in slices.iter().enumerate() {
        let slice = &profile.elements[s];
        let count = slice_of.iter().filter(|f| **f == Some(i)).count() as u32;
        let name = slice.slice_name.as_deref().unwrap_or("?");
        walker.cardinality(
            slice,
            count,
            || format!("Slice '{name}' of {}", element.path),
            || child_path(path, key, None),
        );
    }
    if let Some(slicing) = &element.slicing {
        let mut last_slice = 0;
        let mut seen_unmatched = false;
        for (occurrence, found) in occurrences.iter().zip(&slice_of) {
            match found {
                None if slicing.rules == SlicingRules::Closed => walker.report(
                    Issue::error(
                        IssueCode::Structure,
                        format!(
                            "This {} matches none of the slices, and the slicing is closed.",
                            element.path
                        ),
                    )
                    .at(at(occurrence))
                    .rule(element.id.clone()),
                ),
                None => seen_unmatched = true,
                Some(i) => {
                    if slicing.ordered && *i < last_slice {
                        walker.report(
                            Issue::error(
                                IssueCode::Structure,
                                "The slices are ordered, and this one comes too late.",
                            )
                            .at(at(occurrence))
                            .rule(element.id.clone()),
                        );
                    }
                    if slicing.rules == SlicingRules::OpenAtEnd && seen_unmatched {
                        walker.report(
                            Issue::error(
                                IssueCode::Structure,
                                "Unsliced items must come after the slices (openAtEnd).",
                            )
                            .at(at(occurrence))
                            .rule(element.id.clone()),
                        );
                    }
                    last_slice = last_slice.max(*i);
                }
            }
        }
    }
    targets
}

fn matches_slice<'r>(
    walker: &Walker<'_>,
    profile: &Arc<Profile>,
    sliced: ElementIdx,
    slice: ElementIdx,
    occurrence: &Occurrence<'r>,
    type_code: &str,
    frame: Frame<'r>,
) -> bool {
    let discriminators = profile.elements[sliced]
        .slicing
        .as_ref()
        .map(|s| s.discriminators.as_slice())
        .unwrap_or_default();
    if discriminators.is_empty() {
        // No discriminator: the slice is whatever conforms to it.
        return conforms_to_slice(walker, profile, slice, occurrence, type_code, frame);
    }
    discriminators.iter().all(|d| {
        let path = d.path.trim();
        if let Some(below) = resolve_path(path) {
            return matches_resolved(walker, profile, slice, occurrence, d.kind, below, frame);
        }
        match d.kind {
            DiscriminatorKind::Value | DiscriminatorKind::Pattern => {
                match expected_value(walker, profile, slice, path) {
                    Some((expected, exact)) => values_at(occurrence.value, path).iter().any(|v| {
                        if exact {
                            compare::equals(&expected, v)
                        } else {
                            compare::matches_pattern(&expected, v)
                        }
                    }),
                    None => conforms_to_slice(walker, profile, slice, occurrence, type_code, frame),
                }
            }
            DiscriminatorKind::Type => {
                let found = type_at(occurrence.value, path, type_code);
                element_at(walker, profile, slice, path).is_some_and(|(p, i)| {
                    p.elements[i]
                        .types
                        .iter()
                        .any(|t| Some(t.code.as_str()) == found.as_deref())
                })
            }
            DiscriminatorKind::Profile | DiscriminatorKind::Exists => {
                conforms_to_slice(walker, profile, slice, occurrence, type_code, frame)
            }
        }
    })
}

/// `resolve()` and `$this.resolve()`: the discriminator is on the resource a Reference points at.
fn resolve_path(path: &str) -> Option<&str> {
    let path = path.strip_prefix("$this.").unwrap_or(path);
    let rest = path.strip_prefix("resolve()")?;
    Some(rest.trim_start_matches('.'))
}

/// A discriminator on the target of a Reference occurrence: the target is found in the Bundle around
/// the resource or among its contained resources; one that cannot be found matches no slice (the
/// occurrence stays unsliced rather than being counted against a slice it may not belong to).
fn matches_resolved<'r>(
    walker: &Walker<'_>,
    profile: &Arc<Profile>,
    slice: ElementIdx,
    occurrence: &Occurrence<'r>,
    kind: DiscriminatorKind,
    below: &str,
    frame: Frame<'r>,
) -> bool {
    let Some(target) = resolve_reference(occurrence.value, frame) else {
        return false;
    };
    if walker.resolving >= MAX_RESOLVING {
        return false;
    }
    let types = &profile.elements[slice].types;
    match kind {
        DiscriminatorKind::Profile if below.is_empty() => {
            let urls: Vec<&String> = types.iter().flat_map(|t| &t.target_profiles).collect();
            urls.is_empty()
                || urls.iter().any(|url| {
                    walker.conforms(|trial| {
                        trial.resolving += 1;
                        trial.resource(target, "slice", &[url.to_string()], None, frame.bundle)
                    })
                })
        }
        DiscriminatorKind::Type if below.is_empty() => {
            let found = target.get("resourceType").and_then(Value::as_str);
            reference::allowed_types(walker.defs, &profile.elements[slice])
                .iter()
                .any(|t| Some(t.as_str()) == found)
        }
        DiscriminatorKind::Exists => !values_at(Some(target), below).is_empty(),
        // A value or pattern below the target: the slice's target profile holds the expected value.
        _ => {
            let Some(expected) = types
                .iter()
                .flat_map(|t| &t.target_profiles)
                .filter_map(|url| walker.defs.profile(url).and_then(Result::ok))
                .find_map(|p| {
                    let i = p.descendant(0, below)?;
                    let e = &p.elements[i];
                    e.fixed
                        .clone()
                        .map(|v| (v, true))
                        .or_else(|| e.pattern.clone().map(|v| (v, false)))
                })
            else {
                return false;
            };
            values_at(Some(target), below).iter().any(|v| {
                if expected.1 {
                    compare::equals(&expected.0, v)
                } else {
                    compare::matches_pattern(&expected.0, v)
                }
            })
        }
    }
}

/// The resource a Reference value points at: `#id` among the contained resources of the root
/// resource, anything else in the Bundle around it.
fn resolve_reference<'r>(value: Option<&'r Value>, frame: Frame<'r>) -> Option<&'r Value> {
    let reference = value?.get("reference")?.as_str()?;
    match reference.strip_prefix('#') {
        Some(id) => contained(frame.root, id),
        None => frame.bundle?.resolve(reference),
    }
}

/// A trial validation of the occurrence against the slice.
fn conforms_to_slice<'r>(
    walker: &Walker<'_>,
    profile: &Arc<Profile>,
    slice: ElementIdx,
    occurrence: &Occurrence<'r>,
    type_code: &str,
    frame: Frame<'r>,
) -> bool {
    let profile = profile.clone();
    let occurrence = *occurrence;
    walker.conforms(move |trial| {
        trial.item(
            &profile,
            slice,
            type_code,
            occurrence.value,
            occurrence.extra,
            "slice",
            frame,
        )
    })
}

/// The element at `path` below `slice`, in this profile or the slice's type profile.
fn element_at(
    walker: &Walker<'_>,
    profile: &Arc<Profile>,
    slice: ElementIdx,
    path: &str,
) -> Option<(Arc<Profile>, ElementIdx)> {
    if path == "$this" {
        return Some((profile.clone(), slice));
    }
    let path = path.strip_prefix("$this.").unwrap_or(path);
    if let Some(i) = profile.descendant(slice, path) {
        return Some((profile.clone(), i));
    }
    let type_profile = profile.elements[slice]
        .types
        .iter()
        .flat_map(|t| t.profiles.iter())
        .find_map(|url| walker.defs.profile(url).and_then(Result::ok))?;
    let i = type_profile.descendant(0, path)?;
    Some((type_profile, i))
}

/// The slice's fixed (exact) or pattern value at the discriminator path.
fn expected_value(
    walker: &Walker<'_>,
    profile: &Arc<Profile>,
    slice: ElementIdx,
    path: &str,
) -> Option<(Value, bool)> {
    let (p, i) = element_at(walker, profile, slice, path)?;
    let element = &p.elements[i];
    if let Some(fixed) = &element.fixed {
        return Some((fixed.clone(), true));
    }
    element.pattern.clone().map(|pattern| (pattern, false))
}

/// The JSON values at a dotted path below `value` (`system`, `coding.code`, `$this`); choice names
/// (`value`) match any `valueX` key.
fn values_at<'r>(value: Option<&'r Value>, path: &str) -> Vec<&'r Value> {
    let Some(value) = value else {
        return Vec::new();
    };
    let mut current = vec![value];
    let path = path
        .strip_prefix("$this")
        .map(|p| p.trim_start_matches('.'))
        .unwrap_or(path);
    if path.is_empty() {
        return current;
    }
    for name in path.split('.') {
        let mut next = Vec::new();
        for v in current {
            let Some(object) = v.as_object() else {
                continue;
            };
            let found = object.get(name).or_else(|| {
                object.iter().find_map(|(k, v)| {
                    let rest = k.strip_prefix(name)?;
                    rest.starts_with(|c: char| c.is_ascii_uppercase())
                        .then_some(v)
                })
            });
            match found {
                Some(Value::Array(items)) => next.extend(items.iter()),
                Some(item) => next.push(item),
                None => {}
            }
        }
        current = next;
    }
    current
}

/// The type of the value at `path`: for `$this` the occurrence's own type (a choice key's type, or a
/// resource's `resourceType`); below it, a resource's `resourceType`.
fn type_at(value: Option<&Value>, path: &str, type_code: &str) -> Option<String> {
    if path == "$this" {
        if let Some(t) = value
            .and_then(|v| v.get("resourceType"))
            .and_then(Value::as_str)
        {
            return Some(t.to_string());
        }
        return Some(type_code.to_string());
    }
    values_at(value, path)
        .first()
        .and_then(|v| v.get("resourceType"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_at_follow_dotted_paths_and_choices() {
        let v = json!({"coding": [{"system": "a"}, {"system": "b"}], "valueCode": "x"});
        assert_eq!(
            values_at(Some(&v), "coding.system"),
            [&json!("a"), &json!("b")]
        );
        assert_eq!(values_at(Some(&v), "value"), [&json!("x")]);
        assert_eq!(values_at(Some(&v), "$this").len(), 1);
    }
}

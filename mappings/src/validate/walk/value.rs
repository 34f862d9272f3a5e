//! One value of an element: primitives (JSON shape, format, length), resources (contained, Bundle
//! entries), complex types (their children from the profile or the type's definition), then the rules
//! on the value: fixed and pattern, binding, reference, invariants.

use std::sync::Arc;

use serde_json::Value;

use crate::issue::{Issue, IssueCode};
use crate::validate::primitive::{self, FaultKind};
use crate::validate::profile::{ElementIdx, Profile};
use crate::validate::walk::{Frame, Walker, MAX_DEPTH};
use crate::validate::{binding, compare, invariant, reference, string_list};

impl Walker<'_> {
    /// Validates one occurrence of element `idx` of `profile`, of type `type_code`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn item<'r>(
        &mut self,
        profile: &Arc<Profile>,
        idx: ElementIdx,
        type_code: &str,
        value: Option<&'r Value>,
        extra: Option<&'r Value>,
        path: &str,
        frame: Frame<'r>,
    ) {
        if primitive::is_primitive(type_code) {
            self.primitive(profile, idx, type_code, value, extra, path, frame);
            return;
        }
        let Some(value) = value else {
            return;
        };
        if self.is_resource_type(type_code) {
            self.nested_resource(profile, idx, value, path, frame);
            return;
        }
        self.complex(profile, idx, value, type_code, path, frame);
    }

    fn is_resource_type(&self, type_code: &str) -> bool {
        matches!(type_code, "Resource" | "DomainResource") || self.defs.is_resource_type(type_code)
    }

    #[allow(clippy::too_many_arguments)]
    fn primitive<'r>(
        &mut self,
        profile: &Arc<Profile>,
        idx: ElementIdx,
        type_code: &str,
        value: Option<&'r Value>,
        extra: Option<&'r Value>,
        path: &str,
        frame: Frame<'r>,
    ) {
        let element = &profile.elements[idx];
        if let Some(v) = value {
            match primitive::check(type_code, v) {
                Ok(()) => {
                    if let (Some(max), Some(text)) = (element.max_length, v.as_str()) {
                        if text.chars().count() > max {
                            self.report(
                                Issue::error(
                                    IssueCode::TooLong,
                                    format!("The value is longer than the maximum length {max}."),
                                )
                                .at(path)
                                .rule(element.id.clone()),
                            );
                        }
                    }
                    self.value_rules(profile, idx, type_code, v, path);
                }
                Err(fault) => {
                    let code = match fault.kind {
                        FaultKind::WrongJsonType => IssueCode::Structure,
                        FaultKind::TooLong => IssueCode::TooLong,
                        _ => IssueCode::Value,
                    };
                    self.report(Issue::error(code, fault.message).at(path));
                }
            }
        }
        if let Some(extra) = extra {
            match extra.as_object() {
                Some(object) => {
                    if let Some(type_profile) = self.defs.type_profile(type_code) {
                        self.depth += 1;
                        let at = underscore_path(path);
                        self.children(&type_profile, 0, object, &at, false, frame);
                        self.depth -= 1;
                    }
                }
                None => self.report(
                    Issue::error(
                        IssueCode::Structure,
                        "The '_' sibling of a primitive must be an object with id and extension.",
                    )
                    .at(underscore_path(path)),
                ),
            }
        }
        invariant::check(self, profile, idx, type_code, value, extra, path, frame);
    }

    /// A resource inside a resource: `contained` shares its container's `%rootResource`; Bundle entries
    /// and parameters are resources of their own.
    fn nested_resource<'r>(
        &mut self,
        profile: &Arc<Profile>,
        idx: ElementIdx,
        value: &'r Value,
        path: &str,
        frame: Frame<'r>,
    ) {
        let element = &profile.elements[idx];
        let profiles: Vec<String> = element
            .types
            .iter()
            .flat_map(|t| t.profiles.iter().cloned())
            .collect();
        let allowed: Vec<&str> = element
            .types
            .iter()
            .map(|t| t.code.as_str())
            .filter(|c| !matches!(*c, "Resource" | "DomainResource"))
            .collect();
        if let Some(found) = value.get("resourceType").and_then(Value::as_str) {
            if !allowed.is_empty() && !allowed.contains(&found) {
                self.report(
                    Issue::error(
                        IssueCode::Structure,
                        format!(
                            "A {found} is not allowed here; expected {}.",
                            allowed.join(" or ")
                        ),
                    )
                    .at(format!("{path}.resourceType"))
                    .rule(element.id.clone()),
                );
                return;
            }
        }
        // Claimed profiles of the resource itself also apply.
        let mut profiles = profiles;
        if !profiles.is_empty() {
            profiles.extend(string_list(value.pointer("/meta/profile")));
        }
        let contained = element.path.ends_with(".contained");
        let outer = contained.then_some(frame);
        self.resource(value, path, &profiles, outer, frame.bundle);
    }

    /// A complex value: an object whose children come from the profile when it constrains them, else
    /// from the type's profile or base definition.
    pub(crate) fn complex<'r>(
        &mut self,
        profile: &Arc<Profile>,
        idx: ElementIdx,
        value: &'r Value,
        type_code: &str,
        path: &str,
        frame: Frame<'r>,
    ) {
        let Some(object) = value.as_object() else {
            self.report(
                Issue::error(
                    IssueCode::Structure,
                    format!("A {type_code} must be a JSON object."),
                )
                .at(path),
            );
            return;
        };
        if self.depth > MAX_DEPTH {
            self.report(
                Issue::error(IssueCode::TooLong, "The element is nested too deeply.").at(path),
            );
            return;
        }
        self.depth += 1;
        let is_resource = idx == 0 && profile.kind == "resource";
        let def = profile.definition_of(idx);
        if !profile.elements[def].children.is_empty() {
            self.children(profile, idx, object, path, is_resource, frame);
        } else {
            let type_profiles = self.type_profiles(profile, idx, type_code, path);
            for (i, tp) in type_profiles.iter().enumerate() {
                // The first gives the structure; every type profile (a constraint) applies in full,
                // its root's own rules included.
                let constraint = tp.derivation.as_deref() == Some("constraint");
                if i == 0 || constraint {
                    self.children(tp, 0, object, path, false, frame);
                }
                if constraint {
                    self.value_rules(tp, 0, type_code, value, path);
                    invariant::check(self, tp, 0, type_code, Some(value), None, path, frame);
                }
            }
        }
        self.depth -= 1;
        self.value_rules(profile, idx, type_code, value, path);
        if type_code == "Reference" {
            let element = &profile.elements[profile.definition_of(idx)];
            let found = reference::check(self.defs, element, value, path, frame.bundle);
            self.issues.extend(found);
        }
        invariant::check(
            self,
            profile,
            idx,
            type_code,
            Some(value),
            None,
            path,
            frame,
        );
    }

    /// The profiles a complex value of `type_code` is checked against when `profile` does not constrain
    /// its children: the element's type profiles (when loaded), else the type's base definition.
    fn type_profiles(
        &mut self,
        profile: &Arc<Profile>,
        idx: ElementIdx,
        type_code: &str,
        path: &str,
    ) -> Vec<Arc<Profile>> {
        let element = &profile.elements[profile.definition_of(idx)];
        let mut out = Vec::new();
        let declared = element
            .types
            .iter()
            .filter(|t| t.code == type_code)
            .flat_map(|t| t.profiles.iter());
        for url in declared {
            match self.defs.profile(url) {
                Some(Ok(p)) => out.push(p),
                Some(Err(why)) => self.report(
                    Issue::warning(
                        IssueCode::NotSupported,
                        format!("The type profile {url} cannot be used: {why}"),
                    )
                    .at(path),
                ),
                None if type_code == "Extension" => {}
                None => self.report(
                    Issue::warning(
                        IssueCode::NotSupported,
                        format!(
                            "The type profile {url} is not loaded; checked as a plain {type_code}."
                        ),
                    )
                    .at(path),
                ),
            }
        }
        if out.is_empty() {
            if let Some(base) = self.defs.type_profile(type_code) {
                out.push(base);
            }
        }
        out
    }

    /// fixed[x], pattern[x] and the binding of element `idx` on `value`.
    fn value_rules(
        &mut self,
        profile: &Arc<Profile>,
        idx: ElementIdx,
        type_code: &str,
        value: &Value,
        path: &str,
    ) {
        let element = &profile.elements[idx];
        if let Some(fixed) = &element.fixed {
            if !compare::equals(fixed, value) {
                self.report(
                    Issue::error(
                        IssueCode::Value,
                        format!("The value must be exactly {}.", compare::brief(fixed)),
                    )
                    .at(path)
                    .rule(element.id.clone()),
                );
            }
        }
        if let Some(pattern) = &element.pattern {
            if !compare::matches_pattern(pattern, value) {
                self.report(
                    Issue::error(
                        IssueCode::Value,
                        format!(
                            "The value must match the pattern {}.",
                            compare::brief(pattern)
                        ),
                    )
                    .at(path)
                    .rule(element.id.clone()),
                );
            }
        }
        if let Some(b) = &element.binding {
            let found = binding::check(self.defs.terminology(), b, type_code, value, path);
            for issue in found {
                self.report(issue.rule(element.id.clone()));
            }
        }
    }
}

/// `Patient.birthDate` → `Patient._birthDate`; `Patient.name[0].given[1]` → `Patient.name[0]._given[1]`.
fn underscore_path(path: &str) -> String {
    match path.rsplit_once('.') {
        Some((head, last)) => format!("{head}._{last}"),
        None => format!("_{path}"),
    }
}

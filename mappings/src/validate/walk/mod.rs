//! The walk of one resource against its profiles: resources (top level, contained, Bundle entries),
//! then element by element (`element.rs`), value by value (`value.rs`).

mod element;
mod value;

pub(crate) use element::{child_path, Occurrence};

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;

use crate::issue::{Issue, IssueCode, Severity};
use crate::validate::bundle::{self, BundleIndex};
use crate::validate::definitions::Definitions;
use crate::validate::profile::Profile;
use crate::validate::{string_list, Options};

/// The resource being walked: `%resource` and `%rootResource` of the invariants, and the Bundle around
/// it, if any, for resolving references.
#[derive(Clone, Copy)]
pub(crate) struct Frame<'r> {
    pub resource: &'r Value,
    pub root: &'r Value,
    pub bundle: Option<&'r BundleIndex<'r>>,
}

pub(crate) struct Walker<'a> {
    pub defs: &'a Definitions,
    pub options: &'a Options,
    pub issues: Vec<Issue>,
    /// Nesting depth of resources and elements, bounded so hostile input cannot overflow the stack.
    pub depth: usize,
    /// How many Reference targets the trials this walk is inside have resolved (slicing by
    /// `resolve()`), bounded so profiles that discriminate on each other cannot recurse without end.
    pub resolving: usize,
}

/// Slice discrimination by `resolve()` follows at most this many References in a row.
pub(crate) const MAX_RESOLVING: usize = 3;

/// Deeper nesting than this is refused (FHIR resources are far shallower).
pub(crate) const MAX_DEPTH: usize = 96;

pub(crate) fn validate(defs: &Definitions, resource: &Value, options: &Options) -> Vec<Issue> {
    let mut walker = Walker {
        defs,
        options,
        issues: Vec::new(),
        depth: 0,
        resolving: 0,
    };
    let path = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("Resource")
        .to_string();
    walker.resource(resource, &path, &options.profiles, None, None);
    dedupe(walker.issues)
}

/// The same finding reached through two profiles is reported once.
fn dedupe(issues: Vec<Issue>) -> Vec<Issue> {
    let mut seen = HashSet::new();
    issues
        .into_iter()
        .filter(|i| {
            seen.insert((
                i.severity,
                i.code.as_str(),
                i.expression.clone(),
                i.message.clone(),
            ))
        })
        .collect()
}

impl<'a> Walker<'a> {
    pub fn report(&mut self, issue: Issue) {
        self.issues.push(issue);
    }

    /// A walker with this one's settings and depth and no findings yet.
    pub fn fork(&self) -> Walker<'a> {
        Walker {
            defs: self.defs,
            options: self.options,
            issues: Vec::new(),
            depth: self.depth,
            resolving: self.resolving,
        }
    }

    /// A trial walk (slice matching by profile): does `f` find no errors?
    pub fn conforms(&self, f: impl FnOnce(&mut Walker<'a>)) -> bool {
        let mut trial = self.fork();
        f(&mut trial);
        !trial.issues.iter().any(Issue::is_error)
    }

    /// Validates a resource at `path` against the base definition of its type and against `profiles`
    /// (or, when none are given, the loaded profiles it claims in `meta.profile`). `outer` is the
    /// resource holding it (for contained resources), `bundle` the Bundle it is an entry of.
    pub fn resource<'r>(
        &mut self,
        resource: &'r Value,
        path: &str,
        profiles: &[String],
        outer: Option<Frame<'r>>,
        bundle: Option<&'r BundleIndex<'r>>,
    ) {
        if self.depth > MAX_DEPTH {
            self.report(
                Issue::error(IssueCode::TooLong, "The resource is nested too deeply.").at(path),
            );
            return;
        }
        let Some(object) = resource.as_object() else {
            self.report(
                Issue::error(IssueCode::Structure, "A resource must be a JSON object.").at(path),
            );
            return;
        };
        let Some(type_name) = object.get("resourceType").and_then(Value::as_str) else {
            self.report(
                Issue::error(IssueCode::Required, "The resource has no resourceType.").at(path),
            );
            return;
        };
        let Some(base) = self.defs.type_profile(type_name) else {
            self.report(
                Issue::error(
                    IssueCode::NotSupported,
                    format!("Unknown resource type '{type_name}'."),
                )
                .at(format!("{path}.resourceType")),
            );
            return;
        };
        if base.kind != "resource" {
            self.report(
                Issue::error(
                    IssueCode::Structure,
                    format!("'{type_name}' is a data type, not a resource type."),
                )
                .at(format!("{path}.resourceType")),
            );
            return;
        }
        let claimed: Vec<String> = if profiles.is_empty() {
            string_list(resource.pointer("/meta/profile"))
        } else {
            profiles.to_vec()
        };
        let unusable = if profiles.is_empty() {
            Severity::Warning
        } else {
            Severity::Error
        };
        let mut against: Vec<Arc<Profile>> = Vec::new();
        for url in &claimed {
            match self.defs.profile(url) {
                Some(Ok(profile)) if profile.type_name == type_name => against.push(profile),
                Some(Ok(profile)) => self.report(
                    Issue::error(
                        IssueCode::Invalid,
                        format!(
                            "The profile {url} is for {}, not {type_name}.",
                            profile.type_name
                        ),
                    )
                    .at(path)
                    .rule(url.clone()),
                ),
                // A profile the definition requires (an element's type profile, a slice's target, the
                // one asked for) that cannot be applied is an error: the resource is not known to
                // conform. One the resource merely claims is a warning.
                Some(Err(why)) => self.report(
                    Issue::new(
                        unusable,
                        IssueCode::NotSupported,
                        format!("The profile {url} cannot be used ({why}); validated against the base definition."),
                    )
                    .at(path)
                    .rule(url.clone()),
                ),
                None => self.report(
                    Issue::new(
                        unusable,
                        IssueCode::NotSupported,
                        format!("The profile {url} is not loaded; validated against the base definition of {type_name}."),
                    )
                    .at(path)
                    .rule(url.clone()),
                ),
            }
        }
        if against.is_empty() {
            against.push(base);
        }
        // Entries of this Bundle resolve each other's references.
        let index;
        let bundle = if type_name == "Bundle" {
            index = BundleIndex::new(resource);
            Some(&index)
        } else {
            bundle
        };
        let frame = Frame {
            resource,
            root: outer.map_or(resource, |o| o.root),
            bundle,
        };
        self.depth += 1;
        for profile in &against {
            self.root(profile, resource, path, frame);
        }
        self.depth -= 1;
        if type_name == "Bundle" {
            let found = bundle::check(resource, path);
            self.issues.extend(found);
        }
    }

    /// The root element of `profile` on `resource`: its children and the root's own rules.
    fn root<'r>(
        &mut self,
        profile: &Arc<Profile>,
        resource: &'r Value,
        path: &str,
        frame: Frame<'r>,
    ) {
        self.complex(profile, 0, resource, &profile.type_name, path, frame);
    }
}

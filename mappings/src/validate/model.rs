//! What the FHIRPath engine needs to know about FHIR types, answered from the loaded definitions: the
//! type of a child element, choice elements, type ancestry; and `resolve()` over a Bundle's entries.

use serde_json::Value;

use crate::fhirpath::{Model, Node, Resolver};
use crate::validate::bundle::BundleIndex;
use crate::validate::definitions::Definitions;
use crate::validate::profile::{ElementIdx, Profile};

pub struct DefinitionsModel<'d>(pub &'d Definitions);

impl DefinitionsModel<'_> {
    /// The profile and element a type name stands for: `HumanName` → its root; `Patient.contact` → that
    /// backbone element of Patient.
    fn locate(&self, type_name: &str) -> Option<(&Profile, ElementIdx)> {
        let (root, rest) = match type_name.split_once('.') {
            Some((root, rest)) => (root, Some(rest)),
            None => (type_name, None),
        };
        let profile = self.0.type_profile_ref(root)?;
        let idx = match rest {
            Some(rest) => profile.descendant(0, rest)?,
            None => 0,
        };
        Some((profile, idx))
    }
}

impl Model for DefinitionsModel<'_> {
    fn child_type<'m>(&'m self, parent: &str, json_key: &str) -> Option<&'m str> {
        let (profile, idx) = self.locate(parent)?;
        let element = &profile.elements[profile.definition_of(idx)];
        if let Some(&child) = element.child_names.get(json_key) {
            let def = profile.definition_of(child);
            let child_element = &profile.elements[def];
            return match child_element.types.first().map(|t| t.code.as_str()) {
                Some("BackboneElement" | "Element") | None => Some(child_element.path.as_str()),
                Some(code) => Some(code),
            };
        }
        profile
            .choice_child(idx, json_key)
            .map(|(_, t)| t.code.as_str())
    }

    fn is_choice(&self, parent: &str, name: &str) -> bool {
        self.locate(parent).is_some_and(|(profile, idx)| {
            profile.elements[profile.definition_of(idx)]
                .choice_children
                .iter()
                .any(|(prefix, _)| prefix == name)
        })
    }

    fn is_a(&self, type_name: &str, ancestor: &str) -> bool {
        self.0.is_a(type_name, ancestor)
    }
}

/// `resolve()` inside a Bundle: full URLs and `Type/id` of the entries.
pub struct BundleResolver<'b, 'r>(pub &'b BundleIndex<'r>);

impl Resolver for BundleResolver<'_, '_> {
    fn resolve<'a>(&'a self, reference: &str) -> Option<Node<'a>> {
        let target: &Value = self.0.resolve(reference)?;
        Some(Node::resource(target))
    }
}

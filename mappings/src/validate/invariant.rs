//! Invariants (ElementDefinition.constraint): each FHIRPath expression evaluated on the element's value
//! with `%resource`, `%rootResource` and the Bundle for `resolve()`. A constraint that cannot be parsed
//! or evaluated is an information issue naming its key, never a silent pass.

use std::sync::Arc;

use serde_json::Value;

use crate::fhirpath::{Env, Node};
use crate::issue::{Issue, IssueCode};
use crate::validate::model::{BundleResolver, DefinitionsModel};
use crate::validate::profile::{ConstraintSeverity, ElementIdx, Native, Profile};
use crate::validate::walk::{Frame, Walker};

#[allow(clippy::too_many_arguments)]
pub(crate) fn check<'r>(
    walker: &mut Walker<'_>,
    profile: &Arc<Profile>,
    idx: ElementIdx,
    type_code: &str,
    value: Option<&'r Value>,
    extra: Option<&'r Value>,
    path: &str,
    frame: Frame<'r>,
) {
    let element = &profile.elements[idx];
    if element.constraints.is_empty() {
        return;
    }
    // The FHIRPath model names backbone elements by their path (`Parameters.parameter`).
    let fhirpath_type = match type_code {
        "BackboneElement" | "Element" => profile.elements[profile.definition_of(idx)].path.as_str(),
        _ => type_code,
    };
    let model = DefinitionsModel(walker.defs);
    let resolver = frame.bundle.map(BundleResolver);
    let now = walker.options.now.as_deref();
    let focus = Node {
        value,
        extra,
        type_name: Some(fhirpath_type),
    };
    let env = Env {
        resource: Some(Node::resource(frame.resource)),
        root_resource: Some(Node::resource(frame.root)),
        context: Some(focus),
        now,
        model: Some(&model),
        resolver: resolver.as_ref().map(|r| r as _),
    };
    // The verdict of the last expression evaluated here: txt-1 and txt-2 are both `htmlChecks()`.
    let mut last: Option<(&str, Result<bool, String>)> = None;
    for constraint in &element.constraints {
        let satisfied = match constraint.native {
            Some(Native::HasValueOrChildren) => Ok(has_value_or_children(value, extra)),
            Some(Native::ExtensionOrValue) => Ok(extension_or_value(value)),
            None => match &constraint.expression {
                Err(why) => Err(format!("it cannot be parsed: {why}")),
                Ok(expression) => match &last {
                    Some((text, verdict)) if *text == expression.text() => verdict.clone(),
                    _ => {
                        let verdict = expression
                            .is_satisfied(focus, &env)
                            .map_err(|e| format!("it cannot be evaluated: {e}"));
                        last = Some((expression.text(), verdict.clone()));
                        verdict
                    }
                },
            },
        };
        match satisfied {
            Ok(true) => {}
            Ok(false) => {
                let message = format!(
                    "Constraint failed: {}: {}",
                    constraint.key, constraint.human
                );
                let issue = match constraint.severity {
                    ConstraintSeverity::Error => Issue::error(IssueCode::Invariant, message),
                    ConstraintSeverity::Warning => Issue::warning(IssueCode::Invariant, message),
                };
                walker.report(issue.at(path).rule(constraint.key.clone()));
            }
            Err(why) => walker.report(
                Issue::information(
                    IssueCode::NotSupported,
                    format!("The invariant {} was not checked: {why}", constraint.key),
                )
                .at(path)
                .rule(constraint.key.clone()),
            ),
        }
    }
}

/// ele-1: a value, or children other than `id`.
fn has_value_or_children(value: Option<&Value>, extra: Option<&Value>) -> bool {
    let has_children = |v: &Value| {
        v.as_object()
            .is_some_and(|o| o.keys().any(|k| k != "id" && k != "resourceType"))
    };
    match value {
        Some(Value::Object(_)) => value.is_some_and(has_children),
        Some(_) => true,
        None => extra.is_some_and(has_children),
    }
}

/// ext-1: an extension has either nested extensions or a value, not both, not neither.
fn extension_or_value(value: Option<&Value>) -> bool {
    let Some(object) = value.and_then(Value::as_object) else {
        return true;
    };
    let has_extension = object
        .get("extension")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    // `_valueString` alone (a value given only by extensions) is a value too.
    let has_value = object.keys().any(|k| {
        let k = k.strip_prefix('_').unwrap_or(k);
        k.starts_with("value") && k.len() > 5
    });
    has_extension != has_value
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn native_ele_1_and_ext_1() {
        assert!(has_value_or_children(Some(&json!("x")), None));
        assert!(!has_value_or_children(Some(&json!({"id": "a"})), None));
        assert!(has_value_or_children(
            None,
            Some(&json!({"extension": [{}]}))
        ));
        assert!(!has_value_or_children(None, Some(&json!({"id": "a"}))));
        assert!(extension_or_value(Some(
            &json!({"url": "u", "valueString": "v"})
        )));
        assert!(!extension_or_value(Some(&json!({"url": "u"}))));
        assert!(!extension_or_value(Some(
            &json!({"url": "u", "valueString": "v", "extension": [{}]})
        )));
    }
}

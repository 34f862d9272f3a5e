//! Binding checks (R4 §4.1 terminologies, ElementDefinition.binding): the codes of `code`, `Coding`,
//! `CodeableConcept`, `Quantity` and coded `string`/`uri` values against the bound value set. Required:
//! not a member is an error; extensible and preferred: a warning; a value set or code system that is not
//! loaded is information naming it, never a silent pass.

use serde_json::Value;

use crate::issue::{Issue, IssueCode};
use crate::validate::compare::cut;
use crate::validate::profile::{Binding, Strength};
use crate::validate::terminology::{Membership, Terminology};

/// The issues of `value` (of type `type_code`) against `binding`.
pub fn check(
    terminology: &Terminology,
    binding: &Binding,
    type_code: &str,
    value: &Value,
    path: &str,
) -> Vec<Issue> {
    if binding.strength == Strength::Example {
        return Vec::new();
    }
    let mut issues = Vec::new();
    let vs = binding.value_set.as_str();
    match type_code {
        "code" | "string" | "uri" => {
            if let Some(code) = value.as_str() {
                let verdict = terminology.check(vs, None, code);
                judge(binding, verdict, code, path, &mut issues);
            }
        }
        "Coding" => coding(terminology, binding, value, path, &mut issues),
        "Quantity" | "Age" | "Duration" | "Count" | "Distance" | "Money" => {
            if let Some(code) = value.get("code").and_then(Value::as_str) {
                let system = value.get("system").and_then(Value::as_str);
                let verdict = terminology.check(vs, system, code);
                judge(binding, verdict, code, &format!("{path}.code"), &mut issues);
            }
        }
        "CodeableConcept" => codeable_concept(terminology, binding, value, path, &mut issues),
        _ => {}
    }
    issues
}

fn coding(
    terminology: &Terminology,
    binding: &Binding,
    value: &Value,
    path: &str,
    issues: &mut Vec<Issue>,
) {
    let Some(code) = value.get("code").and_then(Value::as_str) else {
        return;
    };
    let system = value.get("system").and_then(Value::as_str);
    if system.is_none() && binding.strength == Strength::Required {
        issues.push(
            Issue::warning(
                IssueCode::CodeInvalid,
                "A Coding without a system cannot be checked against its required value set.",
            )
            .at(format!("{path}.system")),
        );
        return;
    }
    let verdict = terminology.check(&binding.value_set, system, code);
    judge(binding, verdict, code, &format!("{path}.code"), issues);
}

/// A CodeableConcept is in the value set when one of its codings is; with none, each coding is judged.
fn codeable_concept(
    terminology: &Terminology,
    binding: &Binding,
    value: &Value,
    path: &str,
    issues: &mut Vec<Issue>,
) {
    let codings: Vec<&Value> = value
        .get("coding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    if codings.is_empty() {
        if binding.strength == Strength::Required {
            issues.push(
                Issue::warning(
                    IssueCode::CodeInvalid,
                    format!(
                        "No code is given, only text, but a code from {} is required.",
                        binding.value_set
                    ),
                )
                .at(path),
            );
        }
        return;
    }
    let mut unknown = None;
    let mut not_member = Vec::new();
    for (i, c) in codings.iter().enumerate() {
        let Some(code) = c.get("code").and_then(Value::as_str) else {
            continue;
        };
        let system = c.get("system").and_then(Value::as_str);
        match terminology.check(&binding.value_set, system, code) {
            Membership::Member => return,
            Membership::Unknown(why) => unknown = unknown.or(Some((i, why))),
            Membership::NotMember => not_member.push((i, code)),
        }
    }
    if let Some((i, why)) = unknown {
        judge(
            binding,
            Membership::Unknown(why),
            "",
            &format!("{path}.coding[{i}]"),
            issues,
        );
        return;
    }
    if let Some(&(i, code)) = not_member.first() {
        judge(
            binding,
            Membership::NotMember,
            code,
            &format!("{path}.coding[{i}].code"),
            issues,
        );
    }
}

fn judge(binding: &Binding, verdict: Membership, code: &str, path: &str, issues: &mut Vec<Issue>) {
    let vs = &binding.value_set;
    match verdict {
        Membership::Member => {}
        Membership::NotMember => {
            // Codes are short; a long one is cut so that no free text ends up in messages.
            let message = format!("The code '{}' is not in the value set {vs}.", cut(code, 40));
            issues.push(
                match binding.strength {
                    Strength::Required => Issue::error(IssueCode::CodeInvalid, message),
                    _ => Issue::warning(IssueCode::CodeInvalid, message),
                }
                .at(path),
            );
        }
        Membership::Unknown(why) => {
            if matches!(binding.strength, Strength::Required | Strength::Extensible) {
                issues.push(
                    Issue::information(
                        IssueCode::NotSupported,
                        format!("The code could not be checked against {vs}: {why}"),
                    )
                    .at(path),
                );
            }
        }
    }
}

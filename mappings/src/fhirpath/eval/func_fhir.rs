//! FHIR-specific and tree functions: `children`, `descendants`, `extension`, `hasValue`, `resolve`,
//! `htmlChecks`, `trace`, `now`/`today`.

use std::borrow::Cow;

use serde_json::Value;

use crate::fhir::references::contained;

use super::super::ast::{Call, Func};
use super::super::error::EvalError;
use super::super::html::html_checks;
use super::super::navigate;
use super::super::temporal::Temporal;
use super::super::value::{Item, Node};
use super::{single, Coll, Ctx};

/// The remaining functions.
pub(crate) fn call<'a>(
    call: &Call,
    input: &[Item<'a>],
    args: &[Coll<'a>],
    ctx: &Ctx<'_, 'a>,
) -> Result<Coll<'a>, EvalError> {
    let env = ctx.env;
    let nodes = || input.iter().filter_map(Item::as_node);
    Ok(match call.func {
        Func::Children => {
            let mut out = Vec::new();
            nodes().for_each(|n| navigate::children(env, n, &mut out));
            out
        }
        Func::Descendants => {
            let mut out = Vec::new();
            nodes().for_each(|n| navigate::descendants(env, n, &mut out));
            out
        }
        Func::Trace => input.to_vec(),
        Func::Now | Func::Today => {
            let now = env
                .now
                .ok_or_else(|| EvalError::Unsupported("now()/today() need Env.now".into()))?;
            let t = Temporal::parse_date_time(now)
                .ok_or_else(|| EvalError::Type(format!("Env.now '{now}' is not a dateTime")))?;
            vec![if call.func == Func::Now {
                Item::DateTime(t)
            } else {
                Item::Date(t.date_part())
            }]
        }
        Func::Extension => {
            let Some(url) = args
                .first()
                .map(|a| single(a, "extension()"))
                .transpose()?
                .flatten()
            else {
                return Ok(Vec::new());
            };
            let url = url.to_text().unwrap_or_default();
            let mut all = Vec::new();
            nodes().for_each(|n| navigate::member(env, n, "extension", &mut all));
            all.retain(|e| {
                e.as_node()
                    .and_then(|n| n.value)
                    .and_then(|v| v.get("url"))
                    .and_then(Value::as_str)
                    == Some(url.as_ref())
            });
            all
        }
        Func::HasValue => vec![Item::Boolean(match input {
            [Item::Node(n)] => n
                .value
                .is_some_and(|v| !(v.is_object() || v.is_array() || v.is_null())),
            [_] => true,
            _ => false,
        })],
        Func::GetValue => match input {
            [Item::Node(n)] => match n.value {
                Some(Value::String(s)) => vec![Item::String(Cow::Borrowed(s.as_str()))],
                Some(v @ (Value::Number(_) | Value::Bool(_))) => {
                    vec![Item::Node(Node::new(Some(v), None, n.type_name))]
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        },
        Func::Resolve => {
            let mut out = Vec::new();
            for item in input {
                let reference = match item {
                    Item::Node(Node {
                        value: Some(v @ Value::Object(_)),
                        ..
                    }) => v.get("reference").and_then(Value::as_str),
                    other => other.as_str(),
                };
                if let Some(found) = reference.and_then(|r| resolve(ctx, r)) {
                    out.push(Item::Node(found));
                }
            }
            out
        }
        Func::HtmlChecks => match single(input, "htmlChecks()")? {
            None => Vec::new(),
            Some(item) => vec![Item::Boolean(item.as_str().is_some_and(html_checks))],
        },
        other => return Err(EvalError::Unsupported(format!("{}()", other.name()))),
    })
}

/// `#id` → a contained resource of %rootResource (`#` alone → %rootResource itself); anything else →
/// the environment's resolver. Unresolvable references give nothing.
fn resolve<'a>(ctx: &Ctx<'_, 'a>, reference: &str) -> Option<Node<'a>> {
    if let Some(id) = reference.strip_prefix('#') {
        let root = ctx.env.root_resource.unwrap_or_else(|| ctx.resource());
        if id.is_empty() {
            return Some(root);
        }
        return contained(root.value?, id).map(Node::resource);
    }
    ctx.env.resolver?.resolve(reference)
}

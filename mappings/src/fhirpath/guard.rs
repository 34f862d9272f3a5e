//! A shortcut for invariants over absent elements: most FHIR constraints read the focus only through a
//! few of its elements (`contentReference.empty() or (type.empty() and …)`, `(isModifier.exists() and
//! isModifier) implies isModifierReason.exists()`). When the focus has none of them, the result is the
//! same as on an empty object, so it is computed once per expression and reused.
//!
//! Written here because it depends on this engine's evaluation rules (which input and `$this` each
//! argument sees, `functions.rs`); an expression that reads the focus in any other way (`$this`,
//! `hasValue()`, `%resource`, a type name, the clock) gets no shortcut.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::ast::{Call, Constant, Expr, Func};
use super::value::Node;
use super::{eval, Env};

/// What an expression reads of its focus, and its answer when the focus has none of it.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    /// The element names read from the focus; `None` when the focus is read in another way.
    members: Option<Vec<String>>,
    /// `is_satisfied` on a focus without those elements (`None`: it could not be evaluated).
    absent: OnceLock<Option<bool>>,
}

impl Guard {
    pub fn new(root: &Expr) -> Guard {
        let mut members = Vec::new();
        let safe = scan(
            root,
            Scope {
                root: true,
                iterating: false,
            },
            &mut members,
        );
        members.sort();
        members.dedup();
        Guard {
            members: safe.then_some(members),
            absent: OnceLock::new(),
        }
    }

    /// The expression's answer on `focus` when it is known without evaluating: the focus is an
    /// object that has none of the elements the expression reads.
    pub fn answer(&self, root: &Expr, focus: &Node<'_>) -> Option<bool> {
        let members = self.members.as_ref()?;
        let object = match (focus.value, focus.extra) {
            (Some(Value::Object(object)), None) => object,
            _ => return None,
        };
        if object.keys().any(|key| reads(members, key)) {
            return None;
        }
        *self.absent.get_or_init(|| {
            static EMPTY: OnceLock<Value> = OnceLock::new();
            let empty = EMPTY.get_or_init(|| Value::Object(Map::new()));
            let node = Node {
                value: Some(empty),
                extra: None,
                type_name: focus.type_name,
            };
            let result = eval::evaluate(root, node, &Env::default()).ok()?;
            Some(result.is_empty() || eval::truthy(&result))
        })
    }
}

/// Whether JSON key `key` holds one of `members`: the name itself, its `_name` sibling, or a choice
/// (`value` → `valueQuantity`).
fn reads(members: &[String], key: &str) -> bool {
    let key = key.strip_prefix('_').unwrap_or(key);
    members
        .iter()
        .any(|name| match key.strip_prefix(name.as_str()) {
            Some("") => true,
            Some(rest) => rest.starts_with(|c: char| c.is_ascii_uppercase()),
            None => false,
        })
}

/// Where a sub-expression is evaluated: against the focus itself (`root`), and inside the body of an
/// iterating function (`iterating`, where `$this` is the item, not the focus).
#[derive(Clone, Copy)]
struct Scope {
    root: bool,
    iterating: bool,
}

/// Collects into `members` the element names `expr` reads from the focus; false when it reads the
/// focus in another way.
fn scan(expr: &Expr, scope: Scope, members: &mut Vec<String>) -> bool {
    match expr {
        Expr::Empty | Expr::Literal(_) | Expr::Index | Expr::Total => true,
        Expr::This => scope.iterating,
        Expr::Constant(Constant::Text(_)) => true,
        Expr::Constant(_) => false,
        Expr::Ident(name) => {
            if scope.root {
                // An upper-case name may be the focus's type (`Patient.name`).
                if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                    return false;
                }
                members.push(name.clone());
            }
            true
        }
        Expr::Member(base, _) => scan(base, scope, members),
        Expr::Call(call) => scan_call(call, scope, members),
        Expr::Indexer(base, index) => scan(base, scope, members) && scan(index, scope, members),
        Expr::Negate(inner) => scan(inner, scope, members),
        Expr::Binary(_, lhs, rhs) => scan(lhs, scope, members) && scan(rhs, scope, members),
        Expr::TypeOp(_, inner, _) => scan(inner, scope, members),
    }
}

fn scan_call(call: &Call, scope: Scope, members: &mut Vec<String>) -> bool {
    if matches!(call.func, Func::Now | Func::Today) {
        return false;
    }
    let iterates = matches!(
        call.func,
        Func::Where | Func::Select | Func::All | Func::Repeat | Func::Aggregate
    ) || (call.func == Func::Exists && !call.args.is_empty());
    let body = Scope {
        root: false,
        iterating: scope.iterating || iterates,
    };
    match &call.target {
        // The body of an iteration over the focus's own elements never runs when they are absent
        // (dom-3: `contained.where(… %resource.descendants() …)`), so what it reads does not matter.
        Some(target) if iterates && scope.root && empty_when_absent(target) => {
            scan(target, scope, members)
        }
        Some(target) => {
            scan(target, scope, members) && call.args.iter().all(|a| scan(a, body, members))
        }
        // `iif(c, a, b)` reads nothing itself; its arguments see the same input it does.
        None if call.func == Func::Iif => call.args.iter().all(|a| scan(a, scope, members)),
        // Any other function without a target reads its input: at the root, the focus itself.
        None if scope.root => false,
        None => call.args.iter().all(|a| scan(a, body, members)),
    }
}

/// Whether `expr`, evaluated on the focus, is empty when the focus has none of the elements it names:
/// paths of element names, and functions that give nothing for nothing (filters, projections,
/// subsetting) on such paths.
fn empty_when_absent(expr: &Expr) -> bool {
    match expr {
        Expr::Ident(name) => !name.starts_with(|c: char| c.is_ascii_uppercase()),
        Expr::Member(base, _) | Expr::Indexer(base, _) => empty_when_absent(base),
        Expr::Call(call) => {
            matches!(
                call.func,
                Func::Where
                    | Func::Select
                    | Func::Repeat
                    | Func::OfType
                    | Func::First
                    | Func::Last
                    | Func::Tail
                    | Func::Skip
                    | Func::Take
                    | Func::Distinct
                    | Func::Children
                    | Func::Descendants
                    | Func::Extension
                    | Func::As
            ) && call.target.as_ref().is_some_and(empty_when_absent)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhirpath::parser;
    use serde_json::json;

    fn members(text: &str) -> Option<Vec<String>> {
        Guard::new(&parser::parse(text).unwrap()).members
    }

    #[test]
    fn reads_of_the_focus_are_found_by_scope() {
        assert_eq!(
            members("contentReference.empty() or (type.empty() and binding.empty())"),
            Some(vec![
                "binding".into(),
                "contentReference".into(),
                "type".into()
            ])
        );
        // Names inside an iteration belong to the items, not the focus.
        assert_eq!(
            members("type.all(aggregation.empty() or (code = 'Reference'))"),
            Some(vec!["type".into()])
        );
        assert_eq!(
            members("iif(max.exists(), min <= max.toInteger(), true)"),
            Some(vec!["max".into(), "min".into()])
        );
        assert_eq!(members("where($this = 'x').exists()"), None);
        assert_eq!(members("hasValue() or extension.exists()"), None);
        assert_eq!(members("%resource.name.where($this = 'x').exists()"), None);
        assert_eq!(members("Patient.name.exists()"), None);
        assert_eq!(members("name.union($this.id).count() > 1"), None);
        assert_eq!(
            members("name.select($this.given).exists()"),
            Some(vec!["name".into()])
        );
        // An iteration over the focus's own elements reads nothing else when they are absent.
        assert_eq!(
            members(
                "contained.where(('#' + id in %resource.descendants().reference).not()).empty()"
            ),
            Some(vec!["contained".into()])
        );
        assert_eq!(members("(1 | 2).where($this = %resource.id).empty()"), None);
        assert_eq!(
            members("contained.count().where(%resource.id.exists()).empty()"),
            None
        );
    }

    #[test]
    fn the_answer_on_an_object_without_those_elements_is_the_evaluated_one() {
        let expr =
            parser::parse("(isModifier.exists() and isModifier) implies isModifierReason.exists()")
                .unwrap();
        let guard = Guard::new(&expr);
        let without = json!({"path": "Patient.name", "min": 0});
        let node = |v| Node {
            value: Some(v),
            extra: None,
            type_name: Some("ElementDefinition"),
        };
        assert_eq!(guard.answer(&expr, &node(&without)), Some(true));
        let with = json!({"isModifier": true});
        assert_eq!(guard.answer(&expr, &node(&with)), None);
        let choice = Guard::new(&parser::parse("value.empty()").unwrap());
        let has_choice = json!({"valueString": "x"});
        assert_eq!(
            choice.answer(&parser::parse("value.empty()").unwrap(), &node(&has_choice)),
            None
        );
        let underscore = json!({"_value": {"extension": []}});
        assert_eq!(
            choice.answer(&parser::parse("value.empty()").unwrap(), &node(&underscore)),
            None
        );
        // A constraint that fails on an absent element fails in the shortcut too.
        let required = parser::parse("name.exists()").unwrap();
        assert_eq!(
            Guard::new(&required).answer(&required, &node(&without)),
            Some(false)
        );
    }
}

//! The items of FHIRPath collections: JSON nodes borrowed from the message, and system values.

use std::borrow::Cow;

use serde_json::Value;

use super::temporal::{Temporal, TemporalKind};

/// A FHIR element borrowed from the JSON message. A primitive carries its JSON value and its `_x`
/// object (id, extension) together; either may be absent.
#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    /// The JSON value; `None` when only the `_x` object exists.
    pub value: Option<&'a Value>,
    /// The `_x` object of a primitive (id, extension).
    pub extra: Option<&'a Value>,
    /// The FHIR type when known: "Patient", "HumanName", "string", or a backbone path like
    /// "Patient.contact".
    pub type_name: Option<&'a str>,
}

impl<'a> Node<'a> {
    /// A resource; its type comes from `resourceType`.
    pub fn resource(v: &'a Value) -> Node<'a> {
        Node::new(Some(v), None, None)
    }

    /// An element whose FHIR type the caller knows (a `resourceType` still wins).
    pub fn typed(v: &'a Value, type_name: &'a str) -> Node<'a> {
        Node::new(Some(v), None, Some(type_name))
    }

    /// A node with a declared type, overridden by the `resourceType` of a resource.
    pub(crate) fn new(
        value: Option<&'a Value>,
        extra: Option<&'a Value>,
        declared: Option<&'a str>,
    ) -> Node<'a> {
        let resource_type = value
            .and_then(|v| v.get("resourceType"))
            .and_then(Value::as_str);
        Node {
            value,
            extra,
            type_name: resource_type.or(declared),
        }
    }

    /// True when the node is a primitive: a JSON string/number/boolean, or only an `_x` object.
    pub fn is_primitive(&self) -> bool {
        match self.value {
            Some(v) => !(v.is_object() || v.is_array()),
            None => self.extra.is_some(),
        }
    }

    /// True when this is the same JSON element as `other` (pointer identity).
    pub(crate) fn same(&self, other: &Node<'_>) -> bool {
        opt_ptr_eq(self.value, other.value) && opt_ptr_eq(self.extra, other.extra)
    }
}

fn opt_ptr_eq(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => std::ptr::eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// One item of a FHIRPath collection.
#[derive(Clone, Debug)]
pub enum Item<'a> {
    /// An element of the JSON message.
    Node(Node<'a>),
    /// System.Boolean.
    Boolean(bool),
    /// System.String.
    String(Cow<'a, str>),
    /// System.Integer.
    Integer(i64),
    /// System.Decimal (held as f64).
    Decimal(f64),
    /// System.Date.
    Date(Temporal),
    /// System.DateTime.
    DateTime(Temporal),
    /// System.Time.
    Time(Temporal),
    /// System.Quantity (a literal such as `4 'mg'` or `2 days`; calendar units are kept as words).
    Quantity {
        /// The numeric value.
        value: f64,
        /// The UCUM unit or calendar duration word.
        unit: Cow<'a, str>,
    },
}

impl<'a> Item<'a> {
    /// The node, if this item is one.
    pub fn as_node(&self) -> Option<&Node<'a>> {
        match self {
            Item::Node(n) => Some(n),
            _ => None,
        }
    }

    /// The boolean value of a System.Boolean or a JSON boolean node.
    pub fn as_bool(&self) -> Option<bool> {
        match self.prim()? {
            Prim::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The string value of a System.String or a JSON string node.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Item::String(s) => Some(s),
            Item::Node(n) => n.value.and_then(Value::as_str),
            _ => None,
        }
    }

    /// The item as a comparable primitive; `None` for a primitive node without a value.
    pub(crate) fn prim(&self) -> Option<Prim<'_>> {
        Some(match self {
            Item::Node(n) => return node_prim(n),
            Item::Boolean(b) => Prim::Bool(*b),
            Item::String(s) => Prim::Str(s),
            Item::Integer(i) => Prim::Int(*i),
            Item::Decimal(d) => Prim::Dec(*d),
            Item::Date(t) | Item::DateTime(t) | Item::Time(t) => Prim::Temporal(*t),
            Item::Quantity { value, unit } => Prim::Quantity(QuantityView {
                value: *value,
                units: [Some(unit), None],
            }),
        })
    }

    /// The string form used by `toString()`, `&` and string functions; `None` for complex nodes.
    pub fn to_text(&self) -> Option<Cow<'a, str>> {
        Some(match self {
            Item::Node(n) => match n.value? {
                Value::String(s) => Cow::Borrowed(s.as_str()),
                Value::Number(num) => Cow::Owned(num.to_string()),
                Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
                _ => return None,
            },
            Item::Boolean(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Item::String(s) => s.clone(),
            Item::Integer(i) => Cow::Owned(i.to_string()),
            Item::Decimal(d) => Cow::Owned(format_decimal(*d)),
            Item::Date(t) | Item::DateTime(t) | Item::Time(t) => Cow::Owned(t.to_string()),
            Item::Quantity { value, unit } => {
                Cow::Owned(format!("{} '{}'", format_decimal(*value), unit))
            }
        })
    }
}

/// Formats a decimal keeping a fraction part (`1.0`, not `1`).
pub(crate) fn format_decimal(d: f64) -> String {
    let s = d.to_string();
    if d.is_finite() && !s.contains(['.', 'e', 'E']) {
        format!("{s}.0")
    } else {
        s
    }
}

/// A primitive view of an item, for comparison and arithmetic.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Prim<'b> {
    Bool(bool),
    Str(&'b str),
    Int(i64),
    Dec(f64),
    Temporal(Temporal),
    Quantity(QuantityView<'b>),
    /// A complex JSON element (object).
    Object(&'b Value),
}

/// A quantity's value and the unit names it can be matched by (a literal has one; a JSON Quantity has
/// `code` and `unit`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct QuantityView<'b> {
    pub value: f64,
    pub units: [Option<&'b str>; 2],
}

impl QuantityView<'_> {
    /// True when some unit name of one side equals some unit name of the other.
    pub fn same_unit(&self, other: &QuantityView<'_>) -> bool {
        self.units
            .iter()
            .flatten()
            .any(|a| other.units.iter().flatten().any(|b| unit_eq(a, b)))
    }
}

/// Unit equality, with the calendar duration words matching their UCUM codes.
fn unit_eq(a: &str, b: &str) -> bool {
    fn canon(u: &str) -> &str {
        match u.strip_suffix('s').unwrap_or(u) {
            "day" => "d",
            "hour" => "h",
            "minute" => "min",
            "second" => "s",
            "millisecond" => "ms",
            "week" => "wk",
            _ => u,
        }
    }
    a == b || canon(a) == canon(b)
}

/// A JSON object seen as a Quantity: it has a numeric `value`.
pub(crate) fn object_quantity(v: &Value) -> Option<QuantityView<'_>> {
    let value = v.get("value")?.as_f64()?;
    Some(QuantityView {
        value,
        units: [
            v.get("code").and_then(Value::as_str),
            v.get("unit").and_then(Value::as_str),
        ],
    })
}

fn node_prim<'b>(n: &Node<'b>) -> Option<Prim<'b>> {
    Some(match n.value? {
        Value::Bool(b) => Prim::Bool(*b),
        // With `arbitrary_precision`, `as_i64` succeeds only for integer text (no fraction or exponent).
        Value::Number(num) => match num.as_i64() {
            Some(i) => Prim::Int(i),
            None => Prim::Dec(num.as_f64()?),
        },
        Value::String(s) => {
            let parsed = match n.type_name {
                Some("date" | "dateTime" | "instant") => Temporal::parse_date_or_date_time(s),
                Some("time") => Temporal::parse_time(s),
                _ => None,
            };
            parsed.map_or(Prim::Str(s), Prim::Temporal)
        }
        v @ Value::Object(_) => Prim::Object(v),
        Value::Null | Value::Array(_) => return None,
    })
}

/// Parses a string as a temporal value when it looks like one (used for strings of unknown type).
pub(crate) fn string_temporal(s: &str, like: TemporalKind) -> Option<Temporal> {
    match like {
        TemporalKind::Time => Temporal::parse_time(s),
        _ => Temporal::parse_date_or_date_time(s),
    }
}

//! `build_json!`: serde_json's `json!` syntax, with every embedded expression moved into the tree.
//!
//! Written by hand (the object/array muncher is serde_json 1.0.154's `json_internal!`, MIT/Apache-2.0)
//! because `json!` turns each embedded expression into a `Value` with `serde_json::to_value(&expr)`: an
//! owned `Value` built by a mapper (a CodeableConcept, a list of Observations) is serialised into a second
//! copy, node by node, and the first dropped. The mappers nest such values on every resource, and that
//! copying was a sixth of the HL7 v2 → FHIR mapping time. Here an expression goes through
//! [`IntoJson`], which moves a `Value`, a `String` or a `Vec` as it is.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

/// A value `build_json!` can embed: moved when owned, cloned or copied when borrowed.
pub trait IntoJson {
    fn into_json(self) -> Value;
}

impl IntoJson for Value {
    fn into_json(self) -> Value {
        self
    }
}

impl IntoJson for &Value {
    fn into_json(self) -> Value {
        self.clone()
    }
}

impl IntoJson for Map<String, Value> {
    fn into_json(self) -> Value {
        Value::Object(self)
    }
}

impl IntoJson for String {
    fn into_json(self) -> Value {
        Value::String(self)
    }
}

impl IntoJson for &String {
    fn into_json(self) -> Value {
        Value::String(self.clone())
    }
}

impl IntoJson for &str {
    fn into_json(self) -> Value {
        Value::String(self.to_owned())
    }
}

impl IntoJson for &&str {
    fn into_json(self) -> Value {
        Value::String((*self).to_owned())
    }
}

impl IntoJson for Cow<'_, str> {
    fn into_json(self) -> Value {
        Value::String(self.into_owned())
    }
}

impl IntoJson for bool {
    fn into_json(self) -> Value {
        Value::Bool(self)
    }
}

impl IntoJson for Number {
    fn into_json(self) -> Value {
        Value::Number(self)
    }
}

macro_rules! into_json_by_from {
    ($($t:ty),*) => {
        $(impl IntoJson for $t {
            fn into_json(self) -> Value {
                Value::from(self)
            }
        })*
    };
}

into_json_by_from!(i32, i64, u32, u64, usize, f64);

impl<T: IntoJson> IntoJson for Option<T> {
    fn into_json(self) -> Value {
        self.map_or(Value::Null, IntoJson::into_json)
    }
}

impl<T: IntoJson> IntoJson for Vec<T> {
    fn into_json(self) -> Value {
        Value::Array(self.into_iter().map(IntoJson::into_json).collect())
    }
}

impl<T: IntoJson + Clone> IntoJson for &[T] {
    fn into_json(self) -> Value {
        Value::Array(self.iter().cloned().map(IntoJson::into_json).collect())
    }
}

impl<T: IntoJson + Clone> IntoJson for &Vec<T> {
    fn into_json(self) -> Value {
        self.as_slice().into_json()
    }
}

/// Builds a `serde_json::Value` with `json!`'s syntax, moving embedded expressions (see the module).
#[macro_export]
macro_rules! build_json {
    ($($json:tt)+) => {
        $crate::build_json_internal!($($json)+)
    };
}

#[macro_export]
#[doc(hidden)]
macro_rules! build_json_internal {
    //////////////////////////////////////////////////////////////////////////
    // TT muncher for parsing the inside of an array [...]. Produces a vec![...]
    // of the elements.
    //
    // Must be invoked as: json_internal!(@array [] $($tt)*)
    //////////////////////////////////////////////////////////////////////////

    // Done with trailing comma.
    (@array [$($elems:expr,)*]) => {
        ::std::vec![$($elems,)*]
    };

    // Done without trailing comma.
    (@array [$($elems:expr),*]) => {
        ::std::vec![$($elems),*]
    };

    // Next element is `null`.
    (@array [$($elems:expr,)*] null $($rest:tt)*) => {
        $crate::build_json_internal!(@array [$($elems,)* $crate::build_json_internal!(null)] $($rest)*)
    };

    // Next element is `true`.
    (@array [$($elems:expr,)*] true $($rest:tt)*) => {
        $crate::build_json_internal!(@array [$($elems,)* $crate::build_json_internal!(true)] $($rest)*)
    };

    // Next element is `false`.
    (@array [$($elems:expr,)*] false $($rest:tt)*) => {
        $crate::build_json_internal!(@array [$($elems,)* $crate::build_json_internal!(false)] $($rest)*)
    };

    // Next element is an array.
    (@array [$($elems:expr,)*] [$($array:tt)*] $($rest:tt)*) => {
        $crate::build_json_internal!(@array [$($elems,)* $crate::build_json_internal!([$($array)*])] $($rest)*)
    };

    // Next element is a map.
    (@array [$($elems:expr,)*] {$($map:tt)*} $($rest:tt)*) => {
        $crate::build_json_internal!(@array [$($elems,)* $crate::build_json_internal!({$($map)*})] $($rest)*)
    };

    // Next element is an expression followed by comma.
    (@array [$($elems:expr,)*] $next:expr, $($rest:tt)*) => {
        $crate::build_json_internal!(@array [$($elems,)* $crate::build_json_internal!($next),] $($rest)*)
    };

    // Last element is an expression with no trailing comma.
    (@array [$($elems:expr,)*] $last:expr) => {
        $crate::build_json_internal!(@array [$($elems,)* $crate::build_json_internal!($last)])
    };

    // Comma after the most recent element.
    (@array [$($elems:expr),*] , $($rest:tt)*) => {
        $crate::build_json_internal!(@array [$($elems,)*] $($rest)*)
    };

    // Unexpected token after most recent element.
    (@array [$($elems:expr),*] $unexpected:tt $($rest:tt)*) => {
        $crate::build_json_unexpected!($unexpected)
    };

    //////////////////////////////////////////////////////////////////////////
    // TT muncher for parsing the inside of an object {...}. Each entry is
    // inserted into the given map variable.
    //
    // Must be invoked as: json_internal!(@object $map () ($($tt)*) ($($tt)*))
    //
    // We require two copies of the input tokens so that we can match on one
    // copy and trigger errors on the other copy.
    //////////////////////////////////////////////////////////////////////////

    // Done.
    (@object $object:ident () () ()) => {};

    // Insert the current entry followed by trailing comma.
    (@object $object:ident [$($key:tt)+] ($value:expr) , $($rest:tt)*) => {
        let _ = $object.insert(($($key)+).into(), $value);
        $crate::build_json_internal!(@object $object () ($($rest)*) ($($rest)*));
    };

    // Current entry followed by unexpected token.
    (@object $object:ident [$($key:tt)+] ($value:expr) $unexpected:tt $($rest:tt)*) => {
        $crate::build_json_unexpected!($unexpected);
    };

    // Insert the last entry without trailing comma.
    (@object $object:ident [$($key:tt)+] ($value:expr)) => {
        let _ = $object.insert(($($key)+).into(), $value);
    };

    // Next value is `null`.
    (@object $object:ident ($($key:tt)+) (: null $($rest:tt)*) $copy:tt) => {
        $crate::build_json_internal!(@object $object [$($key)+] ($crate::build_json_internal!(null)) $($rest)*);
    };

    // Next value is `true`.
    (@object $object:ident ($($key:tt)+) (: true $($rest:tt)*) $copy:tt) => {
        $crate::build_json_internal!(@object $object [$($key)+] ($crate::build_json_internal!(true)) $($rest)*);
    };

    // Next value is `false`.
    (@object $object:ident ($($key:tt)+) (: false $($rest:tt)*) $copy:tt) => {
        $crate::build_json_internal!(@object $object [$($key)+] ($crate::build_json_internal!(false)) $($rest)*);
    };

    // Next value is an array.
    (@object $object:ident ($($key:tt)+) (: [$($array:tt)*] $($rest:tt)*) $copy:tt) => {
        $crate::build_json_internal!(@object $object [$($key)+] ($crate::build_json_internal!([$($array)*])) $($rest)*);
    };

    // Next value is a map.
    (@object $object:ident ($($key:tt)+) (: {$($map:tt)*} $($rest:tt)*) $copy:tt) => {
        $crate::build_json_internal!(@object $object [$($key)+] ($crate::build_json_internal!({$($map)*})) $($rest)*);
    };

    // Next value is an expression followed by comma.
    (@object $object:ident ($($key:tt)+) (: $value:expr , $($rest:tt)*) $copy:tt) => {
        $crate::build_json_internal!(@object $object [$($key)+] ($crate::build_json_internal!($value)) , $($rest)*);
    };

    // Last value is an expression with no trailing comma.
    (@object $object:ident ($($key:tt)+) (: $value:expr) $copy:tt) => {
        $crate::build_json_internal!(@object $object [$($key)+] ($crate::build_json_internal!($value)));
    };

    // Missing value for last entry. Trigger a reasonable error message.
    (@object $object:ident ($($key:tt)+) (:) $copy:tt) => {
        // "unexpected end of macro invocation"
        $crate::build_json_internal!();
    };

    // Missing colon and value for last entry. Trigger a reasonable error
    // message.
    (@object $object:ident ($($key:tt)+) () $copy:tt) => {
        // "unexpected end of macro invocation"
        $crate::build_json_internal!();
    };

    // Misplaced colon. Trigger a reasonable error message.
    (@object $object:ident () (: $($rest:tt)*) ($colon:tt $($copy:tt)*)) => {
        // Takes no arguments so "no rules expected the token `:`".
        $crate::build_json_unexpected!($colon);
    };

    // Found a comma inside a key. Trigger a reasonable error message.
    (@object $object:ident ($($key:tt)*) (, $($rest:tt)*) ($comma:tt $($copy:tt)*)) => {
        // Takes no arguments so "no rules expected the token `,`".
        $crate::build_json_unexpected!($comma);
    };

    // Key is fully parenthesized. This avoids clippy double_parens false
    // positives because the parenthesization may be necessary here.
    (@object $object:ident () (($key:expr) : $($rest:tt)*) $copy:tt) => {
        $crate::build_json_internal!(@object $object ($key) (: $($rest)*) (: $($rest)*));
    };

    // Refuse to absorb colon token into key expression.
    (@object $object:ident ($($key:tt)*) (: $($unexpected:tt)+) $copy:tt) => {
        $crate::build_json_expect_expr_comma!($($unexpected)+);
    };

    // Munch a token into the current key.
    (@object $object:ident ($($key:tt)*) ($tt:tt $($rest:tt)*) $copy:tt) => {
        $crate::build_json_internal!(@object $object ($($key)* $tt) ($($rest)*) ($($rest)*));
    };

    //////////////////////////////////////////////////////////////////////////
    // The number of entries of an object, so that its map is allocated once (growing a map rehashes
    // it). Keys are one token tree (a literal, a constant, a parenthesised expression); an object with
    // another kind of key is built by the rules above all the same, only its count is a guess.
    //
    // Must be invoked as: build_json_internal!(@count 0; $($tt)+)
    //////////////////////////////////////////////////////////////////////////

    (@count $n:expr;) => { $n };
    (@count $n:expr; $key:tt : {$($map:tt)*} $(, $($rest:tt)*)?) => {
        $crate::build_json_internal!(@count $n + 1; $($($rest)*)?)
    };
    (@count $n:expr; $key:tt : [$($array:tt)*] $(, $($rest:tt)*)?) => {
        $crate::build_json_internal!(@count $n + 1; $($($rest)*)?)
    };
    (@count $n:expr; $key:tt : $value:expr $(, $($rest:tt)*)?) => {
        $crate::build_json_internal!(@count $n + 1; $($($rest)*)?)
    };
    (@count $n:expr; $($other:tt)*) => { $n + 4 };

    //////////////////////////////////////////////////////////////////////////
    // The main implementation.
    //
    // Must be invoked as: json_internal!($($json)+)
    //////////////////////////////////////////////////////////////////////////

    (null) => {
        ::serde_json::Value::Null
    };

    (true) => {
        ::serde_json::Value::Bool(true)
    };

    (false) => {
        ::serde_json::Value::Bool(false)
    };

    ([]) => {
        ::serde_json::Value::Array(::std::vec![])
    };

    ([ $($tt:tt)+ ]) => {
        ::serde_json::Value::Array($crate::build_json_internal!(@array [] $($tt)+))
    };

    ({}) => {
        ::serde_json::Value::Object(::serde_json::Map::new())
    };

    ({ $($tt:tt)+ }) => {
        ::serde_json::Value::Object({
            let mut object =
                ::serde_json::Map::with_capacity($crate::build_json_internal!(@count 0; $($tt)+));
            $crate::build_json_internal!(@object object () ($($tt)+) ($($tt)+));
            object
        })
    };

    // Any value that converts into JSON: moved in, never serialised again (see `IntoJson`).
    // Must be below every other rule.
    ($other:expr) => {
        $crate::build_json::IntoJson::into_json($other)
    };
}

#[macro_export]
#[doc(hidden)]
macro_rules! build_json_unexpected {
    () => {};
}

#[macro_export]
#[doc(hidden)]
macro_rules! build_json_expect_expr_comma {
    ($e:expr , $($tt:tt)*) => {};
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn it_builds_what_json_builds() {
        let coding = json!({"system": "urn:x", "code": "1"});
        let name: Option<&str> = None;
        let codes = vec![coding.clone(), coding.clone()];
        // The same tokens through both macros.
        macro_rules! both {
            ($($json:tt)+) => {
                (build_json!($($json)+), json!($($json)+))
            };
        }
        let (built, expected) = both!({
            "resourceType": "Observation",
            "code": {"coding": [coding.clone()], "text": "身長"},
            "valueQuantity": {"value": 170.5, "unit": "cm"},
            "count": 3usize,
            "flag": true,
            "none": null,
            "name": name,
            "codes": codes.clone(),
            "borrowed": &coding,
            "list": [1, "two", [3]],
        });
        assert_eq!(built, expected);
        assert_eq!(
            serde_json::to_string(&built).unwrap(),
            serde_json::to_string(&expected).unwrap()
        );
    }
}

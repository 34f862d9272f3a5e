//! Resources that passed `prepare` lately, by their mapped JSON: senders repeat the same Patient,
//! Practitioner, Organization, Encounter… in message after message, and the typed R4 round trip and the
//! validation of the same JSON give the same verdict and the same canonical text every time; only the
//! `meta.lastUpdated` stamp differs, and it is stamped again.
//!
//! Only successes are kept (a failure is checked again and reported in full), only when validation
//! enforces or is off (a `warn` zone logs each failing resource it stores), and the map is emptied when
//! full. An entry is found by a hash of the mapped JSON's structure and taken only when that JSON is
//! equal to the one looked up, so a hash collision is a miss, never another resource's content.
//! Written by hand rather than keyed by the serialised JSON: serialising every mapped resource only to
//! look it up was a tenth of the MLLP path's instructions (callgrind), the walk a fraction of that.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;

use serde_json::Value;

use super::write::unstamped;
use crate::pipeline::instant;
use crate::pipeline::prepare::Prepared;

/// Resources kept before the map is emptied.
const CAPACITY: usize = 4096;

#[derive(Default)]
pub(super) struct Checked {
    entries: Mutex<HashMap<u64, (Value, Prepared)>>,
}

/// Whether a resource of this type can be mapped again unchanged from a later message. A message's own
/// MessageHeader and Provenance carry its MSH-10 and never do: kept, they would only push out the
/// Patients and Practitioners that do (the map is emptied when full).
pub(super) fn may_repeat(resource_type: &str) -> bool {
    !matches!(resource_type, "MessageHeader" | "Provenance")
}

/// A lookup key: the structural hash of a mapped resource.
#[derive(Clone, Copy)]
pub(super) struct Key(u64);

impl Key {
    pub(super) fn of(resource: &Value) -> Key {
        // Fixed seeds: the hash is only a bucket, every hit is compared in full.
        let mut hasher = foldhash::fast::FixedState::with_seed(0x6b616b65).build_hasher();
        hash_value(resource, &mut hasher);
        Key(hasher.finish())
    }
}

/// Feeds `value` into `hasher`: a tag per kind, lengths before contents, object keys in their order.
fn hash_value(value: &Value, hasher: &mut impl Hasher) {
    match value {
        Value::Null => hasher.write_u8(0),
        Value::Bool(b) => hasher.write_u8(if *b { 1 } else { 2 }),
        Value::Number(n) => {
            hasher.write_u8(3);
            hasher.write(n.to_string().as_bytes());
        }
        Value::String(s) => {
            hasher.write_u8(4);
            hasher.write_usize(s.len());
            hasher.write(s.as_bytes());
        }
        Value::Array(items) => {
            hasher.write_u8(5);
            hasher.write_usize(items.len());
            for item in items {
                hash_value(item, hasher);
            }
        }
        Value::Object(map) => {
            hasher.write_u8(6);
            hasher.write_usize(map.len());
            for (key, item) in map {
                hasher.write_usize(key.len());
                hasher.write(key.as_bytes());
                hash_value(item, hasher);
            }
        }
    }
}

/// JSON equality with object members compared in their order: the mapper writes a resource's members in
/// the same order every time, so this decides every hit without serde_json's `Map` equality, which looks
/// each key up in the other map (a SipHash per member: most of the look-up's cost). Equal members in
/// another order compare unequal: a miss, checked again in full, never a wrong hit.
fn same_in_order(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|((ka, va), (kb, vb))| ka == kb && same_in_order(va, vb))
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_in_order(x, y))
        }
        _ => a == b,
    }
}

impl Checked {
    /// The prepared form of `resource` (whose key is `key`) as stamped at `received_ms`, when it was
    /// checked lately.
    pub(super) fn get(&self, key: Key, resource: &Value, received_ms: i64) -> Option<Prepared> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (mapped, found) = entries.get(&key.0)?;
        if !same_in_order(mapped, resource) {
            return None;
        }
        let (before, after) = unstamped(&found.content)?;
        let stamped = format!(
            "{before}1\",\"lastUpdated\":\"{}{after}",
            instant(received_ms)
        );
        Some(Prepared {
            content: stamped,
            index: found.index.clone(),
        })
    }

    pub(super) fn put(&self, key: Key, resource: &Value, prepared: &Prepared) {
        if unstamped(&prepared.content).is_none() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            key.0,
            (
                resource.clone(),
                Prepared {
                    content: prepared.content.clone(),
                    index: prepared.index.clone(),
                },
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_json_has_one_key_and_different_json_another() {
        let a = json!({"resourceType": "Patient", "id": "p", "name": [{"text": "患者 太郎"}]});
        let b = json!({"resourceType": "Patient", "id": "p", "name": [{"text": "患者 花子"}]});
        assert_eq!(Key::of(&a).0, Key::of(&a.clone()).0);
        assert_ne!(Key::of(&a).0, Key::of(&b).0);
        // Structure counts, not only the text: ["ab"] and ["a","b"] differ.
        assert_ne!(Key::of(&json!(["ab"])).0, Key::of(&json!(["a", "b"])).0);
    }

    #[test]
    fn equality_in_order() {
        let a = json!({"resourceType": "Patient", "name": [{"family": "患者", "given": ["太郎"]}], "n": 1.5});
        assert!(same_in_order(&a, &a.clone()));
        let other_text = json!({"resourceType": "Patient", "name": [{"family": "患者", "given": ["花子"]}], "n": 1.5});
        assert!(!same_in_order(&a, &other_text));
        let other_number = json!({"resourceType": "Patient", "name": [{"family": "患者", "given": ["太郎"]}], "n": 2});
        assert!(!same_in_order(&a, &other_number));
        let fewer =
            json!({"resourceType": "Patient", "name": [{"family": "患者", "given": ["太郎"]}]});
        assert!(!same_in_order(&a, &fewer) && !same_in_order(&fewer, &a));
        // The same members in another order: unequal here (a miss), though equal as JSON.
        let reordered = json!({"name": [{"family": "患者", "given": ["太郎"]}], "resourceType": "Patient", "n": 1.5});
        assert_eq!(a, reordered);
        assert!(!same_in_order(&a, &reordered));
    }

    #[test]
    fn a_messages_own_header_and_provenance_are_not_kept() {
        assert!(may_repeat("Patient"));
        assert!(!may_repeat("MessageHeader"));
        assert!(!may_repeat("Provenance"));
    }

    #[test]
    fn a_colliding_key_is_a_miss_not_another_resources_content() {
        let checked = Checked::default();
        let a = json!({"resourceType": "Patient", "id": "a"});
        let b = json!({"resourceType": "Patient", "id": "b"});
        let prepared = Prepared {
            content: r#"{"resourceType":"Patient","id":"a","meta":{"versionId":"1","lastUpdated":"2026-12-02T00:00:00.000Z"}}"#.into(),
            index: Vec::new(),
        };
        checked.put(Key::of(&a), &a, &prepared);
        assert!(checked.get(Key::of(&a), &a, 0).is_some());
        // b looked up under a's key (as a collision would): not taken.
        assert!(checked.get(Key::of(&a), &b, 0).is_none());
    }
}

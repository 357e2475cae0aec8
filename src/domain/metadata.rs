//! Metadata writes: the deep merge of `PATCH .../metadata` and the replacement of `PUT`.

use serde_json::{Map, Value};

/// Merges `patch` into `target` as Clerk does: objects merge key by key at every depth, a
/// `null` removes its key (nothing happens if the key is absent), and any other value (arrays
/// included) replaces what was there. Nulls inside an object that is inserted whole are
/// dropped too, so no `null` is ever stored by a merge.
pub fn deep_merge(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match value {
            Value::Null => {
                target.remove(key);
            }
            Value::Object(inner) => {
                let slot = target
                    .entry(key.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                if let Value::Object(existing) = slot {
                    deep_merge(existing, inner);
                }
            }
            other => {
                target.insert(key.clone(), other.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn merged(target: Value, patch: Value) -> Value {
        let (Value::Object(mut target), Value::Object(patch)) = (target, patch) else {
            unreachable!("objects")
        };
        deep_merge(&mut target, &patch);
        Value::Object(target)
    }

    #[test]
    fn objects_merge_at_every_depth_and_null_removes_a_key() {
        let target = json!({"plan": "free", "limits": {"seats": 5, "tags": ["a"]}, "gone": 1});
        let patch = json!({"limits": {"seats": 10, "tags": ["b"], "x": null}, "gone": null, "new": {"a": {"b": null, "c": 1}}});
        assert_eq!(
            merged(target, patch),
            json!({"plan": "free", "limits": {"seats": 10, "tags": ["b"]}, "new": {"a": {"c": 1}}})
        );
    }

    #[test]
    fn an_object_replaces_a_scalar_and_an_empty_patch_changes_nothing() {
        assert_eq!(
            merged(json!({"a": 1}), json!({"a": {"b": 2}})),
            json!({"a": {"b": 2}})
        );
        assert_eq!(merged(json!({"a": 1}), json!({})), json!({"a": 1}));
    }
}

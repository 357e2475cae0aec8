//! Free-form JSON held per entry (metadata, an impersonator, a template's claims): bounded, as
//! Clerk bounds metadata, so that no single entry can take an instance's memory.

use serde_json::Value;

/// The most one free-form JSON value may take, serialised.
pub const MAX_FREE_FORM_BYTES: usize = 8 * 1024;

/// Why `value`, the field `name`, is refused: `None` when it is within the bound.
pub fn too_large(name: &str, value: &Value) -> Option<String> {
    let bytes = serde_json::to_vec(value).map_or(usize::MAX, |bytes| bytes.len());
    (bytes > MAX_FREE_FORM_BYTES).then(|| {
        format!(
            "{name} takes {bytes} bytes, more than the {} KiB a free-form JSON value may take",
            MAX_FREE_FORM_BYTES / 1024
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_up_to_the_bound_pass_and_larger_ones_are_named() {
        assert_eq!(
            too_large("actor", &serde_json::json!({"sub": "user_1"})),
            None
        );
        let large = serde_json::json!({ "sub": "x".repeat(MAX_FREE_FORM_BYTES) });
        assert!(
            too_large("actor", &large).is_some_and(|problem| problem.starts_with("actor takes"))
        );
    }
}

//! What a record takes in memory: its own size plus what it allocates (strings, free-form JSON,
//! tasks, activity). Instances are bounded by the sum, so that a write is refused by what it
//! really adds rather than by a count of records.

use std::mem::size_of;

use serde_json::Value;

use super::{Organization, Session, User};

/// What a heap allocation costs besides its bytes (the allocator's header and rounding).
const ALLOCATION_OVERHEAD: usize = 16;

/// The heap a parsed JSON value holds: its strings, and each array slot and map entry.
pub fn json_bytes(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
        Value::String(text) => text.len() + ALLOCATION_OVERHEAD,
        Value::Array(items) => {
            items.len() * size_of::<Value>()
                + ALLOCATION_OVERHEAD
                + items.iter().map(json_bytes).sum::<usize>()
        }
        // A map is a B-tree whose nodes hold up to eleven entries (key and value) each and are
        // allocated whole, however few they hold: a map of one entry costs a whole node. Each
        // key's text and each value's heap come on top.
        Value::Object(entries) => {
            let nodes = entries.len().div_ceil(BTREE_ENTRIES_PER_NODE);
            nodes * BTREE_NODE_BYTES
                + entries
                    .iter()
                    .map(|(key, value)| key.len() + ALLOCATION_OVERHEAD + json_bytes(value))
                    .sum::<usize>()
        }
    }
}

/// How many entries a map's B-tree node holds on average once it has split (at most eleven).
const BTREE_ENTRIES_PER_NODE: usize = 8;

/// A B-tree node of a JSON map: room for eleven keys and values, its links, and the allocator's
/// share.
const BTREE_NODE_BYTES: usize =
    11 * (size_of::<String>() + size_of::<Value>()) + 32 + ALLOCATION_OVERHEAD;

/// A shared text (`Arc<str>`): its bytes, its two reference counts, and the allocator's share.
fn text_bytes(text: &str) -> usize {
    text.len() + 2 * size_of::<usize>() + ALLOCATION_OVERHEAD
}

impl Session {
    /// The session and what it alone allocates. Activity records are shared by the sessions of
    /// a client; each session is charged for its own, which overstates rather than understates.
    pub fn footprint(&self) -> usize {
        let actor = self.actor.as_deref().map_or(0, |actor| {
            size_of::<Value>() + ALLOCATION_OVERHEAD + json_bytes(actor)
        });
        let tasks: usize = self.tasks.iter().map(|task| text_bytes(&task.key)).sum();
        let activity = self.latest_activity.as_deref().map_or(0, |activity| {
            [
                &activity.device_type,
                &activity.browser_name,
                &activity.browser_version,
                &activity.ip_address,
                &activity.city,
                &activity.country,
            ]
            .into_iter()
            .map(|text| text_bytes(text))
            .sum::<usize>()
                + ALLOCATION_OVERHEAD
        });
        size_of::<Session>() + actor + tasks + activity
    }
}

/// What one entry of a user index takes: a table slot with its key and its list of ids.
const USER_INDEX_ENTRY_BYTES: usize = 64;

impl User {
    /// What the user takes in memory, its entries in the user store's indexes included.
    pub fn footprint(&self) -> usize {
        let identifiers = || self.email_addresses.iter().chain(&self.phone_numbers);
        let texts: usize = [
            &self.external_id,
            &self.first_name,
            &self.last_name,
            &self.username,
            &self.locale,
        ]
        .into_iter()
        .flatten()
        .chain(identifiers().map(|identifier| &identifier.value))
        .map(|text| text_bytes(text))
        .sum::<usize>()
            + size_of_val(self.email_addresses.as_slice())
            + size_of_val(self.phone_numbers.as_slice());
        let memberships: usize = self
            .memberships
            .iter()
            .map(|membership| {
                size_of_val(membership)
                    + text_bytes(&membership.role)
                    + json_bytes(&membership.public_metadata)
                    + json_bytes(&membership.private_metadata)
            })
            .sum();
        // The user store's indexes keep a copy of each identifier and an entry in the creation
        // index and in each organization's members.
        let indexed: usize = [&self.username, &self.external_id]
            .into_iter()
            .flatten()
            .chain(identifiers().map(|identifier| &identifier.value))
            .map(|text| text.len() + USER_INDEX_ENTRY_BYTES)
            .sum::<usize>()
            + USER_INDEX_ENTRY_BYTES * (1 + self.memberships.len());
        // The user's slot in the instance's map by id, which keeps its table up to half empty
        // as it doubles: a slot and a half, on average.
        size_of::<(super::UserId, User)>() * 3 / 2
            + texts
            + text_bytes(&self.image_url)
            + json_bytes(&self.public_metadata)
            + json_bytes(&self.private_metadata)
            + json_bytes(&self.unsafe_metadata)
            + memberships
            + indexed
    }
}

/// What one entry of an organization index takes: a slot with its key.
const ORGANIZATION_INDEX_ENTRY_BYTES: usize = 48;

impl Organization {
    /// What the organization takes in memory, its entries in the store's indexes (by slug,
    /// by creation time) included.
    pub fn footprint(&self) -> usize {
        size_of::<(super::OrganizationId, Organization)>() * 3 / 2
            + text_bytes(&self.name)
            + text_bytes(&self.slug)
            + text_bytes(&self.image_url)
            + json_bytes(&self.public_metadata)
            + json_bytes(&self.private_metadata)
            + 2 * ORGANIZATION_INDEX_ENTRY_BYTES
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn a_session_is_charged_for_what_its_actor_holds() {
        let plain = crate::domain::testing::session(1);
        let impersonated = Session {
            actor: Some(Arc::new(serde_json::json!({ "sub": "x".repeat(4000) }))),
            ..plain.clone()
        };
        assert!(plain.footprint() >= size_of::<Session>());
        assert!(impersonated.footprint() >= plain.footprint() + 4000);
    }

    #[test]
    fn json_is_charged_per_entry_and_per_string() {
        assert_eq!(json_bytes(&Value::Null), 0);
        let small = json_bytes(&serde_json::json!({ "a": 1 }));
        let large = json_bytes(&serde_json::json!({ "a": 1, "b": "y".repeat(1000) }));
        assert!(small > 0);
        assert!(large >= small + 1000);
    }
}

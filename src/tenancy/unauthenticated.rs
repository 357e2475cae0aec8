//! The server-wide journal of requests that belong to no instance: no key, a malformed
//! `Authorization` header, or a key the server does not accept. A test reads it to see that its
//! backend sent the wrong key. A key that was sent shows only its prefix and its last 4
//! characters; no body is kept, and the headers are redacted as the instances' journals are.

use std::collections::{BTreeMap, VecDeque};

use actix_web::http::Method;
use parking_lot::Mutex;
use serde::Serialize;
use utoipa::ToSchema;

/// How many unauthenticated requests the server keeps, server-wide; the oldest go first.
pub const UNAUTHENTICATED_JOURNAL_SIZE: usize = 200;

/// One request that belonged to no instance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnauthenticatedEntry {
    #[serde(serialize_with = "method_text")]
    #[schema(value_type = String, example = "GET")]
    pub method: Method,
    #[schema(example = "/v1/users/user_2AlicexBGaRy7HSnjHcaZabMn26")]
    pub path: String,
    pub query: String,
    /// Always 401.
    #[schema(example = 401)]
    pub status: u16,
    /// `authentication_invalid` (no key), `authorization_header_format_invalid` or
    /// `clerk_key_invalid`.
    #[schema(example = "clerk_key_invalid")]
    pub error_code: String,
    /// The key sent, as its prefix and last 4 characters (`sk_test_…Ab12`); absent when none was.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "sk_test_…Ab12")]
    pub key: Option<String>,
    /// The request's headers by lower-case name, secrets redacted.
    pub headers: BTreeMap<String, String>,
    /// When it came, in Unix milliseconds (wall clock).
    pub at_ms: i64,
}

fn method_text<S: serde::Serializer>(method: &Method, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

/// The last [`UNAUTHENTICATED_JOURNAL_SIZE`] unauthenticated requests, oldest first.
#[derive(Debug, Default)]
pub struct UnauthenticatedJournal {
    entries: Mutex<VecDeque<UnauthenticatedEntry>>,
}

impl UnauthenticatedJournal {
    pub fn record(&self, entry: UnauthenticatedEntry) {
        let mut entries = self.entries.lock();
        if entries.len() >= UNAUTHENTICATED_JOURNAL_SIZE {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// Every entry, newest first.
    pub fn newest_first(&self) -> Vec<UnauthenticatedEntry> {
        self.entries.lock().iter().rev().cloned().collect()
    }
}

/// The prefixes a key shows: what kind of key it is, nothing of the key itself.
const KEY_PREFIXES: [&str; 4] = ["sk_test_", "sk_live_", "pk_test_", "pk_live_"];

/// A key as the journal shows it: its kind's prefix (`sk_test_`, ...), an ellipsis, and its
/// last 4 characters; a key too short to hide anything shows only the ellipsis.
pub fn masked_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 16 {
        return "…".to_owned();
    }
    let prefix = KEY_PREFIXES
        .iter()
        .find(|prefix| key.starts_with(*prefix))
        .copied()
        .unwrap_or_default();
    let last: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{last}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_shows_its_prefix_and_last_four_characters_only() {
        assert_eq!(
            masked_key("sk_test_clerk_sessions_mock_default_key"),
            "sk_test_…_key"
        );
        assert_eq!(masked_key("some-other-token-value-1234"), "…1234");
        assert_eq!(masked_key("sk_test_abcdefghijklmnop"), "sk_test_…mnop");
        assert_eq!(masked_key("short"), "…");
    }
}

//! JWT templates: named claim sets with their own lifetime and clock skew.

use serde_json::Value;

/// A JWT template of an instance.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtTemplate {
    pub name: String,
    /// The claims, with shortcodes, as a JSON object.
    pub claims: Value,
    /// Token lifetime in seconds.
    pub lifetime_secs: u64,
    /// How far `nbf` lies before `iat`, in seconds.
    pub allowed_clock_skew_secs: u64,
}

/// Claims that every token carries and no template can override.
pub const RESERVED_CLAIMS: [&str; 7] = ["azp", "exp", "iat", "iss", "jti", "nbf", "sub"];

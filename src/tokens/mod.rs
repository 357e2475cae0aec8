//! Tokens: signing keys and JWKS, session token claims, JWT templates and their shortcodes.

pub mod publishable_key;
pub mod refresh;
pub mod session_claims;
pub mod shortcodes;
pub mod signing;
pub mod template;

pub use publishable_key::PublishableKey;
pub use refresh::RefreshTokens;
pub use signing::{KeyMaterial, SigningKey};
pub use template::JwtTemplate;

/// Lifetime of a session token unless the request asks for another.
pub const DEFAULT_SESSION_TOKEN_LIFETIME_SECS: u64 = 60;
/// How far `nbf` lies before `iat` in session tokens, so verifiers a little behind still accept.
pub const SESSION_TOKEN_CLOCK_SKEW_SECS: u64 = 5;
/// The range `expires_in_seconds` may take.
pub const TOKEN_LIFETIME_RANGE: std::ops::RangeInclusive<i64> = 30..=315_360_000;

/// Where tokens say they come from and whom they are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSettings {
    /// The `iss` claim: the Frontend API URL of the instance.
    pub issuer: String,
    /// The `azp` claim, when configured: the origin of the application.
    pub authorized_party: Option<String>,
}

impl TokenSettings {
    /// The publishable key whose Frontend API host is the issuer's.
    pub fn publishable_key(&self) -> PublishableKey {
        PublishableKey::for_issuer(&self.issuer)
    }
}

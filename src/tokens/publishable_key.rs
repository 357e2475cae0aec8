//! The publishable key that goes with the tokens' issuer, as `@clerk/backend` reads it: the SDK
//! ties cookies to the instance whose Frontend API host (in the key) equals the host of the
//! tokens' `iss`, and names suffixed cookies after a digest of the key.

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};

/// `pk_test_` and the base64 of the Frontend API host followed by `$`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishableKey(String);

impl PublishableKey {
    /// The key for tokens issued by `issuer`: its host is the issuer without `http://` or
    /// `https://`, as the SDK compares them.
    pub fn for_issuer(issuer: &str) -> Self {
        let host = strip_schemes(issuer);
        Self(format!("pk_test_{}", STANDARD.encode(format!("{host}$"))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the SDK appends to cookie names (`__session_<suffix>`): the first 8 characters of the
    /// URL-safe base64 of the key's SHA-1.
    pub fn cookie_suffix(&self) -> String {
        let digest = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, self.0.as_bytes());
        URL_SAFE.encode(digest.as_ref()).chars().take(8).collect()
    }
}

/// `issuer` without any `http://` or `https://`, in any case.
fn strip_schemes(issuer: &str) -> String {
    let mut host = issuer.to_owned();
    for scheme in ["https://", "http://"] {
        while let Some(at) = host.to_ascii_lowercase().find(scheme) {
            host.replace_range(at..at + scheme.len(), "");
        }
    }
    host
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_encodes_the_issuer_host() {
        let key = PublishableKey::for_issuer("http://127.0.0.1:8080");
        assert_eq!(key.as_str(), "pk_test_MTI3LjAuMC4xOjgwODAk");
        let key = PublishableKey::for_issuer("HTTPS://clerk.example.com");
        let encoded = key.as_str().strip_prefix("pk_test_").expect("prefix");
        assert_eq!(
            STANDARD.decode(encoded).expect("base64"),
            b"clerk.example.com$"
        );
    }

    #[test]
    fn the_cookie_suffix_is_eight_url_safe_characters_of_the_sha1() {
        // The SDK's getCookieSuffix("pk_test_MTI3LjAuMC4xOjgwODAk") gives the same.
        let suffix = PublishableKey::for_issuer("http://127.0.0.1:8080").cookie_suffix();
        assert_eq!(suffix, "jhCTtJ4x");
    }
}

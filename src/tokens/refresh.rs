//! Refresh tokens: every session has one, derived from the instance's secret and the session's
//! id. Nothing is stored, every session has its token from the moment it exists, and the token
//! is the same after a restart. It stays usable as long as its session can be refreshed.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::domain::SessionId;

/// Issues and recognises an instance's refresh tokens.
#[derive(Debug)]
pub struct RefreshTokens {
    key: hmac::Key,
}

/// Keeps refresh tokens apart from anything else derived from the same secret.
const CONTEXT: &[u8] = b"clerk-backend-mock refresh token\0";

impl RefreshTokens {
    /// Refresh tokens keyed by `secret`, which only the instance's owner knows.
    pub fn new(secret: &[u8]) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        }
    }

    /// The refresh token of `session`: 43 URL-safe characters.
    pub fn token_for(&self, session: SessionId) -> String {
        URL_SAFE_NO_PAD.encode(self.tag(session).as_ref())
    }

    /// Whether `token` is the refresh token of `session`, compared in constant time.
    pub fn is_token_for(&self, token: &str, session: SessionId) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(token.trim()) else {
            return false;
        };
        hmac::verify(&self.key, &message(session), &tag).is_ok()
    }

    fn tag(&self, session: SessionId) -> hmac::Tag {
        hmac::sign(&self.key, &message(session))
    }
}

fn message(session: SessionId) -> Vec<u8> {
    [CONTEXT, session.to_string().as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(text: &str) -> SessionId {
        SessionId::parse(text).expect("a session id")
    }

    #[test]
    fn a_token_belongs_to_one_session_of_one_instance() {
        let alice = session("sess_2AliceActiveZICgVFaEP1MWWEP");
        let bob = session("sess_2AliceAcmeSNRmnp0OBiF59X58Y");
        let tokens = RefreshTokens::new(b"one secret");
        let token = tokens.token_for(alice);
        assert_eq!(token.len(), 43);
        assert_eq!(token, RefreshTokens::new(b"one secret").token_for(alice));
        assert!(tokens.is_token_for(&token, alice));
        assert!(!tokens.is_token_for(&token, bob));
        assert!(!RefreshTokens::new(b"another secret").is_token_for(&token, alice));
        assert!(!tokens.is_token_for("not base64 !", alice));
        assert!(!tokens.is_token_for("", alice));
    }
}

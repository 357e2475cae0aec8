//! Signing as Svix (Standard Webhooks) signs: an endpoint's secret is `whsec_` and the base64 of
//! its key, and each attempt carries `svix-signature: v1,<base64 of HMAC-SHA256(key,
//! "{svix-id}.{svix-timestamp}.{body}")>`.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// What every signing secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";

/// The bytes a secret's key may have: Svix's own bounds.
const KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// An endpoint's signing secret, as `whsec_...`, and the key it decodes to. Its `Debug` shows
/// neither, so that no log carries it.
#[derive(Clone)]
pub struct SigningSecret {
    text: String,
    key: hmac::Key,
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret([redacted])")
    }
}

impl SigningSecret {
    /// A new secret of 24 random bytes, as Svix makes them.
    pub fn generate() -> Self {
        let key: [u8; 24] = rand::random();
        Self::from_key(&key)
    }

    fn from_key(key: &[u8]) -> Self {
        Self {
            text: format!("{SECRET_PREFIX}{}", STANDARD.encode(key)),
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
        }
    }

    /// A secret as a backend's `.env` holds it, or why it is not one.
    pub fn parse(text: &str) -> Result<Self, String> {
        let encoded = text
            .strip_prefix(SECRET_PREFIX)
            .ok_or_else(|| format!("a signing secret starts with {SECRET_PREFIX}"))?;
        let key = STANDARD.decode(encoded).map_err(|_| {
            format!("what follows {SECRET_PREFIX} must be standard base64 (A-Z, a-z, 0-9, +, /, =)")
        })?;
        if !KEY_BYTES.contains(&key.len()) {
            return Err(format!(
                "its key must be {} to {} bytes, and it is {}",
                KEY_BYTES.start(),
                KEY_BYTES.end(),
                key.len()
            ));
        }
        Ok(Self::from_key(&key))
    }

    /// The secret as `whsec_...`, what the endpoint's owner verifies with.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The `svix-signature` of one attempt.
    pub fn sign(&self, message_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
        let mut context = hmac::Context::with_key(&self.key);
        context.update(message_id.as_bytes());
        context.update(b".");
        context.update(timestamp_secs.to_string().as_bytes());
        context.update(b".");
        context.update(body);
        format!("v1,{}", STANDARD.encode(context.sign().as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification, which its libraries test against.
    #[test]
    fn signs_the_standard_webhooks_example() {
        let secret = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("valid");
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn malformed_secrets_say_why() {
        for (text, reason) in [
            ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "starts with whsec_"),
            ("whsec_not base64!", "standard base64"),
            ("whsec_c2hvcnQ=", "24 to 64 bytes"),
        ] {
            let problem = SigningSecret::parse(text).expect_err(text);
            assert!(problem.contains(reason), "{text}: {problem}");
        }
        let generated = SigningSecret::generate();
        assert!(SigningSecret::parse(generated.as_str()).is_ok());
        assert!(!format!("{generated:?}").contains(generated.as_str()));
    }
}

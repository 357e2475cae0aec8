//! What never reaches the journal: secret keys, session and refresh tokens, passwords and the
//! like keep their name and lose their value. The lists are stated once, here.

use serde_json::Value;

/// What a redacted value reads as.
pub const REDACTED: &str = "[redacted]";

/// Headers whose value is always redacted, whatever it holds.
pub const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "cookie",
    "proxy-authorization",
    "set-cookie",
];

/// Body fields (at any depth) whose value is always redacted: the refresh and session tokens of
/// RefreshSession and VerifySession, and the secrets of user writes.
pub const SECRET_BODY_FIELDS: [&str; 10] = [
    "refresh_token",
    "expired_token",
    "token",
    "password",
    "password_digest",
    "totp_secret",
    "backup_codes",
    "secret",
    "signing_secret",
    "secret_key",
];

/// Whether `text` carries a key or a token: a secret key (`sk_...`), a webhook signing secret
/// (`whsec_...`) or a JWT (three base64url parts, the first a JSON header).
pub fn looks_secret(text: &str) -> bool {
    // Every key has a `_` and every JWT a `.`: most values (content types, user agents without
    // either, numbers) are settled by one pass.
    if !text.bytes().any(|byte| byte == b'_' || byte == b'.') {
        return false;
    }
    text.contains("sk_test_")
        || text.contains("sk_live_")
        || text.contains("whsec_")
        || text
            .split(|c: char| c.is_whitespace() || matches!(c, '=' | ';' | ',' | ':' | '"'))
            .any(is_jwt)
}

fn is_jwt(word: &str) -> bool {
    let word =
        word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '-' && c != '_');
    let mut parts = word.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(header), Some(payload), Some(signature), None) => {
            header.starts_with("eyJ") && !payload.is_empty() && !signature.is_empty()
        }
        _ => false,
    }
}

/// The value a header shows in the journal.
pub fn header_value(name: &str, value: &str) -> String {
    if SECRET_HEADERS.contains(&name) || looks_secret(value) {
        REDACTED.to_owned()
    } else {
        value.to_owned()
    }
}

/// `value` with every secret field and every secret-looking string redacted, at any depth.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                if SECRET_BODY_FIELDS.contains(&name.as_str()) {
                    *field = Value::String(REDACTED.to_owned());
                } else {
                    redact(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::String(text) if looks_secret(text) => *text = REDACTED.to_owned(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_and_tokens_are_recognised_and_ordinary_values_are_not() {
        for secret in [
            "Bearer sk_test_abc",
            "sk_live_xyz",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "__session=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln; other=1",
        ] {
            assert!(looks_secret(secret), "{secret}");
        }
        for ordinary in [
            "application/json",
            "Mozilla/5.0 (X11; Linux x86_64)",
            "2025-11-10",
            "eyJ.only.two.dots.too.many",
            "127.0.0.1:8080",
            "user_2AlicexBGaRy7HSnjHcaZabMn26",
        ] {
            assert!(!looks_secret(ordinary), "{ordinary}");
        }
    }

    #[test]
    fn secrets_lose_their_value_at_any_depth_and_the_rest_stays() {
        let mut body = json!({
            "user_id": "user_1",
            "refresh_token": "abc",
            "nested": {"password": "hunter22", "note": "Bearer sk_test_abc", "ok": 1},
            "list": ["eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln", "plain"]
        });
        redact(&mut body);
        assert_eq!(
            body,
            json!({
                "user_id": "user_1",
                "refresh_token": REDACTED,
                "nested": {"password": REDACTED, "note": REDACTED, "ok": 1},
                "list": [REDACTED, "plain"]
            })
        );
        assert_eq!(header_value("authorization", "Bearer x"), REDACTED);
        assert_eq!(header_value("x-custom", "whsec_abc"), REDACTED);
        assert_eq!(header_value("user-agent", "node"), "node");
    }
}

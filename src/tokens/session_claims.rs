//! The claims of session tokens (version 2) and of template tokens.

use rand::RngExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::TokenSettings;
use super::shortcodes::{self, ShortcodeContext};
use super::template::{JwtTemplate, RESERVED_CLAIMS};
use crate::domain::{Organization, Session, SessionStatus, User};

/// The claims of a v2 session token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionClaims {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    pub exp: i64,
    /// Minutes since the first and the second factor were verified (-1: never).
    pub fva: [i64; 2],
    pub iat: i64,
    pub iss: String,
    pub jti: String,
    pub nbf: i64,
    pub sid: String,
    /// The session's status: `active` or `pending`.
    pub sts: String,
    pub sub: String,
    pub v: u8,
    /// The impersonator of an impersonated session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act: Option<Value>,
    /// The active organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub o: Option<OrganizationClaim>,
}

/// The `o` claim: the active organization, its slug and the user's role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationClaim {
    pub id: String,
    pub slg: String,
    /// The role key without its `org:` prefix, such as `admin`.
    pub rol: String,
}

/// What a token is about and when it is issued (`now_secs`, wall clock).
#[derive(Debug, Clone, Copy)]
pub struct TokenSubject<'a> {
    pub session: &'a Session,
    pub user: &'a User,
    pub organization: Option<(&'a Organization, &'a str)>,
    pub now_secs: i64,
}

/// A JWT id like Clerk's: 20 lower-case hexadecimal characters.
pub fn new_jti() -> String {
    let value: u128 = rand::rng().random();
    format!("{:020x}", value >> 48)
}

pub fn session_claims(
    subject: TokenSubject<'_>,
    settings: &TokenSettings,
    lifetime_secs: i64,
) -> SessionClaims {
    let session = subject.session;
    let age_minutes = (subject.now_secs - session.created_at.div_euclid(1000)).max(0) / 60;
    let skew = i64::try_from(super::SESSION_TOKEN_CLOCK_SKEW_SECS).unwrap_or(5);
    SessionClaims {
        azp: settings.authorized_party.clone(),
        exp: subject.now_secs.saturating_add(lifetime_secs),
        fva: [age_minutes, -1],
        iat: subject.now_secs,
        iss: settings.issuer.clone(),
        jti: new_jti(),
        nbf: subject.now_secs - skew,
        sid: session.id.to_string(),
        sts: if session.status == SessionStatus::Pending {
            "pending"
        } else {
            "active"
        }
        .to_owned(),
        sub: session.user_id.to_string(),
        v: 2,
        act: session.actor.as_deref().cloned(),
        o: subject
            .organization
            .map(|(organization, role)| OrganizationClaim {
                id: organization.id.to_string(),
                slg: organization.slug.to_string(),
                rol: role.strip_prefix("org:").unwrap_or(role).to_owned(),
            }),
    }
}

/// The claims of a template token: the rendered template, then the reserved claims on top.
pub fn template_claims(
    subject: TokenSubject<'_>,
    template: &JwtTemplate,
    settings: &TokenSettings,
    lifetime_secs: i64,
) -> Map<String, Value> {
    let rendered = shortcodes::render(
        &template.claims,
        ShortcodeContext {
            user: subject.user,
            organization: subject.organization,
        },
    );
    let mut claims = match rendered {
        Value::Object(claims) => claims,
        _ => Map::new(),
    };
    for reserved in RESERVED_CLAIMS {
        claims.remove(reserved);
    }
    let skew = i64::try_from(template.allowed_clock_skew_secs).unwrap_or(i64::MAX);
    if let Some(azp) = &settings.authorized_party {
        claims.insert("azp".to_owned(), Value::String(azp.clone()));
    }
    claims.insert(
        "exp".to_owned(),
        Value::from(subject.now_secs.saturating_add(lifetime_secs)),
    );
    claims.insert("iat".to_owned(), Value::from(subject.now_secs));
    claims.insert("iss".to_owned(), Value::String(settings.issuer.clone()));
    claims.insert("jti".to_owned(), Value::String(new_jti()));
    claims.insert(
        "nbf".to_owned(),
        Value::from(subject.now_secs.saturating_sub(skew)),
    );
    claims.insert(
        "sub".to_owned(),
        Value::String(subject.session.user_id.to_string()),
    );
    claims
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::testing;

    fn fixture() -> (Session, User) {
        let user = User {
            last_name: None,
            ..testing::user(9)
        };
        let session = Session {
            user_id: user.id,
            created_at: 1_000_000,
            ..testing::session(9)
        };
        (session, user)
    }

    fn settings() -> TokenSettings {
        TokenSettings {
            issuer: "https://issuer.example".to_owned(),
            authorized_party: None,
        }
    }

    #[test]
    fn a_template_cannot_override_the_default_claims() {
        let (session, user) = fixture();
        let template = JwtTemplate {
            name: "greedy".to_owned(),
            claims: json!({
                "sub": "someone-else", "iss": "evil", "exp": 1, "iat": 1, "nbf": 1, "jti": "x",
                "azp": "evil", "kept": "{{user.first_name}}"
            }),
            lifetime_secs: 60,
            allowed_clock_skew_secs: 5,
        };
        let subject = TokenSubject {
            session: &session,
            user: &user,
            organization: None,
            now_secs: 10_000,
        };
        let claims = template_claims(subject, &template, &settings(), 60);
        assert_eq!(claims["sub"], json!(user.id.to_string()));
        assert_eq!(claims["iss"], json!("https://issuer.example"));
        assert_eq!(claims["exp"], json!(10_060));
        assert_eq!(claims["iat"], json!(10_000));
        assert_eq!(claims["nbf"], json!(9_995));
        assert_ne!(claims["jti"], json!("x"));
        assert!(
            claims.get("azp").is_none(),
            "no authorized party configured"
        );
        assert_eq!(claims["kept"], json!("Ada"));
    }

    #[test]
    fn session_claims_count_minutes_since_sign_in() {
        let (session, user) = fixture();
        let subject = TokenSubject {
            session: &session,
            user: &user,
            organization: None,
            now_secs: 1_000 + 7 * 60,
        };
        let claims = session_claims(subject, &settings(), 60);
        assert_eq!(claims.fva, [7, -1]);
        assert_eq!(claims.v, 2);
        assert_eq!(claims.exp - claims.iat, 60);
    }
}

//! Hand-written, well-known data (`fixtures/`): parsed and cross-checked once at start-up.
//!
//! The files are compiled into the binary, so the server runs from anywhere; `--fixtures DIR`
//! reads another set at start-up instead. A bad file stops start-up with an error that names the
//! file, the entry and the problem.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{ClientId, OrganizationId, SessionId, SessionStatus, UserId, free_form};
use crate::tokens::{JwtTemplate, KeyMaterial, TOKEN_LIFETIME_RANGE, shortcodes};

/// How long a session lives before it expires (Clerk's default maximum lifetime).
pub const SESSION_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long after creation a session is abandoned.
pub const SESSION_ABANDON_AFTER: Duration = Duration::from_secs(30 * 24 * 3600);

const USERS_FILE: &str = "users.json";
const ORGANIZATIONS_FILE: &str = "organizations.json";
const SESSIONS_FILE: &str = "sessions.json";
const TEMPLATES_FILE: &str = "jwt_templates.json";
const SIGNING_KEY_FILE: &str = "signing_key.pem";

/// The fixture files shipped with the server.
const EMBEDDED: [(&str, &str); 5] = [
    (USERS_FILE, include_str!("../fixtures/users.json")),
    (
        ORGANIZATIONS_FILE,
        include_str!("../fixtures/organizations.json"),
    ),
    (SESSIONS_FILE, include_str!("../fixtures/sessions.json")),
    (
        TEMPLATES_FILE,
        include_str!("../fixtures/jwt_templates.json"),
    ),
    (
        SIGNING_KEY_FILE,
        include_str!("../fixtures/signing_key.pem"),
    ),
];

/// A fixture file could not be used; the message says which file, which entry and why.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot read fixture file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("fixture file {file}: {problem}")]
    File { file: String, problem: String },
    #[error("fixture file {file}, entry {index} ({name}): {problem}")]
    Entry {
        file: String,
        index: usize,
        name: String,
        problem: String,
    },
}

/// A time in the past, written as how long ago it was (`"3d 4h"`, `"15m"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ago(pub Duration);

impl<'de> Deserialize<'de> for Ago {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        humantime::parse_duration(&text).map(Ago).map_err(|error| {
            serde::de::Error::custom(format!("`{text}` is not a duration: {error}"))
        })
    }
}

impl Ago {
    /// The instant this many milliseconds before `now_ms`.
    pub fn before(self, now_ms: i64) -> i64 {
        now_ms.saturating_sub(duration_ms(self.0))
    }
}

/// A duration in whole milliseconds, saturating.
pub fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureUser {
    pub id: UserId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub email_address: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    pub phone_number: Option<String>,
    #[serde(default)]
    pub phone_number_verified: bool,
    pub image_url: String,
    #[serde(default = "empty_object")]
    pub public_metadata: serde_json::Value,
    #[serde(default = "empty_object")]
    pub unsafe_metadata: serde_json::Value,
    #[serde(default)]
    pub memberships: Vec<FixtureMembership>,
    pub created_ago: Ago,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FixtureMembership {
    #[schema(value_type = String, example = "org_2Acmet3kU1slpIuojlEroXRG9xb")]
    pub organization_id: OrganizationId,
    /// Clerk's role key, such as `org:admin`.
    pub role: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FixtureOrganization {
    #[schema(value_type = String, example = "org_2Acmet3kU1slpIuojlEroXRG9xb")]
    pub id: OrganizationId,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureSession {
    pub id: SessionId,
    pub user_id: UserId,
    pub client_id: ClientId,
    pub status: SessionStatus,
    pub created_ago: Ago,
    pub last_active_ago: Ago,
    /// When the session last changed; defaults to its last activity.
    pub updated_ago: Option<Ago>,
    pub actor: Option<serde_json::Map<String, serde_json::Value>>,
    pub active_organization_id: Option<OrganizationId>,
    #[serde(default)]
    pub tasks: Vec<String>,
    pub activity: Option<FixtureActivity>,
}

/// Where and on what a session was last active.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FixtureActivity {
    pub device_type: String,
    pub is_mobile: bool,
    pub browser_name: String,
    pub browser_version: String,
    #[schema(value_type = String, example = "203.0.113.10")]
    pub ip_address: std::net::IpAddr,
    pub city: String,
    pub country: String,
}

/// A JWT template: claims with shortcodes, a lifetime and a clock skew.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FixtureTemplate {
    /// Letters, digits, `_` and `-`.
    pub name: String,
    /// A JSON object; strings may hold shortcodes such as `{{user.id}}`.
    #[schema(value_type = Object)]
    pub claims: serde_json::Value,
    /// Token lifetime in seconds.
    #[serde(default = "default_template_lifetime")]
    pub lifetime: i64,
    /// How far `nbf` lies before `iat`, in seconds.
    #[serde(default = "default_clock_skew")]
    pub allowed_clock_skew: i64,
}

fn default_template_lifetime() -> i64 {
    60
}

fn default_clock_skew() -> i64 {
    5
}

/// The most a template may shift `nbf` before `iat`.
const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// The well-known data every instance starts with.
#[derive(Debug, Clone)]
pub struct Fixtures {
    pub users: Vec<FixtureUser>,
    pub organizations: Vec<FixtureOrganization>,
    pub sessions: Vec<FixtureSession>,
    pub templates: Vec<JwtTemplate>,
    /// The test-only signing key, shared by the instances unless fresh keys are asked for.
    pub signing_key: Arc<KeyMaterial>,
}

impl Fixtures {
    /// The fixtures compiled into the server.
    pub fn embedded() -> Result<Self, FixtureError> {
        let text = |name: &str| {
            EMBEDDED
                .iter()
                .find(|(file, _)| *file == name)
                .map_or("", |(_, text)| *text)
                .to_owned()
        };
        Self::parse(|name| Ok(text(name)), |name| format!("fixtures/{name}"))
    }

    /// The fixtures in `dir`, which holds the same files as the repository's `fixtures/`.
    pub fn load_dir(dir: &Path) -> Result<Self, FixtureError> {
        Self::parse(
            |name| {
                let path = dir.join(name);
                std::fs::read_to_string(&path).map_err(|source| FixtureError::Read { path, source })
            },
            |name| dir.join(name).display().to_string(),
        )
    }

    fn parse(
        read: impl Fn(&str) -> Result<String, FixtureError>,
        display: impl Fn(&str) -> String,
    ) -> Result<Self, FixtureError> {
        let templates: Vec<FixtureTemplate> =
            parse_entries(&read(TEMPLATES_FILE)?, &display(TEMPLATES_FILE))?;
        let signing_key = KeyMaterial::from_pem(&read(SIGNING_KEY_FILE)?).map_err(|error| {
            FixtureError::File {
                file: display(SIGNING_KEY_FILE),
                problem: error.to_string(),
            }
        })?;
        let fixtures = Self {
            users: parse_entries(&read(USERS_FILE)?, &display(USERS_FILE))?,
            organizations: parse_entries(&read(ORGANIZATIONS_FILE)?, &display(ORGANIZATIONS_FILE))?,
            sessions: parse_entries(&read(SESSIONS_FILE)?, &display(SESSIONS_FILE))?,
            templates: check_templates(templates, &display(TEMPLATES_FILE))?,
            signing_key: Arc::new(signing_key),
        };
        fixtures.check(&display)?;
        Ok(fixtures)
    }

    /// Cross-checks the files: unique ids, references that resolve, times that fit a status.
    fn check(&self, display: &impl Fn(&str) -> String) -> Result<(), FixtureError> {
        let entry_error =
            |file: &str, index: usize, name: String, problem: String| FixtureError::Entry {
                file: display(file),
                index,
                name,
                problem,
            };

        let mut organization_ids = HashSet::new();
        for (index, organization) in self.organizations.iter().enumerate() {
            if !organization_ids.insert(organization.id) {
                return Err(entry_error(
                    ORGANIZATIONS_FILE,
                    index,
                    organization.id.to_string(),
                    "duplicate id".into(),
                ));
            }
        }

        let mut user_ids = HashSet::new();
        for (index, user) in self.users.iter().enumerate() {
            let fail =
                |problem: String| entry_error(USERS_FILE, index, user.id.to_string(), problem);
            if !user_ids.insert(user.id) {
                return Err(fail("duplicate id".into()));
            }
            if let Some(membership) = user
                .memberships
                .iter()
                .find(|membership| !organization_ids.contains(&membership.organization_id))
            {
                return Err(fail(format!(
                    "membership of unknown organization `{}`",
                    membership.organization_id
                )));
            }
            for metadata in [&user.public_metadata, &user.unsafe_metadata] {
                if !metadata.is_object() {
                    return Err(fail("metadata must be a JSON object".into()));
                }
            }
        }

        let mut session_ids = HashSet::new();
        for (index, session) in self.sessions.iter().enumerate() {
            let fail = |problem: String| {
                entry_error(SESSIONS_FILE, index, session.id.to_string(), problem)
            };
            if !session_ids.insert(session.id) {
                return Err(fail("duplicate id".into()));
            }
            let Some(user) = self.users.iter().find(|user| user.id == session.user_id) else {
                return Err(fail(format!("unknown user `{}`", session.user_id)));
            };
            if let Some(organization) = session.active_organization_id
                && !user
                    .memberships
                    .iter()
                    .any(|membership| membership.organization_id == organization)
            {
                return Err(fail(format!(
                    "user `{}` is not a member of organization `{organization}`",
                    user.id
                )));
            }
            if session.last_active_ago.0 > session.created_ago.0 {
                return Err(fail("last_active_ago is before created_ago".into()));
            }
            if !session.tasks.is_empty() && session.status != SessionStatus::Pending {
                return Err(fail("only a pending session has tasks".into()));
            }
            if let Some(problem) = lifetime_problem(session.status, session.created_ago.0) {
                return Err(fail(problem));
            }
        }
        Ok(())
    }
}

/// Validates templates (names, lifetimes, shortcodes) and turns them into [`JwtTemplate`]s.
fn check_templates(
    templates: Vec<FixtureTemplate>,
    file: &str,
) -> Result<Vec<JwtTemplate>, FixtureError> {
    let mut names = HashSet::new();
    templates
        .into_iter()
        .enumerate()
        .map(|(index, template)| {
            let fail = |problem: String| FixtureError::Entry {
                file: file.to_owned(),
                index,
                name: template.name.clone(),
                problem,
            };
            if !names.insert(template.name.clone()) {
                return Err(fail("duplicate name".into()));
            }
            check_template(template.clone()).map_err(fail)
        })
        .collect()
}

/// Validates one template (its name, claims, shortcodes, lifetime and skew) and turns it into a
/// [`JwtTemplate`].
pub fn check_template(template: FixtureTemplate) -> Result<JwtTemplate, String> {
    let name_ok = !template.name.is_empty()
        && template
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !name_ok {
        return Err("a name is letters, digits, `_` and `-`".into());
    }
    if !template.claims.is_object() {
        return Err("claims must be a JSON object".into());
    }
    if let Some(problem) = free_form::too_large("claims", &template.claims) {
        return Err(problem);
    }
    shortcodes::check(&template.claims)?;
    if !TOKEN_LIFETIME_RANGE.contains(&template.lifetime) {
        return Err(format!(
            "lifetime must be between {} and {} seconds",
            TOKEN_LIFETIME_RANGE.start(),
            TOKEN_LIFETIME_RANGE.end()
        ));
    }
    let skew = u64::try_from(template.allowed_clock_skew)
        .ok()
        .filter(|skew| *skew <= MAX_CLOCK_SKEW_SECS.unsigned_abs())
        .ok_or_else(|| {
            format!("allowed_clock_skew must be between 0 and {MAX_CLOCK_SKEW_SECS} seconds")
        })?;
    Ok(JwtTemplate {
        name: template.name,
        claims: template.claims,
        lifetime_secs: template.lifetime.unsigned_abs(),
        allowed_clock_skew_secs: skew,
    })
}

/// Why a session created `age` ago cannot have `status`, if it cannot.
fn lifetime_problem(status: SessionStatus, age: Duration) -> Option<String> {
    let lifetime = humantime::format_duration(SESSION_LIFETIME);
    let abandon = humantime::format_duration(SESSION_ABANDON_AFTER);
    match status {
        SessionStatus::Active | SessionStatus::Pending if age >= SESSION_LIFETIME => Some(format!(
            "a {status:?} session must be younger than its lifetime ({lifetime})"
        )),
        SessionStatus::Expired if age < SESSION_LIFETIME => Some(format!(
            "an expired session must be older than its lifetime ({lifetime})"
        )),
        SessionStatus::Abandoned if age < SESSION_ABANDON_AFTER => {
            Some(format!("an abandoned session must be older than {abandon}"))
        }
        _ => None,
    }
}

/// Parses a JSON array entry by entry, so an error can name the entry it is about.
fn parse_entries<T: DeserializeOwned>(text: &str, file: &str) -> Result<Vec<T>, FixtureError> {
    let entries: Vec<serde_json::Value> =
        serde_json::from_str(text).map_err(|error| FixtureError::File {
            file: file.to_owned(),
            problem: format!("not a JSON array of objects: {error}"),
        })?;
    entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let name = entry
                .get("id")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("no id")
                .to_owned();
            serde_json::from_value(entry).map_err(|error| FixtureError::Entry {
                file: file.to_owned(),
                index,
                name,
                problem: error.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_fixtures_are_valid() {
        let fixtures = Fixtures::embedded().expect("embedded fixtures load");
        assert!(!fixtures.users.is_empty());
        assert!(!fixtures.sessions.is_empty());
    }

    #[test]
    fn the_embedded_fixtures_hold_a_session_in_every_status() {
        let fixtures = Fixtures::embedded().expect("embedded fixtures load");
        for status in [
            SessionStatus::Active,
            SessionStatus::Revoked,
            SessionStatus::Ended,
            SessionStatus::Expired,
            SessionStatus::Removed,
            SessionStatus::Abandoned,
            SessionStatus::Replaced,
            SessionStatus::Pending,
        ] {
            assert!(
                fixtures
                    .sessions
                    .iter()
                    .any(|session| session.status == status),
                "no fixture session is {status:?}"
            );
        }
        assert!(
            fixtures
                .sessions
                .iter()
                .any(|session| session.actor.is_some())
        );
        assert!(
            fixtures
                .sessions
                .iter()
                .any(|session| session.active_organization_id.is_some())
        );
    }

    fn parse_with_sessions(sessions: &str) -> Result<Fixtures, FixtureError> {
        Fixtures::parse(
            |name| {
                Ok(match name {
                    SESSIONS_FILE => sessions.to_owned(),
                    USERS_FILE => r#"[{"id":"user_2aaaaaaaaaaaaaaaaaaaaaaaaaa","image_url":"https://img.example/a.png","created_ago":"30d"}]"#.to_owned(),
                    SIGNING_KEY_FILE => include_str!("../fixtures/signing_key.pem").to_owned(),
                    _ => "[]".to_owned(),
                })
            },
            |name| format!("fixtures/{name}"),
        )
    }

    #[test]
    fn a_broken_entry_is_named_by_file_index_and_id() {
        let error = parse_with_sessions(
            r#"[{"id":"sess_2bbbbbbbbbbbbbbbbbbbbbbbbbb","user_id":"user_2aaaaaaaaaaaaaaaaaaaaaaaaaa","client_id":"client_2cccccccccccccccccccccccccc","status":"sleeping","created_ago":"1h","last_active_ago":"1m"}]"#,
        )
        .expect_err("unknown status");
        let message = error.to_string();
        assert!(
            message.starts_with(
                "fixture file fixtures/sessions.json, entry 0 (sess_2bbbbbbbbbbbbbbbbbbbbbbbbbb): unknown variant `sleeping`"
            ),
            "{message}"
        );
    }

    #[test]
    fn a_session_of_an_unknown_user_is_rejected() {
        let error = parse_with_sessions(
            r#"[{"id":"sess_2bbbbbbbbbbbbbbbbbbbbbbbbbb","user_id":"user_2zzzzzzzzzzzzzzzzzzzzzzzzzz","client_id":"client_2cccccccccccccccccccccccccc","status":"active","created_ago":"1h","last_active_ago":"1m"}]"#,
        )
        .expect_err("unknown user");
        assert!(
            error
                .to_string()
                .ends_with("unknown user `user_2zzzzzzzzzzzzzzzzzzzzzzzzzz`")
        );
    }

    #[test]
    fn an_active_session_older_than_its_lifetime_is_rejected() {
        let error = parse_with_sessions(
            r#"[{"id":"sess_2bbbbbbbbbbbbbbbbbbbbbbbbbb","user_id":"user_2aaaaaaaaaaaaaaaaaaaaaaaaaa","client_id":"client_2cccccccccccccccccccccccccc","status":"active","created_ago":"8d","last_active_ago":"1m"}]"#,
        )
        .expect_err("too old to be active");
        assert!(
            error.to_string().contains("younger than its lifetime"),
            "{error}"
        );
    }

    fn parse_with_templates(templates: &str) -> Result<Fixtures, FixtureError> {
        Fixtures::parse(
            |name| {
                Ok(match name {
                    TEMPLATES_FILE => templates.to_owned(),
                    SIGNING_KEY_FILE => include_str!("../fixtures/signing_key.pem").to_owned(),
                    _ => "[]".to_owned(),
                })
            },
            |name| format!("fixtures/{name}"),
        )
    }

    #[test]
    fn a_template_with_a_broken_shortcode_is_named() {
        let error = parse_with_templates(r#"[{"name":"x","claims":{"a":"{{user.id"}}]"#)
            .expect_err("unterminated shortcode");
        assert!(
            error
                .to_string()
                .starts_with("fixture file fixtures/jwt_templates.json, entry 0 (x): "),
            "{error}"
        );
    }

    #[test]
    fn a_template_lifetime_out_of_range_is_rejected() {
        let error = parse_with_templates(r#"[{"name":"x","claims":{},"lifetime":10}]"#)
            .expect_err("too short");
        assert!(error.to_string().contains("lifetime"), "{error}");
    }

    #[test]
    fn a_signing_key_that_is_not_pem_is_named() {
        let error = Fixtures::parse(
            |name| {
                Ok(if name == SIGNING_KEY_FILE {
                    "nope".to_owned()
                } else {
                    "[]".to_owned()
                })
            },
            |name| format!("fixtures/{name}"),
        )
        .expect_err("bad key");
        assert!(
            error
                .to_string()
                .starts_with("fixture file fixtures/signing_key.pem: "),
            "{error}"
        );
    }

    #[test]
    fn a_file_that_is_not_an_array_is_named() {
        let error = parse_with_sessions("{}").expect_err("not an array");
        assert!(
            error
                .to_string()
                .starts_with("fixture file fixtures/sessions.json: not a JSON array")
        );
    }
}

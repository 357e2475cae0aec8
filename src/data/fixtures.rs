//! Hand-written, well-known data (`fixtures/`): parsed and cross-checked once at start-up.
//!
//! The files are compiled into the binary, so the server runs from anywhere; `--fixtures DIR`
//! reads another set at start-up instead. A bad file stops start-up with an error that names the
//! file, the entry and the problem.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use sha2::{Digest, Sha256};

use clerk_mock_document::Document;

use super::document::{self, EntryProblem};
use super::held::InstanceData;
use crate::domain::clock::wall_clock_ms;
use crate::tokens::{JwtTemplate, KeyMaterial};

const USERS_FILE: &str = "users.json";
const ORGANIZATIONS_FILE: &str = "organizations.json";
const SESSIONS_FILE: &str = "sessions.json";
const TEMPLATES_FILE: &str = "jwt_templates.json";
const SIGNING_KEY_FILE: &str = "signing_key.pem";

/// Each section of a data document, and the file that holds it.
const SECTION_FILES: [(&str, &str); 4] = [
    ("organizations", ORGANIZATIONS_FILE),
    ("users", USERS_FILE),
    ("sessions", SESSIONS_FILE),
    ("jwt_templates", TEMPLATES_FILE),
];

/// The fixture files shipped with the server.
const EMBEDDED: [(&str, &str); 5] = [
    (USERS_FILE, include_str!("../../fixtures/users.json")),
    (
        ORGANIZATIONS_FILE,
        include_str!("../../fixtures/organizations.json"),
    ),
    (SESSIONS_FILE, include_str!("../../fixtures/sessions.json")),
    (
        TEMPLATES_FILE,
        include_str!("../../fixtures/jwt_templates.json"),
    ),
    (
        SIGNING_KEY_FILE,
        include_str!("../../fixtures/signing_key.pem"),
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
    #[error("fixture file {file}, entry {index} ({name}): {problem}{more}")]
    Entry {
        file: String,
        index: usize,
        name: String,
        problem: String,
        /// How many more problems there are, when there are.
        more: String,
    },
}

/// The well-known data every instance starts with: a data document spread over one file per
/// section, checked like any other, and the signing key.
#[derive(Debug, Clone)]
pub struct Fixtures {
    pub data: Document,
    pub templates: Vec<JwtTemplate>,
    /// The test-only signing key, shared by the instances unless fresh keys are asked for.
    pub signing_key: Arc<KeyMaterial>,
    /// The SHA-256 of the signing key's PEM: a secret wherever the fixtures' key is one (a
    /// team's own `--fixtures`), public for the built-in key.
    pub signing_key_digest: [u8; 32],
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
        let signing_key_pem = read(SIGNING_KEY_FILE)?;
        let signing_key_digest = Sha256::digest(signing_key_pem.as_bytes()).into();
        let signing_key =
            KeyMaterial::from_pem(&signing_key_pem).map_err(|error| FixtureError::File {
                file: display(SIGNING_KEY_FILE),
                problem: error.to_string(),
            })?;
        let mut json = serde_json::Map::new();
        for (section, file) in SECTION_FILES {
            let entries: Value =
                serde_json::from_str(&read(file)?).map_err(|error| FixtureError::File {
                    file: display(file),
                    problem: format!("not a JSON array of objects: {error}"),
                })?;
            if !entries.is_array() {
                return Err(FixtureError::File {
                    file: display(file),
                    problem: "not a JSON array of objects".to_owned(),
                });
            }
            json.insert(section.to_owned(), entries);
        }
        let fixture_error = |problems: Vec<EntryProblem>| fixture_error(problems, &display);
        let data = document::read(&json).map_err(fixture_error)?;
        let templates = document::check(&data, &InstanceData::empty(false), wall_clock_ms())
            .map_err(fixture_error)?;
        Ok(Self {
            data,
            templates,
            signing_key: Arc::new(signing_key),
            signing_key_digest,
        })
    }
}

/// The first of a document's problems, named by the file that holds its section.
fn fixture_error(problems: Vec<EntryProblem>, display: &impl Fn(&str) -> String) -> FixtureError {
    let more = match problems.len() {
        0 | 1 => String::new(),
        count => format!(" (and {} more)", count - 1),
    };
    let Some(first) = problems.into_iter().next() else {
        return FixtureError::File {
            file: display(SESSIONS_FILE),
            problem: "rejected without a reason".to_owned(),
        };
    };
    let file = SECTION_FILES
        .iter()
        .find(|(section, _)| *section == first.section)
        .map_or_else(|| first.section.clone(), |(_, file)| display(file));
    match first.index {
        Some(index) => FixtureError::Entry {
            file,
            index,
            name: first.name,
            problem: first.problem,
            more,
        },
        None => FixtureError::File {
            file,
            problem: first.problem,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SessionStatus;

    #[test]
    fn the_embedded_fixtures_are_valid() {
        let fixtures = Fixtures::embedded().expect("embedded fixtures load");
        assert!(!fixtures.data.users.is_empty());
        assert!(!fixtures.data.sessions.is_empty());
    }

    #[test]
    fn the_embedded_fixtures_hold_a_session_in_every_status() {
        let fixtures = Fixtures::embedded().expect("embedded fixtures load");
        for status in SessionStatus::ALL {
            assert!(
                fixtures
                    .data
                    .sessions
                    .iter()
                    .any(|session| session.status == status),
                "no fixture session is {status:?}"
            );
        }
        assert!(
            fixtures
                .data
                .sessions
                .iter()
                .any(|session| session.actor.is_some())
        );
        assert!(
            fixtures
                .data
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
                    USERS_FILE => r#"[{"id":"user_2aaaaaaaaaaaaaaaaaaaaaaaaaa","image_url":"https://img.example/a.png","created_at":"30d ago"}]"#.to_owned(),
                    SIGNING_KEY_FILE => include_str!("../../fixtures/signing_key.pem").to_owned(),
                    _ => "[]".to_owned(),
                })
            },
            |name| format!("fixtures/{name}"),
        )
    }

    #[test]
    fn a_broken_entry_is_named_by_file_index_and_id() {
        let error = parse_with_sessions(
            r#"[{"id":"sess_2bbbbbbbbbbbbbbbbbbbbbbbbbb","user_id":"user_2aaaaaaaaaaaaaaaaaaaaaaaaaa","client_id":"client_2cccccccccccccccccccccccccc","status":"sleeping","created_at":"1h ago","last_active_at":"1m ago"}]"#,
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
            r#"[{"id":"sess_2bbbbbbbbbbbbbbbbbbbbbbbbbb","user_id":"user_2zzzzzzzzzzzzzzzzzzzzzzzzzz","client_id":"client_2cccccccccccccccccccccccccc","status":"active","created_at":"1h ago","last_active_at":"1m ago"}]"#,
        )
        .expect_err("unknown user");
        assert!(
            error
                .to_string()
                .ends_with("unknown user `user_2zzzzzzzzzzzzzzzzzzzzzzzzzz`")
        );
    }

    #[test]
    fn fixtures_follow_the_data_document_rules() {
        let error = parse_with_sessions(
            r#"[{"id":"sess_2bbbbbbbbbbbbbbbbbbbbbbbbbb","user_id":"user_2aaaaaaaaaaaaaaaaaaaaaaaaaa","actor":{"iss":"x"},"tasks":["choose-organization"]}]"#,
        )
        .expect_err("an actor without sub, and tasks on an active session");
        assert_eq!(
            error.to_string(),
            "fixture file fixtures/sessions.json, entry 0 (sess_2bbbbbbbbbbbbbbbbbbbbbbbbbb): \
             actor must have a string `sub` (and 1 more)"
        );
    }

    fn parse_with_templates(templates: &str) -> Result<Fixtures, FixtureError> {
        Fixtures::parse(
            |name| {
                Ok(match name {
                    TEMPLATES_FILE => templates.to_owned(),
                    SIGNING_KEY_FILE => include_str!("../../fixtures/signing_key.pem").to_owned(),
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

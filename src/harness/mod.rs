//! The mock inside a Rust test, shaped like wiremock-rs's `MockServer`: started on a free port
//! inside the test's runtime, spoken to over HTTP by the code under test, driven directly by the
//! test through typed helpers, and stopped when dropped.
//!
//! ```no_run
//! # async fn example() {
//! use clerk_backend_mock::harness::{MockServer, known};
//!
//! let clerk = MockServer::start().await;
//! // Point the backend under test at `clerk.api_url()` with `clerk.secret_key()`.
//! let signed_in = clerk.sign_in(known::ALICE).expect("Alice signs in");
//! // ... call the backend with `Authorization: Bearer {signed_in.token}` ...
//! let revoked = clerk
//!     .journal_count(&serde_json::json!({"operation_id": "RevokeSession"}))
//!     .expect("a valid pattern");
//! assert_eq!(revoked, 1);
//! # }
//! ```

pub mod known;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix_web::ResponseError as _;
use actix_web::dev::ServerHandle;
use serde_json::Value;

use crate::app::config::Settings;
use crate::app::startup::{Application, StartupError};
use crate::domain::{ApiVersion, SessionId};
use crate::error::ApiError;
use crate::http::routes::admin::{MAX_WAIT_MS, checked_plan, invalid_pattern, load_document};
use crate::http::routes::tokens::mint_error;
use crate::tenancy::instance::{Instance, NewSession, TokenKind};
use crate::tenancy::journal::pattern::Pattern;
use crate::tenancy::registry::Lookup;

/// What a helper refused, as the admin API would answer it: the status, Clerk's error `code`
/// and the sentence that says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct MockError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl From<ApiError> for MockError {
    fn from(error: ApiError) -> Self {
        let status = error.status_code().as_u16();
        let first = error.errors().into_iter().next();
        Self {
            status,
            code: first
                .as_ref()
                .map_or_else(String::new, |error| error.code.clone()),
            message: first.map_or_else(|| error.to_string(), |error| error.long_message),
        }
    }
}

/// A session made by [`MockServer::sign_in`]: what a browser signed in as that user would hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub session_id: String,
    /// A session token (60 s), as the `__session` cookie or `Authorization: Bearer` carries it.
    pub token: String,
    /// What the `__refresh` cookie would hold, for `RefreshSession`.
    pub refresh_token: String,
}

/// A webhook endpoint registered by [`MockServer::register_webhook`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: String,
    /// What the receiver verifies with (`whsec_...`).
    pub secret: String,
}

/// How a wait on the journal ended.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalWait {
    /// Whether enough entries matched before the timeout.
    pub satisfied: bool,
    /// The matching entries, newest first, as `GET /__admin/instance/journal` shows them.
    pub entries: Vec<Value>,
}

/// The settings of a [`MockServer`]: the binary's, with the tests' defaults (a free port on
/// 127.0.0.1, the default key, 20 generated users and 100 sessions besides the fixtures).
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    settings: Settings,
}

impl MockServerBuilder {
    /// The secret key the server accepts (its instance is the one the helpers drive).
    pub fn secret_key(mut self, key: &str) -> Self {
        self.settings.secret_keys = vec![key.to_owned()];
        self
    }

    /// How many users, organizations and sessions are generated besides the fixtures.
    pub fn generated(mut self, users: usize, organizations: usize, sessions: usize) -> Self {
        self.settings.users = users;
        self.settings.organizations = organizations;
        self.settings.sessions = sessions;
        self
    }

    /// A data document the instance starts with, on top of the fixtures (`--data`).
    pub fn data(mut self, file: impl Into<PathBuf>) -> Self {
        self.settings.data.push(file.into());
        self
    }

    /// The API version of requests that name none (`--api-version`).
    pub fn api_version(mut self, version: &str) -> Result<Self, MockError> {
        self.settings.api_version = version.parse::<ApiVersion>().map_err(|error| MockError {
            status: 400,
            code: "invalid_api_version".to_owned(),
            message: error.to_string(),
        })?;
        Ok(self)
    }

    /// Any other setting, as the binary's flags name it.
    pub fn configure(mut self, change: impl FnOnce(&mut Settings)) -> Self {
        change(&mut self.settings);
        self
    }

    /// Starts the server and waits until its instances are seeded.
    pub async fn try_start(self) -> Result<MockServer, StartupError> {
        let mut settings = self.settings;
        // A test's server is always on a free port of its own.
        settings.port = 0;
        let application = Application::build(&settings)?;
        let uri = application.base_url().to_owned();
        let publishable_key = application.publishable_key().to_owned();
        let state = application.shared_state();
        let handle = application.handle();
        let ready = application.ready();
        tokio::spawn(application.run_until_stopped());
        let stop_on_failure = |error| {
            drop(handle.stop(false));
            error
        };
        ready.await.map_err(stop_on_failure)?;
        let secret_key = settings
            .secret_keys
            .first()
            .cloned()
            .unwrap_or_else(|| crate::DEFAULT_SECRET_KEY.to_owned());
        let instance = match state
            .registry()
            .map(|registry| registry.lookup(&secret_key))
        {
            Ok(Lookup::Found(instance)) => instance,
            _ => {
                return Err(stop_on_failure(StartupError::Seeding(
                    "the harness needs a --secret-key, whose instance its helpers drive".to_owned(),
                )));
            }
        };
        Ok(MockServer {
            uri,
            secret_key,
            publishable_key,
            instance,
            handle,
        })
    }

    /// Starts the server; panics, with the reason, if it cannot start.
    pub async fn start(self) -> MockServer {
        match self.try_start().await {
            Ok(server) => server,
            Err(error) => panic!("the Clerk mock did not start: {error}"),
        }
    }
}

/// A running mock on 127.0.0.1 and the instance of its secret key; stopped when dropped.
#[derive(Debug)]
pub struct MockServer {
    uri: String,
    secret_key: String,
    publishable_key: String,
    instance: Arc<Instance>,
    handle: ServerHandle,
}

impl MockServer {
    /// Starts a mock with the default settings.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    pub fn builder() -> MockServerBuilder {
        let mut settings = Settings::for_tests();
        settings.log_level = "warn".to_owned();
        MockServerBuilder { settings }
    }

    /// Where the server answers: `http://127.0.0.1:<port>`, what `@clerk/backend`'s `apiUrl`
    /// takes.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// `uri()` followed by `/v1`: the base path `clerk-rs` and the Python SDK take.
    pub fn api_url(&self) -> String {
        format!("{}/v1", self.uri)
    }

    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The publishable key whose Frontend API host is the tokens' issuer, for
    /// `authenticateRequest`.
    pub fn publishable_key(&self) -> &str {
        &self.publishable_key
    }

    /// Creates an active session for `user_id` and mints its session token.
    pub fn sign_in(&self, user_id: &str) -> Result<SignedIn, MockError> {
        let session = self
            .instance
            .create_session(NewSession {
                user: user_id,
                organization: None,
                actor: None,
            })
            .map_err(ApiError::from)?;
        let session_id = session.id.to_string();
        Ok(SignedIn {
            token: self.session_token(&session_id)?,
            refresh_token: self.instance.refresh_token(session.id).unwrap_or_default(),
            session_id,
        })
    }

    /// A fresh session token (60 s) for a live session, as `POST /v1/sessions/{id}/tokens`.
    pub fn session_token(&self, session_id: &str) -> Result<String, MockError> {
        self.token(session_id, TokenKind::Session)
    }

    /// A token from a JWT template for a live session, as `POST /v1/sessions/{id}/tokens/{name}`.
    pub fn template_token(&self, session_id: &str, template: &str) -> Result<String, MockError> {
        self.token(session_id, TokenKind::Template(template))
    }

    fn token(&self, session_id: &str, kind: TokenKind<'_>) -> Result<String, MockError> {
        let not_found = || {
            mint_error(
                session_id,
                crate::tenancy::instance::MintError::UnknownSession,
            )
        };
        let id = SessionId::parse(session_id).ok_or_else(not_found)?;
        Ok(self
            .instance
            .mint_token(id, kind, None)
            .map_err(|error| mint_error(session_id, error))?)
    }

    /// Adds a data document (the JSON `POST /__admin/instance/data` takes) to the instance; a
    /// refused document changes nothing.
    pub fn load(&self, document: &Value) -> Result<(), MockError> {
        let Value::Object(document) = document else {
            return Err(
                ApiError::MalformedBody("a data document is a JSON object".to_owned()).into(),
            );
        };
        load_document(&self.instance, document, false, true)?;
        Ok(())
    }

    /// Moves the instance's clock on: sessions expire and are abandoned as it passes their times.
    pub fn advance_clock(&self, by: Duration) {
        self.instance
            .clock()
            .advance(crate::domain::clock::duration_ms(by));
    }

    /// Now on the instance's clock, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.instance.now_ms()
    }

    /// Replaces the instance's faults with a plan (the JSON `PUT /__admin/instance/faults` takes).
    pub fn set_faults(&self, plan: &Value) -> Result<(), MockError> {
        let Value::Object(plan) = plan else {
            return Err(ApiError::MalformedBody("a fault plan is a JSON object".to_owned()).into());
        };
        self.instance.faults().set(checked_plan(plan)?);
        Ok(())
    }

    /// Back to the server's configured faults (none by default).
    pub fn restore_faults(&self) {
        self.instance.faults().restore();
    }

    /// Registers a webhook endpoint at `url` for every event type, as
    /// `POST /__admin/instance/webhooks` does: signed with `secret` (`whsec_...`), or a new
    /// secret when `None`.
    pub fn register_webhook(
        &self,
        url: &str,
        secret: Option<&str>,
    ) -> Result<WebhookEndpoint, MockError> {
        let endpoint = self
            .instance
            .webhooks()
            .add(crate::webhooks::NewEndpoint {
                url: url.to_owned(),
                events: None,
                secret: secret.map(str::to_owned),
            })
            .map_err(ApiError::from)?;
        Ok(WebhookEndpoint {
            id: endpoint.id,
            secret: endpoint.secret,
        })
    }

    /// Puts the instance back in its seeded state, as `POST /__admin/instance/reset` (the
    /// journal stays: [`MockServer::clear_journal`] empties it).
    pub fn reset(&self) {
        self.instance.reset();
    }

    /// Forgets every recorded request, for a test that shares the server with the one before.
    pub fn clear_journal(&self) {
        self.instance.journal().clear();
    }

    /// The journal's entries that match `pattern` (the language of
    /// `POST /__admin/instance/journal/find`), newest first.
    pub fn journal_find(&self, pattern: &Value) -> Result<Vec<Value>, MockError> {
        Ok(self.journal_find_with(&pattern_of(pattern)?))
    }

    /// How many of the journal's entries match `pattern`.
    pub fn journal_count(&self, pattern: &Value) -> Result<usize, MockError> {
        let pattern = pattern_of(pattern)?;
        Ok(self
            .instance
            .journal()
            .count(|entry| pattern.matches(entry)))
    }

    /// Waits until at least `count` entries match `pattern`, or `timeout` (at most 30 s) passes:
    /// a backend that calls Clerk from a background job is tested without sleeps.
    pub async fn journal_wait(
        &self,
        pattern: &Value,
        count: usize,
        timeout: Duration,
    ) -> Result<JournalWait, MockError> {
        let pattern = pattern_of(pattern)?;
        let timeout = timeout.min(Duration::from_millis(MAX_WAIT_MS));
        let journal = self.instance.journal();
        let matched = |journal: &crate::tenancy::journal::Journal| {
            journal.count(|entry| pattern.matches(entry)) >= count
        };
        journal.wait_until(matched, timeout).await;
        let entries = self.journal_find_with(&pattern);
        Ok(JournalWait {
            satisfied: entries.len() >= count,
            entries,
        })
    }

    fn journal_find_with(&self, pattern: &Pattern) -> Vec<Value> {
        self.instance
            .journal()
            .matching(|entry| pattern.matches(entry))
            .iter()
            .map(|entry| serde_json::to_value(entry).unwrap_or_default())
            .collect()
    }
}

fn pattern_of(pattern: &Value) -> Result<Pattern, MockError> {
    Pattern::from_json(pattern)
        .map_err(|problem| invalid_pattern(&problem.part, &problem.reason).into())
}

/// A dropped server stops at once, freeing its port, as wiremock-rs's does.
impl Drop for MockServer {
    fn drop(&mut self) {
        // Sending the command is what stops it; there is nothing to wait for.
        drop(self.handle.stop(false));
    }
}

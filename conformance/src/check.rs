//! Checks as data: a stable id, a group, a title, the rule it comes from, whether it only
//! observes, whether it changes data, and the function that runs it.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;

use crate::client::{Exchange, Request, Target, Unreachable};
use crate::spec::{BodySchema, Spec};

/// The groups checks belong to (`--only`/`--skip` take these names too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Contract,
    Auth,
    Input,
    Behaviour,
    Users,
    Organizations,
    Tokens,
    Robustness,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Self::Contract => "contract",
            Self::Auth => "auth",
            Self::Input => "input",
            Self::Behaviour => "behaviour",
            Self::Users => "users",
            Self::Organizations => "organizations",
            Self::Tokens => "tokens",
            Self::Robustness => "robustness",
        }
    }
}

/// Whether a failed check fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Behaviour the contract requires.
    Required,
    /// Behaviour the real API leaves open ("decided here" in the contract): reported, never
    /// failing.
    Observation,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "details", rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    /// Passed, where the contract allows more than one answer: which one the target gave.
    Saw(String),
    Fail(Vec<String>),
    Skip(String),
}

pub type CheckResult = Result<Outcome, Unreachable>;
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = CheckResult> + Send + 'a>>;

/// One check of the suite.
#[derive(Clone)]
pub struct Check {
    pub id: &'static str,
    pub group: Group,
    pub title: &'static str,
    /// Where the rule comes from (the contract's section, or Clerk's spec).
    pub rule: &'static str,
    pub severity: Severity,
    /// Creates or changes data; runs only with `--allow-mutations`.
    pub mutates: bool,
    pub run: for<'a> fn(&'a Context) -> CheckFuture<'a>,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// What the checks may use and know about the target.
#[derive(Debug, Clone)]
pub struct Options {
    /// A user whose sessions the suite may read (and, with mutations, create sessions for).
    pub user_id: Option<String>,
    /// Further sessions the suite may read and, with mutations, revoke.
    pub session_ids: Vec<String>,
    /// A JWT template of the instance.
    pub template: String,
    pub allow_mutations: bool,
    /// A session's refresh token, for the refresh checks that need one on a target that hands
    /// none out (a tester copies it from a browser's `__refresh_*` cookie).
    pub refresh: Option<GivenRefresh>,
}

/// A session and its refresh token, given on the command line.
#[derive(Debug, Clone)]
pub struct GivenRefresh {
    pub session_id: String,
    pub refresh_token: String,
}

/// Shared by the checks of one run.
pub struct Context {
    pub target: Target,
    pub spec: Spec,
    pub options: Options,
    schemas: Mutex<HashMap<(String, String, u16), std::sync::Arc<BodySchema>>>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("target", &self.target)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Context {
    pub fn new(target: Target, spec: Spec, options: Options) -> Self {
        Self {
            target,
            spec,
            options,
            schemas: Mutex::new(HashMap::new()),
        }
    }

    pub async fn send(&self, request: &Request) -> Result<Exchange, Unreachable> {
        self.target.send(request).await
    }

    /// The schema of the documented answer to `exchange`, if the document has one.
    pub fn schema_for(
        &self,
        method: &str,
        path: &str,
        status: u16,
    ) -> Option<std::sync::Arc<BodySchema>> {
        let template = self.spec.path_template(path)?;
        let key = (method.to_lowercase(), template.clone(), status);
        if let Ok(schemas) = self.schemas.lock()
            && let Some(schema) = schemas.get(&key)
        {
            return Some(std::sync::Arc::clone(schema));
        }
        let schema =
            std::sync::Arc::new(self.spec.response_schema(method, &template, status).ok()?);
        if let Ok(mut schemas) = self.schemas.lock() {
            schemas.insert(key, std::sync::Arc::clone(&schema));
        }
        Some(schema)
    }

    /// The sessions of the configured user, newest first (up to 500), read with the paginated
    /// list; `None` without a user.
    pub async fn user_sessions(&self) -> Result<Option<Vec<Value>>, Unreachable> {
        let Some(user) = &self.options.user_id else {
            return Ok(None);
        };
        let exchange = self
            .send(
                &Request::get("/sessions")
                    .query("user_id", user)
                    .query("limit", "500")
                    .query("paginated", "true"),
            )
            .await?;
        Ok(exchange
            .json
            .as_ref()
            .and_then(|body| body.get("data"))
            .and_then(Value::as_array)
            .cloned())
    }
}

/// Collects what a check finds wrong.
#[derive(Debug, Default)]
pub struct Findings(Vec<String>);

impl Findings {
    /// Notes `problem` unless `ok`.
    pub fn expect(&mut self, ok: bool, problem: impl FnOnce() -> String) {
        if !ok {
            self.0.push(problem());
        }
    }

    /// Notes a wrong status (with the start of the body) unless `exchange` has `status`.
    pub fn status(&mut self, exchange: &Exchange, status: u16) -> bool {
        let ok = exchange.status == status;
        self.expect(ok, || {
            format!(
                "{}: expected {status}, got {}: {}",
                exchange.request,
                exchange.status,
                exchange.body_excerpt()
            )
        });
        ok
    }

    /// Expects `status` with the Clerk error `code` (and `param_name` when given).
    pub fn error(&mut self, exchange: &Exchange, status: u16, code: &str, param: Option<&str>) {
        if !self.status(exchange, status) {
            return;
        }
        self.expect(exchange.error_code() == Some(code), || {
            format!(
                "{}: expected code {code}, got {:?}",
                exchange.request,
                exchange.error_code()
            )
        });
        if let Some(param) = param {
            self.expect(exchange.param_name() == Some(param), || {
                format!(
                    "{}: expected meta.param_name {param}, got {:?}",
                    exchange.request,
                    exchange.param_name()
                )
            });
        }
    }

    /// Expects no 5xx.
    pub fn no_server_error(&mut self, exchange: &Exchange) {
        self.expect(exchange.status < 500, || {
            format!(
                "{}: server error {}: {}",
                exchange.request,
                exchange.status,
                exchange.body_excerpt()
            )
        });
    }

    pub fn push(&mut self, problem: String) {
        self.0.push(problem);
    }

    pub fn outcome(self) -> Outcome {
        if self.0.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail(self.0)
        }
    }

    /// A pass that says which allowed `answer` the target gave, or the failures.
    pub fn or_saw(self, answer: &str) -> Outcome {
        if self.0.is_empty() {
            Outcome::Saw(answer.to_owned())
        } else {
            Outcome::Fail(self.0)
        }
    }
}

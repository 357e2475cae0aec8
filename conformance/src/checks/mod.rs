//! The table of checks, grouped by what they look at.

mod auth;
mod behaviour;
pub mod contract;
mod input;
mod organizations;
mod refresh;
mod robustness;
mod sign_in_tokens;
mod tokens;
mod user_writes;
mod users;

use serde_json::Value;

use crate::check::Check;
use crate::client::{Exchange, Request};

/// Builds a [`Check`] from an async function `fn(&Context) -> CheckResult`.
macro_rules! check {
    ($id:literal, $group:ident, $severity:ident, mutates = $mutates:literal, $title:literal, $rule:literal, $run:path) => {
        $crate::check::Check {
            id: $id,
            group: $crate::check::Group::$group,
            title: $title,
            rule: $rule,
            severity: $crate::check::Severity::$severity,
            mutates: $mutates,
            run: |context| Box::pin($run(context)),
        }
    };
}
pub(crate) use check;

/// Every check, in the order they run.
pub fn all() -> Vec<Check> {
    let mut checks = Vec::new();
    checks.extend(contract::checks());
    checks.extend(auth::checks());
    checks.extend(input::checks());
    checks.extend(behaviour::checks());
    checks.extend(users::checks());
    checks.extend(user_writes::checks());
    checks.extend(organizations::checks());
    checks.extend(tokens::checks());
    checks.extend(sign_in_tokens::checks());
    checks.extend(refresh::checks());
    checks.extend(robustness::checks());
    checks
}

/// A well-formed id that no server should know.
pub const UNKNOWN_SESSION: &str = "sess_2ConformanceNoSuchSession0";
/// A well-formed user id that no server should know.
pub const UNKNOWN_USER: &str = "user_2ConformanceNoSuchUser0000";

/// One request per operation, about `session` (or a session that does not exist).
pub fn one_request_per_operation(user: Option<&str>, session: Option<&str>) -> Vec<Request> {
    let session = session.unwrap_or(UNKNOWN_SESSION);
    vec![
        Request::get("/sessions").query("user_id", user.unwrap_or(UNKNOWN_USER)),
        Request::post("/sessions").json(&serde_json::json!({ "user_id": UNKNOWN_USER })),
        Request::get(format!("/sessions/{session}")),
        Request::post(format!("/sessions/{session}/revoke")),
        Request::post(format!("/sessions/{session}/verify"))
            .json(&serde_json::json!({ "token": "x" })),
        Request::post(format!("/sessions/{session}/tokens")),
        Request::post(format!("/sessions/{session}/tokens/conformance_template")),
        Request::post(format!("/sessions/{session}/refresh")).json(&serde_json::json!({
            "expired_token": "x", "refresh_token": "x", "request_origin": "https://conformance.example"
        })),
        Request::get("/jwks"),
        Request::get(format!("/users/{}", user.unwrap_or(UNKNOWN_USER))),
    ]
}

/// The list items of an answer: the array, or `data` of a paginated answer.
pub fn items(exchange: &Exchange) -> Vec<Value> {
    match &exchange.json {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Object(object)) => object
            .get("data")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The `id`s of sessions.
pub fn ids(sessions: &[Value]) -> Vec<String> {
    sessions
        .iter()
        .map(|session| session["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The first session that is `active`.
pub fn active_session(sessions: &[Value]) -> Option<String> {
    sessions
        .iter()
        .find(|session| session["status"] == "active")
        .and_then(|session| session["id"].as_str())
        .map(str::to_owned)
}

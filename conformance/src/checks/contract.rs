//! The wire contract: content type, envelope, schemas, documented statuses, ids and times.

use reqwest::Method;
use serde_json::Value;

use super::{UNKNOWN_SESSION, UNKNOWN_USER, check, items, one_request_per_operation};
use crate::check::{Check, CheckResult, Context, Findings};
use crate::client::{Auth, Exchange, Request};

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "CONTRACT-001",
            Contract,
            Required,
            mutates = false,
            "JSON answers carry Content-Type: application/json exactly",
            "CONTRACT §2: @clerk/backend parses a body as JSON only on an exact match",
            content_type_is_exact
        ),
        check!(
            "CONTRACT-002",
            Contract,
            Required,
            mutates = false,
            "Every non-2xx answer is Clerk's error envelope",
            "CONTRACT §2: errors[] with string message, long_message and code; clerk_trace_id",
            errors_are_in_the_envelope
        ),
        check!(
            "CONTRACT-003",
            Contract,
            Required,
            mutates = false,
            "Bodies validate against the spec's response schemas",
            "Spec: responses of GetSessionList, GetSession and GetJWKS",
            bodies_match_the_spec
        ),
        check!(
            "CONTRACT-004",
            Contract,
            Required,
            mutates = false,
            "Every status answered is documented for its operation",
            "Spec: the responses of each operation in the selected API version",
            statuses_are_documented
        ),
        check!(
            "CONTRACT-005",
            Contract,
            Required,
            mutates = false,
            "Ids have Clerk's prefixes and 27 base62 characters",
            "CONTRACT §2: sess_, user_, client_, org_ ids",
            ids_look_like_clerks
        ),
        check!(
            "CONTRACT-006",
            Contract,
            Required,
            mutates = false,
            "Session times are Unix milliseconds and created_at <= updated_at",
            "CONTRACT §2: timestamps in Session objects are milliseconds",
            times_are_milliseconds
        ),
        check!(
            "CONTRACT-007",
            Contract,
            Required,
            mutates = false,
            "Versions before 2025-03-12 never see pending or tasks",
            "CONTRACT §4: tasks and pending exist only from 2025-03-12 on",
            old_versions_see_no_pending
        ),
        check!(
            "CONTRACT-008",
            Contract,
            Required,
            mutates = false,
            "A wrong method on any route is 405 in the envelope, with Allow naming the route's methods",
            "CONTRACT §2: wrong methods (405, with Allow)",
            wrong_methods_are_405_with_allow
        ),
    ]
}

/// A few answers of each kind: a list, a get, a 401, a 404, a 422 and the JWKS.
async fn sample(context: &Context) -> Result<Vec<Exchange>, crate::client::Unreachable> {
    let user = context.options.user_id.clone();
    let mut requests = vec![
        Request::get(format!("/sessions/{UNKNOWN_SESSION}")),
        Request::get(format!("/sessions/{UNKNOWN_SESSION}")).auth(Auth::None),
        Request::get("/jwks"),
    ];
    requests.push(Request::get(format!("/users/{UNKNOWN_USER}")));
    if let Some(user) = &user {
        requests.push(Request::get(format!("/users/{user}")));
        requests.push(Request::get("/sessions").query("user_id", user));
        requests.push(
            Request::get("/sessions")
                .query("user_id", user)
                .query("limit", "0"),
        );
    }
    let mut exchanges = Vec::new();
    for request in &requests {
        exchanges.push(context.send(request).await?);
    }
    if let Some(sessions) = context.user_sessions().await?
        && let Some(id) = sessions.first().and_then(|session| session["id"].as_str())
    {
        exchanges.push(
            context
                .send(&Request::get(format!("/sessions/{id}")))
                .await?,
        );
    }
    Ok(exchanges)
}

async fn content_type_is_exact(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    for exchange in sample(context).await? {
        findings.expect(
            exchange.content_type.as_deref() == Some("application/json"),
            || {
                format!(
                    "{}: Content-Type is {:?}",
                    exchange.request, exchange.content_type
                )
            },
        );
    }
    Ok(findings.outcome())
}

/// What is wrong with an error answer's envelope, each problem prefixed with its request.
pub fn envelope_problems(exchange: &Exchange) -> Vec<String> {
    if exchange.json.is_none() {
        return vec![format!(
            "{}: the error body is not JSON: {}",
            exchange.request,
            exchange.body_excerpt()
        )];
    }
    envelope_problems_in(exchange.json.as_ref())
        .into_iter()
        .map(|problem| format!("{}: {problem}", exchange.request))
        .collect()
}

/// What is wrong with an error answer's body as Clerk's envelope: an `errors` array of objects
/// with string `message`, `long_message` and `code`, and `clerk_trace_id` a string if present.
pub fn envelope_problems_in(body: Option<&Value>) -> Vec<String> {
    let Some(body) = body else {
        return vec!["the error body is not JSON".to_owned()];
    };
    let Some(errors) = body
        .get("errors")
        .and_then(Value::as_array)
        .filter(|errors| !errors.is_empty())
    else {
        return vec![format!("no errors array in {body}")];
    };
    let mut problems = Vec::new();
    for error in errors {
        for field in ["message", "long_message", "code"] {
            if !error.get(field).is_some_and(Value::is_string) {
                problems.push(format!("an error has no string {field}: {error}"));
            }
        }
    }
    if !body.get("clerk_trace_id").is_none_or(Value::is_string) {
        problems.push("clerk_trace_id is not a string".to_owned());
    }
    problems
}

async fn errors_are_in_the_envelope(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let mut requests = vec![
        Request::get(format!("/sessions/{UNKNOWN_SESSION}")),
        Request::get("/sessions").auth(Auth::None),
        Request::get("/sessions").auth(Auth::Raw("Basic x".to_owned())),
        Request::get("/jwks").version("1999-01-01"),
        Request::post("/sessions").raw_body("application/json", b"{".to_vec()),
    ];
    if let Some(user) = &context.options.user_id {
        requests.push(
            Request::get("/sessions")
                .query("user_id", user)
                .query("limit", "abc"),
        );
    }
    for request in &requests {
        let exchange = context.send(request).await?;
        findings.expect(exchange.status >= 400, || {
            format!(
                "{}: expected an error, got {}",
                exchange.request, exchange.status
            )
        });
        for problem in envelope_problems(&exchange) {
            findings.push(problem);
        }
    }
    Ok(findings.outcome())
}

fn path_of(request: &str) -> (&str, &str) {
    let (method, rest) = request.split_once(' ').unwrap_or(("GET", request));
    (method, rest.split('?').next().unwrap_or(rest))
}

async fn bodies_match_the_spec(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let mut checked = 0;
    for exchange in sample(context).await? {
        let (method, path) = path_of(&exchange.request);
        let (Some(schema), Some(body)) = (
            context.schema_for(method, path, exchange.status),
            &exchange.json,
        ) else {
            continue;
        };
        checked += 1;
        for violation in schema.violations(body).into_iter().take(5) {
            findings.push(format!("{}: {violation}", exchange.request));
        }
    }
    findings.expect(checked > 0, || {
        "no answer could be matched to a documented schema".to_owned()
    });
    Ok(findings.outcome())
}

async fn statuses_are_documented(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let mut exchanges = sample(context).await?;
    for request in one_request_per_operation(context.options.user_id.as_deref(), None) {
        exchanges.push(context.send(&request.auth(Auth::None)).await?);
    }
    for exchange in exchanges {
        let (method, path) = path_of(&exchange.request);
        let Some(template) = context.spec.path_template(path) else {
            continue;
        };
        let documented = context.spec.statuses(method, &template);
        if documented.is_empty() {
            continue;
        }
        findings.expect(
            context
                .spec
                .documents_status(method, &template, exchange.status),
            || {
                format!(
                    "{}: {} is not documented (documented: {documented:?})",
                    exchange.request, exchange.status
                )
            },
        );
    }
    Ok(findings.outcome())
}

/// Whether `value` is an id like Clerk's: `prefix` and 27 base62 characters.
pub fn is_clerk_id(value: &Value, prefix: &str) -> bool {
    value.as_str().is_some_and(|id| {
        id.strip_prefix(prefix)
            .is_some_and(|body| body.len() == 27 && body.bytes().all(|b| b.is_ascii_alphanumeric()))
    })
}

async fn user_list(context: &Context) -> Result<Option<Vec<Value>>, crate::client::Unreachable> {
    let Some(user) = &context.options.user_id else {
        return Ok(None);
    };
    let exchange = context
        .send(
            &Request::get("/sessions")
                .query("user_id", user)
                .query("limit", "50"),
        )
        .await?;
    Ok(Some(items(&exchange)))
}

async fn ids_look_like_clerks(context: &Context) -> CheckResult {
    let Some(sessions) = user_list(context).await? else {
        return Ok(crate::check::Outcome::Skip("needs --user-id".to_owned()));
    };
    let mut findings = Findings::default();
    for session in &sessions {
        for (field, prefix) in [
            ("id", "sess_"),
            ("user_id", "user_"),
            ("client_id", "client_"),
        ] {
            findings.expect(is_clerk_id(&session[field], prefix), || {
                format!(
                    "{field} {} is not {prefix} and 27 base62 characters",
                    session[field]
                )
            });
        }
        let organization = &session["last_active_organization_id"];
        findings.expect(
            organization.is_null() || is_clerk_id(organization, "org_"),
            || format!("last_active_organization_id {organization} is not an org_ id"),
        );
    }
    Ok(findings.outcome())
}

/// The times of a Session.
pub const SESSION_TIMES: [&str; 5] = [
    "created_at",
    "updated_at",
    "last_active_at",
    "expire_at",
    "abandon_at",
];

/// Whether `value` is a time in Unix milliseconds: they passed 10^12 in 2001, and seconds will
/// not reach it for ages.
pub fn is_milliseconds(value: &Value) -> bool {
    value
        .as_i64()
        .is_some_and(|value| value > 1_000_000_000_000)
}

async fn times_are_milliseconds(context: &Context) -> CheckResult {
    let Some(sessions) = user_list(context).await? else {
        return Ok(crate::check::Outcome::Skip("needs --user-id".to_owned()));
    };
    let mut findings = Findings::default();
    for session in &sessions {
        let id = session["id"].as_str().unwrap_or("?");
        for field in SESSION_TIMES {
            findings.expect(is_milliseconds(&session[field]), || {
                format!("{id}: {field} {} is not Unix milliseconds", session[field])
            });
        }
        let created = session["created_at"].as_i64().unwrap_or_default();
        let updated = session["updated_at"].as_i64().unwrap_or_default();
        findings.expect(created <= updated, || {
            format!("{id}: created_at {created} > updated_at {updated}")
        });
    }
    Ok(findings.outcome())
}

async fn old_versions_see_no_pending(context: &Context) -> CheckResult {
    let Some(user) = &context.options.user_id else {
        return Ok(crate::check::Outcome::Skip("needs --user-id".to_owned()));
    };
    let mut findings = Findings::default();
    for version in ["2021-02-05", "2024-10-01"] {
        let exchange = context
            .send(
                &Request::get("/sessions")
                    .query("user_id", user)
                    .query("limit", "500")
                    .version(version),
            )
            .await?;
        for session in items(&exchange) {
            let id = session["id"].as_str().unwrap_or("?");
            findings.expect(session["status"] != "pending", || {
                format!("{version}: {id} is pending")
            });
            findings.expect(session.get("tasks").is_none(), || {
                format!("{version}: {id} has tasks")
            });
        }
    }
    Ok(findings.outcome())
}

/// Every route of the Sessions API with the methods it answers.
fn routes() -> Vec<(String, &'static [&'static str])> {
    let session = format!("/sessions/{UNKNOWN_SESSION}");
    vec![
        ("/sessions".to_owned(), &["GET", "POST"]),
        (session.clone(), &["GET"]),
        (format!("{session}/revoke"), &["POST"]),
        (format!("{session}/verify"), &["POST"]),
        (format!("{session}/tokens"), &["POST"]),
        (format!("{session}/tokens/conformance_template"), &["POST"]),
        ("/jwks".to_owned(), &["GET"]),
    ]
}

async fn wrong_methods_are_405_with_allow(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    for (path, methods) in routes() {
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            let wrong = method.as_str();
            if methods.contains(&wrong) {
                continue;
            }
            let exchange = context
                .send(&Request::new(method.clone(), path.clone()))
                .await?;
            if !findings.status(&exchange, 405) {
                continue;
            }
            let allowed: Vec<String> = exchange
                .header("allow")
                .unwrap_or_default()
                .split(',')
                .map(|method| method.trim().to_ascii_uppercase())
                .filter(|method| !method.is_empty())
                .collect();
            findings.expect(
                methods
                    .iter()
                    .all(|method| allowed.iter().any(|a| a == method))
                    && !allowed.iter().any(|a| a == wrong),
                || {
                    format!(
                        "{}: Allow is {:?}, the route answers {methods:?}",
                        exchange.request,
                        exchange.header("allow")
                    )
                },
            );
            for problem in envelope_problems(&exchange) {
                findings.push(problem);
            }
        }
    }
    Ok(findings.outcome())
}

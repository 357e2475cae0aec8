//! Authentication: the three 401 codes on every operation, and their precedence.

use super::{UNKNOWN_SESSION, check, one_request_per_operation};
use crate::check::{Check, CheckResult, Context, Findings};
use crate::client::{Auth, Request};

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "AUTH-001",
            Auth,
            Required,
            mutates = false,
            "No Authorization header is 401 authentication_invalid on every operation",
            "CONTRACT §3",
            no_header
        ),
        check!(
            "AUTH-002",
            Auth,
            Required,
            mutates = false,
            "A header of another scheme is 401 authorization_header_format_invalid",
            "CONTRACT §3",
            wrong_scheme
        ),
        check!(
            "AUTH-003",
            Auth,
            Required,
            mutates = false,
            "An empty bearer token is 401 authorization_header_format_invalid",
            "CONTRACT §3",
            empty_token
        ),
        check!(
            "AUTH-004",
            Auth,
            Required,
            mutates = false,
            "A well-formed but unknown sk_test_ key is 401 clerk_key_invalid",
            "CONTRACT §3",
            unknown_secret_key
        ),
        check!(
            "AUTH-005",
            Auth,
            Required,
            mutates = false,
            "A publishable pk_test_ key is 401 clerk_key_invalid",
            "CONTRACT §3",
            publishable_key
        ),
        check!(
            "AUTH-006",
            Auth,
            Required,
            mutates = false,
            "401 comes before 404, 422 and 400",
            "CONTRACT §3: authentication is checked before anything else",
            authentication_first
        ),
    ]
}

async fn every_operation(context: &Context, auth: Auth, code: &str) -> CheckResult {
    let mut findings = Findings::default();
    for request in one_request_per_operation(context.options.user_id.as_deref(), None) {
        let exchange = context.send(&request.auth(auth.clone())).await?;
        findings.error(&exchange, 401, code, None);
    }
    Ok(findings.outcome())
}

async fn no_header(context: &Context) -> CheckResult {
    every_operation(context, Auth::None, "authentication_invalid").await
}

async fn wrong_scheme(context: &Context) -> CheckResult {
    every_operation(
        context,
        Auth::Raw("Basic dXNlcjpwYXNz".to_owned()),
        "authorization_header_format_invalid",
    )
    .await
}

async fn empty_token(context: &Context) -> CheckResult {
    every_operation(
        context,
        Auth::Raw("Bearer ".to_owned()),
        "authorization_header_format_invalid",
    )
    .await
}

async fn unknown_secret_key(context: &Context) -> CheckResult {
    every_operation(
        context,
        Auth::Raw("Bearer sk_test_conformanceUnknownKey0000000000000000000".to_owned()),
        "clerk_key_invalid",
    )
    .await
}

async fn publishable_key(context: &Context) -> CheckResult {
    every_operation(
        context,
        Auth::Raw("Bearer pk_test_Y29uZm9ybWFuY2UuY2xlcmsuYWNjb3VudHMuZGV2JA".to_owned()),
        "clerk_key_invalid",
    )
    .await
}

async fn authentication_first(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let requests = [
        Request::get(format!("/sessions/{UNKNOWN_SESSION}")),
        Request::get("/sessions")
            .query("user_id", super::UNKNOWN_USER)
            .query("limit", "0"),
        Request::get("/sessions"),
        Request::get(format!("/sessions/{UNKNOWN_SESSION}")).version("1999-01-01"),
        Request::post("/sessions").raw_body("application/json", b"{".to_vec()),
    ];
    for request in requests {
        let exchange = context.send(&request.auth(Auth::None)).await?;
        findings.error(&exchange, 401, "authentication_invalid", None);
    }
    Ok(findings.outcome())
}

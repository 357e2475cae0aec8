//! Input validation: edge values of every parameter, malformed bodies and odd path ids.

use serde_json::json;

use super::{UNKNOWN_SESSION, UNKNOWN_USER, active_session, check};
use crate::check::{Check, CheckResult, Context, Findings, Outcome};
use crate::client::Request;

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "INPUT-001",
            Input,
            Required,
            mutates = false,
            "limit outside 1..=500, empty or not a number is 422 naming limit",
            "CONTRACT §5 List; spec: limit minimum 1, maximum 500",
            bad_limits
        ),
        check!(
            "INPUT-002",
            Input,
            Required,
            mutates = false,
            "A negative or non-numeric offset is 422 naming offset",
            "CONTRACT §5 List; spec: offset minimum 0",
            bad_offsets
        ),
        check!(
            "INPUT-003",
            Input,
            Required,
            mutates = false,
            "A status outside the filter's enum is 422 naming status",
            "CONTRACT §5 List: the 7 statuses, no pending",
            bad_statuses
        ),
        check!(
            "INPUT-004",
            Input,
            Required,
            mutates = false,
            "paginated other than true/false is 422 naming paginated",
            "CONTRACT §5 List",
            bad_paginated
        ),
        check!(
            "INPUT-005",
            Input,
            Observation,
            mutates = false,
            "Empty user_id or client_id is 422 naming the parameter",
            "CONTRACT §5 List (decided here for empty values)",
            empty_ids
        ),
        check!(
            "INPUT-006",
            Input,
            Required,
            mutates = false,
            "Boundary values are accepted: limit=1, limit=500, offset=0",
            "Spec: limit 1..=500, offset >= 0",
            boundaries_accepted
        ),
        check!(
            "INPUT-007",
            Input,
            Required,
            mutates = false,
            "expires_in_seconds outside 30..=315360000 or not an integer is 422",
            "CONTRACT §5 Tokens; spec: minimum 30, maximum 315360000",
            bad_lifetimes
        ),
        check!(
            "INPUT-008",
            Input,
            Required,
            mutates = false,
            "Malformed JSON bodies are 400 request_body_invalid, never 5xx",
            "CONTRACT §5 Create and Tokens: malformed JSON is 400",
            malformed_bodies
        ),
        check!(
            "INPUT-009",
            Input,
            Required,
            mutates = false,
            "Odd session ids in the path are 404, never 5xx",
            "CONTRACT §5 Get: unknown id is 404 resource_not_found",
            odd_path_ids
        ),
    ]
}

fn user(context: &Context) -> String {
    context
        .options
        .user_id
        .clone()
        .unwrap_or_else(|| UNKNOWN_USER.to_owned())
}

async fn expect_param_errors(context: &Context, cases: &[(&str, &str, &str)]) -> CheckResult {
    let mut findings = Findings::default();
    let user = user(context);
    for (param, value, code) in cases {
        let request = Request::get("/sessions")
            .query("user_id", &user)
            .query(param, value);
        let exchange = context.send(&request).await?;
        findings.error(&exchange, 422, code, Some(param));
    }
    Ok(findings.outcome())
}

async fn bad_limits(context: &Context) -> CheckResult {
    expect_param_errors(
        context,
        &[
            ("limit", "0", "form_param_value_invalid"),
            ("limit", "501", "form_param_value_invalid"),
            ("limit", "-5", "form_param_value_invalid"),
            ("limit", "", "form_param_value_invalid"),
            ("limit", "abc", "form_param_type_invalid"),
        ],
    )
    .await
}

async fn bad_offsets(context: &Context) -> CheckResult {
    expect_param_errors(
        context,
        &[
            ("offset", "-1", "form_param_value_invalid"),
            ("offset", "x", "form_param_type_invalid"),
        ],
    )
    .await
}

async fn bad_statuses(context: &Context) -> CheckResult {
    expect_param_errors(
        context,
        &[
            ("status", "ACTIVE", "form_param_value_invalid"),
            ("status", "pending", "form_param_value_invalid"),
            ("status", "", "form_param_value_invalid"),
        ],
    )
    .await
}

async fn bad_paginated(context: &Context) -> CheckResult {
    expect_param_errors(
        context,
        &[("paginated", "maybe", "form_param_value_invalid")],
    )
    .await
}

async fn empty_ids(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    for param in ["user_id", "client_id"] {
        let exchange = context
            .send(&Request::get("/sessions").query(param, ""))
            .await?;
        findings.error(&exchange, 422, "form_param_value_invalid", Some(param));
    }
    Ok(findings.outcome())
}

async fn boundaries_accepted(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let user = user(context);
    for (param, value) in [("limit", "1"), ("limit", "500"), ("offset", "0")] {
        let exchange = context
            .send(
                &Request::get("/sessions")
                    .query("user_id", &user)
                    .query(param, value),
            )
            .await?;
        findings.status(&exchange, 200);
        if param == "limit" && value == "1" {
            let count = super::items(&exchange).len();
            findings.expect(count <= 1, || format!("limit=1 answered {count} sessions"));
        }
    }
    Ok(findings.outcome())
}

async fn bad_lifetimes(context: &Context) -> CheckResult {
    let sessions = context.user_sessions().await?.unwrap_or_default();
    let Some(session) =
        active_session(&sessions).or_else(|| context.options.session_ids.first().cloned())
    else {
        return Ok(Outcome::Skip(
            "needs --user-id with an active session, or --session-id".to_owned(),
        ));
    };
    let mut findings = Findings::default();
    for (value, code) in [
        (json!(29), "form_param_value_invalid"),
        (json!(315_360_001), "form_param_value_invalid"),
        (json!("60"), "form_param_type_invalid"),
        (json!(60.5), "form_param_type_invalid"),
    ] {
        let exchange = context
            .send(
                &Request::post(format!("/sessions/{session}/tokens"))
                    .json(&json!({ "expires_in_seconds": value })),
            )
            .await?;
        findings.error(&exchange, 422, code, Some("expires_in_seconds"));
    }
    Ok(findings.outcome())
}

async fn malformed_bodies(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let paths = [
        "/sessions".to_owned(),
        format!("/sessions/{UNKNOWN_SESSION}/tokens"),
        format!("/sessions/{UNKNOWN_SESSION}/verify"),
    ];
    for path in &paths {
        for body in ["{", "{\"user_id\": }", "\u{0}", "[1,"] {
            let exchange = context
                .send(
                    &Request::post(path.clone())
                        .raw_body("application/json", body.as_bytes().to_vec()),
                )
                .await?;
            findings.no_server_error(&exchange);
            if path == "/sessions" {
                findings.error(&exchange, 400, "request_body_invalid", None);
            }
        }
    }
    Ok(findings.outcome())
}

async fn odd_path_ids(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let long = "s".repeat(2_000);
    for id in [
        "abc",
        "sess_",
        "%F0%9F%92%A5",
        "%00",
        "sess_%2e%2e",
        long.as_str(),
        UNKNOWN_SESSION,
    ] {
        let exchange = context
            .send(&Request::get(format!("/sessions/{id}")))
            .await?;
        findings.no_server_error(&exchange);
        findings.error(&exchange, 404, "resource_not_found", None);
    }
    Ok(findings.outcome())
}

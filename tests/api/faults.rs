//! Latency, server errors, connection resets and Clerk's rate limit: switched on by flag, by the
//! admin API (per instance and per operation) and per request with `Prefer`.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ALICE, ALICE_ACTIVE, Answer, TestApp, spawn_app, spawn_app_with};

async fn set_faults(app: &TestApp, plan: &Value) -> Answer {
    app.request(Method::PUT, "/__admin/instance/faults")
        .json(plan)
        .send()
        .await
}

async fn journal_count(app: &TestApp, query: &[(&str, &str)]) -> u64 {
    let mut request = app.get("/__admin/instance/journal/count");
    for (name, value) in query {
        request = request.query(name, value);
    }
    let answer = request.send().await;
    answer.assert_status(200);
    answer.body["count"].as_u64().expect("a count")
}

#[tokio::test]
async fn an_operation_rule_fails_that_operation_only_until_restored() {
    let app = spawn_app().await;
    let plan =
        json!({ "operations": { "RevokeSession": { "error_rate": 1.0, "error_status": 503 } } });
    let set = set_faults(&app, &plan).await;
    set.assert_status(200);
    let plan = json!({ "default": {}, "operations": plan["operations"] });
    assert_eq!(set.body, plan);
    assert_eq!(app.get("/__admin/instance/faults").send().await.body, plan);

    let revoke = app.revoke_session(ALICE_ACTIVE).await;
    revoke.assert_error(503, "service_unavailable");
    assert!(revoke.body["clerk_trace_id"].is_string());
    app.get_session(ALICE_ACTIVE).await.assert_status(200);
    assert_eq!(
        app.get_session(ALICE_ACTIVE).await.body["status"],
        "active",
        "the failed revoke changed nothing"
    );
    let journal = app
        .get("/__admin/instance/journal")
        .query("operation_id", "RevokeSession")
        .send()
        .await;
    assert_eq!(journal.body["data"][0]["status"], 503);
    assert_eq!(journal.body["data"][0]["fault"], "error");

    let restored = app
        .request(Method::DELETE, "/__admin/instance/faults")
        .send()
        .await;
    restored.assert_status(200);
    assert_eq!(restored.body, json!({ "default": {}, "operations": {} }));
    app.revoke_session(ALICE_ACTIVE).await.assert_status(200);
}

#[tokio::test]
async fn a_delay_holds_every_answer_and_prefer_overrides_it() {
    let app = spawn_app().await;
    set_faults(&app, &json!({ "default": { "delay_ms": 300 } }))
        .await
        .assert_status(200);
    let started = Instant::now();
    app.get_session(ALICE_ACTIVE).await.assert_status(200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let started = Instant::now();
    app.get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .header("Prefer", "delay=0")
        .send()
        .await
        .assert_status(200);
    assert!(started.elapsed() < Duration::from_millis(300));

    // Admin calls are never delayed or failed.
    let started = Instant::now();
    set_faults(&app, &json!({})).await.assert_status(200);
    assert!(started.elapsed() < Duration::from_millis(300));
    let started = Instant::now();
    let answer = app
        .get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .header("Prefer", "delay=150, jitter=50")
        .send()
        .await;
    answer.assert_status(200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after_per_key() {
    let app = spawn_app().await;
    set_faults(
        &app,
        &json!({ "rate_limit": { "requests": 5, "window_secs": 10 } }),
    )
    .await
    .assert_status(200);
    for _ in 0..5 {
        app.get_session(ALICE_ACTIVE).await.assert_status(200);
    }
    let limited = app.get_session(ALICE_ACTIVE).await;
    limited.assert_error(429, "too_many_requests");
    let retry_after: u64 = limited
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    assert_eq!(journal_count(&app, &[("status", "429")]).await, 1);

    let other = app.create_instance().await;
    let other = app.with_key(other.body["secret_key"].as_str().expect("key"));
    other.get_session(ALICE_ACTIVE).await.assert_status(200);

    // Setting faults again starts a new window.
    set_faults(
        &app,
        &json!({ "rate_limit": { "requests": 5, "window_secs": 10 } }),
    )
    .await
    .assert_status(200);
    app.get_session(ALICE_ACTIVE).await.assert_status(200);
}

#[tokio::test]
async fn the_rate_limit_flag_is_clerks_100_requests_per_10_seconds() {
    let app = spawn_app_with(|settings| settings.faults.rate_limit = true).await;
    for _ in 0..100 {
        app.list_sessions(&[("user_id", ALICE)])
            .await
            .assert_status(200);
    }
    let limited = app.list_sessions(&[("user_id", ALICE)]).await;
    limited.assert_error(429, "too_many_requests");
    assert!(limited.header("retry-after").is_some());
    assert_eq!(
        app.get("/__admin/instance/faults").send().await.body["rate_limit"],
        json!({ "requests": 100, "window_secs": 10 })
    );
}

/// Whether the connection was reset by the peer, somewhere down the error's causes.
fn was_reset(error: &reqwest::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if current
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionReset)
        {
            return true;
        }
        cause = current.source();
    }
    false
}

#[tokio::test]
async fn a_reset_connection_gets_no_answer_and_the_server_goes_on() {
    let app = spawn_app().await;
    let reset = app
        .client
        .get(format!("{}/v1/sessions/{ALICE_ACTIVE}", app.address))
        .bearer_auth(&app.key)
        .header("Prefer", "fault=reset")
        .send()
        .await;
    let error = reset.expect_err("no answer");
    assert!(was_reset(&error), "a reset (RST), not a close: {error:?}");

    set_faults(
        &app,
        &json!({ "operations": { "GetSession": { "reset_rate": 1.0 } } }),
    )
    .await
    .assert_status(200);
    let reset = app
        .client
        .get(format!("{}/v1/sessions/{ALICE_ACTIVE}", app.address))
        .bearer_auth(&app.key)
        .send()
        .await;
    assert!(reset.is_err());
    app.list_sessions(&[("user_id", ALICE)])
        .await
        .assert_status(200);
    let journal = app
        .get("/__admin/instance/journal")
        .query("operation_id", "GetSession")
        .send()
        .await;
    for entry in journal.body["data"].as_array().expect("entries") {
        assert_eq!(entry["status"], 0, "{entry}");
        assert_eq!(entry["fault"], "reset", "{entry}");
    }
    assert_eq!(journal.body["total_count"], 2);
}

#[tokio::test]
async fn prefer_asks_one_request_for_a_fault() {
    let app = spawn_app().await;
    let failed = app
        .get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .header("Prefer", "fault=500")
        .send()
        .await;
    failed.assert_error(500, "internal_clerk_error");
    let limited = app
        .get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .header("Prefer", "fault=rate_limit")
        .send()
        .await;
    limited.assert_error(429, "too_many_requests");
    assert_eq!(limited.header("retry-after"), Some("10"));
    for preference in [
        "delay=soon",
        "delay=60001",
        "jitter=-1",
        "fault=teapot",
        "fault=418",
    ] {
        let refused = app
            .get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
            .header("Prefer", preference)
            .send()
            .await;
        let error = refused.assert_error(400, "prefer_invalid");
        assert_eq!(error["meta"]["param_name"], "Prefer", "{preference}");
    }
    // Authentication still comes first.
    app.get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .authorization(None)
        .header("Prefer", "fault=500")
        .send()
        .await
        .assert_error(401, "authentication_invalid");
}

#[tokio::test]
async fn fault_flags_apply_to_every_instance_and_a_reset_restores_them() {
    let app = spawn_app_with(|settings| {
        settings.faults.fault_error_rate = 1.0;
        settings.faults.fault_error_status = 502;
    })
    .await;
    app.get_session(ALICE_ACTIVE)
        .await
        .assert_error(502, "bad_gateway");
    set_faults(&app, &json!({})).await.assert_status(200);
    app.get_session(ALICE_ACTIVE).await.assert_status(200);
    app.request(Method::POST, "/__admin/instance/reset")
        .send()
        .await
        .assert_status(200);
    app.get_session(ALICE_ACTIVE)
        .await
        .assert_error(502, "bad_gateway");
}

#[tokio::test]
async fn a_bad_plan_is_422_naming_each_field_and_changes_nothing() {
    let app = spawn_app().await;
    let refused = set_faults(
        &app,
        &json!({
            "default": { "error_rate": 2, "error_status": 418 },
            "operations": { "Teleport": {} },
            "rate_limit": { "requests": 0, "window_secs": 10 }
        }),
    )
    .await;
    refused.assert_status(422);
    let params: Vec<&str> = refused.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|error| error["meta"]["param_name"].as_str())
        .collect();
    assert_eq!(
        params,
        [
            "default.error_rate",
            "default.error_status",
            "operations.Teleport",
            "rate_limit.requests"
        ]
    );
    set_faults(&app, &json!({ "default": { "delay": 5 } }))
        .await
        .assert_param_error("form_param_value_invalid", "body");
    app.request(Method::PUT, "/__admin/instance/faults")
        .body("application/json", b"[".to_vec())
        .send()
        .await
        .assert_error(400, "request_body_invalid");
    assert_eq!(
        app.get("/__admin/instance/faults").send().await.body,
        json!({ "default": {}, "operations": {} })
    );
}

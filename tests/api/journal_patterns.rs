//! The journal's entries with their headers and bodies, secrets redacted, and finding, counting
//! and waiting on them by a pattern.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{ALICE_ACTIVE, TestApp, spawn_app};

async fn find(app: &TestApp, pattern: Value) -> Value {
    let found = app
        .post("/__admin/instance/journal/find")
        .json(&pattern)
        .send()
        .await;
    found.assert_status(200);
    found.body
}

#[tokio::test]
async fn an_entry_keeps_the_headers_and_body_sent_with_secrets_redacted() {
    let app = spawn_app().await;
    app.post("/v1/users")
        .version("2026-05-12")
        .json(&json!({"email_address": ["grace@example.com"], "password": "correct horse", "public_metadata": {"plan": "pro"}}))
        .send()
        .await
        .assert_status(200);
    let found = find(
        &app,
        json!({
            "method": "post",
            "path": "/v1/users",
            "operation_id": "CreateUser",
            "headers": {"Clerk-API-Version": "2026-05-12", "authorization": true},
            "body": {"public_metadata": {"plan": "pro"}},
            "status": 200
        }),
    )
    .await;
    assert_eq!(found["total_count"], 1, "{found:#}");
    let entry = &found["data"][0];
    assert_eq!(entry["headers"]["authorization"], "[redacted]");
    assert_eq!(entry["body"]["password"], "[redacted]");
    assert_eq!(entry["body"]["email_address"], json!(["grace@example.com"]));
    assert_eq!(entry["api_version"], "2026-05-12");
    assert_eq!(entry["body_truncated"], false);

    let missing = app.get_user("user_2NobodyHasThisId00000000000").await;
    missing.assert_status(404);
    let failed = find(&app, json!({"path": "/v1/users/{user_id}", "status": 404})).await;
    assert_eq!(failed["data"][0]["error_code"], "resource_not_found");

    let counted = app
        .post("/__admin/instance/journal/count")
        .json(&json!({"path_regex": "^/v1/users"}))
        .send()
        .await;
    assert_eq!(counted.body["count"], 2);
}

#[tokio::test]
async fn no_key_or_token_reaches_the_journal() {
    let app = spawn_app().await;
    let expired = app.expired_token(ALICE_ACTIVE).await;
    let refresh_token = app.refresh_token(ALICE_ACTIVE).await;
    let jwt = app.jwt(ALICE_ACTIVE, None).await;
    app.post(&format!("/v1/sessions/{ALICE_ACTIVE}/refresh"))
        .json(&json!({"expired_token": expired, "refresh_token": refresh_token, "request_origin": "http://localhost:3000"}))
        .send()
        .await
        .assert_status(200);
    app.post(&format!("/v1/sessions/{ALICE_ACTIVE}/verify"))
        .version("2021-02-05")
        .header("X-Forwarded-Token", &jwt)
        .json(&json!({"token": jwt}))
        .send()
        .await
        .assert_status(200);
    let journal = find(&app, json!({})).await.to_string();
    for secret in [&app.key, &expired, &refresh_token, &jwt] {
        assert!(
            !journal.contains(secret.as_str()),
            "a secret reached the journal"
        );
    }
    assert!(journal.contains("[redacted]"));
}

#[tokio::test]
async fn a_long_body_is_cut_and_says_so() {
    let app = spawn_app().await;
    app.post("/v1/sessions")
        .body("text/plain", vec![b'x'; 20_000])
        .send()
        .await;
    let found = find(&app, json!({"path": "/v1/sessions", "method": "POST"})).await;
    let entry = &found["data"][0];
    assert_eq!(entry["body_truncated"], true);
    assert_eq!(entry["body"].as_str().map(str::len), Some(16 * 1024));
}

#[tokio::test]
async fn a_wait_answers_as_soon_as_the_entries_come_or_at_its_timeout() {
    let app = spawn_app().await;
    let late = TestApp {
        address: app.address.clone(),
        key: app.key.clone(),
        publishable_key: app.publishable_key.clone(),
        default_version: app.default_version.clone(),
        client: app.client.clone(),
    };
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        late.post(&format!("/v1/sessions/{ALICE_ACTIVE}/revoke"))
            .send()
            .await
            .assert_status(200);
    });
    let started = Instant::now();
    let waited = app
        .post("/__admin/instance/journal/wait")
        .json(&json!({"pattern": {"operation_id": "RevokeSession"}, "count": 1, "timeout_ms": 10_000}))
        .send()
        .await;
    waited.assert_status(200);
    assert_eq!(waited.body["satisfied"], true);
    assert_eq!(waited.body["count"], 1);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered when the entry came"
    );

    let started = Instant::now();
    let timed_out = app
        .post("/__admin/instance/journal/wait")
        .json(&json!({"pattern": {"operation_id": "DeleteUser"}, "timeout_ms": 200}))
        .send()
        .await;
    assert_eq!(timed_out.body["satisfied"], false);
    assert_eq!(timed_out.body["count"], 0);
    assert!(started.elapsed() >= Duration::from_millis(200));
    app.post("/__admin/instance/journal/wait")
        .json(&json!({"pattern": {}, "timeout_ms": 30_001}))
        .send()
        .await
        .assert_param_error("form_param_value_invalid", "timeout_ms");
}

#[tokio::test]
async fn a_malformed_pattern_is_a_400_naming_its_part() {
    let app = spawn_app().await;
    for (pattern, part) in [
        (json!({"colour": "red"}), "colour"),
        (json!({"path_regex": "("}), "path_regex"),
        (json!({"headers": {"x": 1}}), "headers.x"),
        (json!(["not", "an", "object"]), "pattern"),
    ] {
        let refused = app
            .post("/__admin/instance/journal/find")
            .json(&pattern)
            .send()
            .await;
        let error = refused.assert_error(400, "pattern_invalid");
        assert_eq!(error["meta"]["param_name"], part, "{pattern}");
    }
    let refused = app
        .post("/__admin/instance/journal/wait")
        .json(&json!({"pattern": {"status": "ok"}}))
        .send()
        .await;
    let error = refused.assert_error(400, "pattern_invalid");
    assert_eq!(error["meta"]["param_name"], "pattern.status");
}

#[tokio::test]
async fn a_request_no_route_took_names_the_operation_it_most_likely_meant() {
    let app = spawn_app().await;
    let missed = app
        .get("/v1/sesions/sess_2AliceActiveZICgVFaEP1MWWEP")
        .send()
        .await;
    let error = missed.assert_error(404, "resource_not_found");
    assert!(
        error["long_message"]
            .as_str()
            .is_some_and(|message| message.ends_with("Did you mean GET /v1/sessions/{session_id}?")),
        "{error}"
    );
    let found = find(&app, json!({"path_regex": "^/v1/sesions/"})).await;
    assert_eq!(
        found["data"][0]["near_miss"],
        "GET /v1/sessions/{session_id}"
    );
    assert_eq!(found["data"][0]["status"], 404);
}

#[tokio::test]
async fn requests_with_no_or_a_wrong_key_are_kept_server_wide_with_the_key_masked() {
    let app = spawn_app().await;
    let wrong = "sk_test_this_key_is_not_accepted_9Zq4";
    app.get("/v1/users")
        .key(wrong)
        .send()
        .await
        .assert_error(401, "clerk_key_invalid");
    app.get("/v1/users")
        .authorization(None)
        .send()
        .await
        .assert_error(401, "authentication_invalid");
    let read = app.get("/__admin/journal/unauthenticated").send().await;
    read.assert_status(200);
    assert_eq!(read.body["total_count"], 2, "{:#}", read.body);
    let newest = &read.body["data"][0];
    assert_eq!(newest["error_code"], "authentication_invalid");
    assert!(newest.get("key").is_none());
    let wrong_one = &read.body["data"][1];
    assert_eq!(wrong_one["key"], "sk_test_…9Zq4");
    assert_eq!(wrong_one["headers"]["authorization"], "[redacted]");
    assert!(!read.body.to_string().contains(wrong));

    // An instance made on demand may not read it; a key nobody accepts is a 401.
    let created = app.create_instance().await;
    let other = created.body["secret_key"]
        .as_str()
        .expect("a key")
        .to_owned();
    app.get("/__admin/journal/unauthenticated")
        .key(&other)
        .send()
        .await
        .assert_error(403, "authorization_invalid");
    app.get("/__admin/journal/unauthenticated")
        .key(wrong)
        .send()
        .await
        .assert_error(401, "clerk_key_invalid");
}

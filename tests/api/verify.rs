//! The deprecated verify operation: every documented answer, and its `Deprecation` header.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::helpers::{
    ALICE_ACME, ALICE_ACTIVE, TestApp, UNKNOWN_SESSION, spawn_app, spawn_app_with,
};

async fn session_token(app: &TestApp, session: &str) -> String {
    let answer = app.mint(session, None, None).await;
    answer.assert_status(200);
    answer.body["jwt"].as_str().expect("jwt").to_owned()
}

fn verify_path(session: &str) -> String {
    format!("/v1/sessions/{session}/verify")
}

#[tokio::test]
async fn a_live_session_token_verifies_and_returns_the_session() {
    let app = spawn_app().await;
    let token = session_token(&app, ALICE_ACTIVE).await;
    let answer = app
        .post(&verify_path(ALICE_ACTIVE))
        .json(&json!({ "token": token }))
        .send()
        .await;
    answer.assert_status(200);
    assert_eq!(answer.body["id"], ALICE_ACTIVE);
    assert_eq!(answer.header("deprecation"), Some("@1744243200"));
}

#[tokio::test]
async fn every_answer_of_verify_carries_the_deprecation_header() {
    let app = spawn_app().await;
    let answers = [
        app.post(&verify_path(ALICE_ACTIVE))
            .authorization(None)
            .send()
            .await,
        app.post(&verify_path(ALICE_ACTIVE))
            .json(&json!({}))
            .send()
            .await,
        app.post(&verify_path(UNKNOWN_SESSION))
            .json(&json!({"token": "x"}))
            .send()
            .await,
        app.post(&verify_path(ALICE_ACTIVE))
            .json(&json!({"token": "x"}))
            .send()
            .await,
        app.post(&verify_path(ALICE_ACTIVE))
            .version("2026-05-12")
            .send()
            .await,
    ];
    for (answer, status) in answers.iter().zip([401, 422, 404, 400, 410]) {
        answer.assert_status(status);
        assert_eq!(
            answer.header("deprecation"),
            Some("@1744243200"),
            "{status}"
        );
    }
    let other = app.get_session(ALICE_ACTIVE).await;
    assert_eq!(other.header("deprecation"), None);
}

#[tokio::test]
async fn verify_is_410_operation_deprecated_from_2025_04_10() {
    let app = spawn_app().await;
    let token = session_token(&app, ALICE_ACTIVE).await;
    for version in ["2025-04-10", "2025-11-10", "2026-05-12"] {
        app.post(&verify_path(ALICE_ACTIVE))
            .version(version)
            .json(&json!({ "token": token }))
            .send()
            .await
            .assert_error(410, "operation_deprecated");
    }
    for version in ["2024-10-01", "2025-03-12"] {
        app.post(&verify_path(ALICE_ACTIVE))
            .version(version)
            .json(&json!({ "token": token }))
            .send()
            .await
            .assert_status(200);
    }
}

#[tokio::test]
async fn the_retire_switch_makes_verify_410_in_every_version() {
    let app = spawn_app_with(|settings| settings.retire_verify = true).await;
    app.post(&verify_path(ALICE_ACTIVE))
        .json(&json!({ "token": "x" }))
        .send()
        .await
        .assert_error(410, "operation_deprecated");
}

#[tokio::test]
async fn a_token_of_another_session_is_400_invalid_session_token() {
    let app = spawn_app().await;
    let token = session_token(&app, ALICE_ACME).await;
    app.post(&verify_path(ALICE_ACTIVE))
        .json(&json!({ "token": token }))
        .send()
        .await
        .assert_error(400, "invalid_session_token");
}

#[tokio::test]
async fn a_token_of_another_instance_is_400_invalid_session_token() {
    let app = spawn_app_with(|settings| {
        settings.secret_keys = vec!["sk_test_first".to_owned(), "sk_test_second".to_owned()];
    })
    .await;
    let minted = app
        .post(&format!("/v1/sessions/{ALICE_ACTIVE}/tokens"))
        .key("sk_test_second")
        .send()
        .await;
    let token = minted.body["jwt"].as_str().expect("jwt");
    app.post(&verify_path(ALICE_ACTIVE))
        .key("sk_test_first")
        .json(&json!({ "token": token }))
        .send()
        .await
        .assert_error(400, "invalid_session_token");
}

#[tokio::test]
async fn an_expired_or_garbled_token_is_400_invalid_session_token() {
    let app = spawn_app().await;
    let kid = app.jwks().await["keys"][0]["kid"]
        .as_str()
        .expect("kid")
        .to_owned();
    let key = EncodingKey::from_rsa_pem(include_bytes!("../../fixtures/signing_key.pem"))
        .expect("fixture key");
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid);
    let now = clerk_conformance::jwt::now_secs();
    let expired = jsonwebtoken::encode(
        &header,
        &json!({"sid": ALICE_ACTIVE, "sub": "user", "iat": now - 600, "nbf": now - 600, "exp": now - 300}),
        &key,
    )
    .expect("signs");
    let valid = session_token(&app, ALICE_ACTIVE).await;
    let tampered = format!("{}x", &valid[..valid.len() - 1]);
    for token in [expired.as_str(), tampered.as_str(), "not.a.jwt", ""] {
        app.post(&verify_path(ALICE_ACTIVE))
            .json(&json!({ "token": token }))
            .send()
            .await
            .assert_error(400, "invalid_session_token");
    }
}

#[tokio::test]
async fn a_revoked_session_no_longer_verifies() {
    let app = spawn_app().await;
    let token = session_token(&app, ALICE_ACTIVE).await;
    app.revoke_session(ALICE_ACTIVE).await.assert_status(200);
    app.post(&verify_path(ALICE_ACTIVE))
        .json(&json!({ "token": token }))
        .send()
        .await
        .assert_error(400, "invalid_session_token");
}

#[tokio::test]
async fn a_missing_token_is_422_form_param_missing() {
    let app = spawn_app().await;
    for body in [None, Some("{}"), Some("null"), Some(r#"{"token": null}"#)] {
        let mut request = app.post(&verify_path(ALICE_ACTIVE));
        if let Some(body) = body {
            request = request.body("application/json", body.as_bytes().to_vec());
        }
        request
            .send()
            .await
            .assert_param_error("form_param_missing", "token");
    }
}

#[tokio::test]
async fn an_unknown_field_is_422_form_param_unknown() {
    let app = spawn_app().await;
    let token = session_token(&app, ALICE_ACTIVE).await;
    app.post(&verify_path(ALICE_ACTIVE))
        .json(&json!({ "token": token, "session_id": ALICE_ACTIVE }))
        .send()
        .await
        .assert_param_error("form_param_unknown", "session_id");
}

#[tokio::test]
async fn a_token_that_is_not_a_string_is_422() {
    let app = spawn_app().await;
    app.post(&verify_path(ALICE_ACTIVE))
        .json(&json!({ "token": 42 }))
        .send()
        .await
        .assert_param_error("form_param_type_invalid", "token");
}

#[tokio::test]
async fn an_unknown_session_is_404() {
    let app = spawn_app().await;
    let token = session_token(&app, ALICE_ACTIVE).await;
    app.post(&verify_path(UNKNOWN_SESSION))
        .json(&json!({ "token": token }))
        .send()
        .await
        .assert_error(404, "resource_not_found");
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    app.post(&verify_path(ALICE_ACTIVE))
        .body("application/json", b"{".to_vec())
        .send()
        .await
        .assert_error(400, "request_body_invalid");
}

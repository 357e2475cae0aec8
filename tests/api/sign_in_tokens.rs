//! Testing tokens and sign-in tokens: created, revoked, and redeemed by the admin API into a
//! session, as the Frontend API's ticket sign-in would.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ACME, ALICE, BOB, GLOBEX, TestApp, spawn_app};

async fn create_token(app: &TestApp, body: Value) -> Value {
    let created = app.post("/v1/sign_in_tokens").json(&body).send().await;
    created.assert_status(200);
    created.body
}

async fn redeem(app: &TestApp, token: &Value) -> crate::helpers::Answer {
    app.post("/__admin/instance/sign_in_tokens/redeem")
        .json(&json!({"token": token["token"]}))
        .send()
        .await
}

#[tokio::test]
async fn a_testing_token_is_seconds_based_and_follows_the_instance_clock() {
    let app = spawn_app().await;
    let first = app.post("/v1/testing_tokens").send().await;
    first.assert_status(200);
    let token = first.body["token"].as_str().expect("token");
    let (issued, rest) = token.split_once("-c_").expect("<iat>-c_<random>");
    let issued: i64 = issued.parse().expect("seconds");
    assert_eq!(rest.len(), 41);
    assert_eq!(first.body["object"], "testing_token");
    assert_eq!(
        first.body["expires_at"],
        issued + 3600,
        "seconds, an hour on"
    );
    let now_secs = clerk_conformance::jwt::now_secs();
    assert!((issued - now_secs).abs() <= 5, "{issued} vs {now_secs}");

    app.advance_clock(86_400_000).await;
    let later = app.post("/v1/testing_tokens").send().await.body;
    assert!(later["expires_at"].as_i64() >= Some(issued + 86_400 + 3600));
    assert_ne!(later["token"], first.body["token"], "a new one each time");
}

#[tokio::test]
async fn a_sign_in_token_redeems_once_into_a_session_in_its_organization() {
    let app = spawn_app().await;
    let token = create_token(
        &app,
        json!({"user_id": ALICE, "org_id": ACME, "expires_in_seconds": 300}),
    )
    .await;
    assert_eq!(token["object"], "sign_in_token");
    assert_eq!(token["status"], "pending");
    assert_eq!(token["user_id"], ALICE);
    assert_eq!(token["url"], Value::Null);
    assert!(token.get("expires_at").is_none());
    let secret = token["token"].as_str().expect("the secret");
    assert_eq!(secret.len(), 64);
    assert!(secret.chars().all(|c| c.is_ascii_alphanumeric()));

    let redeemed = redeem(&app, &token).await;
    redeemed.assert_status(200);
    assert_eq!(redeemed.body["user_id"], ALICE);
    assert_eq!(redeemed.body["status"], "active");
    assert_eq!(redeemed.body["last_active_organization_id"], ACME);
    assert!(redeemed.body["refresh_token"].is_string());
    let session = redeemed.body["id"].as_str().expect("id");
    let claims = app.mint_verified(session, None, None).await.claims;
    assert_eq!(claims["o"]["slg"], "acme");

    let again = redeem(&app, &token).await;
    let error = again.assert_error(422, "sign_in_token_not_redeemable");
    assert!(
        error["long_message"]
            .as_str()
            .is_some_and(|m| m.contains("accepted"))
    );
    let id = token["id"].as_str().expect("id");
    app.post(&format!("/v1/sign_in_tokens/{id}/revoke"))
        .send()
        .await
        .assert_error(400, "sign_in_token_cannot_be_revoked_code");
}

#[tokio::test]
async fn revoked_expired_and_unknown_tokens_do_not_redeem() {
    let app = spawn_app().await;
    let revoked = create_token(&app, json!({"user_id": ALICE})).await;
    let id = revoked["id"].as_str().expect("id");
    let answer = app
        .post(&format!("/v1/sign_in_tokens/{id}/revoke"))
        .send()
        .await;
    answer.assert_status(200);
    assert_eq!(answer.body["status"], "revoked");
    assert!(
        answer.body.get("token").is_none(),
        "the secret is shown once"
    );
    redeem(&app, &revoked)
        .await
        .assert_error(422, "sign_in_token_not_redeemable");

    let short = create_token(&app, json!({"user_id": ALICE, "expires_in_seconds": 60})).await;
    app.advance_clock(61_000).await;
    let expired = redeem(&app, &short).await;
    let error = expired.assert_error(422, "sign_in_token_not_redeemable");
    assert!(
        error["long_message"]
            .as_str()
            .is_some_and(|m| m.contains("expired"))
    );
    // An expired token still reads pending, and can be revoked.
    let short_id = short["id"].as_str().expect("id");
    app.post(&format!("/v1/sign_in_tokens/{short_id}/revoke"))
        .send()
        .await
        .assert_status(200);

    redeem(&app, &json!({"token": "no-such-secret"}))
        .await
        .assert_error(404, "resource_not_found");
    app.post("/__admin/instance/sign_in_tokens/redeem")
        .json(&json!({}))
        .send()
        .await
        .assert_param_error("form_param_missing", "token");
}

#[tokio::test]
async fn the_user_and_organization_must_exist_and_match() {
    let app = spawn_app().await;
    app.post("/v1/sign_in_tokens")
        .json(&json!({"user_id": BOB, "org_id": GLOBEX}))
        .send()
        .await
        .assert_error(403, "not_a_member_in_organization");
    app.post("/v1/sign_in_tokens")
        .json(&json!({"user_id": ALICE, "org_id": "org_2NoSuchOrganization00000000"}))
        .send()
        .await
        .assert_error(404, "resource_not_found");
    for bad in [json!(0), json!(-5), json!(315_360_001)] {
        app.post("/v1/sign_in_tokens")
            .json(&json!({"user_id": ALICE, "expires_in_seconds": bad}))
            .send()
            .await
            .assert_param_error("form_param_value_invalid", "expires_in_seconds");
    }
    app.post("/v1/sign_in_tokens")
        .json(&json!({"user_id": ALICE, "expires_in_seconds": "soon"}))
        .send()
        .await
        .assert_param_error("form_param_type_invalid", "expires_in_seconds");
}

#[tokio::test]
async fn a_banned_user_signs_in_only_once_unbanned_and_a_deleted_one_never() {
    let app = spawn_app().await;
    let token = create_token(&app, json!({"user_id": ALICE})).await;
    app.post(&format!("/v1/users/{ALICE}/ban"))
        .send()
        .await
        .assert_status(200);
    redeem(&app, &token).await.assert_error(403, "user_banned");
    app.post(&format!("/v1/users/{ALICE}/unban"))
        .send()
        .await
        .assert_status(200);
    redeem(&app, &token).await.assert_status(200);

    let pending = create_token(&app, json!({"user_id": ALICE})).await;
    app.request(Method::DELETE, &format!("/v1/users/{ALICE}"))
        .send()
        .await
        .assert_status(200);
    redeem(&app, &pending)
        .await
        .assert_error(422, "sign_in_token_not_redeemable");
}

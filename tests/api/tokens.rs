//! Minting tokens: session tokens and template tokens, verified as the SDKs verify them.

use clerk_conformance::jwt;
use serde_json::{Value, json};

use crate::helpers::{
    ACME, ALICE, ALICE_ACME, ALICE_ACTIVE, ALICE_PENDING, ALICE_REVOKED, BOB_IMPERSONATED, CAROL,
    UNKNOWN_SESSION, spawn_app, spawn_app_with,
};

fn lifetime(claims: &Value) -> i64 {
    claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat")
}

#[tokio::test]
async fn a_session_token_is_rs256_signed_by_the_instance_key_with_v2_claims() {
    let app = spawn_app().await;
    let token = app.mint_verified(ALICE_ACTIVE, None, None).await;
    let jwks = app.jwks().await;
    assert_eq!(token.header.kid.as_deref(), jwks["keys"][0]["kid"].as_str());
    assert!(
        token
            .header
            .kid
            .as_deref()
            .is_some_and(|kid| kid.starts_with("ins_"))
    );

    let claims = &token.claims;
    assert_eq!(claims["sid"], ALICE_ACTIVE);
    assert_eq!(claims["sub"], ALICE);
    assert_eq!(claims["v"], 2);
    assert_eq!(claims["sts"], "active");
    assert_eq!(claims["iss"], app.address);
    assert!(claims["jti"].as_str().is_some_and(|jti| jti.len() == 20));
    assert_eq!(lifetime(claims), 60);
    assert_eq!(
        claims["nbf"].as_i64(),
        claims["iat"].as_i64().map(|iat| iat - 5)
    );
    assert!(
        (claims["iat"].as_i64().unwrap_or(0) - jwt::now_secs()).abs() <= 5,
        "iat follows the wall clock"
    );
    assert!(
        claims["fva"]
            .as_array()
            .is_some_and(|fva| fva.len() == 2 && fva[1] == -1)
    );
    for absent in ["act", "o", "azp"] {
        assert!(
            claims.get(absent).is_none(),
            "{absent} should be absent: {claims:#}"
        );
    }
}

#[tokio::test]
async fn the_authorized_party_is_the_azp_claim_when_configured() {
    let app = spawn_app_with(|settings| {
        settings.authorized_party = Some("https://app.example".to_owned())
    })
    .await;
    let token = app.mint_verified(ALICE_ACTIVE, None, None).await;
    assert_eq!(token.claims["azp"], "https://app.example");
    let template = app.mint_verified(ALICE_ACTIVE, Some("test"), None).await;
    assert_eq!(template.claims["azp"], "https://app.example");
}

#[tokio::test]
async fn every_empty_body_gives_the_default_lifetime() {
    let app = spawn_app().await;
    for body in [
        None,
        Some(""),
        Some("{}"),
        Some("null"),
        Some(r#"{"expires_in_seconds": null}"#),
    ] {
        let mut request = app.post(&format!("/v1/sessions/{ALICE_ACTIVE}/tokens"));
        if let Some(body) = body {
            request = request.body("application/json", body.as_bytes().to_vec());
        }
        let answer = request.send().await;
        answer.assert_status(200);
        let token = jwt::verify(
            answer.body["jwt"].as_str().expect("jwt"),
            &app.jwks().await,
            jwt::now_secs(),
            5,
        )
        .expect("verifies");
        assert_eq!(lifetime(&token.claims), 60, "{body:?}");
    }
}

#[tokio::test]
async fn expires_in_seconds_sets_the_lifetime_within_its_bounds() {
    let app = spawn_app().await;
    for seconds in [30, 120, 315_360_000] {
        let token = app
            .mint_verified(
                ALICE_ACTIVE,
                None,
                Some(json!({ "expires_in_seconds": seconds })),
            )
            .await;
        assert_eq!(lifetime(&token.claims), seconds);
    }
}

#[tokio::test]
async fn expires_in_seconds_out_of_range_or_of_the_wrong_type_is_422() {
    let app = spawn_app().await;
    for (value, code) in [
        (json!(29), "form_param_value_invalid"),
        (json!(315_360_001), "form_param_value_invalid"),
        (json!(-1), "form_param_value_invalid"),
        (json!("60"), "form_param_type_invalid"),
        (json!(60.5), "form_param_type_invalid"),
        (json!(true), "form_param_type_invalid"),
    ] {
        for template in [None, Some("test")] {
            app.mint(
                ALICE_ACTIVE,
                template,
                Some(json!({ "expires_in_seconds": value })),
            )
            .await
            .assert_param_error(code, "expires_in_seconds");
        }
    }
}

#[tokio::test]
async fn a_malformed_body_is_400() {
    let app = spawn_app().await;
    for path in [
        format!("/v1/sessions/{ALICE_ACTIVE}/tokens"),
        format!("/v1/sessions/{ALICE_ACTIVE}/tokens/test"),
    ] {
        app.post(&path)
            .body("application/json", b"{\"expires_in_seconds\":".to_vec())
            .send()
            .await
            .assert_error(400, "request_body_invalid");
    }
}

#[tokio::test]
async fn an_impersonated_session_token_carries_act() {
    let app = spawn_app().await;
    let token = app.mint_verified(BOB_IMPERSONATED, None, None).await;
    assert_eq!(token.claims["act"]["sub"], CAROL);
}

#[tokio::test]
async fn a_session_with_an_active_organization_carries_o() {
    let app = spawn_app().await;
    let token = app.mint_verified(ALICE_ACME, None, None).await;
    assert_eq!(
        token.claims["o"],
        json!({ "id": ACME, "slg": "acme", "rol": "admin" })
    );
}

#[tokio::test]
async fn a_pending_session_token_says_so_in_sts() {
    let app = spawn_app().await;
    let token = app.mint_verified(ALICE_PENDING, None, None).await;
    assert_eq!(token.claims["sts"], "pending");
}

#[tokio::test]
async fn minting_counts_as_activity() {
    let app = spawn_app().await;
    let before = app.get_session(ALICE_ACTIVE).await.body;
    app.mint(ALICE_ACTIVE, None, None).await.assert_status(200);
    let after = app.get_session(ALICE_ACTIVE).await.body;
    assert!(after["last_active_at"].as_i64() > before["last_active_at"].as_i64());
    assert!(after["updated_at"].as_i64() >= after["last_active_at"].as_i64());
}

#[tokio::test]
async fn unknown_and_ended_sessions_get_no_token() {
    let app = spawn_app().await;
    for session in [UNKNOWN_SESSION, ALICE_REVOKED, "not-a-session"] {
        for template in [None, Some("test")] {
            app.mint(session, template, None)
                .await
                .assert_error(404, "resource_not_found");
        }
    }
}

#[tokio::test]
async fn a_template_token_carries_the_rendered_claims_and_the_defaults() {
    let app = spawn_app().await;
    let token = app.mint_verified(ALICE_ACME, Some("test"), None).await;
    let claims = &token.claims;
    assert_eq!(claims["sub"], ALICE);
    assert_eq!(claims["user_id"], ALICE);
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["name"], "Alice Anders");
    assert_eq!(claims["greeting"], "Hello, Alice!");
    assert_eq!(claims["plan"], "pro");
    assert_eq!(
        claims["metadata"]["features"],
        json!({"beta": true, "seats": 5})
    );
    assert_eq!(
        claims["org"],
        json!({"id": ACME, "slug": "acme", "role": "org:admin"})
    );
    assert!(claims["created_at"].is_i64());
    assert!(claims["nickname"].is_null());
    assert_eq!(claims["iss"], app.address);
    assert!(claims["jti"].is_string());
    assert!(claims.get("sid").is_none(), "template tokens carry no sid");
    assert_eq!(lifetime(claims), 60);
    assert_eq!(
        claims["nbf"].as_i64(),
        claims["iat"].as_i64().map(|iat| iat - 5)
    );
}

#[tokio::test]
async fn template_fallbacks_apply_without_an_organization() {
    let app = spawn_app().await;
    let token = app.mint_verified(ALICE_ACTIVE, Some("hasura"), None).await;
    let hasura = &token.claims["https://hasura.io/jwt/claims"];
    assert_eq!(hasura["x-hasura-user-id"], ALICE);
    assert_eq!(hasura["x-hasura-org-id"], "none");
    assert_eq!(hasura["x-hasura-default-role"], "admin");
    assert_eq!(token.claims["org"], Value::Null);
}

#[tokio::test]
async fn a_template_sets_its_own_lifetime_and_skew_unless_overridden() {
    let app = spawn_app().await;
    let hasura = app
        .mint_verified(ALICE_ACTIVE, Some("hasura"), None)
        .await
        .claims;
    assert_eq!(lifetime(&hasura), 600);
    assert_eq!(
        hasura["nbf"].as_i64(),
        hasura["iat"].as_i64().map(|iat| iat - 10)
    );
    let overridden = app
        .mint_verified(
            ALICE_ACTIVE,
            Some("hasura"),
            Some(json!({"expires_in_seconds": 45})),
        )
        .await
        .claims;
    assert_eq!(lifetime(&overridden), 45);
}

#[tokio::test]
async fn an_unknown_template_is_404_jwt_template_not_found() {
    let app = spawn_app().await;
    let answer = app.mint(ALICE_ACTIVE, Some("no_such_template"), None).await;
    let error = answer.assert_error(404, "resource_not_found");
    assert_eq!(error["message"], "JWT template not found");
}

#[tokio::test]
async fn a_token_of_one_instance_does_not_verify_with_another_instance_jwks() {
    let app = spawn_app_with(|settings| {
        settings.secret_keys = vec!["sk_test_first".to_owned(), "sk_test_second".to_owned()];
    })
    .await;
    let token = app
        .post(&format!("/v1/sessions/{ALICE_ACTIVE}/tokens"))
        .key("sk_test_first")
        .send()
        .await;
    let jwt = token.body["jwt"].as_str().expect("jwt");
    let other_jwks = app.get("/v1/jwks").key("sk_test_second").send().await.body;
    assert!(matches!(
        jwt::verify(jwt, &other_jwks, jwt::now_secs(), 5),
        Err(jwt::TokenProblem::UnknownKid(_))
    ));
}

#[tokio::test]
async fn generated_signing_keys_differ_per_instance() {
    let app = spawn_app_with(|settings| {
        settings.secret_keys = vec!["sk_test_first".to_owned(), "sk_test_second".to_owned()];
        settings.generate_signing_keys = true;
    })
    .await;
    let first = app.get("/v1/jwks").key("sk_test_first").send().await.body;
    let second = app.get("/v1/jwks").key("sk_test_second").send().await.body;
    assert_ne!(first["keys"][0]["n"], second["keys"][0]["n"]);
    let token = app.mint_verified(ALICE_ACTIVE, None, None).await;
    assert_eq!(token.claims["sid"], ALICE_ACTIVE);
}

#[tokio::test]
async fn the_default_template_verifies_with_default_options_and_one_with_aud_needs_its_audience() {
    // Verifiers such as PyJWT (the Python SDK) and clerk-rs refuse a token with an `aud` they
    // were not told to expect; jsonwebtoken's default validation does the same.
    let app = spawn_app().await;
    let pem = app.public_key_pem().await;
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes()).expect("a public key");
    let jwt_of = |answer: crate::helpers::Answer| {
        answer.assert_status(200);
        answer.body["jwt"].as_str().expect("jwt").to_owned()
    };
    let default_options = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);

    let test = jwt_of(app.mint(ALICE_ACTIVE, Some("test"), None).await);
    let claims = jsonwebtoken::decode::<Value>(&test, &key, &default_options).expect("verifies");
    assert!(claims.claims.get("aud").is_none());

    let supabase = jwt_of(app.mint(ALICE_ACTIVE, Some("supabase"), None).await);
    assert!(jsonwebtoken::decode::<Value>(&supabase, &key, &default_options).is_err());
    let mut told = default_options.clone();
    told.set_audience(&["authenticated"]);
    let claims = jsonwebtoken::decode::<Value>(&supabase, &key, &told).expect("verifies");
    assert_eq!(claims.claims["aud"], "authenticated");
}

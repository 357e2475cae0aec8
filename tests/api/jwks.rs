//! The JWKS and the operator's PEM copy of the public key.

use clerk_conformance::jwt;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use crate::helpers::{ALICE_ACTIVE, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_jwks_lists_the_instance_rsa_key() {
    let app = spawn_app().await;
    let jwks = app.jwks().await;
    let keys = jwks["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["e"], "AQAB");
    assert!(
        key["kid"]
            .as_str()
            .is_some_and(|kid| kid.starts_with("ins_") && kid.len() == 31)
    );
    assert!(key["n"].as_str().is_some_and(|n| n.len() > 300));
}

#[tokio::test]
async fn the_jwks_needs_the_secret_key() {
    let app = spawn_app().await;
    app.get("/v1/jwks")
        .authorization(None)
        .send()
        .await
        .assert_error(401, "authentication_invalid");
    app.get("/v1/jwks")
        .key("sk_test_nope")
        .send()
        .await
        .assert_error(401, "clerk_key_invalid");
}

#[tokio::test]
async fn each_instance_has_its_own_kid() {
    let app = spawn_app_with(|settings| {
        settings.secret_keys = vec!["sk_test_first".to_owned(), "sk_test_second".to_owned()];
    })
    .await;
    let first = app.get("/v1/jwks").key("sk_test_first").send().await.body;
    let second = app.get("/v1/jwks").key("sk_test_second").send().await.body;
    assert_ne!(first["keys"][0]["kid"], second["keys"][0]["kid"]);
}

#[tokio::test]
async fn the_public_key_pem_verifies_tokens_without_the_network() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/jwt-public-key.pem", app.address))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/x-pem-file")
    );
    let pem = response.text().await.expect("pem");
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    let key = DecodingKey::from_rsa_pem(pem.as_bytes()).expect("a public key");

    let answer = app.mint(ALICE_ACTIVE, None, None).await;
    let jwt = answer.body["jwt"].as_str().expect("jwt");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<Value>(jwt, &key, &validation).expect("verifies");
    assert_eq!(claims.claims["sid"], ALICE_ACTIVE);
    assert!(jwt::verify(jwt, &app.jwks().await, jwt::now_secs(), 5).is_ok());
}

#[tokio::test]
async fn the_pem_of_an_unknown_instance_is_404_in_the_envelope() {
    let app = spawn_app().await;
    let answer = app
        .get("/jwt-public-key.pem?kid=ins_2NoSuchInstance000000000000")
        .authorization(None)
        .send()
        .await;
    answer.assert_status(404);
    assert_eq!(answer.body["errors"][0]["code"], "resource_not_found");
}

//! `POST /v1/sessions/{id}/refresh`: a new token for a session given its expired token and its
//! refresh token, as a Token or as cookies; a 401 for everything that may not refresh; and the
//! refresh tokens the admin API hands out.

use clerk_conformance::jwt;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    ALICE, ALICE_ACME, ALICE_ACTIVE, ALICE_REVOKED, Answer, TestApp, UNKNOWN_SESSION,
    captured_logs, spawn_app,
};

const ORIGIN: &str = "http://localhost:3000";
const ALICE_ENDED: &str = "sess_2AliceEndedNZXhLuDnkqBS6AQq";
const OTHER_KEY: &str = include_str!("../data/pkcs1_test_key.pem");

async fn refresh(app: &TestApp, session: &str, body: &Value) -> Answer {
    app.post(&format!("/v1/sessions/{session}/refresh"))
        .json(body)
        .send()
        .await
}

fn body(expired_token: &str, refresh_token: &str) -> Value {
    json!({
        "expired_token": expired_token,
        "refresh_token": refresh_token,
        "request_origin": ORIGIN,
    })
}

#[tokio::test]
async fn an_expired_token_and_the_refresh_token_give_a_new_session_token_for_the_origin() {
    let app = spawn_app().await;
    let expired = app.expired_token(ALICE_ACME).await;
    let refresh_token = app.refresh_token(ALICE_ACME).await;
    for version in ["2021-02-05", "2026-05-12"] {
        let answer = app
            .post(&format!("/v1/sessions/{ALICE_ACME}/refresh"))
            .version(version)
            .json(&body(&expired, &refresh_token))
            .send()
            .await;
        answer.assert_status(200);
        assert_eq!(answer.body["object"], "token", "{version}");
        let jwt = answer.body["jwt"].as_str().expect("jwt");
        let token = jwt::verify(jwt, &app.jwks().await, jwt::now_secs(), 5)
            .unwrap_or_else(|problem| panic!("{version}: {problem}"));
        assert_eq!(token.claims["sid"], ALICE_ACME);
        assert_eq!(token.claims["sub"], ALICE);
        assert_eq!(token.claims["azp"], ORIGIN);
        assert_eq!(token.claims["v"], 2);
        assert_eq!(token.claims["o"]["slg"], "acme", "a normal session token");
        assert!(token.claims["exp"].as_i64() > Some(jwt::now_secs()));
    }
}

#[tokio::test]
async fn the_cookie_format_answers_the_session_cookie_and_its_suffixed_twin() {
    let app = spawn_app().await;
    let token = app.jwt(ALICE_ACTIVE, None).await;
    let refresh_token = app.refresh_token(ALICE_ACTIVE).await;
    let mut wanted = body(&token, &refresh_token);
    wanted["format"] = json!("cookie");

    let answer = refresh(&app, ALICE_ACTIVE, &wanted).await;
    answer.assert_status(200);
    assert_eq!(answer.body["object"], "cookies");
    let cookies: Vec<&str> = answer.body["cookies"]
        .as_array()
        .expect("cookies")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let (jwt, attributes) = cookies[0]
        .strip_prefix("__session=")
        .and_then(|rest| rest.split_once("; "))
        .expect("a __session cookie");
    let claims = jwt::verify(jwt, &app.jwks().await, jwt::now_secs(), 5)
        .expect("the cookie holds a valid token")
        .claims;
    assert_eq!(claims["sid"], ALICE_ACTIVE);
    assert!(attributes.starts_with("Path=/; Expires="), "{attributes}");
    assert!(attributes.ends_with(" GMT; SameSite=Lax"), "{attributes}");

    // Asked for in the query, as the SDK asks; an https origin makes the cookies Secure.
    wanted["request_origin"] = json!("https://app.example.com");
    let answer = app
        .post(&format!("/v1/sessions/{ALICE_ACTIVE}/refresh"))
        .query("suffixed_cookies", "true")
        .json(&wanted)
        .send()
        .await;
    answer.assert_status(200);
    let cookies = answer.body["cookies"].as_array().expect("cookies");
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    let name = |cookie: &Value| {
        cookie
            .as_str()
            .and_then(|cookie| cookie.split_once('='))
            .map(|(name, _)| name.to_owned())
            .unwrap_or_default()
    };
    assert_eq!(name(&cookies[0]), "__session");
    let suffixed = name(&cookies[1]);
    assert_eq!(suffixed.len(), "__session_".len() + 8, "{suffixed}");
    assert!(suffixed.starts_with("__session_"));
    for cookie in cookies {
        assert!(
            cookie.as_str().is_some_and(|c| c.ends_with("; Secure")),
            "{cookie}"
        );
    }
}

#[tokio::test]
async fn everything_that_may_not_refresh_is_a_401() {
    let server = spawn_app().await;
    let created = server.create_instance().await;
    created.assert_status(201);
    let other_key = created.body["secret_key"].as_str().expect("key").to_owned();
    let other_instance = server.with_key(&other_key);

    let app = server;
    let token = app.jwt(ALICE_ACTIVE, None).await;
    let refresh_token = app.refresh_token(ALICE_ACTIVE).await;
    let cases = [
        (
            "a token of another instance",
            ALICE_ACTIVE,
            body(
                &other_instance.jwt(ALICE_ACTIVE, None).await,
                &refresh_token,
            ),
        ),
        (
            "a token signed with another key",
            ALICE_ACTIVE,
            body(
                &app.expired_token_signed_with(ALICE_ACTIVE, OTHER_KEY).await,
                &refresh_token,
            ),
        ),
        (
            "a token of another session",
            ALICE_ACME,
            body(&token, &app.refresh_token(ALICE_ACME).await),
        ),
        (
            "an unknown refresh token",
            ALICE_ACTIVE,
            body(&token, "bm90IGEgcmVmcmVzaCB0b2tlbg"),
        ),
        (
            "another session's refresh token",
            ALICE_ACTIVE,
            body(&token, &app.refresh_token(ALICE_ACME).await),
        ),
        (
            "another instance's refresh token",
            ALICE_ACTIVE,
            body(&token, &other_instance.refresh_token(ALICE_ACTIVE).await),
        ),
        (
            "a revoked session",
            ALICE_REVOKED,
            body(
                &app.expired_token(ALICE_REVOKED).await,
                &app.refresh_token(ALICE_REVOKED).await,
            ),
        ),
        (
            "an ended session",
            ALICE_ENDED,
            body(
                &app.expired_token(ALICE_ENDED).await,
                &app.refresh_token(ALICE_ENDED).await,
            ),
        ),
        (
            "an unknown session",
            UNKNOWN_SESSION,
            body(&app.expired_token(UNKNOWN_SESSION).await, &refresh_token),
        ),
        (
            "a token that is not a JWT",
            ALICE_ACTIVE,
            body("not.a.jwt", &refresh_token),
        ),
    ];
    for (case, session, wanted) in cases {
        let answer = refresh(&app, session, &wanted).await;
        let error = answer.assert_error(401, "authentication_invalid");
        assert!(
            error["long_message"]
                .as_str()
                .is_some_and(|message| message.starts_with("The session cannot be refreshed")),
            "{case}: {error}"
        );
    }
}

#[tokio::test]
async fn a_session_revoked_or_expired_since_its_token_was_minted_does_not_refresh() {
    let server = spawn_app().await;
    let created = server.create_instance().await;
    let app = server.with_key(created.body["secret_key"].as_str().expect("key"));
    for ends in ["revoke", "expire"] {
        let session = app
            .request(Method::POST, "/__admin/instance/sessions")
            .json(&json!({ "user_id": ALICE }))
            .send()
            .await;
        session.assert_status(200);
        let id = session.body["id"].as_str().expect("id").to_owned();
        let refresh_token = session.body["refresh_token"]
            .as_str()
            .expect("the created session's refresh token")
            .to_owned();
        assert_eq!(refresh_token, app.refresh_token(&id).await);
        let token = app.jwt(&id, None).await;
        refresh(&app, &id, &body(&token, &refresh_token))
            .await
            .assert_status(200);

        if ends == "revoke" {
            app.revoke_session(&id).await.assert_status(200);
        } else {
            app.request(Method::POST, "/__admin/instance/clock")
                .json(&json!({ "advance_ms": 8 * 86_400_000_i64 }))
                .send()
                .await
                .assert_status(200);
        }
        let refused = refresh(&app, &id, &body(&token, &refresh_token)).await;
        let error = refused.assert_error(401, "authentication_invalid");
        let expected = if ends == "revoke" {
            "revoked"
        } else {
            "expired"
        };
        assert!(
            error["long_message"]
                .as_str()
                .is_some_and(|message| message.contains(expected)),
            "{ends}: {error}"
        );
    }
}

#[tokio::test]
async fn a_bad_body_is_400_and_missing_or_mistyped_fields_422_naming_each() {
    let app = spawn_app().await;
    let path = format!("/v1/sessions/{ALICE_ACTIVE}/refresh");
    app.post(&path)
        .body("application/json", b"{\"expired_token\":".to_vec())
        .send()
        .await
        .assert_error(400, "request_body_invalid");

    let missing = refresh(&app, ALICE_ACTIVE, &json!({})).await;
    missing.assert_status(422);
    let named: Vec<(&str, &str)> = missing.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| {
            (
                error["code"].as_str().unwrap_or_default(),
                error["meta"]["param_name"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            ("form_param_missing", "expired_token"),
            ("form_param_missing", "refresh_token"),
            ("form_param_missing", "request_origin"),
        ]
    );

    let token = app.jwt(ALICE_ACTIVE, None).await;
    let refresh_token = app.refresh_token(ALICE_ACTIVE).await;
    for (field, value, code) in [
        ("format", json!("xml"), "form_param_value_invalid"),
        (
            "request_headers",
            json!("Host: x"),
            "form_param_type_invalid",
        ),
        ("suffixed_cookies", json!("yes"), "form_param_type_invalid"),
        ("refresh_token", json!(42), "form_param_type_invalid"),
        ("cookie_domain", json!("x"), "form_param_unknown"),
    ] {
        let mut wanted = body(&token, &refresh_token);
        wanted[field] = value;
        refresh(&app, ALICE_ACTIVE, &wanted)
            .await
            .assert_param_error(code, field);
    }

    // What the SDK sends besides the three tokens is accepted.
    let mut wanted = body(&token, &refresh_token);
    wanted["request_headers"] = json!({ "host": ["localhost:3000"], "cookie": ["__session=x"] });
    wanted["request_originating_ip"] = json!("203.0.113.7");
    wanted["format"] = Value::Null;
    refresh(&app, ALICE_ACTIVE, &wanted)
        .await
        .assert_status(200);
}

#[tokio::test]
async fn refresh_tokens_come_only_from_the_admin_api() {
    let app = spawn_app().await;
    let refresh_token = app.refresh_token(ALICE_ACTIVE).await;
    assert_eq!(refresh_token, app.refresh_token(ALICE_ACTIVE).await);
    assert_ne!(refresh_token, app.refresh_token(ALICE_ACME).await);

    let token = app.jwt(ALICE_ACTIVE, None).await;
    refresh(&app, ALICE_ACTIVE, &body(&token, &refresh_token))
        .await
        .assert_status(200);
    let session = app.get_session(ALICE_ACTIVE).await;
    let list = app.list_sessions(&[("user_id", ALICE)]).await;
    for answer in [&session, &list] {
        assert!(!answer.body.to_string().contains(&refresh_token));
    }
    assert!(!captured_logs().contains(&refresh_token));

    let path = format!("/__admin/instance/sessions/{UNKNOWN_SESSION}/refresh_token");
    app.get(&path)
        .send()
        .await
        .assert_error(404, "resource_not_found");
    app.get(&path)
        .authorization(None)
        .send()
        .await
        .assert_error(401, "authentication_invalid");
}

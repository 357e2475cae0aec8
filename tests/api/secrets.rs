//! Isolation and secrets: one instance never sees or changes another's data through any
//! operation; secret keys never reach the logs; the private signing key never leaves.

use serde_json::json;

use crate::helpers::{ALICE, ALICE_ACTIVE, captured_logs, fixtures, spawn_app_with};

const FIRST: &str = "sk_test_isolation_first";
const SECOND: &str = "sk_test_isolation_second";

#[tokio::test]
async fn a_session_of_one_instance_is_unknown_to_every_operation_of_another() {
    let app =
        spawn_app_with(|settings| settings.secret_keys = vec![FIRST.to_owned(), SECOND.to_owned()])
            .await;
    let created = app
        .post("/v1/sessions")
        .key(FIRST)
        .json(&json!({ "user_id": ALICE }))
        .send()
        .await;
    let id = created.body["id"].as_str().expect("id").to_owned();
    let token = app
        .post(&format!("/v1/sessions/{id}/tokens"))
        .key(FIRST)
        .send()
        .await
        .body["jwt"]
        .as_str()
        .expect("jwt")
        .to_owned();

    let other = |path: String| app.post(&path).key(SECOND);
    other(format!("/v1/sessions/{id}/revoke"))
        .send()
        .await
        .assert_error(404, "resource_not_found");
    other(format!("/v1/sessions/{id}/tokens"))
        .send()
        .await
        .assert_error(404, "resource_not_found");
    other(format!("/v1/sessions/{id}/tokens/test"))
        .send()
        .await
        .assert_error(404, "resource_not_found");
    other(format!("/v1/sessions/{id}/verify"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .assert_error(404, "resource_not_found");
    app.get(&format!("/v1/sessions/{id}"))
        .key(SECOND)
        .send()
        .await
        .assert_error(404, "resource_not_found");
    let listed = app
        .get("/v1/sessions")
        .query("user_id", ALICE)
        .query("limit", "500")
        .key(SECOND)
        .send()
        .await;
    assert!(
        listed
            .body
            .as_array()
            .expect("array")
            .iter()
            .all(|s| s["id"] != id.as_str())
    );

    // Nothing the second key did reached the first instance.
    let mine = app
        .get(&format!("/v1/sessions/{id}"))
        .key(FIRST)
        .send()
        .await;
    assert_eq!(mine.body["status"], "active");
}

#[tokio::test]
async fn secret_keys_never_reach_the_logs() {
    let key = "sk_test_this_key_must_never_be_logged_8f3a";
    let app = spawn_app_with(|settings| settings.secret_keys = vec![key.to_owned()]).await;
    let instance = app.jwks().await["keys"][0]["kid"]
        .as_str()
        .expect("kid")
        .to_owned();
    app.get_session(ALICE_ACTIVE).await.assert_status(200);
    app.get_session("sess_nope").await.assert_status(404);
    app.mint(ALICE_ACTIVE, Some("test"), None)
        .await
        .assert_status(200);
    app.get("/v1/jwks")
        .key(&format!("{key}_wrong"))
        .send()
        .await
        .assert_status(401);
    app.get("/v1/jwks")
        .authorization(Some(&format!("Basic {key}")))
        .send()
        .await
        .assert_status(401);
    let logs = captured_logs();
    assert!(
        logs.contains(&instance),
        "the requests were logged, by instance id"
    );
    assert!(!logs.contains(key), "a secret key was logged");
}

#[tokio::test]
async fn every_error_names_the_trace_id_of_its_log_line() {
    let app = spawn_app_with(|_| {}).await;
    let answer = app.get_session("sess_trace_me").await;
    let trace_id = answer.body["clerk_trace_id"]
        .as_str()
        .expect("trace id")
        .to_owned();
    let logs = captured_logs();
    let line = logs
        .lines()
        .find(|line| line.contains(&trace_id))
        .expect("a log line with the trace id");
    assert!(
        line.contains("status=404") && line.contains("/v1/sessions/sess_trace_me"),
        "{line}"
    );
}

#[tokio::test]
async fn the_private_signing_key_never_leaves_the_server() {
    let app = spawn_app_with(|_| {}).await;
    let jwks = app.jwks().await;
    let mut fields: Vec<&str> = jwks["keys"][0]
        .as_object()
        .expect("key")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["alg", "e", "kid", "kty", "n", "use"]);
    let pem = app.public_key_pem().await;
    assert!(pem.contains("PUBLIC KEY") && !pem.contains("PRIVATE"));
    let document = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .expect("answered");
    assert!(!document.text().await.expect("text").contains("PRIVATE KEY"));
}

/// The `kid` and the first generated session id of the default key's instance on a server
/// started with `id_secret`.
async fn public_identifiers(id_secret: Option<&str>) -> (String, String) {
    let app = spawn_app_with(|settings| {
        settings.id_secret = id_secret.map(str::to_owned);
        settings.lenient_list = true;
    })
    .await;
    let kid = app.jwks().await["keys"][0]["kid"]
        .as_str()
        .expect("kid")
        .to_owned();
    let fixture_ids: Vec<String> = fixtures()
        .data
        .sessions
        .iter()
        .filter_map(|session| session.id)
        .map(|id| id.to_string())
        .collect();
    let listed = app.list_sessions(&[("limit", "500")]).await;
    let generated = listed
        .body
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|session| session["id"].as_str())
        .filter(|id| !fixture_ids.iter().any(|fixture| fixture == id))
        .min()
        .expect("generated sessions")
        .to_owned();
    (kid, generated)
}

#[tokio::test]
async fn public_identifiers_derive_from_the_key_and_the_id_secret_and_survive_restarts() {
    let without = public_identifiers(None).await;
    let first = public_identifiers(Some("team secret")).await;
    let restarted = public_identifiers(Some("team secret")).await;
    let other = public_identifiers(Some("another secret")).await;
    // The same key and secret give the same kid and data on every start, so tokens minted
    // before a restart verify after it; another secret gives other identifiers, so nobody who
    // lacks it can tie a kid or a generated id to a guessed key.
    assert_eq!(first, restarted);
    assert_ne!(first.0, other.0);
    assert_ne!(first.1, other.1);
    assert_ne!(first.0, without.0);
    assert_eq!(without, public_identifiers(None).await);
}

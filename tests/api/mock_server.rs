//! The in-process `MockServer` a Rust backend's tests start: on a free port, driven by typed
//! helpers (sign in, load data, move the clock, set faults, find, count and wait on the journal),
//! refusing what the admin API refuses with the same codes, and stopped when dropped.

use std::time::Duration;

use base64::Engine as _;
use clerk_backend_mock::harness::known::{ALICE, ALICE_ACTIVE_SESSION, BOB};
use clerk_backend_mock::harness::{MockError, MockServer};
use serde_json::{Value, json};

async fn get(mock: &MockServer, path: &str) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .get(format!("{}{path}", mock.uri()))
        .bearer_auth(mock.secret_key())
        .send()
        .await
        .expect("the mock answers");
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[tokio::test]
async fn a_signed_in_user_has_a_live_session_and_its_token_until_the_clock_passes_it() {
    let mock = MockServer::start().await;
    assert!(mock.uri().starts_with("http://127.0.0.1:"));
    assert_eq!(mock.api_url(), format!("{}/v1", mock.uri()));
    assert!(mock.publishable_key().starts_with("pk_test_"));

    let signed_in = mock.sign_in(BOB).expect("Bob signs in");
    let claims = claims(&signed_in.token);
    assert_eq!(claims["sub"], BOB);
    assert_eq!(claims["sid"], signed_in.session_id.as_str());
    assert!(!signed_in.refresh_token.is_empty());
    let (status, session) = get(&mock, &format!("/v1/sessions/{}", signed_in.session_id)).await;
    assert_eq!((status, session["status"].clone()), (200, json!("active")));

    mock.advance_clock(Duration::from_secs(8 * 24 * 3600));
    let (_, session) = get(&mock, &format!("/v1/sessions/{}", signed_in.session_id)).await;
    assert_eq!(session["status"], "expired");
    let refused = mock
        .session_token(&signed_in.session_id)
        .expect_err("no token for an expired session");
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (404, "resource_not_found")
    );

    let unknown = mock
        .sign_in("user_2NobodyHasThisId00000000000")
        .expect_err("no such user");
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.message.contains("user_2NobodyHasThisId"),
        "{unknown}"
    );
}

#[tokio::test]
async fn data_and_faults_are_set_as_the_admin_api_sets_them() {
    let mock = MockServer::start().await;
    mock.load(
        &json!({"users": [{"id": "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7", "first_name": "Dave"}]}),
    )
    .expect("the document loads");
    let (status, dave) = get(&mock, "/v1/users/user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7").await;
    assert_eq!((status, dave["first_name"].clone()), (200, json!("Dave")));
    let refused = mock
        .load(&json!({"sessions": [{"user_id": "user_2NobodyHasThisId00000000000"}]}))
        .expect_err("an unknown user");
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (422, "form_param_value_invalid")
    );

    let endpoint = mock
        .register_webhook("http://127.0.0.1:9/hooks", None)
        .expect("a valid URL");
    assert!(endpoint.secret.starts_with("whsec_"));
    let refused = mock
        .register_webhook("ftp://example.com/", None)
        .expect_err("not http");
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (400, "webhook_endpoint_invalid")
    );

    mock.set_faults(&json!({"default": {"error_rate": 1.0, "error_status": 503}}))
        .expect("a valid plan");
    assert_eq!(get(&mock, &format!("/v1/users/{ALICE}")).await.0, 503);
    mock.restore_faults();
    assert_eq!(get(&mock, &format!("/v1/users/{ALICE}")).await.0, 200);
    let bad: MockError = mock
        .set_faults(&json!({"default": {"error_rate": 2.0}}))
        .expect_err("a rate over 1");
    assert_eq!(bad.status, 422);
    assert!(bad.message.contains("default.error_rate"), "{bad}");
}

#[tokio::test]
async fn the_journal_is_found_counted_and_waited_on_without_sleeps() {
    let mock = MockServer::start().await;
    let revoke = json!({"operation_id": "RevokeSession"});
    // A background job that calls Clerk a little later.
    let uri = mock.uri().to_owned();
    let key = mock.secret_key().to_owned();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        reqwest::Client::new()
            .post(format!("{uri}/v1/sessions/{ALICE_ACTIVE_SESSION}/revoke"))
            .bearer_auth(key)
            .send()
            .await
            .expect("the mock answers");
    });
    let waited = mock
        .journal_wait(&revoke, 1, Duration::from_secs(10))
        .await
        .expect("a valid pattern");
    assert!(waited.satisfied);
    assert_eq!(
        waited.entries[0]["path"],
        format!("/v1/sessions/{ALICE_ACTIVE_SESSION}/revoke")
    );
    assert_eq!(mock.journal_count(&revoke), Ok(1));
    let short = mock
        .journal_wait(&revoke, 2, Duration::from_millis(50))
        .await
        .expect("a valid pattern");
    assert_eq!((short.satisfied, short.entries.len()), (false, 1));

    let bad = mock
        .journal_find(&json!({"path_regex": "("}))
        .expect_err("a bad regex");
    assert_eq!((bad.status, bad.code.as_str()), (400, "pattern_invalid"));
    mock.clear_journal();
    assert_eq!(mock.journal_count(&json!({})), Ok(0));
}

#[tokio::test]
async fn the_builder_takes_the_binarys_settings_and_a_dropped_server_stops() {
    let mock = MockServer::builder()
        .generated(0, 0, 0)
        .api_version("2025-11-10")
        .expect("a known version")
        .start()
        .await;
    let (status, count) = get(&mock, "/v1/users/count").await;
    assert_eq!(
        (status, count["total_count"].clone()),
        (200, json!(4)),
        "the fixtures' four users"
    );
    let address = mock.uri().trim_start_matches("http://").to_owned();
    drop(mock);
    let mut stopped = false;
    for _ in 0..50 {
        if std::net::TcpStream::connect(&address).is_err() {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(stopped, "{address} still takes connections");

    assert!(MockServer::builder().api_version("1999-01-01").is_err());
    let error = MockServer::builder()
        .data("/nowhere/data.json")
        .try_start()
        .await
        .expect_err("a missing document");
    assert!(error.to_string().contains("/nowhere/data.json"), "{error}");
}

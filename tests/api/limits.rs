//! Limits: absurd ids, query strings and header values get a 4xx, a slow or half-open client
//! cannot tie the server up, and the server keeps answering after each.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{ALICE_ACTIVE, TestApp, spawn_app, spawn_app_with};

async fn still_answering(app: &TestApp) {
    app.get_session(ALICE_ACTIVE).await.assert_status(200);
}

#[tokio::test]
async fn a_huge_query_value_is_an_ordinary_answer() {
    let app = spawn_app().await;
    let huge = "u".repeat(60_000);
    let answer = app
        .list_sessions(&[("user_id", &huge), ("paginated", "true")])
        .await;
    answer.assert_status(200);
    assert_eq!(answer.body["total_count"], 0);
    app.list_sessions(&[("user_id", "x"), ("limit", &"9".repeat(10_000))])
        .await
        .assert_param_error("form_param_value_invalid", "limit");
}

#[tokio::test]
async fn huge_header_values_are_4xx_in_the_envelope() {
    let app = spawn_app().await;
    let huge = "v".repeat(30_000);
    let answer = app
        .get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .version(&huge)
        .send()
        .await;
    let error = answer.assert_error(400, "api_version_invalid");
    assert!(
        error["long_message"]
            .as_str()
            .is_some_and(|m| m.len() < 300),
        "the value is not echoed whole"
    );
    app.get("/v1/jwks")
        .authorization(Some(&format!("Bearer sk_test_{huge}")))
        .send()
        .await
        .assert_error(401, "clerk_key_invalid");
    app.get("/v1/jwks")
        .header("Prefer", &format!("code={huge}"))
        .send()
        .await
        .assert_error(400, "prefer_code_invalid");
}

#[tokio::test]
async fn an_absurd_path_id_is_404() {
    let app = spawn_app().await;
    app.get_session(&"s".repeat(60_000))
        .await
        .assert_error(404, "resource_not_found");
    app.revoke_session(&"%2F".repeat(1_000))
        .await
        .assert_status(404);
}

/// Sends raw bytes and returns the status line the server answers with, if any.
async fn raw_status(app: &TestApp, request: &[u8]) -> Option<String> {
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.ok()?;
    stream.write_all(request).await.ok()?;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .map(str::to_owned)
}

#[tokio::test]
async fn a_request_head_the_http_parser_refuses_is_a_400_and_nothing_else() {
    let app = spawn_app().await;
    let long_uri = format!(
        "GET /v1/sessions?user_id={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let status = raw_status(&app, long_uri.as_bytes()).await;
    assert!(
        status.as_deref().is_some_and(|line| line.contains(" 400 ")),
        "{status:?}"
    );
    let many_headers: String = (0..120).map(|n| format!("X-H{n}: v\r\n")).collect();
    let request = format!("GET /v1/jwks HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n");
    let status = raw_status(&app, request.as_bytes()).await;
    assert!(
        status.as_deref().is_some_and(|line| line.contains(" 4")),
        "{status:?}"
    );
    let garbage = raw_status(&app, b"\x00\x01\x02 nonsense\r\n\r\n").await;
    assert!(
        garbage.as_deref().is_none_or(|line| !line.contains(" 5")),
        "{garbage:?}"
    );
    still_answering(&app).await;
}

#[tokio::test]
async fn a_half_open_client_is_cut_off_and_does_not_block_others() {
    let app = spawn_app_with(|settings| settings.client_timeout_ms = 300).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut slow = TcpStream::connect(&address).await.expect("connects");
    slow.write_all(b"GET /v1/jwks HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("writes");
    // Others are answered while the slow client dawdles.
    still_answering(&app).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the server never let go of the half-open connection"
    );
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    still_answering(&app).await;
}

#[tokio::test]
async fn many_connections_at_once_are_all_answered() {
    let app = spawn_app().await;
    let answers =
        futures_util::future::join_all((0..200).map(|_| app.get_session(ALICE_ACTIVE))).await;
    assert!(answers.iter().all(|answer| answer.status == 200));
}

#[tokio::test]
async fn admin_bodies_take_the_api_limit_but_data_documents() {
    let app = spawn_app().await;
    // 100 KB: over the 64 KiB that clock, faults and session bodies may take.
    let padded = serde_json::json!({ "padding": "x".repeat(100_000) });
    for path in ["/__admin/instance/clock", "/__admin/instance/sessions"] {
        app.post(path)
            .json(&padded)
            .send()
            .await
            .assert_error(413, "request_body_too_large");
    }
    app.request(reqwest::Method::PUT, "/__admin/instance/faults")
        .json(&padded)
        .send()
        .await
        .assert_error(413, "request_body_too_large");
    // A data document of the same size is read: its users are loaded.
    let users: Vec<serde_json::Value> = (0..1_000)
        .map(|n| serde_json::json!({ "id": format!("user_2Padded{n:016}0000"), "first_name": "x".repeat(60) }))
        .collect();
    let document = serde_json::json!({ "users": users });
    assert!(document.to_string().len() > 64 * 1024);
    app.post("/__admin/instance/data")
        .json(&document)
        .send()
        .await
        .assert_status(200);
}

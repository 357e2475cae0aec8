//! Authentication: the three 401 codes, their precedence, and instances per key.

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::helpers::{ALICE, ALICE_ACTIVE, TestApp, UNKNOWN_SESSION, spawn_app, spawn_app_with};

/// One request per operation of the API.
fn operations() -> Vec<(Method, String)> {
    vec![
        (Method::GET, format!("/v1/sessions?user_id={ALICE}")),
        (Method::POST, "/v1/sessions".to_owned()),
        (Method::GET, format!("/v1/sessions/{ALICE_ACTIVE}")),
        (Method::POST, format!("/v1/sessions/{ALICE_ACTIVE}/revoke")),
        (Method::POST, format!("/v1/sessions/{ALICE_ACTIVE}/verify")),
        (Method::POST, format!("/v1/sessions/{ALICE_ACTIVE}/tokens")),
        (
            Method::POST,
            format!("/v1/sessions/{ALICE_ACTIVE}/tokens/test"),
        ),
        (Method::GET, "/v1/jwks".to_owned()),
    ]
}

#[tokio::test]
async fn every_operation_without_an_authorization_header_is_401_authentication_invalid() {
    let app = spawn_app().await;
    for (method, path) in operations() {
        app.request(method, &path)
            .authorization(None)
            .send()
            .await
            .assert_error(401, "authentication_invalid");
    }
}

#[tokio::test]
async fn every_operation_with_a_header_not_of_the_bearer_form_is_401_format_invalid() {
    let app = spawn_app().await;
    for header in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "sk_test_clerk_sessions_mock_default_key",
        "Bearer two keys",
    ] {
        for (method, path) in operations() {
            app.request(method, &path)
                .authorization(Some(header))
                .send()
                .await
                .assert_error(401, "authorization_header_format_invalid");
        }
    }
}

#[tokio::test]
async fn every_operation_with_a_key_the_server_does_not_accept_is_401_clerk_key_invalid() {
    let app = spawn_app().await;
    for key in [
        "sk_test_unknown",
        "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k",
        "sk_live_abc",
    ] {
        for (method, path) in operations() {
            app.request(method, &path)
                .key(key)
                .send()
                .await
                .assert_error(401, "clerk_key_invalid");
        }
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_app().await;
    let header = format!("bearer {}", app.key);
    app.get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .authorization(Some(&header))
        .send()
        .await
        .assert_status(200);
}

#[tokio::test]
async fn authentication_is_checked_before_404_422_400_and_body_parsing() {
    let app = spawn_app().await;
    let unauthenticated = [
        app.get(&format!("/v1/sessions/{UNKNOWN_SESSION}")),
        app.get("/v1/sessions").query("limit", "0"),
        app.get("/v1/sessions"),
        app.get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
            .version("1999-01-01"),
        app.post("/v1/sessions")
            .body("application/json", b"{not json".to_vec()),
    ];
    for request in unauthenticated {
        request
            .authorization(None)
            .send()
            .await
            .assert_error(401, "authentication_invalid");
    }
}

#[tokio::test]
async fn a_session_of_one_key_is_a_404_for_another_key() {
    let app = spawn_app_with(|settings| {
        settings.secret_keys = vec!["sk_test_first".to_owned(), "sk_test_second".to_owned()];
    })
    .await;
    let created = app
        .post("/v1/sessions")
        .key("sk_test_first")
        .json(&json!({ "user_id": ALICE }))
        .send()
        .await;
    created.assert_status(200);
    let id = created.body["id"].as_str().expect("id").to_owned();

    let get = app
        .get(&format!("/v1/sessions/{id}"))
        .key("sk_test_second")
        .send()
        .await;
    get.assert_error(404, "resource_not_found");
    let revoke = app
        .post(&format!("/v1/sessions/{id}/revoke"))
        .key("sk_test_second")
        .send()
        .await;
    revoke.assert_error(404, "resource_not_found");
    let list = app
        .get("/v1/sessions")
        .query("user_id", ALICE)
        .query("limit", "500")
        .key("sk_test_second")
        .send()
        .await;
    list.assert_status(200);
    assert!(
        list.body
            .as_array()
            .expect("array")
            .iter()
            .all(|s| s["id"] != id.as_str())
    );

    // The first key still sees its own session.
    app.get(&format!("/v1/sessions/{id}"))
        .key("sk_test_first")
        .send()
        .await
        .assert_status(200);
}

#[tokio::test]
async fn revoking_in_one_instance_leaves_the_same_fixture_session_of_another_alone() {
    let app = spawn_app_with(|settings| {
        settings.secret_keys = vec!["sk_test_first".to_owned(), "sk_test_second".to_owned()];
    })
    .await;
    app.post(&format!("/v1/sessions/{ALICE_ACTIVE}/revoke"))
        .key("sk_test_first")
        .send()
        .await
        .assert_status(200);
    let other = app
        .get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .key("sk_test_second")
        .send()
        .await;
    assert_eq!(other.body["status"], "active");
}

#[tokio::test]
async fn any_test_key_is_its_own_seeded_instance_when_the_switch_is_on() {
    let app = spawn_app_with(|settings| settings.accept_any_test_key = true).await;
    let first = app
        .get("/v1/sessions")
        .query("user_id", ALICE)
        .key("sk_test_job_one")
        .send()
        .await;
    first.assert_status(200);
    let again = app
        .get("/v1/sessions")
        .query("user_id", ALICE)
        .key("sk_test_job_one")
        .send()
        .await;
    assert_eq!(
        first.body, again.body,
        "the same key reads the same instance"
    );

    app.get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .key("sk_live_job_one")
        .send()
        .await
        .assert_error(401, "clerk_key_invalid");
}

#[tokio::test]
async fn without_the_switch_an_unconfigured_test_key_is_rejected() {
    let app = spawn_app().await;
    app.get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .key("sk_test_job_one")
        .send()
        .await
        .assert_error(401, "clerk_key_invalid");
}

/// Sends each `(method, path, key)` in turn on one keep-alive connection; returns the statuses.
async fn statuses_on_one_connection(app: &TestApp, requests: &[(&str, &str, &str)]) -> Vec<u16> {
    let address = app.address.trim_start_matches("http://");
    let stream = TcpStream::connect(address).await.expect("connects");
    let mut stream = BufReader::new(stream);
    let mut statuses = Vec::new();
    for (method, path, key) in requests {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Length: 0\r\n\r\n"
        );
        stream
            .get_mut()
            .write_all(request.as_bytes())
            .await
            .expect("sent");
        let mut status_line = String::new();
        stream
            .read_line(&mut status_line)
            .await
            .expect("a status line");
        let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok());
        statuses.push(status.expect("a status"));
        let mut length = 0;
        loop {
            let mut line = String::new();
            stream.read_line(&mut line).await.expect("a header line");
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await.expect("the body");
    }
    statuses
}

#[tokio::test]
async fn a_connection_finds_the_instance_of_each_key_it_sends_until_the_instance_is_deleted() {
    let app = spawn_app().await;
    let created = app.create_instance().await;
    created.assert_status(201);
    let created_key = created.body["secret_key"].as_str().expect("a key");
    let mut near_miss = created_key.to_owned();
    near_miss.pop();
    near_miss.push('#');
    let configured = app.key.as_str();
    let statuses = statuses_on_one_connection(
        &app,
        &[
            ("GET", "/v1/jwks", created_key),
            ("GET", "/v1/jwks", created_key),
            ("GET", "/v1/jwks", &near_miss),
            ("GET", "/v1/jwks", configured),
            ("GET", "/v1/jwks", created_key),
            ("DELETE", "/__admin/instance", created_key),
            ("GET", "/v1/jwks", created_key),
            ("GET", "/v1/jwks", configured),
        ],
    )
    .await;
    assert_eq!(statuses, [200, 200, 401, 200, 200, 200, 401, 200]);
}

#[tokio::test]
async fn a_percent_encoded_api_prefix_is_authenticated_like_the_plain_one() {
    let app = spawn_app().await;
    for path in ["/%76%31/sessions", "/v%31/sessions", "/%76%31/jwks"] {
        let response = app
            .client
            .get(format!("{}{path}?user_id={ALICE}", app.address))
            .send()
            .await
            .expect("answered");
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(status, 401, "{path}: {body}");
        assert_eq!(
            body["errors"][0]["code"], "authentication_invalid",
            "{path}"
        );
    }
}

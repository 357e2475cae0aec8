//! API versions: selection by header or query, the 400 for bad selections, and how a pending
//! session is presented to each version.

use reqwest::Method;

use crate::helpers::{ALICE, ALICE_ACTIVE, ALICE_PENDING, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_pending_session_is_active_without_tasks_under_the_default_version() {
    let app = spawn_app().await;
    let answer = app.get_session(ALICE_PENDING).await;
    answer.assert_status(200);
    assert_eq!(answer.body["status"], "active");
    assert!(answer.body.get("tasks").is_none());
}

#[tokio::test]
async fn a_pending_session_shows_pending_and_its_tasks_from_2025_03_12() {
    let app = spawn_app().await;
    for version in ["2025-03-12", "2025-04-10", "2025-11-10", "2026-05-12"] {
        let answer = app
            .get(&format!("/v1/sessions/{ALICE_PENDING}"))
            .version(version)
            .send()
            .await;
        answer.assert_status(200);
        assert_eq!(answer.body["status"], "pending", "{version}");
        assert_eq!(
            answer.body["tasks"][0]["key"], "choose-organization",
            "{version}"
        );
    }
}

#[tokio::test]
async fn sessions_without_tasks_carry_null_tasks_from_2025_03_12() {
    let app = spawn_app().await;
    let answer = app
        .get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .version("2025-03-12")
        .send()
        .await;
    assert!(answer.body["tasks"].is_null());
    assert!(
        answer
            .body
            .as_object()
            .is_some_and(|body| body.contains_key("tasks"))
    );
}

#[tokio::test]
async fn the_version_can_be_selected_by_query_parameter() {
    let app = spawn_app().await;
    let answer = app
        .get(&format!("/v1/sessions/{ALICE_PENDING}"))
        .query("__clerk_api_version", "2026-05-12")
        .send()
        .await;
    assert_eq!(answer.body["status"], "pending");
}

#[tokio::test]
async fn the_query_parameter_is_read_however_it_is_escaped() {
    let app = spawn_app().await;
    for path in [
        format!("/v1/sessions/{ALICE_PENDING}?%5F%5Fclerk_api_version=2026-05-12"),
        format!("/v1/sessions/{ALICE_PENDING}?__clerk_api_version=2026%2D05%2D12"),
        format!("/v1/sessions/{ALICE_PENDING}?x=a+b&__clerk_api_version=2026-05-12"),
        format!("/v1/sessions/{ALICE_PENDING}?x=1"),
    ] {
        // Sent as written: the test client would escape the query its own way.
        let answer: serde_json::Value = app
            .client
            .get(format!("{}{path}", app.address))
            .bearer_auth(&app.key)
            .send()
            .await
            .expect("answered")
            .json()
            .await
            .expect("JSON");
        // 2021-02-05, the default, shows a pending session as active.
        let expected = if path.ends_with("x=1") {
            "active"
        } else {
            "pending"
        };
        assert_eq!(answer["status"], expected, "{path}");
    }
}

#[tokio::test]
async fn the_status_filter_follows_the_presented_status() {
    let app = spawn_app().await;
    let old = app
        .get("/v1/sessions")
        .query("user_id", ALICE)
        .query("status", "active")
        .send()
        .await;
    assert!(
        old.body
            .as_array()
            .expect("array")
            .iter()
            .any(|s| s["id"] == ALICE_PENDING)
    );
    let new = app
        .get("/v1/sessions")
        .query("user_id", ALICE)
        .query("status", "active")
        .version("2026-05-12")
        .send()
        .await;
    assert!(
        new.body
            .as_array()
            .expect("array")
            .iter()
            .all(|s| s["id"] != ALICE_PENDING)
    );
}

#[tokio::test]
async fn an_unknown_version_is_400_api_version_invalid_on_every_operation() {
    let app = spawn_app().await;
    let requests = [
        (Method::GET, format!("/v1/sessions?user_id={ALICE}")),
        (Method::POST, "/v1/sessions".to_owned()),
        (Method::GET, format!("/v1/sessions/{ALICE_ACTIVE}")),
        (Method::POST, format!("/v1/sessions/{ALICE_ACTIVE}/revoke")),
    ];
    for (method, path) in requests {
        for version in ["2021-02-06", "latest", ""] {
            app.request(method.clone(), &path)
                .version(version)
                .send()
                .await
                .assert_error(400, "api_version_invalid");
        }
    }
    // Nothing was revoked by the rejected requests.
    assert_eq!(app.get_session(ALICE_ACTIVE).await.body["status"], "active");
}

#[tokio::test]
async fn a_version_given_both_ways_is_400_even_when_they_agree() {
    let app = spawn_app().await;
    app.get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .version("2021-02-05")
        .query("__clerk_api_version", "2021-02-05")
        .send()
        .await
        .assert_error(400, "api_version_invalid");
}

#[tokio::test]
async fn the_server_default_version_applies_to_requests_that_name_none() {
    let app = spawn_app_with(|settings| {
        settings.api_version = "2026-05-12".parse().expect("known version");
    })
    .await;
    let answer = app.get_session(ALICE_PENDING).await;
    assert_eq!(answer.body["status"], "pending");
}

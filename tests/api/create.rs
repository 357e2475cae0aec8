//! Creating sessions: the body forms the SDKs send, and every 400/404/422.

use serde_json::json;

use crate::helpers::{ACME, ALICE, CAROL, GLOBEX, spawn_app};

#[tokio::test]
async fn creating_a_session_returns_a_new_active_session_on_a_new_client() {
    let app = spawn_app().await;
    let before = app.all_sessions_of(ALICE).await;
    let answer = app.create_session(json!({ "user_id": ALICE })).await;
    answer.assert_status(200);
    let session = &answer.body;
    assert_eq!(session["status"], "active");
    assert_eq!(session["user_id"], ALICE);
    assert!(
        session["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("sess_") && id.len() == 32)
    );
    assert!(
        before
            .iter()
            .all(|s| s["client_id"] != session["client_id"])
    );
    assert_eq!(session["created_at"], session["updated_at"]);
    assert!(session["last_active_organization_id"].is_null());

    let after = app.all_sessions_of(ALICE).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(&after[0], session, "the new session is listed first");
    assert_eq!(
        app.get_session(session["id"].as_str().expect("id"))
            .await
            .body,
        *session
    );
}

#[tokio::test]
async fn a_session_can_start_with_an_organization_of_the_user() {
    let app = spawn_app().await;
    let answer = app
        .create_session(json!({ "user_id": ALICE, "active_organization_id": GLOBEX }))
        .await;
    answer.assert_status(200);
    assert_eq!(answer.body["last_active_organization_id"], GLOBEX);
}

#[tokio::test]
async fn an_organization_the_user_is_not_in_is_422() {
    let app = spawn_app().await;
    app.create_session(json!({ "user_id": CAROL, "active_organization_id": ACME }))
        .await
        .assert_param_error("form_param_value_invalid", "active_organization_id");
}

#[tokio::test]
async fn an_unknown_organization_is_404() {
    let app = spawn_app().await;
    app.create_session(
        json!({ "user_id": ALICE, "active_organization_id": "org_2NoSuchOrganization00000000" }),
    )
    .await
    .assert_error(404, "resource_not_found");
}

#[tokio::test]
async fn a_form_body_is_accepted() {
    let app = spawn_app().await;
    let answer = app
        .post("/v1/sessions")
        .body(
            "application/x-www-form-urlencoded",
            format!("user_id={ALICE}").into_bytes(),
        )
        .send()
        .await;
    answer.assert_status(200);
    assert_eq!(answer.body["user_id"], ALICE);
}

#[tokio::test]
async fn a_missing_user_id_is_422_form_param_missing_whatever_the_empty_body() {
    let app = spawn_app().await;
    for body in [
        None,
        Some(""),
        Some("{}"),
        Some("null"),
        Some(r#"{"user_id": null}"#),
        Some("  "),
    ] {
        let mut request = app.post("/v1/sessions");
        if let Some(body) = body {
            request = request.body("application/json", body.as_bytes().to_vec());
        }
        request
            .send()
            .await
            .assert_param_error("form_param_missing", "user_id");
    }
}

#[tokio::test]
async fn a_user_id_of_the_wrong_type_is_422_form_param_type_invalid() {
    let app = spawn_app().await;
    for user_id in [
        json!(42),
        json!(["user"]),
        json!({"id": ALICE}),
        json!(true),
    ] {
        app.create_session(json!({ "user_id": user_id }))
            .await
            .assert_param_error("form_param_type_invalid", "user_id");
    }
}

#[tokio::test]
async fn an_empty_user_id_is_422_form_param_value_invalid() {
    let app = spawn_app().await;
    app.create_session(json!({ "user_id": "" }))
        .await
        .assert_param_error("form_param_value_invalid", "user_id");
}

#[tokio::test]
async fn an_unknown_user_is_404_resource_not_found() {
    let app = spawn_app().await;
    for user in ["user_2NobodyHasThisId00000000000", "alice"] {
        let answer = app.create_session(json!({ "user_id": user })).await;
        let error = answer.assert_error(404, "resource_not_found");
        assert_eq!(error["message"], "User not found");
    }
}

#[tokio::test]
async fn malformed_json_is_400_request_body_invalid() {
    let app = spawn_app().await;
    for body in ["{", r#"{"user_id": }"#, "[1, 2]", "\"user\"", "12", "\u{0}"] {
        app.post("/v1/sessions")
            .body("application/json", body.as_bytes().to_vec())
            .send()
            .await
            .assert_error(400, "request_body_invalid");
    }
}

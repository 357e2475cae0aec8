//! Revoking sessions: the status change, its persistence, and the 404.

use crate::helpers::{
    ALICE, ALICE_ACTIVE, ALICE_PENDING, ALICE_REVOKED, UNKNOWN_SESSION, spawn_app,
};

#[tokio::test]
async fn revoking_an_active_session_returns_it_revoked_with_updated_at_moved() {
    let app = spawn_app().await;
    let before = app.get_session(ALICE_ACTIVE).await.body;
    let answer = app.revoke_session(ALICE_ACTIVE).await;
    answer.assert_status(200);
    assert_eq!(answer.body["status"], "revoked");
    assert!(answer.body["updated_at"].as_i64() > before["updated_at"].as_i64());
    assert_eq!(answer.body["created_at"], before["created_at"]);
}

#[tokio::test]
async fn a_revocation_persists_into_every_later_get_and_list() {
    let app = spawn_app().await;
    // Seen before the change, on every worker, so that an answer kept from before would show.
    for _ in 0..4 {
        assert_eq!(app.get_session(ALICE_ACTIVE).await.body["status"], "active");
        assert!(!app.all_sessions_of(ALICE).await.is_empty());
    }
    let revoked = app.revoke_session(ALICE_ACTIVE).await.body;
    assert_eq!(app.get_session(ALICE_ACTIVE).await.body, revoked);

    let listed = app.all_sessions_of(ALICE).await;
    assert!(listed.contains(&revoked));
    let active = app
        .list_sessions(&[("user_id", ALICE), ("status", "active")])
        .await;
    assert!(
        active
            .body
            .as_array()
            .expect("array")
            .iter()
            .all(|s| s["id"] != ALICE_ACTIVE)
    );
    let revoked_list = app
        .list_sessions(&[("user_id", ALICE), ("status", "revoked"), ("limit", "500")])
        .await;
    assert!(
        revoked_list
            .body
            .as_array()
            .expect("array")
            .iter()
            .any(|s| s["id"] == ALICE_ACTIVE)
    );
}

#[tokio::test]
async fn revoking_a_pending_session_revokes_it() {
    let app = spawn_app().await;
    let answer = app
        .post(&format!("/v1/sessions/{ALICE_PENDING}/revoke"))
        .version("2026-05-12")
        .send()
        .await;
    assert_eq!(answer.body["status"], "revoked");
    assert!(answer.body["tasks"].is_null());
}

#[tokio::test]
async fn revoking_an_ended_session_returns_it_unchanged() {
    let app = spawn_app().await;
    let before = app.get_session(ALICE_REVOKED).await.body;
    let answer = app.revoke_session(ALICE_REVOKED).await;
    answer.assert_status(200);
    assert_eq!(answer.body, before);

    let first = app.revoke_session(ALICE_ACTIVE).await.body;
    let second = app.revoke_session(ALICE_ACTIVE).await;
    second.assert_status(200);
    assert_eq!(second.body, first, "a second revoke changes nothing");
}

#[tokio::test]
async fn revoking_an_unknown_session_is_404() {
    let app = spawn_app().await;
    let answer = app.revoke_session(UNKNOWN_SESSION).await;
    answer.assert_error(404, "resource_not_found");
}

#[tokio::test]
async fn a_body_sent_with_revoke_is_ignored() {
    let app = spawn_app().await;
    let answer = app
        .post(&format!("/v1/sessions/{ALICE_ACTIVE}/revoke"))
        .body("application/json", b"{}".to_vec())
        .send()
        .await;
    assert_eq!(answer.body["status"], "revoked");
}

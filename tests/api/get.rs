//! Retrieving a session: every status, the fixtures' special sessions, and 404s.

use crate::helpers::{
    ACME, ALICE, ALICE_ACME, ALICE_ACTIVE, BOB_IMPERSONATED, CAROL, UNKNOWN_SESSION, fixtures,
    spawn_app,
};

#[tokio::test]
async fn a_session_is_returned_with_its_fields() {
    let app = spawn_app().await;
    let answer = app.get_session(ALICE_ACTIVE).await;
    answer.assert_status(200);
    let session = &answer.body;
    assert_eq!(session["object"], "session");
    assert_eq!(session["id"], ALICE_ACTIVE);
    assert_eq!(session["user_id"], ALICE);
    assert_eq!(session["status"], "active");
    assert!(session["actor"].is_null());
    assert_eq!(session["latest_activity"]["object"], "session_activity");
    assert_eq!(session["latest_activity"]["browser_name"], "Chrome");
    let created = session["created_at"].as_i64().expect("created_at");
    // Milliseconds, not seconds: later than 2001 in milliseconds.
    assert!(created > 1_000_000_000_000, "{created}");
    assert!(created <= session["updated_at"].as_i64().expect("updated_at"));
    assert!(session["expire_at"].as_i64() > Some(created));
}

#[tokio::test]
async fn every_fixture_session_is_returned_in_its_status() {
    let app = spawn_app().await;
    for fixture in fixtures().data.sessions {
        let id = fixture.id.expect("the embedded fixture sessions have ids");
        let answer = app.get_session(&id.to_string()).await;
        answer.assert_status(200);
        let expected = serde_json::to_value(fixture.status).expect("status");
        let expected = if expected == "pending" {
            "active".into()
        } else {
            expected
        };
        assert_eq!(answer.body["status"], expected, "{id}");
    }
}

#[tokio::test]
async fn an_impersonated_session_carries_its_actor() {
    let app = spawn_app().await;
    let answer = app.get_session(BOB_IMPERSONATED).await;
    assert_eq!(answer.body["actor"]["sub"], CAROL);
}

#[tokio::test]
async fn a_session_with_an_active_organization_names_it() {
    let app = spawn_app().await;
    let answer = app.get_session(ALICE_ACME).await;
    assert_eq!(answer.body["last_active_organization_id"], ACME);
}

#[tokio::test]
async fn a_session_equals_its_list_item() {
    let app = spawn_app().await;
    for item in app.all_sessions_of(ALICE).await {
        let id = item["id"].as_str().expect("id");
        assert_eq!(app.get_session(id).await.body, item);
    }
}

#[tokio::test]
async fn an_unknown_session_is_404_resource_not_found() {
    let app = spawn_app().await;
    let answer = app.get_session(UNKNOWN_SESSION).await;
    let error = answer.assert_error(404, "resource_not_found");
    assert_eq!(error["message"], "Session not found");
    assert_eq!(
        error["long_message"],
        format!("No session was found with id {UNKNOWN_SESSION}")
    );
}

#[tokio::test]
async fn odd_session_ids_are_404s() {
    let app = spawn_app().await;
    let long = "x".repeat(5_000);
    for id in [
        "abc",
        "sess_",
        "sess_%F0%9F%92%A5",
        "user_2AlicexBGaRy7HSnjHcaZabMn26",
        "%00",
        long.as_str(),
    ] {
        let answer = app.get_session(id).await;
        answer.assert_error(404, "resource_not_found");
    }
}

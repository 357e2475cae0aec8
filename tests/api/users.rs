//! `GET /v1/users/{user_id}`: the user as Clerk's `User` has it (every answer is also checked
//! against the official schema by the helpers), its activity from its sessions, and the 404.

use serde_json::Value;

use crate::helpers::{ALICE, BOB, spawn_app};

const DAN: &str = "user_2DanrbPfyc0MqCgDX6oDTnjklJr";
const NO_USER: &str = "user_2NobodyHasThisId00000000000";

#[tokio::test]
async fn a_user_is_served_with_its_identifications_and_metadata() {
    let app = spawn_app().await;
    let answer = app.get_user(ALICE).await;
    answer.assert_status(200);
    let user = &answer.body;
    assert_eq!(user["object"], "user");
    assert_eq!(user["id"], ALICE);
    assert_eq!(user["first_name"], "Alice");
    assert_eq!(user["username"], "alice");
    let email = &user["email_addresses"][0];
    assert_eq!(email["email_address"], "alice@example.com");
    assert_eq!(email["id"], user["primary_email_address_id"]);
    assert!(
        email["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("idn_"))
    );
    assert_eq!(email["verification"]["object"], "verification_admin");
    assert_eq!(email["verification"]["status"], "verified");
    assert_eq!(email["linked_to"], Value::Array(Vec::new()));
    let phone = &user["phone_numbers"][0];
    assert_eq!(phone["phone_number"], "+15555550101");
    assert_eq!(phone["id"], user["primary_phone_number_id"]);
    assert_ne!(phone["id"], email["id"]);
    assert_eq!(user["public_metadata"]["plan"], "pro");
    assert_eq!(user["private_metadata"], serde_json::json!({}));
    assert_eq!(user["unsafe_metadata"]["theme"], "dark");
    assert_eq!(user["banned"], false);

    // The same ids on every read.
    let again = app.get_user(ALICE).await;
    assert_eq!(
        again.body["primary_email_address_id"],
        user["primary_email_address_id"]
    );
}

#[tokio::test]
async fn an_unverified_email_shows_a_code_never_entered_and_a_user_without_a_phone_has_none() {
    let app = spawn_app().await;
    let answer = app.get_user(DAN).await;
    answer.assert_status(200);
    let verification = &answer.body["email_addresses"][0]["verification"];
    assert_eq!(verification["object"], "verification_otp");
    assert_eq!(verification["status"], "unverified");
    assert_eq!(verification["strategy"], "email_code");
    assert_eq!(answer.body["phone_numbers"], Value::Array(Vec::new()));
    assert_eq!(answer.body["primary_phone_number_id"], Value::Null);
}

#[tokio::test]
async fn sign_in_and_activity_times_follow_the_users_sessions() {
    let app = spawn_app().await;
    let before = app.get_user(BOB).await;
    before.assert_status(200);
    let created = app
        .create_session(serde_json::json!({ "user_id": BOB }))
        .await;
    created.assert_status(200);
    let after = app.get_user(BOB).await;
    assert_eq!(after.body["last_sign_in_at"], created.body["created_at"]);
    let last_active = after.body["last_active_at"].as_i64().expect("a day");
    let active = created.body["last_active_at"].as_i64().expect("ms");
    assert_eq!(last_active % 86_400_000, 0, "served with day precision");
    assert!(last_active <= active && active - last_active < 86_400_000);
    assert!(before.body["last_sign_in_at"].as_i64() <= after.body["last_sign_in_at"].as_i64());
}

#[tokio::test]
async fn an_unknown_user_is_404_in_the_envelope_naming_the_id() {
    let app = spawn_app().await;
    for id in [NO_USER, "not-an-id"] {
        let answer = app.get_user(id).await;
        let error = answer.assert_error(404, "resource_not_found");
        assert_eq!(
            error["long_message"],
            format!("No user was found with id {id}")
        );
    }
    let forced = app
        .get(&format!("/v1/users/{NO_USER}"))
        .header("Prefer", "code=404")
        .send()
        .await;
    let error = forced.assert_error(404, "resource_not_found");
    assert_eq!(
        error["long_message"],
        format!("No user was found with id {NO_USER}")
    );
}

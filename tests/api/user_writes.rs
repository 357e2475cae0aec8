//! The user writes: create, update, the metadata merge and replacement, delete, ban and lock,
//! and what each does to reads, sessions and tokens.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ALICE, ALICE_ACTIVE, TestApp, spawn_app, spawn_app_with};

async fn create_user(app: &TestApp, body: Value) -> Value {
    let answer = app.post("/v1/users").json(&body).send().await;
    answer.assert_status(200);
    answer.body
}

#[tokio::test]
async fn a_created_user_is_served_found_and_counted_with_its_identifiers() {
    let app = spawn_app().await;
    let user = create_user(
        &app,
        json!({
            "email_address": ["Grace@Example.com", "hopper@navy.example"],
            "email_address_identification_status": ["verified", "reserved"],
            "phone_number": ["+15555550123"],
            "username": "Grace_H",
            "first_name": "Grace",
            "last_name": "Hopper",
            "external_id": "db-42",
            "password": "correct horse",
            "public_metadata": {"plan": "pro"},
            "private_metadata": {"stripe": "cus_1"},
            "created_at": "2024-01-31T12:00:00Z",
        }),
    )
    .await;
    let id = user["id"].as_str().expect("id");
    assert!(id.starts_with("user_"));
    assert_eq!(user["username"], "grace_h", "stored lower-case");
    assert_eq!(user["external_id"], "db-42");
    assert_eq!(user["password_enabled"], true);
    assert!(user.get("password").is_none());
    assert_eq!(user["created_at"], 1_706_702_400_000_i64);
    let emails = user["email_addresses"].as_array().expect("emails");
    assert_eq!(emails.len(), 2);
    assert_eq!(user["primary_email_address_id"], emails[0]["id"]);
    assert_eq!(emails[0]["verification"]["strategy"], "admin");
    assert_eq!(emails[1]["reserved"], true);
    assert_eq!(emails[1]["verification"]["status"], "unverified");
    assert_eq!(user["phone_numbers"][0]["phone_number"], "+15555550123");
    assert_eq!(user["private_metadata"]["stripe"], "cus_1");

    assert_eq!(app.get_user(id).await.body, user);
    for (name, value) in [
        ("email_address", "grace@example.com"),
        ("email_address", "hopper@navy.example"),
        ("external_id", "db-42"),
        ("username", "grace_h"),
        ("phone_number", "+15555550123"),
    ] {
        let found = app.list_users(&[(name, value)]).await.body;
        assert_eq!(found[0]["id"], id, "{name}={value}");
        assert_eq!(
            app.count_users(&[(name, value)]).await.body["total_count"],
            1
        );
    }

    let empty = create_user(&app, json!({})).await;
    assert_eq!(empty["email_addresses"], json!([]));
    assert_eq!(empty["primary_email_address_id"], Value::Null);
}

#[tokio::test]
async fn identifiers_held_by_another_user_and_malformed_fields_are_422s_naming_each() {
    let app = spawn_app().await;
    let taken = app
        .post("/v1/users")
        .json(&json!({"email_address": ["ALICE@example.com"], "username": "alice"}))
        .send()
        .await;
    taken.assert_status(422);
    let params: Vec<&str> = taken.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| {
            assert_eq!(error["code"], "form_identifier_exists");
            error["meta"]["param_name"].as_str().expect("param")
        })
        .collect();
    assert_eq!(params, ["email_address", "username"]);

    let bad = app
        .post("/v1/users")
        .json(&json!({
            "email_address": ["not-an-email"],
            "phone_number": ["555"],
            "password": "short",
            "public_metadata": {"big": "x".repeat(9000)},
            "nickname": "x",
        }))
        .send()
        .await;
    bad.assert_status(422);
    let codes: Vec<(String, String)> = bad.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| {
            (
                error["meta"]["param_name"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
                error["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for expected in [
        ("nickname", "form_param_unknown"),
        ("email_address", "form_param_format_invalid"),
        ("phone_number", "form_param_format_invalid"),
        ("password", "form_password_length_too_short"),
        ("public_metadata", "form_param_exceeds_allowed_size"),
    ] {
        assert!(
            codes.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {codes:?}"
        );
    }
    let too_many: Vec<String> = (0..11).map(|n| format!("p{n}@x.io")).collect();
    app.post("/v1/users")
        .json(&json!({ "email_address": too_many }))
        .send()
        .await
        .assert_param_error("form_param_array_size_exceeded", "email_address");
}

#[tokio::test]
async fn an_update_changes_what_it_names_and_refuses_metadata_from_2026_05_12() {
    let app = spawn_app().await;
    let user = create_user(
        &app,
        json!({"email_address": ["a@x.io", "b@x.io"], "username": "first", "first_name": "A"}),
    )
    .await;
    let id = user["id"].as_str().expect("id");
    let second = user["email_addresses"][1]["id"].clone();
    let updated = app
        .request(Method::PATCH, &format!("/v1/users/{id}"))
        .json(&json!({"primary_email_address_id": second, "username": null, "last_name": "B"}))
        .send()
        .await;
    updated.assert_status(200);
    assert_eq!(updated.body["primary_email_address_id"], second);
    assert_eq!(updated.body["username"], Value::Null);
    assert_eq!(updated.body["first_name"], "A", "left as it was");
    assert_eq!(updated.body["last_name"], "B");
    assert!(updated.body["updated_at"].as_i64() >= user["updated_at"].as_i64());

    // The username is free again; Alice's is not.
    create_user(&app, json!({"username": "first"})).await;
    app.request(Method::PATCH, &format!("/v1/users/{id}"))
        .json(&json!({"username": "alice"}))
        .send()
        .await
        .assert_param_error("form_identifier_exists", "username");
    app.request(Method::PATCH, &format!("/v1/users/{id}"))
        .json(&json!({"primary_email_address_id": "idn_2NotOneOfHers0000000000000"}))
        .send()
        .await
        .assert_param_error("form_param_value_invalid", "primary_email_address_id");

    // Metadata on UpdateUser: replaced before 2026-05-12, unknown from then on.
    let old = app
        .request(Method::PATCH, &format!("/v1/users/{id}"))
        .version("2025-11-10")
        .json(&json!({"public_metadata": {"a": 1}}))
        .send()
        .await;
    old.assert_status(200);
    assert_eq!(old.body["public_metadata"], json!({"a": 1}));
    app.request(Method::PATCH, &format!("/v1/users/{id}"))
        .version("2026-05-12")
        .json(&json!({"public_metadata": {"a": 2}}))
        .send()
        .await
        .assert_param_error("form_param_unknown", "public_metadata");

    // No body at all (what `updateUser(id, {})` sends) changes nothing but is not an error.
    app.request(Method::PATCH, &format!("/v1/users/{id}"))
        .send()
        .await
        .assert_status(200);
}

#[tokio::test]
async fn metadata_merges_deep_or_is_replaced_and_the_next_template_token_shows_it() {
    let app = spawn_app().await;
    let path = format!("/v1/users/{ALICE}/metadata");
    let before = app.get_user(ALICE).await.body;
    let merged = app
        .request(Method::PATCH, &path)
        .json(&json!({
            "public_metadata": {"limits": {"seats": 9, "nested": {"x": 1}}, "plan": "team"},
            "private_metadata": {"secret": "s"},
        }))
        .send()
        .await;
    merged.assert_status(200);
    assert_eq!(merged.body["public_metadata"]["plan"], "team");
    assert_eq!(merged.body["public_metadata"]["limits"]["nested"]["x"], 1);
    assert_eq!(merged.body["unsafe_metadata"], before["unsafe_metadata"]);

    let removed = app
        .request(Method::PATCH, &path)
        .json(&json!({"public_metadata": {"limits": {"nested": null}}}))
        .send()
        .await;
    assert_eq!(
        removed.body["public_metadata"]["limits"],
        json!({"seats": 9})
    );

    let token = app.mint_verified(ALICE_ACTIVE, Some("test"), None).await;
    assert_eq!(token.claims["plan"], "team");
    assert!(
        !token.claims.to_string().contains("\"secret\""),
        "private metadata never reaches a token"
    );

    let replaced = app
        .request(Method::PUT, &path)
        .json(&json!({"public_metadata": {"only": true}, "private_metadata": null}))
        .send()
        .await;
    replaced.assert_status(200);
    assert_eq!(replaced.body["public_metadata"], json!({"only": true}));
    assert_eq!(replaced.body["private_metadata"], json!({}));

    let big = json!({"public_metadata": {"blob": "x".repeat(5000)}});
    app.request(Method::PATCH, &path)
        .json(&big)
        .send()
        .await
        .assert_status(200);
    let more = json!({"public_metadata": {"blob2": "y".repeat(5000)}});
    app.request(Method::PATCH, &path)
        .json(&more)
        .send()
        .await
        .assert_param_error("form_param_exceeds_allowed_size", "public_metadata");
    app.request(Method::PATCH, &path)
        .json(&json!({"public_metadata": "text"}))
        .send()
        .await
        .assert_param_error("form_param_value_invalid", "public_metadata");
}

#[tokio::test]
async fn a_deleted_user_is_gone_and_its_sessions_can_no_longer_mint_or_refresh() {
    let app = spawn_app().await;
    let expired = app.expired_token(ALICE_ACTIVE).await;
    let refresh_token = app.refresh_token(ALICE_ACTIVE).await;
    let deleted = app
        .request(Method::DELETE, &format!("/v1/users/{ALICE}"))
        .send()
        .await;
    deleted.assert_status(200);
    assert_eq!(
        deleted.body,
        json!({"object": "user", "id": ALICE, "deleted": true})
    );
    app.get_user(ALICE)
        .await
        .assert_error(404, "resource_not_found");
    assert_eq!(
        app.get_session(ALICE_ACTIVE).await.body["status"],
        "revoked"
    );
    app.mint(ALICE_ACTIVE, None, None)
        .await
        .assert_error(404, "resource_not_found");
    let refreshed = app
        .post(&format!("/v1/sessions/{ALICE_ACTIVE}/refresh"))
        .json(&json!({
            "expired_token": expired,
            "refresh_token": refresh_token,
            "request_origin": "http://localhost:3000",
        }))
        .send()
        .await;
    refreshed.assert_status(401);
    app.post("/v1/sessions")
        .json(&json!({"user_id": ALICE}))
        .send()
        .await
        .assert_error(404, "resource_not_found");
    app.request(Method::DELETE, &format!("/v1/users/{ALICE}"))
        .send()
        .await
        .assert_error(404, "resource_not_found");

    // The export holds neither the user nor its sessions, and loads back.
    let document = app.get("/__admin/instance/data").send().await.body;
    assert!(!document.to_string().contains(ALICE));
    app.post("/__admin/instance/data")
        .query("replace", "true")
        .json(&document)
        .send()
        .await
        .assert_status(200);
}

#[tokio::test]
async fn a_ban_revokes_sessions_and_bars_new_ones_until_unbanned() {
    let app = spawn_app().await;
    let banned = app.post(&format!("/v1/users/{ALICE}/ban")).send().await;
    banned.assert_status(200);
    assert_eq!(banned.body["banned"], true);
    assert_eq!(
        app.get_session(ALICE_ACTIVE).await.body["status"],
        "revoked"
    );
    app.post("/v1/sessions")
        .json(&json!({"user_id": ALICE}))
        .send()
        .await
        .assert_error(403, "user_banned");
    assert_eq!(
        app.list_users(&[("banned", "true")]).await.body[0]["id"],
        ALICE
    );
    assert_eq!(
        app.count_users(&[("banned", "true")]).await.body["total_count"],
        1
    );
    let unbanned = app.post(&format!("/v1/users/{ALICE}/unban")).send().await;
    assert_eq!(unbanned.body["banned"], false);
    assert_eq!(
        app.get_session(ALICE_ACTIVE).await.body["status"],
        "revoked"
    );
    app.post("/v1/sessions")
        .json(&json!({"user_id": ALICE}))
        .send()
        .await
        .assert_status(200);
}

#[tokio::test]
async fn a_lock_counts_down_on_the_instance_clock_and_bars_new_sessions() {
    let app = spawn_app().await;
    let locked = app.post(&format!("/v1/users/{ALICE}/lock")).send().await;
    assert_eq!(locked.body["locked"], true);
    assert_eq!(locked.body["lockout_expires_in_seconds"], 3600);
    assert_eq!(app.get_session(ALICE_ACTIVE).await.body["status"], "active");
    app.post("/v1/sessions")
        .json(&json!({"user_id": ALICE}))
        .send()
        .await
        .assert_error(403, "user_locked");
    app.advance_clock(1_800_000).await;
    assert_eq!(
        app.get_user(ALICE).await.body["lockout_expires_in_seconds"],
        1800
    );
    app.advance_clock(1_800_000).await;
    let free = app.get_user(ALICE).await.body;
    assert_eq!(free["locked"], false);
    assert_eq!(free["lockout_expires_in_seconds"], Value::Null);

    app.post(&format!("/v1/users/{ALICE}/lock")).send().await;
    let unlocked = app.post(&format!("/v1/users/{ALICE}/unlock")).send().await;
    assert_eq!(unlocked.body["locked"], false);
    app.post("/v1/sessions")
        .json(&json!({"user_id": ALICE}))
        .send()
        .await
        .assert_status(200);
}

#[tokio::test]
async fn writes_past_the_memory_bound_answer_each_operations_documented_status() {
    // One MiB holds the seeded data and some users with large metadata, not hundreds.
    let app = spawn_app_with(|settings| {
        settings.users = 0;
        settings.sessions = 0;
        settings.instance_memory_mib = 1;
    })
    .await;
    let metadata = json!({"blob": "x".repeat(8000)});
    let refused = app
        .post_until_refused("/v1/users", |_| {
            json!({"public_metadata": metadata, "private_metadata": metadata, "unsafe_metadata": metadata})
        })
        .await;
    let error = refused.assert_error(402, "instance_memory_exhausted");
    assert!(
        error["long_message"]
            .as_str()
            .is_some_and(|message| message.contains("--instance-memory-mib")),
        "{error}"
    );
    // Fill what room is left with small users, so that no write that grows can fit.
    app.post_until_refused("/v1/users", |_| json!({}))
        .await
        .assert_error(402, "instance_memory_exhausted");
    let big = json!({"blob": "y".repeat(8000)});
    app.request(Method::PUT, &format!("/v1/users/{ALICE}/metadata"))
        .json(&json!({"public_metadata": big, "private_metadata": big, "unsafe_metadata": big}))
        .send()
        .await
        .assert_error(422, "instance_memory_exhausted");
    app.request(Method::PATCH, &format!("/v1/users/{ALICE}"))
        .version("2025-11-10")
        .json(&json!({"public_metadata": big, "private_metadata": big, "unsafe_metadata": big}))
        .send()
        .await
        .assert_error(409, "instance_memory_exhausted");
    // Deleting gives the room back.
    app.request(Method::DELETE, &format!("/v1/users/{ALICE}"))
        .send()
        .await
        .assert_status(200);
    app.post("/v1/users")
        .json(&json!({}))
        .send()
        .await
        .assert_status(200);
}

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

/// A list's query and the users it must keep.
type FilterCase<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);

fn ids(answer: &crate::helpers::Answer) -> Vec<String> {
    answer
        .body
        .as_array()
        .expect("a bare array of users")
        .iter()
        .map(|user| user["id"].as_str().expect("an id").to_owned())
        .collect()
}

async fn count(app: &crate::helpers::TestApp, query: &[(&str, &str)]) -> u64 {
    let answer = app.count_users(query).await;
    answer.assert_status(200);
    assert_eq!(answer.body["object"], "total_count");
    answer.body["total_count"].as_u64().expect("a count")
}

#[tokio::test]
async fn the_list_is_newest_first_pages_without_gaps_and_agrees_with_the_count() {
    let app = spawn_app().await;
    let total = count(&app, &[]).await;
    assert!(total > 20, "the seeded instance has users: {total}");
    let first = app.list_users(&[("limit", "10")]).await;
    first.assert_status(200);
    let created: Vec<i64> = first
        .body
        .as_array()
        .expect("array")
        .iter()
        .map(|user| user["created_at"].as_i64().expect("created_at"))
        .collect();
    assert!(
        created.windows(2).all(|pair| pair[0] >= pair[1]),
        "{created:?}"
    );
    let second = app.list_users(&[("limit", "10"), ("offset", "10")]).await;
    let after = app
        .list_users(&[("limit", "10"), ("starting_after", &ids(&first)[9])])
        .await;
    assert_eq!(ids(&second), ids(&after), "offset and starting_after agree");
    let mut seen = ids(&first);
    seen.extend(ids(&second));
    let distinct: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), 20, "no user twice across pages");
    let everyone = app.list_users(&[("limit", "500")]).await;
    assert_eq!(ids(&everyone).len() as u64, total);
}

#[tokio::test]
async fn filters_keep_the_matching_users_and_the_count_agrees() {
    let app = spawn_app().await;
    let cases: Vec<FilterCase> = vec![
        (vec![("email_address", "ALICE@example.com")], vec![ALICE]),
        (
            vec![
                ("email_address", "alice@example.com"),
                ("email_address", "bob@example.com"),
            ],
            vec![ALICE, BOB],
        ),
        (vec![("email_address", "nobody@example.com")], vec![]),
        (vec![("user_id", ALICE), ("user_id", NO_USER)], vec![ALICE]),
        (
            vec![("user_id", "+user_2AlicexBGaRy7HSnjHcaZabMn26")],
            vec![ALICE],
        ),
        (vec![("user_id", NO_USER)], vec![]),
        (vec![("username", "alice")], vec![ALICE]),
        (vec![("phone_number", "+15555550101")], vec![ALICE]),
        (vec![("external_id", "ext_1")], vec![]),
        (vec![("query", "ALICE"), ("user_id", ALICE)], vec![ALICE]),
        (
            vec![("email_address", "alice@example.com"), ("username", "bob")],
            vec![],
        ),
        (
            vec![
                ("email_address", "alice@example.com"),
                ("user_id", "-user_2AlicexBGaRy7HSnjHcaZabMn26"),
            ],
            vec![],
        ),
        (
            vec![("email_address", "alice@example.com"), ("banned", "true")],
            vec![],
        ),
        (
            vec![("email_address", "alice@example.com"), ("banned", "false")],
            vec![ALICE],
        ),
    ];
    for (query, expected) in cases {
        let answer = app.list_users(&query).await;
        answer.assert_status(200);
        let mut found = ids(&answer);
        found.sort();
        let mut wanted: Vec<String> = expected.iter().map(|id| (*id).to_owned()).collect();
        wanted.sort();
        assert_eq!(found, wanted, "{query:?}");
        assert_eq!(count(&app, &query).await, wanted.len() as u64, "{query:?}");
    }
}

#[tokio::test]
async fn organization_and_name_filters_and_orders() {
    let app = spawn_app().await;
    let members = app
        .list_users(&[("organization_id", crate::helpers::ACME), ("limit", "500")])
        .await;
    members.assert_status(200);
    assert!(ids(&members).contains(&ALICE.to_owned()));
    let others = app
        .list_users(&[
            ("organization_id", "-org_2Acmet3kU1slpIuojlEroXRG9xb"),
            ("limit", "500"),
        ])
        .await;
    assert!(!ids(&others).contains(&ALICE.to_owned()));
    assert_eq!(
        count(&app, &[]).await,
        (ids(&members).len() + ids(&others).len()) as u64
    );

    let named = app.list_users(&[("name_query", "alice an")]).await;
    assert_eq!(ids(&named), [ALICE]);
    let by_name = app
        .list_users(&[("order_by", "+first_name"), ("limit", "500")])
        .await;
    let names: Vec<String> = by_name
        .body
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|user| user["first_name"].as_str().map(str::to_lowercase))
        .collect();
    assert!(names.windows(2).all(|pair| pair[0] <= pair[1]), "{names:?}");
}

#[tokio::test]
async fn bad_values_are_422_naming_each_parameter() {
    let app = spawn_app().await;
    for (query, param, code) in [
        (vec![("limit", "0")], "limit", "form_param_value_invalid"),
        (vec![("limit", "501")], "limit", "form_param_value_invalid"),
        (vec![("offset", "-1")], "offset", "form_param_value_invalid"),
        (vec![("limit", "ten")], "limit", "form_param_type_invalid"),
        (
            vec![("order_by", "height")],
            "order_by",
            "form_param_value_invalid",
        ),
        (
            vec![("email_address", "")],
            "email_address",
            "form_param_value_invalid",
        ),
        (
            vec![("created_at_after", "yesterday")],
            "created_at_after",
            "form_param_type_invalid",
        ),
        (
            vec![("provider", "oauth_google")],
            "provider_user_id",
            "form_param_missing",
        ),
        (
            vec![("starting_after", NO_USER)],
            "starting_after",
            "form_param_value_invalid",
        ),
        (
            vec![("starting_after", ALICE), ("order_by", "username")],
            "starting_after",
            "form_param_value_invalid",
        ),
    ] {
        app.list_users(&query).await.assert_param_error(code, param);
    }
    let many: Vec<(&str, &str)> = (0..101).map(|_| ("username", "someone")).collect();
    app.list_users(&many)
        .await
        .assert_param_error("form_param_array_size_exceeded", "username");
    app.count_users(&[("email_address", "")])
        .await
        .assert_param_error("form_param_value_invalid", "email_address");
    // The count takes no paging: its parameters are ignored.
    assert!(count(&app, &[("limit", "0"), ("order_by", "height")]).await > 0);
}

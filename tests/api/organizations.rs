//! Organizations and memberships: read by id or slug, listed, written, and what their changes do
//! to the sessions active in them and to those sessions' next tokens.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    ACME, ALICE, ALICE_ACME, BOB, CAROL, GLOBEX, TestApp, spawn_app, spawn_app_with,
};

const BOB_ACTIVE: &str = "sess_2BobActiveS7TT1MaCiZHMkhSCA";

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect()
}

async fn create_organization(app: &TestApp, body: Value) -> Value {
    let created = app.post("/v1/organizations").json(&body).send().await;
    created.assert_status(200);
    created.body
}

#[tokio::test]
async fn an_organization_reads_the_same_by_id_and_by_slug_and_lists_newest_first() {
    let app = spawn_app().await;
    let by_id = app.get(&format!("/v1/organizations/{ACME}")).send().await;
    by_id.assert_status(200);
    let by_slug = app.get("/v1/organizations/acme").send().await;
    assert_eq!(by_id.body, by_slug.body);
    assert_eq!(by_id.body["slug"], "acme");
    assert!(by_id.body.get("members_count").is_none());
    let counted = app
        .get("/v1/organizations/acme")
        .query("include_members_count", "true")
        .send()
        .await;
    let members = app
        .get(&format!("/v1/organizations/{ACME}/memberships"))
        .send()
        .await;
    assert_eq!(
        counted.body["members_count"], members.body["total_count"],
        "Alice, Bob and the generated members"
    );

    let initech = create_organization(&app, json!({"name": "Initech"})).await;
    let listed = app.get("/v1/organizations").send().await;
    listed.assert_status(200);
    assert_eq!(listed.body["total_count"], 3);
    assert_eq!(ids(&listed.body)[0], initech["id"].as_str().expect("id"));
    let by_name = app
        .get("/v1/organizations")
        .query("order_by", "name")
        .send()
        .await;
    assert_eq!(by_name.body["data"][0]["name"], "Acme Corp");
    let of_bob = app
        .get("/v1/organizations")
        .query("user_id", BOB)
        .send()
        .await;
    assert_eq!(ids(&of_bob.body), [ACME]);
    let found = app
        .get("/v1/organizations")
        .query("query", "GLOB")
        .send()
        .await;
    assert_eq!(ids(&found.body), [GLOBEX]);
    let without_acme = app
        .get("/v1/organizations")
        .query("organization_id", &format!("-{ACME}"))
        .send()
        .await;
    assert_eq!(without_acme.body["total_count"], 2);
    let page = app
        .get("/v1/organizations")
        .query("limit", "1")
        .query("offset", "1")
        .send()
        .await;
    assert_eq!(page.body["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(page.body["total_count"], 3);
    app.get("/v1/organizations/no-such-slug")
        .send()
        .await
        .assert_error(404, "resource_not_found");
}

#[tokio::test]
async fn a_created_organization_gets_a_free_slug_and_its_creator_as_admin() {
    let app = spawn_app().await;
    let first = create_organization(
        &app,
        json!({"name": "Initech, Inc.", "created_by": CAROL, "public_metadata": {"plan": "team"}}),
    )
    .await;
    assert_eq!(first["slug"], "initech-inc");
    assert_eq!(first["created_by"], CAROL);
    assert_eq!(first["public_metadata"], json!({"plan": "team"}));
    let second = create_organization(&app, json!({"name": "Initech Inc"})).await;
    assert_eq!(second["slug"], "initech-inc-2");
    let memberships = app
        .get(&format!("/v1/users/{CAROL}/organization_memberships"))
        .send()
        .await;
    assert_eq!(memberships.body["total_count"], 1);
    let membership = &memberships.body["data"][0];
    assert_eq!(membership["role"], "org:admin");
    assert_eq!(membership["organization"]["id"], first["id"]);
    assert_eq!(membership["public_user_data"]["user_id"], CAROL);

    app.post("/v1/organizations")
        .json(&json!({"name": "Copy", "slug": "acme"}))
        .send()
        .await
        .assert_param_error("form_identifier_exists", "slug");
    app.post("/v1/organizations")
        .json(&json!({"name": "Bad", "slug": "Not A Slug"}))
        .send()
        .await
        .assert_param_error("form_param_format_invalid", "slug");
    app.post("/v1/organizations")
        .json(&json!({"name": "<script>"}))
        .send()
        .await
        .assert_param_error("form_param_value_invalid", "name");
    app.post("/v1/organizations")
        .json(&json!({"name": "Ghost", "created_by": "user_2NobodyHasThisId00000000000"}))
        .send()
        .await
        .assert_error(400, "organization_creator_not_found");
}

#[tokio::test]
async fn an_update_changes_what_it_names_and_metadata_merges_or_is_replaced() {
    let app = spawn_app().await;
    let updated = app
        .request(Method::PATCH, "/v1/organizations/acme")
        .json(&json!({"name": "Acme Inc", "slug": "acme-inc", "max_allowed_memberships": 10}))
        .send()
        .await;
    updated.assert_status(200);
    assert_eq!(updated.body["slug"], "acme-inc");
    assert_eq!(updated.body["max_allowed_memberships"], 10);
    app.get("/v1/organizations/acme")
        .send()
        .await
        .assert_error(404, "resource_not_found");
    app.request(Method::PATCH, &format!("/v1/organizations/{ACME}"))
        .json(&json!({"slug": "globex"}))
        .send()
        .await
        .assert_param_error("form_identifier_exists", "slug");
    app.request(Method::PATCH, &format!("/v1/organizations/{ACME}"))
        .version("2026-05-12")
        .json(&json!({"public_metadata": {}}))
        .send()
        .await
        .assert_param_error("form_param_unknown", "public_metadata");

    let path = format!("/v1/organizations/{ACME}/metadata");
    let merged = app
        .request(Method::PATCH, &path)
        .json(&json!({"public_metadata": {"plan": "pro", "limits": {"seats": 5}}}))
        .send()
        .await;
    merged.assert_status(200);
    let merged = app
        .request(Method::PATCH, &path)
        .json(&json!({"public_metadata": {"limits": {"seats": null, "sso": true}}}))
        .send()
        .await;
    assert_eq!(
        merged.body["public_metadata"],
        json!({"plan": "pro", "limits": {"sso": true}})
    );
    let replaced = app
        .request(Method::PUT, &path)
        .json(&json!({"private_metadata": {"crm": "42"}}))
        .send()
        .await;
    assert_eq!(replaced.body["private_metadata"], json!({"crm": "42"}));
    assert_eq!(replaced.body["public_metadata"]["plan"], "pro");
}

#[tokio::test]
async fn members_join_change_role_and_leave_and_tokens_follow_at_once() {
    let app = spawn_app().await;
    let members = app
        .get(&format!("/v1/organizations/{ACME}/memberships"))
        .send()
        .await;
    members.assert_status(200);
    let alice = app
        .get(&format!("/v1/organizations/{ACME}/memberships"))
        .query("user_id", ALICE)
        .send()
        .await;
    assert_eq!(alice.body["total_count"], 1);
    let alice = &alice.body["data"][0];
    assert_eq!(alice["role"], "org:admin");
    assert_eq!(alice["public_user_data"]["identifier"], "alice@example.com");
    assert!(
        alice["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("orgmem_"))
    );
    let admins = app
        .get(&format!("/v1/organizations/{ACME}/memberships"))
        .query("role", "org:admin")
        .send()
        .await;
    assert_eq!(admins.body["total_count"], 1);

    let joined = app
        .post(&format!("/v1/organizations/{ACME}/memberships"))
        .json(&json!({"user_id": CAROL, "role": "org:member"}))
        .send()
        .await;
    joined.assert_status(200);
    assert_eq!(
        joined.body["permissions"],
        json!(["org:sys_memberships:read"])
    );
    app.post(&format!("/v1/organizations/{ACME}/memberships"))
        .json(&json!({"user_id": CAROL, "role": "org:member"}))
        .send()
        .await
        .assert_error(400, "already_a_member_in_organization");
    app.post(&format!("/v1/organizations/{GLOBEX}/memberships"))
        .json(&json!({"user_id": BOB, "role": "org:owner"}))
        .send()
        .await
        .assert_error(404, "resource_not_found");

    // Bob's session in Acme: his next token shows each change of role at once.
    let before = app.mint_verified(BOB_ACTIVE, None, None).await.claims;
    assert_eq!(before["o"]["rol"], "member");
    app.request(
        Method::PATCH,
        &format!("/v1/organizations/{ACME}/memberships/{BOB}"),
    )
    .json(&json!({"role": "org:admin"}))
    .send()
    .await
    .assert_status(200);
    let promoted = app.mint_verified(BOB_ACTIVE, None, None).await.claims;
    assert_eq!(promoted["o"]["rol"], "admin");

    // Alice leaves Acme: her session there moves to Globex, her remaining organization.
    let left = app
        .request(
            Method::DELETE,
            &format!("/v1/organizations/{ACME}/memberships/{ALICE}"),
        )
        .send()
        .await;
    left.assert_status(200);
    assert_eq!(left.body["organization"]["id"], ACME);
    assert_eq!(
        app.get_session(ALICE_ACME).await.body["last_active_organization_id"],
        GLOBEX
    );
    let moved = app.mint_verified(ALICE_ACME, None, None).await.claims;
    assert_eq!(moved["o"]["id"], GLOBEX);
    app.request(
        Method::DELETE,
        &format!("/v1/organizations/{ACME}/memberships/{ALICE}"),
    )
    .send()
    .await
    .assert_error(404, "resource_not_found");
}

#[tokio::test]
async fn an_organization_at_its_limit_takes_no_member() {
    let app = spawn_app().await;
    app.request(Method::PATCH, &format!("/v1/organizations/{GLOBEX}"))
        .json(&json!({"max_allowed_memberships": 1}))
        .send()
        .await
        .assert_status(200);
    app.post(&format!("/v1/organizations/{GLOBEX}/memberships"))
        .json(&json!({"user_id": BOB, "role": "org:member"}))
        .send()
        .await
        .assert_error(403, "organization_membership_quota_exceeded");
}

#[tokio::test]
async fn a_deleted_organization_takes_its_memberships_and_its_sessions_are_in_none() {
    let app = spawn_app().await;
    let deleted = app
        .request(Method::DELETE, "/v1/organizations/acme")
        .send()
        .await;
    deleted.assert_status(200);
    assert_eq!(
        deleted.body,
        json!({"object": "organization", "id": ACME, "slug": "acme", "deleted": true})
    );
    assert_eq!(
        app.get_session(BOB_ACTIVE).await.body["last_active_organization_id"],
        Value::Null
    );
    let claims = app.mint_verified(BOB_ACTIVE, None, None).await.claims;
    assert!(claims.get("o").is_none(), "{claims}");
    let bobs = app
        .get(&format!("/v1/users/{BOB}/organization_memberships"))
        .send()
        .await;
    assert_eq!(bobs.body["total_count"], 0);
    assert_eq!(
        app.list_users(&[("organization_id", ACME)]).await.body,
        json!([])
    );
    app.get(&format!("/v1/organizations/{ACME}"))
        .send()
        .await
        .assert_error(404, "resource_not_found");
}

#[tokio::test]
async fn an_organization_past_the_memory_bound_is_402() {
    let app = spawn_app_with(|settings| {
        settings.users = 0;
        settings.sessions = 0;
        settings.instance_memory_mib = 1;
    })
    .await;
    let metadata = json!({"blob": "x".repeat(8000)});
    app.post_until_refused("/v1/organizations", |n| {
        json!({"name": format!("Org {n}"), "public_metadata": metadata, "private_metadata": metadata})
    })
    .await
    .assert_error(402, "instance_memory_exhausted");
}

#[tokio::test]
async fn the_admin_api_switches_a_sessions_organization_as_set_active_does() {
    let app = spawn_app().await;
    let path = format!("/__admin/instance/sessions/{ALICE_ACME}/active_organization");
    let switched = app
        .post(&path)
        .json(&json!({"organization_id": "globex"}))
        .send()
        .await;
    switched.assert_status(200);
    assert_eq!(switched.body["last_active_organization_id"], GLOBEX);
    let claims = app.mint_verified(ALICE_ACME, None, None).await.claims;
    assert_eq!(claims["o"]["slg"], "globex");
    app.post(&path)
        .json(&json!({"organization_id": null}))
        .send()
        .await
        .assert_status(200);
    let claims = app.mint_verified(ALICE_ACME, None, None).await.claims;
    assert!(claims.get("o").is_none(), "{claims}");

    app.post(&format!(
        "/__admin/instance/sessions/{BOB_ACTIVE}/active_organization"
    ))
    .json(&json!({"organization_id": GLOBEX}))
    .send()
    .await
    .assert_param_error("form_param_value_invalid", "organization_id");
    app.post(&path)
        .json(&json!({}))
        .send()
        .await
        .assert_param_error("form_param_missing", "organization_id");
    app.post(&path)
        .json(&json!({"organization_id": "no-such-slug"}))
        .send()
        .await
        .assert_error(404, "resource_not_found");
}

#[tokio::test]
async fn a_users_new_sessions_start_in_the_organization_it_last_created_or_joined() {
    let app = spawn_app().await;
    let initech = create_organization(&app, json!({"name": "Initech", "created_by": CAROL})).await;
    let session = app.create_session(json!({"user_id": CAROL})).await;
    assert_eq!(session.body["last_active_organization_id"], initech["id"]);

    app.post(&format!("/v1/organizations/{GLOBEX}/memberships"))
        .json(&json!({"user_id": BOB, "role": "org:member"}))
        .send()
        .await
        .assert_status(200);
    let bobs = app.create_session(json!({"user_id": BOB})).await;
    assert_eq!(bobs.body["last_active_organization_id"], GLOBEX);
    // Asked for, another organization wins; gone, the remembered one is forgotten.
    let asked = app
        .create_session(json!({"user_id": BOB, "active_organization_id": ACME}))
        .await;
    assert_eq!(asked.body["last_active_organization_id"], ACME);
    app.request(
        Method::DELETE,
        &format!("/v1/organizations/{GLOBEX}/memberships/{BOB}"),
    )
    .send()
    .await
    .assert_status(200);
    let after = app.create_session(json!({"user_id": BOB})).await;
    assert_eq!(after.body["last_active_organization_id"], Value::Null);
}

#[tokio::test]
async fn generated_organizations_are_served_like_the_fixtures() {
    let app = spawn_app_with(|settings| settings.organizations = 5).await;
    let listed = app
        .get("/v1/organizations")
        .query("limit", "100")
        .send()
        .await;
    assert_eq!(listed.body["total_count"], 7);
    for organization in listed.body["data"].as_array().into_iter().flatten() {
        let slug = organization["slug"].as_str().expect("slug");
        let by_slug = app.get(&format!("/v1/organizations/{slug}")).send().await;
        assert_eq!(by_slug.body["id"], organization["id"]);
    }
}

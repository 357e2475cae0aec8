//! Loading data into an instance and exporting it: entries that reference each other and the
//! seeded data, errors that name the bad entry, and an export that another instance reproduces.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ALICE, ALICE_ACTIVE, Answer, TestApp, spawn_app};

const DAVE: &str = "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7";
const INITECH: &str = "org_2Initechq3VxkTzWk9bRfPm1nA8";
const DAVE_LAPTOP: &str = "sess_2DaveLaptopqT7mWz3Kc9Xv1Lpw";

async fn load(app: &TestApp, key: &str, query: &str, document: &Value) -> Answer {
    app.request(Method::POST, &format!("/__admin/instance/data{query}"))
        .key(key)
        .json(document)
        .send()
        .await
}

async fn export(app: &TestApp, key: &str) -> Value {
    let answer = app
        .request(Method::GET, "/__admin/instance/data")
        .key(key)
        .send()
        .await;
    answer.assert_status(200);
    answer.body
}

async fn new_instance_key(app: &TestApp) -> String {
    let answer = app.create_instance().await;
    answer.assert_status(201);
    answer.body["secret_key"]
        .as_str()
        .expect("a key")
        .to_owned()
}

/// Each error of a 422 as (`meta.param_name`, `long_message`); every one must be an invalid value.
fn named_errors(refused: &Answer) -> Vec<(String, String)> {
    refused.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| {
            assert_eq!(error["code"], "form_param_value_invalid", "{error}");
            let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
            (
                text(&error["meta"]["param_name"]),
                text(&error["long_message"]),
            )
        })
        .collect()
}

fn dave_document() -> Value {
    json!({
        "organizations": [{ "id": INITECH, "name": "Initech", "slug": "initech" }],
        "users": [{
            "id": DAVE, "first_name": "Dave", "last_name": "Davis",
            "email_address": "dave@example.com", "email_verified": true,
            "public_metadata": { "plan": "enterprise" },
            "memberships": [{ "organization_id": INITECH, "role": "org:admin" }]
        }],
        "sessions": [
            { "id": DAVE_LAPTOP, "user_id": DAVE, "active_organization_id": INITECH },
            { "user_id": ALICE, "status": "revoked" }
        ],
        "jwt_templates": [{
            "name": "initech", "lifetime": 120,
            "claims": { "plan": "{{user.public_metadata.plan}}", "org": "{{org.slug}}" }
        }]
    })
}

#[tokio::test]
async fn loaded_entries_are_served_by_the_api_and_carried_in_tokens() {
    let server = spawn_app().await;
    let app = server.with_key(&new_instance_key(&server).await);
    let before = export(&app, &app.key).await;
    let revoked_of_alice = || async {
        let list = app
            .list_sessions(&[("user_id", ALICE), ("status", "revoked")])
            .await;
        list.assert_status(200);
        list.body.as_array().map_or(0, Vec::len)
    };
    let revoked_before = revoked_of_alice().await;

    let summary = load(&app, &app.key, "", &dave_document()).await;
    summary.assert_status(200);
    assert_eq!(summary.body["object"], "instance_data_load");
    assert_eq!(
        summary.body["loaded"],
        json!({ "organizations": 1, "users": 1, "sessions": 2, "jwt_templates": 1 })
    );
    let count = |section: &str| before[section].as_array().map_or(0, Vec::len);
    assert_eq!(summary.body["total"]["users"], count("users") + 1);
    assert_eq!(summary.body["total"]["sessions"], count("sessions") + 2);

    let session = app.get_session(DAVE_LAPTOP).await;
    session.assert_status(200);
    assert_eq!(session.body["user_id"], DAVE);
    assert_eq!(session.body["status"], "active");
    let lifetime = session.body["expire_at"].as_i64().expect("expire_at")
        - session.body["created_at"].as_i64().expect("created_at");
    assert_eq!(lifetime, 7 * 24 * 3600 * 1000, "a session lives seven days");
    assert_eq!(
        revoked_of_alice().await,
        revoked_before + 1,
        "a loaded session of a seeded user is listed with the user's others"
    );

    let token = app.mint_verified(DAVE_LAPTOP, None, None).await;
    assert_eq!(token.claims["o"]["id"], INITECH);
    assert_eq!(token.claims["o"]["rol"], "admin");
    let templated = app.mint_verified(DAVE_LAPTOP, Some("initech"), None).await;
    assert_eq!(templated.claims["plan"], "enterprise");
    assert_eq!(templated.claims["org"], "initech");
    let lifetime = templated.claims["exp"]
        .as_i64()
        .zip(templated.claims["iat"].as_i64());
    assert_eq!(lifetime.map(|(exp, iat)| exp - iat), Some(120));
}

#[tokio::test]
async fn a_session_loaded_again_is_served_as_loaded_even_just_after_being_read() {
    let server = spawn_app().await;
    let app = server.with_key(&new_instance_key(&server).await);
    load(&app, &app.key, "", &dave_document())
        .await
        .assert_status(200);
    // Read on every worker, then replaced by an entry in the same status with another field.
    for _ in 0..4 {
        let read = app.get_session(DAVE_LAPTOP).await;
        assert_eq!(read.body["last_active_organization_id"], INITECH);
    }
    let again = json!({ "sessions": [{ "id": DAVE_LAPTOP, "user_id": DAVE }] });
    load(&app, &app.key, "", &again).await.assert_status(200);
    for _ in 0..4 {
        let read = app.get_session(DAVE_LAPTOP).await;
        assert_eq!(read.body["status"], "active");
        assert_eq!(read.body["last_active_organization_id"], Value::Null);
    }
}

#[tokio::test]
async fn times_may_be_written_as_how_long_ago_on_the_instance_clock() {
    let server = spawn_app().await;
    let app = server.with_key(&new_instance_key(&server).await);
    let now = 1_800_000_000_000_i64;
    app.request(Method::POST, "/__admin/instance/clock")
        .key(&app.key)
        .json(&json!({ "now_ms": now, "frozen": true }))
        .send()
        .await
        .assert_status(200);
    let document = json!({ "sessions": [{
        "id": DAVE_LAPTOP, "user_id": ALICE,
        "created_at": "2d ago", "last_active_at": "1h 30m ago", "expire_at": now + 1000
    }] });
    load(&app, &app.key, "", &document).await.assert_status(200);
    let session = app.get_session(DAVE_LAPTOP).await;
    session.assert_status(200);
    assert_eq!(session.body["created_at"], now - 2 * 86_400_000);
    assert_eq!(session.body["last_active_at"], now - 90 * 60_000);
    assert_eq!(session.body["expire_at"], now + 1000);

    let bad = json!({ "sessions": [{ "user_id": ALICE, "created_at": "2d" }] });
    let refused = load(&app, &app.key, "", &bad).await;
    refused.assert_status(422);
    let errors = named_errors(&refused);
    assert_eq!(errors[0].0, "sessions[0]");
    assert!(errors[0].1.contains("how long ago"), "{errors:?}");
}

#[tokio::test]
async fn a_bad_document_names_every_bad_entry_and_changes_nothing() {
    let app = spawn_app().await;
    let key = new_instance_key(&app).await;
    let before = export(&app, &key).await;
    let document = json!({
        "users": [
            { "id": DAVE },
            { "id": "user_nope" },
            { "id": "user_2EveBadMembershipq3VxkTzWk9", "memberships": [{ "organization_id": INITECH, "role": "org:member" }] }
        ],
        "sessions": [
            { "user_id": DAVE },
            { "user_id": "user_2NobodyHereq3VxkTzWk9bRfPma" },
            { "user_id": ALICE, "active_organization_id": "org_2GlobexVGQT1v7E7Zi2T6IuzA7C", "status": "ended" },
            { "user_id": DAVE, "tasks": ["choose-organization"] },
            { "user_id": DAVE, "colour": "blue" }
        ],
        "jwt_templates": [{ "name": "broken", "claims": { "a": "{{user.id" } }],
        "widgets": []
    });
    let refused = load(&app, &key, "", &document).await;
    refused.assert_status(422);
    let named = named_errors(&refused);
    let params: Vec<&str> = named.iter().map(|(param, _)| param.as_str()).collect();
    assert_eq!(
        params,
        ["widgets", "users[1]", "sessions[4]"],
        "entries that do not parse are named first: {named:#?}"
    );
    assert!(named[1].1.contains("user_nope"), "{named:#?}");
    assert!(named[2].1.contains("colour"), "{named:#?}");

    // Once every entry parses, the cross-references are checked, all of them at once.
    let document = json!({
        "users": [
            { "id": DAVE },
            { "id": "user_2EveBadMembershipq3VxkTzWk9", "memberships": [{ "organization_id": INITECH, "role": "org:member" }] }
        ],
        "sessions": [
            { "user_id": DAVE },
            { "user_id": "user_2NobodyHereq3VxkTzWk9bRfPma" },
            { "user_id": ALICE, "active_organization_id": INITECH },
            { "user_id": DAVE, "tasks": ["choose-organization"] }
        ],
        "jwt_templates": [{ "name": "broken", "claims": { "a": "{{user.id" } }]
    });
    let refused = load(&app, &key, "", &document).await;
    refused.assert_status(422);
    let messages = named_errors(&refused);
    let expected = [
        ("users[1]", "membership of unknown organization"),
        (
            "sessions[1]",
            "unknown user `user_2NobodyHereq3VxkTzWk9bRfPma`",
        ),
        ("sessions[2]", "is not a member of organization"),
        ("sessions[3]", "only a pending session has tasks"),
        ("jwt_templates[0]", "broken"),
    ];
    assert_eq!(messages.len(), expected.len(), "{messages:#?}");
    for ((param, message), (wanted_param, wanted_text)) in messages.iter().zip(expected) {
        assert_eq!(param, wanted_param, "{messages:#?}");
        assert!(message.contains(wanted_text), "{param}: {message}");
    }

    assert_eq!(
        export(&app, &key).await,
        before,
        "a refused document changes nothing"
    );
}

#[tokio::test]
async fn an_export_loaded_with_replace_reproduces_the_instance() {
    let app = spawn_app().await;
    let original = new_instance_key(&app).await;
    load(&app, &original, "", &dave_document())
        .await
        .assert_status(200);
    app.post(&format!("/v1/sessions/{ALICE_ACTIVE}/revoke"))
        .key(&original)
        .send()
        .await
        .assert_status(200);
    let exported = export(&app, &original).await;
    assert!(
        exported["sessions"]
            .as_array()
            .is_some_and(|sessions| sessions.iter().all(|s| s["created_at"].is_i64())),
        "exported times are Unix milliseconds"
    );

    let copy = new_instance_key(&app).await;
    let summary = load(&app, &copy, "?replace=true", &exported).await;
    summary.assert_status(200);
    assert_eq!(summary.body["loaded"], summary.body["total"]);
    assert_eq!(export(&app, &copy).await, exported);
    let revoked = app
        .get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .key(&copy)
        .send()
        .await;
    assert_eq!(revoked.body["status"], "revoked");

    // Without replace, loading the same export again changes nothing: every id already exists.
    load(&app, &copy, "", &exported).await.assert_status(200);
    assert_eq!(export(&app, &copy).await, exported);

    // A reset brings the seeded data back, without the loaded entries.
    app.request(Method::POST, "/__admin/instance/reset")
        .key(&copy)
        .send()
        .await
        .assert_status(200);
    app.get(&format!("/v1/sessions/{DAVE_LAPTOP}"))
        .key(&copy)
        .send()
        .await
        .assert_error(404, "resource_not_found");
}

#[tokio::test]
async fn a_body_that_is_not_a_document_is_400_and_a_bad_mode_422() {
    let app = spawn_app().await;
    let key = app.key.clone();
    app.request(Method::POST, "/__admin/instance/data")
        .body("application/json", b"{\"users\": [".to_vec())
        .send()
        .await
        .assert_error(400, "request_body_invalid");
    app.request(Method::POST, "/__admin/instance/data")
        .json(&json!([]))
        .send()
        .await
        .assert_error(400, "request_body_invalid");
    load(&app, &key, "", &json!({ "users": {} }))
        .await
        .assert_param_error("form_param_value_invalid", "users");
    load(&app, &key, "?replace=yes", &json!({}))
        .await
        .assert_param_error("form_param_type_invalid", "replace");
    let empty = load(&app, &key, "", &json!({})).await;
    empty.assert_status(200);
    assert_eq!(empty.body["loaded"]["sessions"], 0);
}

#[tokio::test]
async fn a_document_over_the_limit_is_413() {
    let app = spawn_app().await;
    let padding = "x".repeat(17 * 1024 * 1024);
    app.request(Method::POST, "/__admin/instance/data")
        .json(&json!({ "users": [{ "id": DAVE, "first_name": padding }] }))
        .send()
        .await
        .assert_error(413, "request_body_too_large");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_instance_keeps_answering_from_its_old_data_while_a_large_document_loads() {
    let app = spawn_app().await;
    // 100,000 sessions of one user, newest first: the order that costs most to insert one at a
    // time into the user's sorted index.
    let now_ms = 1_790_000_000_000_i64;
    let sessions: Vec<Value> = (0..100_000_i64)
        .map(|n| json!({ "user_id": ALICE, "created_at": now_ms - n * 1_000 }))
        .collect();
    let document = json!({ "sessions": sessions });
    let loading = {
        let app = app.with_key(&app.key);
        let document = document.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let answer = load(&app, &app.key, "", &document).await;
            (answer, started.elapsed())
        })
    };
    let mut slowest_get = std::time::Duration::ZERO;
    let mut gets_during_load = 0;
    while !loading.is_finished() {
        let started = std::time::Instant::now();
        app.get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
            .send()
            .await
            .assert_status(200);
        slowest_get = slowest_get.max(started.elapsed());
        gets_during_load += 1;
    }
    let (answer, load_took) = loading.await.expect("the load finishes");
    answer.assert_status(200);
    assert_eq!(answer.body["loaded"]["sessions"], 100_000);
    assert!(
        gets_during_load >= 3,
        "{gets_during_load} gets during a {load_took:?} load"
    );
    // A get never waits for the load: it is answered from the data the load replaces.
    assert!(
        slowest_get * 3 < load_took,
        "the slowest get took {slowest_get:?} of a {load_took:?} load"
    );
}

#[tokio::test]
async fn free_form_json_over_8_kib_is_refused_naming_the_entry() {
    let app = spawn_app().await;
    let large = "x".repeat(9 * 1024);
    let document = json!({
        "users": [{ "id": "user_2LargeMetadataxYz8Kp3Wq1Rtz", "public_metadata": { "notes": large } }],
        "sessions": [{ "user_id": ALICE, "actor": { "sub": "user_2CarolsZ1EoOyEZmEivtHY0phmf", "notes": large } }],
    });
    let refused = load(&app, &app.key, "", &document).await;
    refused.assert_status(422);
    let errors = refused.body["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let named: Vec<&str> = errors
        .iter()
        .filter_map(|error| error["meta"]["param_name"].as_str())
        .collect();
    assert_eq!(named, ["users[0]", "sessions[0]"], "{errors:?}");
    assert!(
        errors.iter().all(|error| error["long_message"]
            .as_str()
            .is_some_and(|text| text.contains("8 KiB"))),
        "{errors:?}"
    );
    app.post("/__admin/instance/sessions")
        .json(&json!({ "user_id": ALICE, "actor": { "sub": "user_2CarolsZ1EoOyEZmEivtHY0phmf", "notes": large } }))
        .send()
        .await
        .assert_error(422, "form_param_value_invalid");
}

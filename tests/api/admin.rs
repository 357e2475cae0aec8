//! The test-control surface: instances on demand, bounded, deletable, and resettable.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ALICE, ALICE_ACTIVE, CAROL, TestApp, spawn_app, spawn_app_with};

async fn create_instance(app: &TestApp) -> (u16, Value) {
    let answer = app.create_instance().await;
    (answer.status, answer.body)
}

async fn admin(app: &TestApp, method: Method, path: &str, key: Option<&str>) -> (u16, Value) {
    let mut request = app
        .client
        .request(method, format!("{}/__admin{path}", app.address));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    (status, response.json().await.expect("JSON"))
}

fn status_of(sessions: &[Value]) -> Vec<(String, String)> {
    sessions
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or_default().to_owned(),
                s["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_created_instance_is_seeded_isolated_and_reachable_with_its_key() {
    let app = spawn_app().await;
    let (status, created) = create_instance(&app).await;
    assert_eq!(status, 201, "{created:#}");
    let key = created["secret_key"].as_str().expect("key").to_owned();
    assert!(key.starts_with("sk_test_") && key.len() == 40, "{key}");
    assert!(
        created["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("ins_"))
    );

    let fixture = app
        .get(&format!("/v1/sessions/{ALICE_ACTIVE}"))
        .key(&key)
        .send()
        .await;
    fixture.assert_status(200);
    let session = app
        .post("/v1/sessions")
        .key(&key)
        .json(&json!({ "user_id": ALICE }))
        .send()
        .await
        .body;
    let id = session["id"].as_str().expect("id");
    app.get(&format!("/v1/sessions/{id}"))
        .send()
        .await
        .assert_error(404, "resource_not_found");
    let jwks = app.get("/v1/jwks").key(&key).send().await.body;
    assert_eq!(jwks["keys"][0]["kid"], created["id"]);
}

#[tokio::test]
async fn instances_on_demand_are_bounded_with_a_clear_error() {
    let app = spawn_app_with(|settings| settings.max_instances = 2).await;
    let (_, first) = create_instance(&app).await;
    assert_eq!(create_instance(&app).await.0, 201);
    let (status, refused) = create_instance(&app).await;
    assert_eq!(status, 409);
    assert_eq!(refused["errors"][0]["code"], "instance_limit_reached");
    assert!(
        refused["errors"][0]["long_message"]
            .as_str()
            .is_some_and(|m| m.contains('2'))
    );

    let key = first["secret_key"].as_str().expect("key");
    let (status, deleted) = admin(&app, Method::DELETE, "/instance", Some(key)).await;
    assert_eq!(status, 200);
    assert_eq!(deleted["deleted"], true);
    assert_eq!(deleted["id"], first["id"]);
    app.get("/v1/jwks")
        .key(key)
        .send()
        .await
        .assert_error(401, "clerk_key_invalid");
    assert_eq!(create_instance(&app).await.0, 201, "deleting made room");
}

#[tokio::test]
async fn instances_on_demand_are_bounded_in_memory_counting_what_they_hold() {
    // Each instance holds about 5,000 sessions (about 3.5 MB as charged): one fits in 5 MiB,
    // two do not. The configured instance has a budget of its own.
    let app = spawn_app_with(|settings| {
        settings.sessions = 5_000;
        settings.instance_memory_mib = 5;
    })
    .await;
    let (status, first) = create_instance(&app).await;
    assert_eq!(status, 201, "{first}");
    let (status, refused) = create_instance(&app).await;
    assert_eq!(status, 409);
    assert_eq!(refused["errors"][0]["code"], "instance_limit_reached");
    assert!(
        refused["errors"][0]["long_message"]
            .as_str()
            .is_some_and(|m| m.contains("5 MiB") && m.contains("--instance-memory-mib")),
        "{refused}"
    );

    let key = first["secret_key"].as_str().expect("key");
    admin(&app, Method::DELETE, "/instance", Some(key)).await;
    assert_eq!(create_instance(&app).await.0, 201, "deleting made room");
}

#[tokio::test]
async fn a_configured_instance_cannot_be_deleted_and_admin_calls_need_a_key() {
    let app = spawn_app().await;
    let (status, refused) = admin(&app, Method::DELETE, "/instance", Some(&app.key.clone())).await;
    assert_eq!(status, 403);
    assert_eq!(refused["errors"][0]["code"], "instance_not_deletable");
    app.get_session(ALICE_ACTIVE).await.assert_status(200);

    let (status, unauthenticated) = admin(&app, Method::POST, "/instance/reset", None).await;
    assert_eq!(status, 401);
    assert_eq!(
        unauthenticated["errors"][0]["code"],
        "authentication_invalid"
    );
    let (status, _) = admin(
        &app,
        Method::POST,
        "/instance/reset",
        Some("sk_test_unknown"),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_reset_puts_the_instance_back_in_its_seeded_state() {
    let app = spawn_app().await;
    let seeded = app.all_sessions_of(ALICE).await;
    let created = app.create_session(json!({ "user_id": ALICE })).await.body;
    app.revoke_session(ALICE_ACTIVE).await.assert_status(200);

    let (status, reset) = admin(
        &app,
        Method::POST,
        "/instance/reset",
        Some(&app.key.clone()),
    )
    .await;
    assert_eq!(status, 200);
    assert!(reset["sessions"].as_u64() > Some(100));

    let after = app.all_sessions_of(ALICE).await;
    assert_eq!(status_of(&after), status_of(&seeded));
    app.get_session(created["id"].as_str().expect("id"))
        .await
        .assert_error(404, "resource_not_found");
    // Ids are drawn again from the start: the next session gets the same id as before.
    let again = app.create_session(json!({ "user_id": ALICE })).await.body;
    assert_eq!(again["id"], created["id"]);
}

const DAY_MS: i64 = 24 * 3600 * 1000;

#[tokio::test]
async fn sessions_follow_the_instance_clock_while_tokens_follow_the_wall_clock() {
    let app = spawn_app().await;
    let key = app.key.clone();
    let (status, clock) = admin(&app, Method::GET, "/instance/clock", Some(&key)).await;
    assert_eq!(status, 200);
    assert_eq!(clock["frozen"], false);

    // Tokens keep wall-clock times even on a moved clock.
    let moved = app
        .client
        .post(format!("{}/__admin/instance/clock", app.address))
        .bearer_auth(&key)
        .json(&json!({ "advance_ms": 3_600_000, "frozen": true }))
        .send()
        .await
        .expect("answered");
    assert_eq!(moved.status(), 200);
    let token = app.mint_verified(ALICE_ACTIVE, None, None).await;
    let iat = token.claims["iat"].as_i64().expect("iat");
    assert!(
        (iat - clerk_conformance::jwt::now_secs()).abs() <= 5,
        "token times follow the wall clock"
    );

    // Eight days on, the 2-hour-old active session has outlived its 7-day lifetime (and an
    // answer kept from before must not show).
    let status_listed = || async {
        app.all_sessions_of(ALICE)
            .await
            .into_iter()
            .find(|session| session["id"] == ALICE_ACTIVE)
            .map(|session| session["status"].clone())
    };
    for _ in 0..4 {
        assert_eq!(app.get_session(ALICE_ACTIVE).await.body["status"], "active");
        assert_eq!(status_listed().await, Some("active".into()));
    }
    let later = app
        .client
        .post(format!("{}/__admin/instance/clock", app.address))
        .bearer_auth(&key)
        .json(&json!({ "advance_ms": 8 * DAY_MS }))
        .send()
        .await
        .expect("answered");
    let state: Value = later.json().await.expect("JSON");
    assert_eq!(state["frozen"], true);
    assert_eq!(
        app.get_session(ALICE_ACTIVE).await.body["status"],
        "expired"
    );
    for _ in 0..4 {
        assert_eq!(status_listed().await, Some("expired".into()));
    }
    let expired = app
        .list_sessions(&[("user_id", ALICE), ("status", "expired"), ("limit", "500")])
        .await;
    assert!(
        expired
            .body
            .as_array()
            .expect("array")
            .iter()
            .any(|s| s["id"] == ALICE_ACTIVE)
    );
    let active = app
        .list_sessions(&[
            ("user_id", ALICE),
            ("status", "active"),
            ("paginated", "true"),
        ])
        .await;
    assert_eq!(
        active.body["total_count"], 0,
        "every fixture session of Alice has ended by now"
    );
    app.mint(ALICE_ACTIVE, None, None)
        .await
        .assert_error(404, "resource_not_found");

    // A new session starts at the instance's time.
    let created = app.create_session(json!({ "user_id": ALICE })).await.body;
    assert_eq!(created["created_at"], state["now_ms"]);

    // A reset brings the wall clock back.
    admin(&app, Method::POST, "/instance/reset", Some(&key)).await;
    let (_, clock) = admin(&app, Method::GET, "/instance/clock", Some(&key)).await;
    assert_eq!(clock["frozen"], false);
    assert_eq!(app.get_session(ALICE_ACTIVE).await.body["status"], "active");
}

#[tokio::test]
async fn a_frozen_clock_can_be_set_and_bad_changes_are_422() {
    let app = spawn_app().await;
    let key = app.key.clone();
    let change = |body: Value| {
        app.client
            .post(format!("{}/__admin/instance/clock", app.address))
            .bearer_auth(&key)
            .json(&body)
            .send()
    };
    let set: Value = change(json!({ "frozen": true, "now_ms": 1_900_000_000_000_i64 }))
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(set["now_ms"], 1_900_000_000_000_i64);
    let refused = change(json!({ "advance_ms": "soon", "tick": 1 }))
        .await
        .expect("answered");
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.expect("JSON");
    let params: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["meta"]["param_name"].as_str())
        .collect();
    assert_eq!(params, ["tick", "advance_ms"]);
    // Another instance's clock is untouched.
    let (_, other) = create_instance(&app).await;
    let other_key = other["secret_key"].as_str().expect("key");
    let (_, clock) = admin(&app, Method::GET, "/instance/clock", Some(other_key)).await;
    assert_eq!(clock["frozen"], false);
}

#[tokio::test]
async fn every_admin_operation_on_an_instance_needs_its_key() {
    let app = spawn_app().await;
    let document: Value =
        serde_json::from_str(&clerk_backend_mock::openapi_json()).expect("the spec is JSON");
    let secured: Vec<(Method, String)> = document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .filter_map(|(path, item)| Some((path.strip_prefix("/__admin")?, item.as_object()?)))
        .flat_map(|(path, item)| {
            item.iter()
                .filter(|(_, operation)| operation.get("security").is_some())
                .filter_map(move |(method, _)| {
                    Some((
                        Method::from_bytes(method.to_uppercase().as_bytes()).ok()?,
                        path.to_owned(),
                    ))
                })
        })
        .collect();
    assert!(secured.len() >= 13, "{secured:?}");
    for (method, path) in secured {
        let path = path.as_str();
        let (status, body) = admin(&app, method.clone(), path, None).await;
        assert_eq!(status, 401, "{method} {path}");
        assert_eq!(
            body["errors"][0]["code"], "authentication_invalid",
            "{method} {path}"
        );
        let (status, body) = admin(&app, method.clone(), path, Some("sk_test_nobody")).await;
        assert_eq!(status, 401, "{method} {path}");
        assert_eq!(
            body["errors"][0]["code"], "clerk_key_invalid",
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn a_malformed_clock_change_is_400() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/__admin/instance/clock", app.address))
        .bearer_auth(&app.key)
        .header("Content-Type", "application/json")
        .body("{")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["code"], "request_body_invalid");
}

#[tokio::test]
async fn the_journal_counts_what_a_backend_asked_and_never_holds_the_key() {
    let app = spawn_app().await;
    let key = app.key.clone();
    app.get_session(ALICE_ACTIVE).await.assert_status(200);
    app.revoke_session(ALICE_ACTIVE).await.assert_status(200);
    app.list_sessions(&[("user_id", ALICE), ("limit", "0")])
        .await
        .assert_status(422);
    app.get("/v1/jwks")
        .authorization(None)
        .send()
        .await
        .assert_status(401);

    let count = |query: &'static str| {
        let (app, key) = (&app, key.clone());
        async move {
            admin(
                app,
                Method::GET,
                &format!("/instance/journal/count?{query}"),
                Some(&key),
            )
            .await
        }
    };
    let (status, revokes) = count("operation_id=RevokeSession").await;
    assert_eq!(status, 200);
    assert_eq!(revokes["count"], 1, "revoke was called exactly once");
    assert_eq!(count("status=422").await.1["count"], 1);
    assert_eq!(
        count("method=get").await.1["count"],
        2,
        "the unauthenticated request belongs to no instance"
    );
    assert_eq!(count("status=abc").await.0, 422);

    let (_, journal) = admin(&app, Method::GET, "/instance/journal?limit=2", Some(&key)).await;
    assert_eq!(journal["total_count"], 3);
    let newest = &journal["data"][0];
    assert_eq!(newest["operation_id"], "GetSessionList");
    assert_eq!(newest["query"], format!("user_id={ALICE}&limit=0"));
    assert_eq!(journal["data"].as_array().map(Vec::len), Some(2));
    assert!(!journal.to_string().contains(&key));

    let (status, _) = admin(&app, Method::DELETE, "/instance/journal", Some(&key)).await;
    assert_eq!(status, 200);
    assert_eq!(count("").await.1["count"], 0);
}

#[tokio::test]
async fn each_instance_has_its_own_journal() {
    let app = spawn_app().await;
    let (_, other) = create_instance(&app).await;
    let other_key = other["secret_key"].as_str().expect("key").to_owned();
    app.get("/v1/jwks")
        .key(&other_key)
        .send()
        .await
        .assert_status(200);
    let (_, mine) = admin(
        &app,
        Method::GET,
        "/instance/journal/count",
        Some(&app.key.clone()),
    )
    .await;
    let (_, theirs) = admin(
        &app,
        Method::GET,
        "/instance/journal/count",
        Some(&other_key),
    )
    .await;
    assert_eq!(
        (mine["count"].as_u64(), theirs["count"].as_u64()),
        (Some(0), Some(1))
    );
}

#[tokio::test]
async fn an_impersonated_session_can_be_created_and_its_tokens_carry_act() {
    let app = spawn_app().await;
    let key = app.key.clone();
    let carol = CAROL;
    let response = app
        .client
        .post(format!("{}/__admin/instance/sessions", app.address))
        .bearer_auth(&key)
        .json(&json!({ "user_id": crate::helpers::BOB, "active_organization_id": crate::helpers::ACME, "actor": { "sub": carol } }))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 200);
    let session: Value = response.json().await.expect("JSON");
    assert_eq!(session["actor"]["sub"], carol);
    let id = session["id"].as_str().expect("id").to_owned();
    assert_eq!(app.get_session(&id).await.body["actor"]["sub"], carol);
    let token = app.mint_verified(&id, None, None).await;
    assert_eq!(token.claims["act"]["sub"], carol);
    assert_eq!(token.claims["o"]["id"], crate::helpers::ACME);

    for (body, code) in [
        (
            json!({ "user_id": crate::helpers::BOB, "actor": "carol" }),
            "form_param_value_invalid",
        ),
        (
            json!({ "user_id": crate::helpers::BOB, "actor": { "name": "no sub" } }),
            "form_param_value_invalid",
        ),
        (json!({ "actor": { "sub": carol } }), "form_param_missing"),
    ] {
        let refused = app
            .client
            .post(format!("{}/__admin/instance/sessions", app.address))
            .bearer_auth(&key)
            .json(&body)
            .send()
            .await
            .expect("answered");
        assert_eq!(refused.status(), 422, "{body}");
        let error: Value = refused.json().await.expect("JSON");
        assert_eq!(error["errors"][0]["code"], code, "{body}");
    }
}

#[tokio::test]
async fn keys_accepted_on_first_use_share_the_bounds_of_instances_on_demand_and_can_be_deleted() {
    let app = spawn_app_with(|settings| {
        settings.accept_any_test_key = true;
        settings.max_instances = 2;
    })
    .await;
    let jwks_of = |key: &str| {
        let app = app.with_key(key);
        async move { app.get("/v1/jwks").send().await }
    };
    jwks_of("sk_test_first_ci_job").await.assert_status(200);
    jwks_of("sk_test_second_ci_job").await.assert_status(200);
    // A third key would be a third instance: the bound is named.
    let refused = jwks_of("sk_test_third_ci_job").await;
    let error = refused.assert_error(409, "instance_limit_reached");
    assert!(
        error["long_message"]
            .as_str()
            .is_some_and(|text| text.contains("--max-instances")),
        "{error}"
    );
    // The admin API counts against the same bound.
    app.create_instance().await.assert_status(409);
    // Deleting one makes room; its key is then a new instance.
    app.with_key("sk_test_first_ci_job")
        .request(Method::DELETE, "/__admin/instance")
        .send()
        .await
        .assert_status(200);
    jwks_of("sk_test_third_ci_job").await.assert_status(200);
    // The configured key is no instance on demand, and still answers.
    app.get("/v1/jwks").send().await.assert_status(200);
}

/// The 409 a write past an instance's memory bound answers, naming the bound.
#[track_caller]
fn assert_instance_full(status: u16, body: &Value) {
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["errors"][0]["code"], "instance_memory_exhausted",
        "{body}"
    );
    assert!(
        body["errors"][0]["long_message"]
            .as_str()
            .is_some_and(|m| m.contains("1 MiB") && m.contains("--instance-memory-mib")),
        "{body}"
    );
}

#[tokio::test]
async fn writes_are_charged_by_what_they_add_and_refused_past_the_instance_bound() {
    let app = spawn_app_with(|settings| settings.instance_memory_mib = 1).await;
    let actor = json!({ "sub": CAROL, "note": "x".repeat(7_000) });

    // Sessions with an actor of 7 KB each: the 1 MiB bound stops them after about 130, not
    // after any fixed count of records.
    let mut created = 0;
    let refused = loop {
        let answer = app
            .request(Method::POST, "/__admin/instance/sessions")
            .json(&json!({ "user_id": ALICE, "actor": actor }))
            .send()
            .await;
        if answer.status != 200 {
            break (answer.status, answer.body);
        }
        created += 1;
        assert!(created < 200, "1 MiB holds no 200 sessions of 7 KB");
    };
    assert!(created > 80, "only {created} sessions of 7 KB fit in 1 MiB");
    assert_instance_full(refused.0, &refused.1);

    // Small sessions fill what is left, then the API refuses them the same way.
    let refused = loop {
        let answer = app.create_session(json!({ "user_id": ALICE })).await;
        if answer.status != 200 {
            break answer;
        }
    };
    assert_instance_full(refused.status, &refused.body);
    // Reads go on as before.
    app.get_session(ALICE_ACTIVE).await.assert_status(200);

    // A load that adds data is refused whole; one that replaces the data fits.
    let dave = "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7";
    let document = json!({ "users": [{ "id": dave }], "sessions": [{ "user_id": dave }] });
    let load = |replace: bool| {
        app.request(
            Method::POST,
            if replace {
                "/__admin/instance/data?replace=true"
            } else {
                "/__admin/instance/data"
            },
        )
        .json(&document)
        .send()
    };
    let refused = load(false).await;
    assert_instance_full(refused.status, &refused.body);
    load(true).await.assert_status(200);
    app.create_session(json!({ "user_id": dave }))
        .await
        .assert_status(200);
}

#[tokio::test]
async fn a_test_mints_a_token_with_the_azp_it_chooses() {
    let app = spawn_app().await;
    let mint = |body: Value, session: &str| {
        app.client
            .post(format!(
                "{}/__admin/instance/sessions/{session}/tokens",
                app.address
            ))
            .bearer_auth(&app.key)
            .json(&body)
            .send()
    };
    let jwks = app.jwks().await;
    let verified = |answer: Value| {
        let jwt = answer["jwt"].as_str().expect("jwt").to_owned();
        clerk_conformance::jwt::verify(&jwt, &jwks, clerk_conformance::jwt::now_secs(), 5)
            .unwrap_or_else(|problem| panic!("token does not verify: {problem}"))
    };

    let answer = mint(
        json!({ "authorized_party": "http://localhost:3000" }),
        ALICE_ACTIVE,
    )
    .await
    .expect("answered");
    assert_eq!(answer.status(), 200);
    let token = verified(answer.json().await.expect("JSON"));
    assert_eq!(token.claims["azp"], "http://localhost:3000");
    assert_eq!(token.claims["sid"], ALICE_ACTIVE);
    assert_eq!(token.claims["v"], 2);

    let answer = mint(
        json!({ "authorized_party": "https://app.example", "template": "test", "expires_in_seconds": 120 }),
        ALICE_ACTIVE,
    )
    .await
    .expect("answered");
    assert_eq!(answer.status(), 200);
    let token = verified(answer.json().await.expect("JSON"));
    assert_eq!(token.claims["azp"], "https://app.example");
    assert_eq!(
        token.claims["exp"]
            .as_i64()
            .zip(token.claims["iat"].as_i64())
            .map(|(exp, iat)| exp - iat),
        Some(120)
    );

    // Without one, the server's default (none here).
    let answer = mint(json!({}), ALICE_ACTIVE).await.expect("answered");
    let token = verified(answer.json().await.expect("JSON"));
    assert!(token.claims.get("azp").is_none(), "{:?}", token.claims);

    let missing = mint(json!({}), "sess_2ThisSessionDoesNotExist000")
        .await
        .expect("answered");
    assert_eq!(missing.status(), 404);
    for (body, code) in [
        (json!({ "authorized_party": 3 }), "form_param_type_invalid"),
        (
            json!({ "authorized_party": "" }),
            "form_param_value_invalid",
        ),
        (
            json!({ "expires_in_seconds": 5 }),
            "form_param_value_invalid",
        ),
        (json!({ "audience": "x" }), "form_param_unknown"),
    ] {
        let refused = mint(body.clone(), ALICE_ACTIVE).await.expect("answered");
        assert_eq!(refused.status(), 422, "{body}");
        let error: Value = refused.json().await.expect("JSON");
        assert_eq!(error["errors"][0]["code"], code, "{body}");
    }
}

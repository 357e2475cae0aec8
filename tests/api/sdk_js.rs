//! The official `@clerk/backend` SDK, pointed at the server: lists, gets, mints, verifies with
//! `verifyToken` through `/v1/jwks`, creates, revokes, and reads the error envelope; and its
//! `authenticateRequest`, as a backend's middleware runs it.
//!
//! Needs Node.js and npm; the SDK is installed from `tests/sdk/js/package-lock.json` on first use.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    ACME, ALICE, ALICE_ACME, ALICE_ACTIVE, BOB, BOB_IMPERSONATED, CAROL, node_package, spawn_app,
};

/// Runs `script` of the SDK folder `dir` with `env` and reads the JSON it prints.
async fn run_script(dir: &std::path::Path, script: &str, env: &[(&str, &str)]) -> Value {
    let output = tokio::process::Command::new("node")
        .arg(script)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .await
        .expect("node runs");
    assert!(
        output.status.success(),
        "the SDK script {script} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

#[tokio::test]
async fn the_official_js_sdk_works_against_the_mock() {
    let dir = node_package("sdk/js");
    let app = spawn_app().await;
    let seen = run_script(
        &dir,
        "check.mjs",
        &[
            ("CLERK_API_URL", &app.address),
            ("CLERK_SECRET_KEY", &app.key),
            ("CLERK_USER_ID", ALICE),
            ("CLERK_SESSION_ID", ALICE_ACTIVE),
        ],
    )
    .await;

    assert!(seen["list"]["totalCount"].as_u64() > Some(3), "{seen:#}");
    assert_eq!(seen["list"]["ids"].as_array().map(Vec::len), Some(3));
    assert!(
        seen["list"]["userIds"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|id| id == ALICE)
    );
    assert_eq!(seen["session"]["id"], ALICE_ACTIVE);
    assert_eq!(seen["session"]["status"], "active");
    assert_eq!(seen["verified"]["sid"], ALICE_ACTIVE);
    assert_eq!(seen["verified"]["sub"], ALICE);
    assert_eq!(seen["verified"]["v"], 2);
    assert_eq!(seen["verifiedTemplate"]["email"], "alice@example.com");
    assert_eq!(seen["created"]["status"], "active");
    assert_eq!(seen["revoked"]["status"], "revoked");
    let user = &seen["user"];
    assert_eq!(user["id"], ALICE);
    assert_eq!(user["fullName"], "Alice Anders");
    assert_eq!(user["primaryEmailAddress"], "alice@example.com");
    assert_eq!(user["primaryPhoneNumber"], "+15555550101");
    assert_eq!(
        user["emailAddresses"],
        serde_json::json!(["alice@example.com"])
    );
    assert_eq!(user["verification"], "verified");
    assert_eq!(user["publicMetadata"]["plan"], "pro");
    assert_eq!(user["privateMetadata"], serde_json::json!({}));
    assert!(user["lastSignInAt"].is_i64(), "{seen:#}");
    assert_eq!(user["banned"], false);
    assert_eq!(seen["byEmail"]["totalCount"], 2, "{seen:#}");
    assert_eq!(seen["byEmail"]["ids"], serde_json::json!([ALICE, BOB]));
    assert_eq!(seen["page"]["length"], 5);
    assert_eq!(seen["page"]["totalCount"], seen["userCount"]);
    assert!(seen["userCount"].as_u64() > Some(10), "{seen:#}");
    assert_eq!(seen["missingUser"]["status"], 404);
    assert_eq!(seen["missingUser"]["codes"][0], "resource_not_found");
    assert_eq!(seen["missing"]["status"], 404);
    assert_eq!(seen["missing"]["codes"][0], "resource_not_found");
    assert!(
        seen["missing"]["traceId"].is_string(),
        "the SDK reads clerk_trace_id"
    );
    // The SDK speaks API version 2026-05-12, where verify is retired.
    assert_eq!(seen["retiredVerify"]["status"], 410);
    assert_eq!(seen["retiredVerify"]["codes"][0], "operation_deprecated");
    assert_eq!(seen["wrongKey"]["failed"], true);
    // Injected faults reach the SDK as Clerk's own would: status, code and Retry-After.
    assert_eq!(seen["revokeDown"]["status"], 503, "{seen:#}");
    assert_eq!(seen["revokeDown"]["codes"][0], "service_unavailable");
    assert_eq!(seen["withinLimit"]["ok"], true, "{seen:#}");
    assert_eq!(seen["rateLimited"]["status"], 429, "{seen:#}");
    assert_eq!(seen["rateLimited"]["codes"][0], "too_many_requests");
    assert!(
        seen["rateLimited"]["retryAfter"]
            .as_u64()
            .is_some_and(|seconds| (1..=10).contains(&seconds)),
        "{seen:#}"
    );
}

/// `authenticateRequest` (behind `clerkMiddleware` and `@clerk/express`) against the mock, for the
/// five requests a backend's middleware meets: a Bearer token, the browser's cookies, an expired
/// cookie token with a refresh cookie, the same for a revoked session, and another instance's
/// token.
#[tokio::test]
async fn authenticate_request_signs_in_refreshes_and_signs_out_as_against_clerk() {
    let dir = node_package("sdk/js");
    let server = spawn_app().await;
    let app = &server;
    let token = |session: &'static str| app.jwt(session, None);

    // A session of Alice's that is revoked before the middleware sees its expired token.
    let doomed = app
        .request(Method::POST, "/__admin/instance/sessions")
        .json(&json!({ "user_id": ALICE }))
        .send()
        .await;
    doomed.assert_status(200);
    let doomed_id = doomed.body["id"].as_str().expect("id").to_owned();
    let doomed_refresh = doomed.body["refresh_token"]
        .as_str()
        .expect("refresh token");
    let doomed_expired = app.expired_token(&doomed_id).await;
    app.revoke_session(&doomed_id).await.assert_status(200);

    let other = app.create_instance().await;
    let other = app.with_key(other.body["secret_key"].as_str().expect("key"));
    let other_token = other.mint(ALICE_ACTIVE, None, None).await.body["jwt"].clone();

    // The browser's cookies: its token, when the client last changed (at or before the token's
    // `iat`), and the development instance's dev-browser token.
    let client_uat = (clerk_conformance::jwt::now_secs() - 600).to_string();
    let browser = |session_token: &str, refresh: Option<&str>| {
        let mut cookies = json!({
            "__session": session_token,
            "__client_uat": client_uat,
            "__clerk_db_jwt": "dvb_2MockDevBrowser000000000000",
        });
        if let Some(refresh) = refresh {
            cookies["__refresh"] = refresh.into();
        }
        json!({ "cookies": cookies })
    };
    // A backend that lists its authorized parties takes the token a test minted for its origin.
    let for_origin = app
        .request(
            Method::POST,
            &format!("/__admin/instance/sessions/{ALICE_ACTIVE}/tokens"),
        )
        .json(&json!({ "authorized_party": "http://localhost:3000" }))
        .send()
        .await;
    for_origin.assert_status(200);
    let parties = json!(["http://localhost:3000"]);
    let cases = json!({
        "authorizedParty": { "bearer": for_origin.body["jwt"], "authorizedParties": parties },
        "noAuthorizedParty": { "bearer": token(ALICE_ACTIVE).await, "authorizedParties": parties },
        "bearer": { "bearer": token(ALICE_ACTIVE).await },
        "bearerOrganization": { "bearer": token(ALICE_ACME).await },
        "bearerImpersonated": { "bearer": token(BOB_IMPERSONATED).await },
        "cookies": browser(&token(ALICE_ACTIVE).await, None),
        "refreshed": browser(
            &app.expired_token(ALICE_ACTIVE).await,
            Some(&app.refresh_token(ALICE_ACTIVE).await),
        ),
        "revoked": browser(&doomed_expired, Some(doomed_refresh)),
        "otherInstance": { "bearer": other_token },
    });
    app.request(Method::DELETE, "/__admin/instance/journal")
        .send()
        .await
        .assert_status(200);

    let cases = cases.to_string();
    let seen = run_script(
        &dir,
        "middleware.mjs",
        &[
            ("CLERK_API_URL", &app.address),
            ("CLERK_SECRET_KEY", &app.key),
            ("CLERK_PUBLISHABLE_KEY", &app.publishable_key),
            ("CASES", &cases),
        ],
    )
    .await;

    for case in [
        "authorizedParty",
        "bearer",
        "bearerOrganization",
        "bearerImpersonated",
        "cookies",
    ] {
        assert_eq!(seen[case]["status"], "signed-in", "{case}: {seen:#}");
    }
    assert_eq!(seen["bearer"]["userId"], ALICE);
    assert_eq!(seen["bearer"]["email"], "alice@example.com");
    assert_eq!(seen["bearerImpersonated"]["email"], "bob@example.com");
    assert_eq!(seen["bearer"]["sessionId"], ALICE_ACTIVE);
    assert_eq!(seen["bearerOrganization"]["orgId"], ACME);
    assert_eq!(seen["bearerImpersonated"]["userId"], BOB);
    assert_eq!(seen["bearerImpersonated"]["actor"]["sub"], CAROL);
    assert_eq!(seen["cookies"]["sessionId"], ALICE_ACTIVE);
    assert_eq!(seen["authorizedParty"]["azp"], "http://localhost:3000");
    assert_ne!(seen["noAuthorizedParty"]["status"], "signed-in", "{seen:#}");

    // The expired cookie token was refreshed through RefreshSession: signed in, with the new
    // token in Set-Cookie, issued for the request's origin.
    let refreshed = &seen["refreshed"];
    assert_eq!(refreshed["status"], "signed-in", "{seen:#}");
    assert_eq!(refreshed["sessionId"], ALICE_ACTIVE);
    assert_eq!(refreshed["azp"], "http://localhost:3000");
    let set_cookies = refreshed["setCookies"].as_array().expect("Set-Cookie list");
    assert!(
        set_cookies.iter().any(|cookie| cookie
            .as_str()
            .is_some_and(|c| c.starts_with("__session=ey"))),
        "{seen:#}"
    );

    // A revoked session is not refreshed: the SDK falls back to the handshake (or signs out).
    let revoked = &seen["revoked"]["status"];
    assert!(
        revoked == "handshake" || revoked == "signed-out",
        "{seen:#}"
    );
    let journal = app
        .get("/__admin/instance/journal")
        .query("operation_id", "RefreshSession")
        .send()
        .await;
    journal.assert_status(200);
    let statuses: Vec<(Value, Value)> = journal.body["data"]
        .as_array()
        .expect("journal entries")
        .iter()
        .map(|entry| (entry["path"].clone(), entry["status"].clone()))
        .collect();
    assert!(
        statuses.contains(&(
            json!(format!("/v1/sessions/{doomed_id}/refresh")),
            json!(401)
        )),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&(
            json!(format!("/v1/sessions/{ALICE_ACTIVE}/refresh")),
            json!(200)
        )),
        "{statuses:?}"
    );

    assert_eq!(seen["otherInstance"]["status"], "signed-out", "{seen:#}");
}

/// The SDK's user writes, as a test suite sets up its people: `createUser`, `updateUser` with
/// metadata (a `PATCH`, then a `PUT` of the metadata), `updateUserMetadata`, ban, lock,
/// `deleteUser`, and the error a taken email address raises.
#[tokio::test]
async fn the_official_js_sdk_creates_changes_and_deletes_users() {
    let dir = node_package("sdk/js");
    let app = spawn_app().await;
    let seen = run_script(
        &dir,
        "users.mjs",
        &[
            ("CLERK_API_URL", &app.address),
            ("CLERK_SECRET_KEY", &app.key),
        ],
    )
    .await;

    let created = &seen["created"];
    assert_eq!(created["fullName"], "Grace Hopper", "{seen:#}");
    assert_eq!(created["primaryEmailAddress"], "grace@example.com");
    assert_eq!(created["externalId"], "db-42");
    assert_eq!(created["passwordEnabled"], true);
    assert_eq!(created["privateMetadata"]["stripeCustomer"], "cus_123");
    assert_eq!(seen["taken"]["status"], 422);
    assert_eq!(seen["taken"]["codes"][0], "form_identifier_exists");
    assert_eq!(seen["taken"]["params"][0], "email_address");
    assert_eq!(seen["updated"]["fullName"], "Amazing Grace Hopper");
    assert_eq!(seen["updated"]["publicMetadata"], json!({"plan": "team"}));
    assert_eq!(
        seen["merged"]["publicMetadata"],
        json!({"plan": "team", "limits": {"seats": 10}})
    );
    assert_eq!(
        seen["merged"]["privateMetadata"],
        json!({"stripeCustomer": "cus_123", "vip": true})
    );
    assert_eq!(seen["byExternalId"]["ids"], json!([created["id"]]));
    assert_eq!(seen["byExternalId"]["totalCount"], 1);
    assert_eq!(seen["banned"], true);
    assert_eq!(seen["unbanned"], false);
    assert_eq!(seen["locked"], true);
    assert_eq!(seen["unlocked"], false);
    assert_eq!(
        seen["deleted"],
        json!({"id": created["id"], "deleted": true})
    );
    assert_eq!(seen["gone"]["status"], 404);

    // The journal holds the body the SDK sent, snake-cased at the top, camelCase inside.
    let sent = app
        .post("/__admin/instance/journal/find")
        .json(&json!({
            "operation_id": "CreateUser",
            "body": {
                "email_address": ["grace@example.com"],
                "external_id": "db-42",
                "private_metadata": {"stripeCustomer": "cus_123"}
            }
        }))
        .send()
        .await;
    assert_eq!(sent.body["total_count"], 1, "{:#}", sent.body);
    assert_eq!(sent.body["data"][0]["body"]["password"], "[redacted]");

    // `updateUser` with metadata sent the rest as a PATCH, then the metadata as a PUT.
    let journal = app
        .get("/__admin/instance/journal")
        .query("operation_id", "ReplaceUserMetadata")
        .send()
        .await;
    assert_eq!(
        journal.body["data"].as_array().map(Vec::len),
        Some(1),
        "{:#}",
        journal.body
    );
}

/// `@clerk/testing`'s `clerkSetup()` as an e2e suite's global set-up runs it, with
/// `CLERK_API_URL` at the mock (nothing leaves 127.0.0.1), then the sign-in recipe the README
/// shows: the user by email, a sign-in token, and the admin redemption into a session.
#[tokio::test]
async fn clerk_setup_gets_a_testing_token_and_a_sign_in_token_redeems() {
    let dir = node_package("sdk/js");
    let app = spawn_app().await;
    let seen = run_script(
        &dir,
        "testing.mjs",
        &[
            ("CLERK_API_URL", &app.address),
            ("CLERK_SECRET_KEY", &app.key),
            ("CLERK_PUBLISHABLE_KEY", &app.publishable_key),
        ],
    )
    .await;
    let testing_token = seen["testingToken"].as_str().expect("a testing token");
    assert!(testing_token.contains("-c_"), "{seen:#}");
    assert_eq!(seen["found"], json!({"totalCount": 1, "id": ALICE}));
    assert_eq!(
        seen["signInToken"],
        json!({"status": "pending", "userId": ALICE, "hasToken": true})
    );
    assert_eq!(seen["session"]["userId"], ALICE);
    assert_eq!(seen["session"]["status"], "active");
    assert_eq!(seen["revoked"], "revoked");
    assert!(seen["raw"]["expiresAt"].is_i64());
    let testing_calls = app
        .get("/__admin/instance/journal")
        .query("operation_id", "CreateTestingToken")
        .send()
        .await;
    assert_eq!(
        testing_calls.body["total_count"], 2,
        "clerkSetup asked the mock once, the script once: {:#}",
        testing_calls.body
    );
}

/// The SDK's organizations and memberships, as a multi-tenant backend reads and writes them:
/// by id and by slug, lists with their counts, create, update (whose metadata arrives as a
/// `PUT`), merge, members joining, promoted, refused twice and removed, and delete.
#[tokio::test]
async fn the_official_js_sdk_reads_and_writes_organizations_and_memberships() {
    let dir = node_package("sdk/js");
    let app = spawn_app().await;
    let seen = run_script(
        &dir,
        "organizations.mjs",
        &[
            ("CLERK_API_URL", &app.address),
            ("CLERK_SECRET_KEY", &app.key),
            ("CLERK_ORG_ID", ACME),
            ("CLERK_USER_ID", ALICE),
            ("CLERK_OTHER_USER_ID", CAROL),
        ],
    )
    .await;
    assert_eq!(seen["byId"]["id"], ACME, "{seen:#}");
    assert_eq!(seen["byId"]["slug"], "acme");
    assert!(seen["byId"]["membersCount"].as_u64() >= Some(2));
    assert_eq!(seen["bySlugId"], ACME);
    assert_eq!(seen["list"]["length"], 2);
    assert_eq!(
        seen["members"]["totalCount"], seen["byId"]["membersCount"],
        "{seen:#}"
    );
    let alice = seen["members"]["all"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|member| member["userId"] == ALICE)
        .expect("Alice among the members");
    assert_eq!(alice["role"], "org:admin");
    assert_eq!(alice["identifier"], "alice@example.com");
    assert_eq!(alice["organizationId"], ACME);
    assert_eq!(seen["ofUser"]["totalCount"], 2, "Acme and Globex");
    assert_eq!(seen["created"]["slug"], "initech");
    assert_eq!(seen["created"]["createdBy"], ALICE);
    assert_eq!(seen["updated"]["name"], "Initech Inc");
    assert_eq!(
        seen["updated"]["publicMetadata"],
        json!({"plan": "enterprise"})
    );
    assert_eq!(
        seen["merged"]["publicMetadata"],
        json!({"plan": "enterprise", "seats": 25})
    );
    assert_eq!(seen["merged"]["privateMetadata"], json!({"crm": "acc_42"}));
    assert_eq!(seen["joined"]["role"], "org:member");
    assert_eq!(seen["joined"]["userId"], CAROL);
    assert_eq!(seen["promoted"]["role"], "org:admin");
    assert_eq!(seen["again"]["status"], 400);
    assert_eq!(
        seen["again"]["codes"][0],
        "already_a_member_in_organization"
    );
    assert_eq!(seen["left"]["userId"], CAROL);
    assert_eq!(seen["deleted"]["deleted"], true);
    assert_eq!(seen["gone"]["status"], 404);
    let replaced = app
        .get("/__admin/instance/journal")
        .query("operation_id", "ReplaceOrganizationMetadata")
        .send()
        .await;
    assert_eq!(
        replaced.body["total_count"], 1,
        "updateOrganization's metadata as a PUT"
    );
}

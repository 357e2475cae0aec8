//! The official `@clerk/backend` SDK, pointed at the server: lists, gets, mints, verifies with
//! `verifyToken` through `/v1/jwks`, creates, revokes, and reads the error envelope.
//!
//! Needs Node.js and npm; the SDK is installed from `tests/sdk/js/package-lock.json` on first use.

use serde_json::Value;

use crate::helpers::{ALICE, ALICE_ACTIVE, node_package, spawn_app};

#[tokio::test]
async fn the_official_js_sdk_works_against_the_mock() {
    let dir = node_package("sdk/js", "@clerk/backend");
    let app = spawn_app().await;
    let output = tokio::process::Command::new("node")
        .arg("check.mjs")
        .current_dir(&dir)
        .env("CLERK_API_URL", &app.address)
        .env("CLERK_SECRET_KEY", &app.key)
        .env("CLERK_USER_ID", ALICE)
        .env("CLERK_SESSION_ID", ALICE_ACTIVE)
        .output()
        .await
        .expect("node runs");
    assert!(
        output.status.success(),
        "the SDK script failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_slice(&output.stdout).expect("the script prints JSON");

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

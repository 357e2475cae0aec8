//! The official Python SDK (`clerk-backend-api`), pointed at the server as a backend uses it:
//! lists, gets, writes users and mints through `Clerk(server_url=...)`, `authenticate_request` verifying
//! networklessly with the PEM the server publishes, `verify_token` fetching the JWKS, and a
//! refresh.
//!
//! The SDK installs itself from `tests/sdk/python/requirements.txt` into a virtual environment
//! under the target directory on first use (Python 3 with `venv` is needed).

use std::path::PathBuf;

use serde_json::Value;

use crate::helpers::{ALICE, ALICE_ACTIVE, python_environment, spawn_app};

#[tokio::test]
async fn the_official_python_sdk_authenticates_and_verifies_with_its_default_options() {
    let sdk = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/python");
    let python =
        python_environment("python-sdk-venv", &sdk.join("requirements.txt")).join("python");
    let app = spawn_app().await;

    let output = tokio::process::Command::new(python)
        .arg("check.py")
        .current_dir(&sdk)
        .env("CLERK_API_URL", &app.address)
        .env("CLERK_SECRET_KEY", &app.key)
        .env("CLERK_USER_ID", ALICE)
        .env("CLERK_SESSION_ID", ALICE_ACTIVE)
        .env("CLERK_REFRESH_TOKEN", app.refresh_token(ALICE_ACTIVE).await)
        .output()
        .await
        .expect("python runs");
    assert!(
        output.status.success(),
        "the SDK script failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_slice(&output.stdout).expect("the script prints JSON");

    assert_eq!(
        seen["list"]["ids"].as_array().map(Vec::len),
        Some(3),
        "{seen:#}"
    );
    assert_eq!(seen["list"]["userIds"], serde_json::json!([ALICE]));
    assert_eq!(seen["session"]["id"], ALICE_ACTIVE);
    assert_eq!(seen["user"]["id"], ALICE, "{seen:#}");
    assert_eq!(
        seen["listed"]["ids"],
        serde_json::json!([ALICE, "user_2BobJZrdAIU6kShB4Ir5nvFTMPp"])
    );
    assert_eq!(seen["listed"]["count"], 2);
    assert_eq!(seen["user"]["firstName"], "Alice");
    assert_eq!(seen["user"]["primaryEmail"], "alice@example.com");
    assert_eq!(seen["user"]["verification"], "verified");
    assert_eq!(seen["user"]["phones"], serde_json::json!(["+15555550101"]));
    assert_eq!(seen["user"]["publicMetadata"]["plan"], "pro");
    assert!(seen["user"]["lastSignInAt"].is_i64(), "{seen:#}");
    assert_eq!(seen["authenticated"]["signedIn"], true, "{seen:#}");
    assert_eq!(seen["authenticated"]["sub"], ALICE);
    assert_eq!(seen["authenticated"]["sid"], ALICE_ACTIVE);
    assert_eq!(seen["malformed"]["signedIn"], false);
    assert_eq!(seen["verifiedSession"]["sid"], ALICE_ACTIVE);
    assert_eq!(seen["verifiedTemplate"]["sub"], ALICE, "{seen:#}");
    assert_eq!(seen["verifiedTemplate"]["email"], "alice@example.com");
    let written = &seen["written"];
    assert_eq!(
        written["emails"],
        serde_json::json!(["grace@example.com", "hopper@example.com"]),
        "{seen:#}"
    );
    assert_eq!(written["reserved"], serde_json::json!([false, true]));
    assert_eq!(written["externalId"], "db-42");
    assert_eq!(
        written["merged"],
        serde_json::json!({"plan": "pro", "limits": {"seats": 10}})
    );
    assert_eq!(written["private"], serde_json::json!({"vip": true}));
    assert_eq!(written["lastName"], "Hopper");
    assert_eq!(written["banned"], true);
    assert_eq!(written["deleted"], true);
    let organizations = &seen["organizations"];
    assert_eq!(organizations["acme"]["slug"], "acme", "{seen:#}");
    assert_eq!(
        organizations["acmeMembers"], organizations["acme"]["membersCount"],
        "{seen:#}"
    );
    assert_eq!(organizations["acmeHasPublicUserData"], true);
    assert_eq!(organizations["mine"], serde_json::json!(["acme", "globex"]));
    assert_eq!(organizations["created"]["slug"], "initech");
    assert_eq!(organizations["created"]["createdBy"], ALICE);
    assert_eq!(organizations["renamed"], "Initech Inc");
    assert_eq!(organizations["merged"], serde_json::json!({"plan": "team"}));
    assert_eq!(organizations["joined"], "org:member");
    assert_eq!(organizations["promoted"], "org:admin");
    assert!(organizations["removed"].is_string());
    assert_eq!(organizations["deleted"], true);
    let tokens = &seen["tokens"];
    assert!(
        tokens["testing"]
            .as_str()
            .is_some_and(|token| token.contains("-c_")),
        "{seen:#}"
    );
    assert!(tokens["testingExpiresAt"].is_i64());
    assert_eq!(
        tokens["signIn"],
        serde_json::json!({"status": "pending", "hasToken": true})
    );
    assert_eq!(tokens["revoked"], "revoked");
    assert_eq!(seen["refreshed"]["sid"], ALICE_ACTIVE);
    assert_eq!(seen["refreshed"]["azp"], "http://localhost:8000");
}

//! Swagger UI in a real browser (Debian's headless Chromium, driven by playwright-core): the page
//! lists every operation (verify marked deprecated) with descriptions, bounds, defaults and
//! examples; a person authorizes with the secret key, runs "Try it out" on list sessions and
//! on get session with an unknown id, and sees the 200 body and the 404 envelope. A screenshot
//! is kept in the target directory (`swagger-ui.png`).
//!
//! Needs `/usr/bin/chromium` (`apt-get install chromium`; `.ci/run` installs it) and Node.js;
//! playwright-core is installed from `tests/browser/package-lock.json` on first use.

use std::path::Path;

use serde_json::Value;

use crate::helpers::{ALICE, UNKNOWN_SESSION, node_package, spawn_app};

const CHROMIUM: &str = "/usr/bin/chromium";

#[tokio::test]
async fn swagger_ui_works_for_a_person_in_a_real_browser() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "the browser test needs Debian's Chromium at {CHROMIUM}: apt-get install chromium"
    );
    let dir = node_package("browser");
    let app = spawn_app().await;
    let screenshot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("swagger-ui.png");
    let output = tokio::process::Command::new("node")
        .arg("swagger.mjs")
        .current_dir(&dir)
        .env("BASE_URL", &app.address)
        .env("SECRET_KEY", &app.key)
        .env("USER_ID", ALICE)
        .env("UNKNOWN_SESSION_ID", UNKNOWN_SESSION)
        .env("SCREENSHOT", &screenshot)
        .output()
        .await
        .expect("node runs");
    assert!(
        output.status.success(),
        "the browser script failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_slice(&output.stdout).expect("the script prints JSON");

    assert!(
        seen["title"]
            .as_str()
            .is_some_and(|title| title.contains("Clerk Backend API (local mock)"))
    );
    let operations = seen["operations"].as_array().cloned().unwrap_or_default();
    for path in [
        "/v1/sessions",
        "/v1/sessions/{session_id}/verify",
        "/v1/jwks",
        "/healthz",
    ] {
        assert!(
            operations.iter().any(|p| p == path),
            "{path} is not shown: {operations:?}"
        );
    }
    assert_eq!(
        seen["deprecated"],
        serde_json::json!(["/v1/sessions/{session_id}/verify"])
    );
    let limit = seen["limitParameter"].as_str().unwrap_or_default();
    assert!(
        limit.contains("Default value : 10")
            && limit.contains("maximum: 500")
            && limit.contains("minimum: 1"),
        "{limit}"
    );
    assert!(
        seen["listDescription"]
            .as_str()
            .is_some_and(|d| d.contains("newest first"))
    );
    assert!(
        seen["listResponseExamples"].as_u64() >= Some(4),
        "every response shows an example"
    );

    assert_eq!(seen["list"]["status"], "200");
    let listed: Value =
        serde_json::from_str(seen["list"]["body"].as_str().unwrap_or_default()).expect("JSON body");
    assert!(listed.as_array().is_some_and(
        |sessions| !sessions.is_empty() && sessions.iter().all(|s| s["user_id"] == ALICE)
    ));

    assert_eq!(seen["missing"]["status"], "404");
    let missing: Value = serde_json::from_str(seen["missing"]["body"].as_str().unwrap_or_default())
        .expect("JSON body");
    assert_eq!(missing["errors"][0]["code"], "resource_not_found");
    assert!(screenshot.exists(), "the screenshot is kept");
}

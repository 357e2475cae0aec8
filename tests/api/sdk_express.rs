//! The commonest real backend, tested as it runs: an Express app with `@clerk/express`
//! (`clerkMiddleware()`, `getAuth(req)`, then `clerkClient.users.getUser(userId)`), configured
//! by its environment as in any deployment, pointed at the mock and called on 127.0.0.1 with a
//! session token the mock minted.
//!
//! Needs Node.js and npm; `@clerk/express` and `express` are installed from
//! `tests/sdk/js/package-lock.json` on first use.

use serde_json::Value;
use tokio::io::AsyncBufReadExt;

use crate::helpers::{ALICE, ALICE_ACTIVE, node_package, spawn_app};

#[tokio::test]
async fn an_express_app_signs_the_request_in_and_reads_the_signed_in_user() {
    let dir = node_package("sdk/js");
    let app = spawn_app().await;
    let mut backend = tokio::process::Command::new("node")
        .arg("express.mjs")
        .current_dir(&dir)
        .env("CLERK_API_URL", &app.address)
        .env("CLERK_SECRET_KEY", &app.key)
        .env("CLERK_PUBLISHABLE_KEY", &app.publishable_key)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let stdout = backend.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
        .await
        .expect("the app listens within 30 s")
        .expect("reads")
        .expect("a line");
    let listening: Value = serde_json::from_str(&first).expect("the app prints its port");
    let me = format!("http://127.0.0.1:{}/me", listening["port"]);

    let token = app.jwt(ALICE_ACTIVE, None).await;
    let signed_in = reqwest::Client::new()
        .get(&me)
        .bearer_auth(&token)
        .send()
        .await
        .expect("answered");
    assert_eq!(signed_in.status(), 200);
    let body: Value = signed_in.json().await.expect("JSON");
    assert_eq!(body["userId"], ALICE);
    assert_eq!(body["email"], "alice@example.com");

    let anonymous = reqwest::Client::new()
        .get(&me)
        .send()
        .await
        .expect("answered");
    assert_eq!(anonymous.status(), 401);
    backend.kill().await.ok();
}

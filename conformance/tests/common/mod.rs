//! Support shared by the suite's own tests: the real mock, started on port 0.

#![allow(
    dead_code,
    reason = "each test binary uses the part of the shared support it needs"
)]

pub mod planted;

use clerk_backend_mock::{Application, Settings};

/// Starts the mock accepting `keys` (each its own instance); returns its address once seeded.
pub async fn spawn_mock(keys: &[&str]) -> String {
    spawn_mock_with(Settings {
        secret_keys: keys.iter().map(|key| (*key).to_owned()).collect(),
        ..Settings::for_tests()
    })
    .await
}

/// Starts the mock with `settings`; returns its base URL once seeded.
pub async fn spawn_mock_with(settings: Settings) -> String {
    let application = Application::build(&settings).expect("mock builds");
    let address = application.base_url().to_owned();
    let ready = application.ready();
    tokio::spawn(application.run_until_stopped());
    ready.await.expect("mock seeds");
    address
}

/// Creates a session at `base` (the mock, or a proxy in front of it) with the key `key` and
/// `body` (`{"user_id": ...}` and more); returns the session as answered.
pub async fn create_session(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    body: &serde_json::Value,
) -> serde_json::Value {
    http.post(format!("{base}/v1/sessions"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .expect("created")
        .json()
        .await
        .expect("json")
}

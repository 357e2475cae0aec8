//! Support shared by the suite's own tests: the real mock, started on port 0.

use clerk_sessions_mock::{Application, Settings};

/// Starts the mock accepting `keys` (each its own instance); returns its address once seeded.
pub async fn spawn_mock(keys: &[&str]) -> String {
    let settings = Settings {
        secret_keys: keys.iter().map(|key| (*key).to_owned()).collect(),
        ..Settings::for_tests()
    };
    let application = Application::build(&settings).expect("mock builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let ready = application.ready();
    tokio::spawn(application.run_until_stopped());
    ready.await.expect("mock seeds");
    address
}

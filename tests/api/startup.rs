//! Start-up: fixtures read from a directory, what a broken one says, and the banner.

use std::path::PathBuf;

use clerk_sessions_mock::{Application, Settings};

use crate::helpers::ALICE;

fn copy_of_the_fixtures(name: &str) -> PathBuf {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let dir =
        std::env::temp_dir().join(format!("clerk-mock-fixtures-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for entry in std::fs::read_dir(&source).expect("fixtures dir") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.join(path.file_name().expect("file name"))).expect("copy");
    }
    dir
}

#[tokio::test]
async fn a_broken_fixture_file_stops_start_up_naming_the_file_and_the_entry() {
    let dir = copy_of_the_fixtures("broken");
    let sessions = dir.join("sessions.json");
    let text = std::fs::read_to_string(&sessions).expect("sessions");
    std::fs::write(
        &sessions,
        text.replacen(ALICE, "user_2NobodyHasThisId00000000000", 1),
    )
    .expect("write");

    let settings = Settings {
        fixtures: Some(dir.clone()),
        ..Settings::for_tests()
    };
    let error = Application::build(&settings)
        .expect_err("start-up stops")
        .to_string();
    assert!(error.contains(&sessions.display().to_string()), "{error}");
    assert!(
        error.contains("entry 0 (sess_2AliceActiveZICgVFaEP1MWWEP)"),
        "{error}"
    );
    assert!(
        error.contains("unknown user `user_2NobodyHasThisId00000000000`"),
        "{error}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_missing_fixture_file_is_named() {
    let dir = copy_of_the_fixtures("missing");
    std::fs::remove_file(dir.join("users.json")).expect("remove");
    let settings = Settings {
        fixtures: Some(dir.clone()),
        ..Settings::for_tests()
    };
    let error = Application::build(&settings)
        .expect_err("start-up stops")
        .to_string();
    assert!(error.contains("users.json"), "{error}");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn no_key_and_no_switch_is_refused() {
    let settings = Settings {
        secret_keys: Vec::new(),
        ..Settings::for_tests()
    };
    assert!(Application::build(&settings).is_err());
}

#[tokio::test]
async fn fault_flags_out_of_range_stop_start_up_naming_the_flag() {
    for (change, named) in [
        (
            (|settings: &mut Settings| settings.faults.fault_error_rate = 2.0) as fn(&mut Settings),
            "--fault-error-rate",
        ),
        (
            |settings| settings.faults.fault_error_status = 418,
            "--fault-error-status",
        ),
        (
            |settings| settings.faults.fault_delay_ms = 120_000,
            "--fault-delay-ms",
        ),
        (
            |settings| {
                settings.faults.rate_limit = true;
                settings.faults.rate_limit_requests = 0;
            },
            "--rate-limit-requests",
        ),
    ] {
        let mut settings = Settings::for_tests();
        change(&mut settings);
        let error = Application::build(&settings)
            .expect_err("start-up stops")
            .to_string();
        assert!(
            error.starts_with("bad fault flags: ") && error.contains(named),
            "{error}"
        );
    }
}

#[tokio::test]
async fn the_api_answers_503_until_seeding_is_done() {
    let settings = Settings {
        users: 10_000,
        sessions: 100_000,
        ..Settings::for_tests()
    };
    let application = Application::build(&settings).expect("application builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let ready = application.ready();
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::new();

    let readyz = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .expect("answered");
    assert_eq!(readyz.status(), 503);
    assert_eq!(
        readyz
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let api = client
        .get(format!("{address}/v1/jwks"))
        .bearer_auth(clerk_sessions_mock::DEFAULT_SECRET_KEY)
        .send()
        .await
        .expect("answered");
    assert_eq!(api.status(), 503);
    let body: serde_json::Value = api.json().await.expect("envelope");
    assert_eq!(body["errors"][0]["code"], "service_unavailable");
    let health = client
        .get(format!("{address}/healthz"))
        .send()
        .await
        .expect("answered");
    assert_eq!(health.status(), 200, "alive while seeding");

    ready.await.expect("seeding succeeds");
    let readyz = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .expect("answered");
    assert_eq!(readyz.status(), 200);
}

/// The publishable key of the banner, decoded: the Frontend API host it names.
fn banner_frontend_api(flags: &[&str]) -> (String, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clerk-sessions-mock"))
        .args(["--port", "0"])
        .args(flags)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("stdout");
    let banner: Vec<String> = std::io::BufRead::lines(std::io::BufReader::new(stdout))
        .take(4)
        .map(|line| line.expect("text"))
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    let base = banner[0].rsplit(' ').next().unwrap_or_default().to_owned();
    let key = banner
        .iter()
        .find_map(|line| line.trim().strip_prefix("Publishable key: "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no publishable key in {banner:#?}"));
    let encoded = key
        .strip_prefix("pk_test_")
        .expect("a test publishable key");
    let decoded = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded)
        .expect("base64");
    (base, String::from_utf8(decoded).expect("text"))
}

#[test]
fn the_banner_gives_the_publishable_key_of_the_tokens_issuer() {
    let (base, frontend_api) = banner_frontend_api(&[]);
    assert_eq!(
        frontend_api,
        format!("{}$", base.trim_start_matches("http://"))
    );
    let (_, frontend_api) = banner_frontend_api(&["--issuer", "https://clerk.example.com"]);
    assert_eq!(frontend_api, "clerk.example.com$");
}

//! Start-up: fixtures read from a directory, what a broken one says, and the banner.

use std::path::PathBuf;

use clerk_backend_mock::{Application, Settings};

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
        .bearer_auth(clerk_backend_mock::DEFAULT_SECRET_KEY)
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
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clerk-backend-mock"))
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

/// A `--data` file under the system's temporary folder holding `document`.
fn data_file(name: &str, document: &serde_json::Value) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "clerk-mock-data-{name}-{}.json",
        std::process::id()
    ));
    std::fs::write(&path, document.to_string()).expect("written");
    path
}

#[tokio::test]
async fn data_files_are_loaded_at_start_up_and_again_on_reset() {
    let dave = "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7";
    let laptop = "sess_2DaveLaptopqT7mWz3Kc9Xv1Lpw";
    let users = data_file("users", &serde_json::json!({ "users": [{ "id": dave }] }));
    // The second document refers to the first: documents load in order.
    let sessions = data_file(
        "sessions",
        &serde_json::json!({ "sessions": [{ "id": laptop, "user_id": dave, "created_at": "1h ago" }] }),
    );
    let app = crate::helpers::spawn_app_with(|settings| {
        settings.data = vec![users.clone(), sessions.clone()];
    })
    .await;
    let session = app.get_session(laptop).await;
    session.assert_status(200);
    assert_eq!(session.body["user_id"], dave);
    app.revoke_session(laptop).await.assert_status(200);
    app.post("/__admin/instance/reset")
        .send()
        .await
        .assert_status(200);
    let again = app.get_session(laptop).await;
    assert_eq!(
        again.body["status"], "active",
        "a reset loads the documents again"
    );
    // Other seeded data is there as always.
    app.get_session(crate::helpers::ALICE_ACTIVE)
        .await
        .assert_status(200);
    for file in [users, sessions] {
        std::fs::remove_file(file).ok();
    }
}

#[tokio::test]
async fn a_bad_data_file_stops_start_up_naming_the_file_and_the_entry() {
    let broken = data_file(
        "broken",
        &serde_json::json!({ "sessions": [{ "user_id": "user_2NobodyHasThisId00000000000" }] }),
    );
    let settings = Settings {
        data: vec![broken.clone()],
        ..Settings::for_tests()
    };
    let application = Application::build(&settings).expect("the file parses");
    let error = application
        .ready()
        .await
        .expect_err("seeding stops")
        .to_string();
    assert!(error.contains(&broken.display().to_string()), "{error}");
    assert!(error.contains("sessions[0]"), "{error}");
    assert!(error.contains("unknown user"), "{error}");

    std::fs::write(&broken, "[]").expect("written");
    let error = Application::build(&settings)
        .expect_err("not an object")
        .to_string();
    assert!(
        error.starts_with(&format!("--data {}", broken.display())),
        "{error}"
    );
    std::fs::remove_file(broken).ok();
}

/// A log written to a pipe (a CI log, a file) carries no terminal colour codes.
#[test]
fn logs_to_a_pipe_carry_no_colour_codes() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clerk-backend-mock"))
        .args(["--port", "0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stderr = child.stderr.take().expect("stderr");
    // Seeding logs a line per instance as it starts.
    let lines: Vec<String> = std::io::BufRead::lines(std::io::BufReader::new(stderr))
        .take(2)
        .map(|line| line.expect("text"))
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    assert!(!lines.is_empty(), "the server logged nothing");
    for line in &lines {
        assert!(line.contains("INFO"), "{line}");
        assert!(!line.contains('\u{1b}'), "a colour code in {line:?}");
    }
}

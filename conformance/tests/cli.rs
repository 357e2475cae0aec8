//! The `clerk-conformance` command: its exit codes, its reports, and a secret that never shows.

mod common;

use common::spawn_mock;
use std::process::{Command, Output};

const KEY: &str = "sk_test_conformance_cli_secret_value";
const ALICE: &str = "user_2AlicexBGaRy7HSnjHcaZabMn26";

fn conformance() -> Command {
    Command::new(env!("CARGO_BIN_EXE_clerk-conformance"))
}

/// Runs `command` off the test's runtime, which serves the mock it talks to.
async fn output(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("runs"))
        .await
        .expect("joins")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_passing_run_exits_0_with_junit_and_json_reports_that_never_show_the_key() {
    let address = spawn_mock(&[KEY]).await;
    let dir = std::env::temp_dir().join(format!("clerk-conformance-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let junit = dir.join("report.xml");
    let json = dir.join("report.json");
    let mut command = conformance();
    command
        .args([
            "--base-url",
            &address,
            "--user-id",
            ALICE,
            "--allow-mutations",
        ])
        .arg("--junit")
        .arg(&junit)
        .arg("--json")
        .arg(&json)
        .env("CLERK_SECRET_KEY", KEY);
    let output = output(command).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed, 0 skipped"), "{stdout}");

    let junit = std::fs::read_to_string(&junit).expect("junit written");
    let cases = junit.matches("<testcase ").count();
    assert_eq!(
        cases,
        clerk_conformance::checks::all().len(),
        "one test case per check"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json written")).expect("json");
    assert_eq!(json["checks"].as_array().map(Vec::len), Some(cases));
    for text in [
        stdout.as_ref(),
        stderr.as_ref(),
        junit.as_str(),
        &json.to_string(),
    ] {
        assert!(!text.contains(KEY), "the secret key leaked");
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn an_unreachable_target_exits_3() {
    let output = conformance()
        .args(["--base-url", "http://127.0.0.1:9", "--secret-key", KEY])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(3));
    assert!(!String::from_utf8_lossy(&output.stderr).contains(KEY));
}

#[test]
fn a_live_key_is_refused_unless_allowed() {
    let output = conformance()
        .args([
            "--base-url",
            "http://127.0.0.1:9",
            "--secret-key",
            "sk_live_do_not_touch",
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let allowed = conformance()
        .args([
            "--base-url",
            "http://127.0.0.1:9",
            "--secret-key",
            "sk_live_do_not_touch",
            "--allow-live-key",
        ])
        .output()
        .expect("runs");
    assert_eq!(
        allowed.status.code(),
        Some(3),
        "allowed, then found unreachable"
    );
}

#[test]
fn usage_errors_exit_2() {
    let missing = conformance()
        .args(["--secret-key", KEY])
        .env_remove("CLERK_API_URL")
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    let deviations = std::env::temp_dir().join(format!(
        "clerk-conformance-deviations-{}.yaml",
        std::process::id()
    ));
    std::fs::write(&deviations, "- id: INPUT-005\n").expect("written");
    let bad = conformance()
        .args([
            "--base-url",
            "http://127.0.0.1:9",
            "--secret-key",
            KEY,
            "--deviations",
        ])
        .arg(&deviations)
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    std::fs::remove_file(deviations).ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn known_deviations_and_selection_shape_the_run() {
    let address = spawn_mock(&[KEY]).await;
    let deviations = std::env::temp_dir().join(format!(
        "clerk-conformance-known-{}.yaml",
        std::process::id()
    ));
    std::fs::write(
        &deviations,
        "- id: CONTRACT-004\n  reason: Clerk's official spec documents only 200 for GetJWKS\n",
    )
    .expect("written");
    let spec = "clerk-2021-02-05";
    let mut command = conformance();
    command
        .args([
            "--base-url",
            &address,
            "--secret-key",
            KEY,
            "--user-id",
            ALICE,
            "--only",
            "contract,AUTH-001",
            "--spec",
            spec,
        ])
        .arg("--deviations")
        .arg(&deviations);
    let output = output(command).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("CONTRACT-004") && stdout.contains("deviation"),
        "{stdout}"
    );
    assert!(
        stdout.contains("AUTH-001") && !stdout.contains("AUTH-002"),
        "{stdout}"
    );
    std::fs::remove_file(deviations).ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copied_binary_checks_against_each_builtin_spec_from_a_folder_without_project_files() {
    let address = spawn_mock(&[KEY]).await;
    let dir = std::env::temp_dir().join(format!(
        "clerk-conformance-installed-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let binary = dir.join("clerk-conformance");
    std::fs::copy(env!("CARGO_BIN_EXE_clerk-conformance"), &binary).expect("copied");
    for (spec, version) in [
        ("clerk-2021-02-05", "2021-02-05"),
        ("clerk-2026-05-12", "2026-05-12"),
    ] {
        let mut command = Command::new(&binary);
        command.current_dir(&dir).args([
            "--base-url",
            &address,
            "--secret-key",
            KEY,
            "--user-id",
            ALICE,
            "--spec",
            spec,
            "--api-version",
            version,
            "--only",
            "contract",
        ]);
        let output = output(command).await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{spec}: {stdout}");
        // 401 is documented for every operation, whatever the official file lists.
        assert!(stdout.contains("0 failed"), "{spec}: {stdout}");
    }
    let listed = Command::new(&binary)
        .current_dir(&dir)
        .arg("--list-specs")
        .output()
        .expect("runs");
    let listed = String::from_utf8_lossy(&listed.stdout);
    for name in ["clerk-2021-02-05", "clerk-2026-05-12", "clerk-backend-mock"] {
        assert!(listed.contains(name), "{listed}");
    }
    let unknown = Command::new(&binary)
        .current_dir(&dir)
        .args([
            "--base-url",
            &address,
            "--secret-key",
            KEY,
            "--spec",
            "clerk-1999",
        ])
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(2));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_forwards_until_sigterm_then_reports_and_records_without_the_key() {
    use std::io::BufRead as _;

    let upstream = spawn_mock(&[KEY]).await;
    let dir = std::env::temp_dir().join(format!("clerk-conformance-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (json, recording) = (dir.join("watch.json"), dir.join("recording.json"));
    let mut child = conformance()
        .args(["watch", "--listen", "127.0.0.1:0", "--upstream", &upstream])
        .arg("--json")
        .arg(&json)
        .arg("--record")
        .arg(&recording)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("watch starts");
    let stderr = child.stderr.take().expect("stderr");
    let first = std::io::BufReader::new(stderr)
        .lines()
        .next()
        .expect("a first line")
        .expect("text");
    let address = first
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first}"))
        .to_owned();

    let http = reqwest::Client::new();
    let listed = http
        .get(format!("{address}/v1/sessions"))
        .query(&[("user_id", ALICE)])
        .bearer_auth(KEY)
        .send()
        .await
        .expect("forwarded");
    assert_eq!(listed.status(), 200);
    let sessions: serde_json::Value = listed.json().await.expect("json");
    assert!(sessions.as_array().is_some_and(|items| !items.is_empty()));

    let pid = child.id().to_string();
    let killed = output({
        let mut kill = Command::new("kill");
        kill.args(["-TERM", &pid]);
        kill
    })
    .await;
    assert!(killed.status.success());
    let finished = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("joins")
        .expect("exits");
    let stdout = String::from_utf8_lossy(&finished.stdout);
    assert_eq!(finished.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("1 exchanges watched"), "{stdout}");

    let report = std::fs::read_to_string(&json).expect("report written");
    let recorded = std::fs::read_to_string(&recording).expect("recording written");
    assert!(report.contains("WATCH-005"), "{report}");
    assert!(
        recorded.contains("sess_2AliceActiveZICgVFaEP1MWWEP"),
        "{recorded}"
    );
    for text in [report.as_str(), recorded.as_str(), stdout.as_ref()] {
        assert!(!text.contains(KEY));
    }
    std::fs::remove_dir_all(dir).ok();
}

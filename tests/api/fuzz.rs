//! Property-based fuzzing with Schemathesis, every check on, fixed seed, bounded examples, its
//! stateful phase included: against the generated spec (zero failures) and against Clerk's
//! official files of both API versions (zero failures but the reviewed differences in
//! `fuzz/schemathesis-official.toml`).
//!
//! Schemathesis is installed from `fuzz/requirements.txt` into a virtual environment under the
//! target directory on first use (Python 3 with `venv` is needed).

use std::path::PathBuf;

use crate::helpers::{TestApp, python_environment, spawn_app};

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `schemathesis` command, installed once per target directory.
fn schemathesis() -> PathBuf {
    python_environment(
        "schemathesis-venv",
        &repository().join("fuzz/requirements.txt"),
    )
    .join("schemathesis")
}

/// Runs Schemathesis with `config` on `location` and fails the test with its report unless it
/// found nothing.
async fn run(app: &TestApp, config: &str, location: String, extra: &[&str]) {
    let command = schemathesis();
    let mut arguments: Vec<String> = vec![
        "--config-file".into(),
        repository().join("fuzz").join(config).display().to_string(),
        "run".into(),
        location,
        "--header".into(),
        format!("Authorization: Bearer {}", app.key),
        "--seed".into(),
        "42".into(),
        "--max-examples".into(),
        "30".into(),
        "--request-timeout".into(),
        "10".into(),
        "--generation-database".into(),
        "none".into(),
        "--no-color".into(),
    ];
    arguments.extend(extra.iter().map(|argument| (*argument).to_owned()));
    // Schemathesis keeps a cache in its working directory; keep it out of the repository.
    let output = tokio::process::Command::new(command)
        .args(&arguments)
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .await
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "Schemathesis found failures:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains(" passed"), "{report}");
}

#[tokio::test]
async fn schemathesis_finds_nothing_against_the_generated_spec() {
    let app = spawn_app().await;
    let location = format!("{}/openapi.json", app.address);
    run(
        &app,
        "schemathesis.toml",
        location,
        &["--include-path-regex", "^/v1"],
    )
    .await;
}

async fn against_official(file: &str, version: &str) {
    let app = spawn_app().await;
    let location = repository()
        .join("openapi")
        .join(file)
        .display()
        .to_string();
    let base = format!("{}/v1", app.address);
    let header = format!("Clerk-API-Version: {version}");
    let arguments = [
        "--url",
        base.as_str(),
        "--header",
        header.as_str(),
        "--include-path-regex",
        "^/(sessions|jwks)",
        // Refreshing sessions is outside the contract.
        "--exclude-path",
        "/sessions/{session_id}/refresh",
    ];
    run(&app, "schemathesis-official.toml", location, &arguments).await;
}

#[tokio::test]
async fn schemathesis_finds_only_the_reviewed_differences_against_the_official_2021_02_05_spec() {
    against_official("clerk-bapi-2021-02-05.yml", "2021-02-05").await;
}

#[tokio::test]
async fn schemathesis_finds_only_the_reviewed_differences_against_the_official_2026_05_12_spec() {
    against_official("clerk-bapi-2026-05-12.yml", "2026-05-12").await;
}

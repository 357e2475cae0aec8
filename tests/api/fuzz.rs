//! Property-based fuzzing with Schemathesis, every check on, fixed seed, bounded examples, its
//! stateful phase included: against the generated spec (zero failures) and against Clerk's
//! official files of both API versions (zero failures but the reviewed differences in
//! `fuzz/schemathesis-official.toml`).
//!
//! Schemathesis is installed from `fuzz/requirements.txt` into a virtual environment under the
//! target directory on first use (Python 3 with `venv` is needed).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::helpers::{TestApp, spawn_app};

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `schemathesis` command, installed once per target directory.
fn schemathesis() -> PathBuf {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("schemathesis-venv");
    let command = venv.join("bin/schemathesis");
    if command.exists() {
        return command;
    }
    let created = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3 runs (Python 3 with venv is needed for the fuzz tests)");
    assert!(
        created.success(),
        "cannot create a virtual environment at {}",
        venv.display()
    );
    let installed = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-cache-dir",
            "-r",
        ])
        .arg(repository().join("fuzz/requirements.txt"))
        .status()
        .expect("pip runs");
    assert!(
        installed.success(),
        "pip could not install fuzz/requirements.txt"
    );
    command
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
        .join("conformance/openapi")
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

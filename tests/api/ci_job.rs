//! The README's CI job (`examples/ci-job.sh`) runs end to end against the server.

use std::path::Path;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_readme_ci_job_passes() {
    let app = spawn_app().await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci-job.sh");
    let output = tokio::process::Command::new("bash")
        .arg(script)
        .env("BASE", &app.address)
        .output()
        .await
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the CI job failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert_eq!(stdout.trim(), "ci job passed", "{stderr}");
}

//! Node packages the tests drive (the official SDKs, the browser driver), installed from their
//! lock file on first use. Shared by the server's and the conformance crate's tests.

use std::path::PathBuf;
use std::sync::Mutex;

/// `dir`, with its locked dependencies installed by `npm ci` unless `package` is there already;
/// one install at a time.
pub fn installed(dir: PathBuf, package: &str) -> PathBuf {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if dir
        .join("node_modules")
        .join(package)
        .join("package.json")
        .exists()
    {
        return dir;
    }
    let status = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .status()
        .expect("npm runs (Node.js and npm are needed for the SDK and browser tests)");
    assert!(status.success(), "npm ci failed in {}", dir.display());
    dir
}

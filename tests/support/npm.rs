//! Node packages the tests drive (the official SDKs, the browser driver), installed from their
//! lock file on first use. Shared by the server's and the conformance crate's tests.

use std::path::PathBuf;
use std::sync::Mutex;

/// `dir`, with its locked dependencies installed by `npm ci` unless every dependency its
/// `package.json` names is there already; one install at a time. Checking them all, not just the
/// one a test needs, makes an older install (a dependency added since) install again at the first
/// test, before any test of this binary runs Node.js from that folder.
pub fn installed(dir: PathBuf) -> PathBuf {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let manifest: serde_json::Value = std::fs::read_to_string(dir.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .expect("a package.json");
    let all_there = manifest["dependencies"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(package, _)| {
            dir.join("node_modules")
                .join(package)
                .join("package.json")
                .exists()
        });
    if all_there {
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

//! `clerk-conformance watch` in front of the real mock: the official `@clerk/backend` driven
//! through it finds nothing wrong with the clean mock and the expected violation for each bug a
//! proxy plants; a recording of the mock's traffic (sessions and users), loaded into a fresh
//! mock, replays to the same answers.
//!
//! Needs Node.js and npm; `@clerk/backend` is installed from `tests/sdk/js/package-lock.json` on
//! first use.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use clerk_backend_mock::Settings;
use clerk_conformance::transport::ClientSettings;
use clerk_conformance::watch::{SpecChoice, Watch, WatchOutcome, WatchSettings};
use common::planted::{ALICE, Bug, KEY, spawn_broken_server};
use common::spawn_mock_with;
use serde_json::{Value, json};

#[path = "../../tests/support/npm.rs"]
mod npm;

/// The root package's SDK folder, with its locked dependencies installed.
fn sdk_folder() -> PathBuf {
    npm::installed(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/sdk/js"))
}

fn watch_in_front_of(upstream: &str, record: bool) -> Watch {
    Watch::start(WatchSettings {
        listen: "127.0.0.1:0".to_owned(),
        upstream: upstream.to_owned(),
        default_version: None,
        specs: SpecChoice::Official,
        record,
        print_violations: false,
        http: ClientSettings::new(Duration::from_secs(5), None).expect("client settings"),
    })
    .expect("the watch listens")
}

/// Runs the SDK script through a watch in front of `upstream`; returns what the watch saw.
async fn sdk_through_watch(upstream: &str) -> WatchOutcome {
    script_through_watch(upstream, "watch.mjs", &[]).await
}

/// Runs `script` of the SDK folder, with `env` besides the API URL, key and user, through a
/// watch in front of `upstream`.
async fn script_through_watch(upstream: &str, script: &str, env: &[(&str, &str)]) -> WatchOutcome {
    let watch = watch_in_front_of(upstream, false);
    let output = tokio::process::Command::new("node")
        .arg(script)
        .current_dir(sdk_folder())
        .env("CLERK_API_URL", watch.address())
        .env("CLERK_SECRET_KEY", KEY)
        .env("CLERK_USER_ID", ALICE)
        .envs(env.iter().copied())
        .output()
        .await
        .expect("node runs");
    assert!(
        output.status.success(),
        "the SDK script failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    watch.stop().await
}

fn assert_no_violations(outcome: &WatchOutcome) {
    assert!(
        outcome.violations.is_empty(),
        "{:#?}",
        outcome
            .violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
}

fn checks_that_failed(outcome: &WatchOutcome) -> Vec<&'static str> {
    let mut failed: Vec<&'static str> = outcome
        .violations
        .iter()
        .map(|violation| violation.check)
        .collect();
    failed.dedup();
    failed
}

#[tokio::test]
async fn the_sdk_through_the_watch_finds_nothing_wrong_with_the_mock() {
    let outcome = sdk_through_watch(&spawn_broken_server(Bug::None).await).await;
    assert!(outcome.exchanges >= 10, "{} exchanges", outcome.exchanges);
    assert_no_violations(&outcome);
    assert_eq!(outcome.report.exit_code(), 0);
    assert_eq!(outcome.report.checks.len(), 9);
    // The key is neither printed nor kept in the reports.
    let json = clerk_conformance::report::json(&outcome.report).expect("json");
    assert!(!json.contains(KEY));
}

/// The SDK's user writes (create, update with metadata, merge, ban, lock, delete, a taken
/// email address) raise no false alarm either.
#[tokio::test]
async fn the_sdks_user_writes_through_the_watch_find_nothing_wrong_with_the_mock() {
    let outcome =
        script_through_watch(&spawn_broken_server(Bug::None).await, "users.mjs", &[]).await;
    assert!(outcome.exchanges >= 10, "{} exchanges", outcome.exchanges);
    assert_no_violations(&outcome);
}

/// Nor do its organization and membership reads and writes.
#[tokio::test]
async fn the_sdks_organization_calls_through_the_watch_find_nothing_wrong_with_the_mock() {
    let outcome = script_through_watch(
        &spawn_broken_server(Bug::None).await,
        "organizations.mjs",
        &[
            ("CLERK_ORG_ID", "org_2Acmet3kU1slpIuojlEroXRG9xb"),
            ("CLERK_OTHER_USER_ID", "user_2CarolsZ1EoOyEZmEivtHY0phmf"),
        ],
    )
    .await;
    assert!(outcome.exchanges >= 10, "{} exchanges", outcome.exchanges);
    assert_no_violations(&outcome);
}

#[tokio::test]
async fn each_planted_bug_is_the_violation_meant_for_it() {
    let planted = [
        (Bug::WrongSortOrder, "WATCH-005"),
        (Bug::IgnoredLimit, "WATCH-005"),
        (Bug::RevokeNotPersisted, "WATCH-008"),
        (Bug::WrongEnvelope, "WATCH-004"),
        (Bug::CharsetInContentType, "WATCH-002"),
        (Bug::TokenFromAnotherInstance, "WATCH-007"),
    ];
    let mut missed = Vec::new();
    for (bug, check) in planted {
        let outcome = sdk_through_watch(&spawn_broken_server(bug).await).await;
        let failed = checks_that_failed(&outcome);
        if !failed.contains(&check) {
            missed.push(format!("{bug:?}: expected {check}, saw {failed:?}"));
        }
        assert_eq!(outcome.report.exit_code(), 1, "{bug:?}");
    }
    assert!(missed.is_empty(), "missed:\n{}", missed.join("\n"));
}

/// GETs, each as `(path, query)`.
fn replayed_reads(created: &[String]) -> Vec<(String, Vec<(&'static str, String)>)> {
    let mut reads = vec![(
        "/v1/sessions".to_owned(),
        vec![
            ("user_id", ALICE.to_owned()),
            ("limit", "500".to_owned()),
            ("paginated", "true".to_owned()),
        ],
    )];
    for id in created {
        reads.push((format!("/v1/sessions/{id}"), Vec::new()));
    }
    // An organization, whole, as its answer shows it.
    reads.push((
        "/v1/organizations/org_2Acmet3kU1slpIuojlEroXRG9xb".to_owned(),
        Vec::new(),
    ));
    // Last, so that it shows the user after every session it has: its names, identifications,
    // metadata and the activity its sessions give it.
    reads.push((format!("/v1/users/{ALICE}"), Vec::new()));
    reads
}

async fn read_all(
    http: &reqwest::Client,
    base: &str,
    reads: &[(String, Vec<(&'static str, String)>)],
) -> Vec<Value> {
    let mut answers = Vec::new();
    for (path, query) in reads {
        let answer = http
            .get(format!("{base}{path}"))
            .query(query)
            .bearer_auth(KEY)
            .header("Clerk-API-Version", "2026-05-12")
            .send()
            .await
            .expect("answered");
        assert_eq!(answer.status(), 200, "{path}");
        answers.push(answer.json().await.expect("json"));
    }
    answers
}

#[tokio::test]
async fn a_recording_loaded_into_a_fresh_mock_replays_to_the_same_answers() {
    let settings = |seed: u64| Settings {
        secret_keys: vec![KEY.to_owned()],
        seed,
        ..Settings::for_tests()
    };
    let upstream = spawn_mock_with(settings(1)).await;
    let watch = watch_in_front_of(&upstream, true);
    let http = reqwest::Client::new();

    // Sessions that exist only on this mock: one plain, one in an organization (with a token, so
    // that the recording learns the role), one impersonated through the admin API, one revoked.
    let mut created = Vec::new();
    for body in [
        json!({ "user_id": ALICE }),
        json!({ "user_id": ALICE, "active_organization_id": "org_2Acmet3kU1slpIuojlEroXRG9xb" }),
        json!({ "user_id": ALICE }),
    ] {
        let session = common::create_session(&http, watch.address(), KEY, &body).await;
        created.push(session["id"].as_str().expect("id").to_owned());
    }
    http.post(format!(
        "{}/v1/sessions/{}/tokens",
        watch.address(),
        created[1]
    ))
    .bearer_auth(KEY)
    .send()
    .await
    .expect("token");
    http.post(format!(
        "{}/v1/sessions/{}/revoke",
        watch.address(),
        created[2]
    ))
    .bearer_auth(KEY)
    .send()
    .await
    .expect("revoked");
    let reads = replayed_reads(&created);
    let recorded = read_all(&http, watch.address(), &reads).await;
    // Generated users, which a mock seeded otherwise does not have: a user list records them.
    let listed = read_all(
        &http,
        watch.address(),
        &[("/v1/users".to_owned(), vec![("limit", "3".to_owned())])],
    )
    .await;
    let listed = listed[0].as_array().cloned().unwrap_or_default();
    assert_eq!(listed.len(), 3);
    let outcome = watch.stop().await;
    assert!(outcome.violations.is_empty(), "{:?}", outcome.violations);
    let recording = outcome.recording.expect("a recording");
    let text = serde_json::to_string(&recording).expect("serialises");
    for secret in [KEY, "eyJ"] {
        assert!(!text.contains(secret), "the recording holds {secret}");
    }

    // A mock seeded otherwise, starting with the recording.
    let file =
        std::env::temp_dir().join(format!("clerk-watch-recording-{}.json", std::process::id()));
    std::fs::write(&file, text).expect("written");
    let fresh = spawn_mock_with(Settings {
        data: vec![file.clone()],
        ..settings(2)
    })
    .await;
    let replayed = read_all(&http, &fresh, &reads).await;
    let _ = std::fs::remove_file(&file);
    assert_eq!(replayed, recorded);

    // The listed users read as they were listed, but for what sessions the recording never saw
    // would say of them (when they signed in, when they were active).
    let user_paths: Vec<(String, Vec<(&'static str, String)>)> = listed
        .iter()
        .map(|user| {
            (
                format!("/v1/users/{}", user["id"].as_str().expect("id")),
                Vec::new(),
            )
        })
        .collect();
    for (replayed, listed) in read_all(&http, &fresh, &user_paths)
        .await
        .iter()
        .zip(&listed)
    {
        for field in [
            "id",
            "first_name",
            "last_name",
            "username",
            "email_addresses",
            "phone_numbers",
            "primary_email_address_id",
            "public_metadata",
            "unsafe_metadata",
            "image_url",
            "created_at",
        ] {
            assert_eq!(
                replayed[field], listed[field],
                "{field} of {}",
                listed["id"]
            );
        }
    }
}

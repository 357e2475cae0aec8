//! `--state FILE`: the instances' data, id sequence and clock survive a restart; the file is
//! written atomically on `POST /__admin/state/save` and at a clean shutdown, and a torn or
//! foreign file stops the start with an error that names it.

use std::path::{Path, PathBuf};

use clerk_backend_mock::{Application, DEFAULT_SECRET_KEY, Settings};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ALICE, ALICE_ACTIVE, TestApp, spawn_app, spawn_app_with, start_binary};

/// A fresh folder of this test's own, removed when dropped, and the state file's path in it.
struct Scratch {
    folder: PathBuf,
    file: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Self {
        let folder = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).expect("the folder is made");
        let file = folder.join("state.json");
        Self { folder, file }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async fn with_state(file: &Path) -> TestApp {
    let file = file.to_owned();
    spawn_app_with(move |settings| settings.state = Some(file)).await
}

async fn save(app: &TestApp) -> crate::helpers::Answer {
    app.post("/__admin/state/save").send().await
}

async fn create_user(app: &TestApp, email: &str) -> String {
    let created = app
        .post("/v1/users")
        .json(&json!({ "email_address": [email], "first_name": "Kept" }))
        .send()
        .await;
    created.assert_status(200);
    created.body["id"].as_str().expect("an id").to_owned()
}

async fn export(app: &TestApp) -> Value {
    let exported = app.get("/__admin/instance/data").send().await;
    exported.assert_status(200);
    exported.body
}

#[tokio::test]
async fn data_ids_and_clock_come_back_after_a_restart() {
    let scratch = Scratch::new("restart");
    let file = scratch.file.clone();
    let before = with_state(&file).await;
    let kept = create_user(&before, "kept@example.com").await;
    before.revoke_session(ALICE_ACTIVE).await.assert_status(200);
    before
        .post("/v1/organizations")
        .json(&json!({ "name": "Kept Inc", "created_by": kept }))
        .send()
        .await
        .assert_status(200);
    before
        .post("/__admin/instance/clock")
        .json(&json!({ "frozen": true, "advance_ms": 86_400_000 }))
        .send()
        .await
        .assert_status(200);
    let endpoint = before
        .post("/__admin/instance/webhooks")
        .json(&json!({"url": "http://127.0.0.1:9/hooks", "events": ["user.created"], "secret": WEBHOOK_SECRET}))
        .send()
        .await;
    endpoint.assert_status(201);
    let clock = before.get("/__admin/instance/clock").send().await.body;
    let exported = export(&before).await;

    let saved = save(&before).await;
    saved.assert_status(200);
    assert_eq!(saved.body["object"], "state");
    assert_eq!(saved.body["instances"], 1);
    assert_eq!(saved.body["path"], file.display().to_string());
    let text = std::fs::read_to_string(&file).expect("the file is written");
    assert_eq!(saved.body["bytes"], text.len());
    assert!(!text.contains(DEFAULT_SECRET_KEY), "no key in the file");
    assert!(
        !text.contains(WEBHOOK_SECRET),
        "the signing secret is sealed"
    );
    // Created after the save: the restarted instance draws this id again, since its sequence
    // stands where it stood at the save.
    let next = create_user(&before, "next@example.com").await;

    let after = with_state(&file).await;
    assert_eq!(export(&after).await, exported);
    assert_eq!(
        after.get("/__admin/instance/clock").send().await.body,
        clock
    );
    let user = after.get_user(&kept).await;
    user.assert_status(200);
    assert_eq!(user.body["first_name"], "Kept");
    assert_eq!(
        after.get_session(ALICE_ACTIVE).await.body["status"],
        "revoked"
    );
    assert_eq!(create_user(&after, "next@example.com").await, next);
    let endpoints = after.get("/__admin/instance/webhooks").send().await;
    assert_eq!(endpoints.body["total_count"], 1);
    let kept = &endpoints.body["data"][0];
    for field in ["id", "url", "events", "secret", "created_at"] {
        assert_eq!(kept[field], endpoint.body[field], "{field}");
    }
}

#[tokio::test]
async fn a_save_needs_the_operators_key_and_a_state_file() {
    let app = spawn_app().await;
    save(&app)
        .await
        .assert_error(409, "state_file_not_configured");
    app.post("/__admin/state/save")
        .authorization(None)
        .send()
        .await
        .assert_error(401, "authentication_invalid");
    let created = app.create_instance().await;
    let on_demand = app.with_key(created.body["secret_key"].as_str().expect("a key"));
    let refused = save(&on_demand).await;
    let error = refused.assert_error(403, "authorization_invalid");
    assert!(
        error["long_message"]
            .as_str()
            .is_some_and(|message| message.contains("--secret-key")),
        "{error}"
    );
}

#[tokio::test]
async fn a_file_that_cannot_be_written_is_a_500_that_says_why() {
    let scratch = Scratch::new("unwritable");
    let (folder, file) = (scratch.folder.clone(), scratch.file.clone());
    let app = with_state(&file).await;
    std::fs::remove_dir_all(&folder).expect("the folder goes");
    let refused = save(&app).await;
    let error = refused.assert_error(500, "state_not_saved");
    let message = error["long_message"].as_str().unwrap_or_default();
    assert!(message.contains("state.json"), "{message}");
    assert!(message.contains("cannot write it"), "{message}");
}

#[test]
fn a_torn_or_foreign_file_stops_the_start_and_names_the_file() {
    let scratch = Scratch::new("bad");
    let (folder, file) = (scratch.folder.clone(), scratch.file.clone());
    for (text, expected) in [
        (
            "{\"format\": \"clerk-backend-mock state\", \"version\": 1, \"inst",
            "cut short",
        ),
        ("{\"users\": []}", "not a state file"),
    ] {
        std::fs::write(&file, text).expect("written");
        let mut settings = Settings::for_tests();
        settings.state = Some(file.clone());
        let error = Application::build(&settings)
            .expect_err("a bad state file stops the start")
            .to_string();
        assert!(error.contains(&file.display().to_string()), "{error}");
        assert!(error.contains(expected), "{error}");
    }
    let mut settings = Settings::for_tests();
    settings.state = Some(folder.join("missing/state.json"));
    let error = Application::build(&settings)
        .expect_err("a missing folder stops the start")
        .to_string();
    assert!(error.contains("does not exist"), "{error}");
}

/// A document whose session names a user nobody has: the file reads, but the instance cannot
/// load it, and the start fails rather than starting empty.
#[tokio::test]
async fn a_saved_instance_that_does_not_load_stops_the_start() {
    let scratch = Scratch::new("unloadable");
    let file = scratch.file.clone();
    let app = with_state(&file).await;
    save(&app).await.assert_status(200);
    let mut state: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("JSON");
    let instance = state["instances"]
        .as_object_mut()
        .and_then(|instances| instances.values_mut().next())
        .expect("one instance");
    instance["data"]["sessions"] = json!([{ "user_id": "user_2NobodyHasThisId00000000000" }]);
    std::fs::write(&file, state.to_string()).expect("written");

    let mut settings = Settings::for_tests();
    settings.state = Some(file.clone());
    let application = Application::build(&settings).expect("the file reads");
    let error = application
        .ready()
        .await
        .expect_err("the instance does not load")
        .to_string();
    assert!(error.contains("does not load"), "{error}");
    assert!(error.contains("state.json"), "{error}");
}

/// The binary as users run it: SIGTERM saves, and the next start serves what was saved.
#[tokio::test]
async fn a_clean_shutdown_saves_and_the_next_start_reads_it() {
    let scratch = Scratch::new("shutdown");
    let file = scratch.file.clone();
    let path = file.display().to_string();
    let flags = ["--state", path.as_str(), "--users", "5", "--sessions", "10"];
    let (child, base) = start_binary(&flags, false);
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("{base}/v1/users"))
        .bearer_auth(DEFAULT_SECRET_KEY)
        .json(&json!({ "email_address": ["survivor@example.com"] }))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    let id = created["id"].as_str().expect("an id").to_owned();
    stop(child);
    assert!(file.exists(), "the shutdown wrote the state file");

    let (child, base) = start_binary(&flags, false);
    let read = client
        .request(Method::GET, format!("{base}/v1/users/{id}"))
        .bearer_auth(DEFAULT_SECRET_KEY)
        .send()
        .await
        .expect("answers");
    assert_eq!(read.status(), 200);
    let alice = client
        .get(format!("{base}/v1/users/{ALICE}"))
        .bearer_auth(DEFAULT_SECRET_KEY)
        .send()
        .await
        .expect("answers");
    assert_eq!(alice.status(), 200, "the fixtures are kept too");
    stop(child);
}

/// SIGTERM, then wait for a successful exit.
fn stop(mut child: std::process::Child) {
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    let exit = child.wait().expect("exits");
    assert!(exit.success(), "{exit}");
}

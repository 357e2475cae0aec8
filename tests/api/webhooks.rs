//! Webhooks: endpoints registered through the admin API receive each change as Clerk posts it,
//! signed as Svix signs (verified here by recomputing the HMAC, and by the official
//! `verifyWebhook` of `@clerk/backend` and the `svix` package for Python), with retries on the
//! compressed schedule that the instance's clock drives, a delivery log, replays and test events;
//! a dead endpoint holds nothing up.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    ACME, ALICE, ALICE_ACTIVE, BOB, TestApp, node_package, spawn_app, spawn_app_with,
};

/// A fixed secret, as a backend's `.env` would hold it.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// What a receiver does with each delivery.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Answers this status to the first `n` deliveries, 200 after.
    FailFirst(usize, u16),
    /// Never answers.
    Hang,
}

/// One delivery as the receiver saw it.
#[derive(Debug, Clone)]
struct Delivery {
    id: String,
    timestamp: String,
    signature: String,
    body: Value,
    raw: Vec<u8>,
}

/// A small HTTP receiver on 127.0.0.1 that keeps what it is sent.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    async fn start(behaviour: Behaviour) -> Self {
        let seen: Arc<Mutex<Vec<Delivery>>> = Arc::default();
        let kept = Arc::clone(&seen);
        let server = HttpServer::new(move || {
            let kept = Arc::clone(&kept);
            App::new().default_service(web::to(move |request: HttpRequest, body: web::Bytes| {
                let kept = Arc::clone(&kept);
                async move {
                    let header = |name: &str| {
                        request
                            .headers()
                            .get(name)
                            .and_then(|value| value.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    let count = {
                        let mut seen = kept.lock().expect("not poisoned");
                        seen.push(Delivery {
                            id: header("svix-id"),
                            timestamp: header("svix-timestamp"),
                            signature: header("svix-signature"),
                            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                            raw: body.to_vec(),
                        });
                        seen.len()
                    };
                    match behaviour {
                        Behaviour::FailFirst(n, status) if count <= n => HttpResponse::build(
                            actix_web::http::StatusCode::from_u16(status).expect("a status"),
                        )
                        .finish(),
                        Behaviour::FailFirst(..) => HttpResponse::Ok().finish(),
                        Behaviour::Hang => {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            HttpResponse::Ok().finish()
                        }
                    }
                }
            }))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("the receiver binds");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self {
            url: format!("http://127.0.0.1:{port}/api/webhooks"),
            seen,
        }
    }

    fn seen(&self) -> Vec<Delivery> {
        self.seen.lock().expect("not poisoned").clone()
    }

    /// Waits (at most 10 s) until `count` deliveries arrived; returns them.
    async fn wait_for(&self, count: usize) -> Vec<Delivery> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.seen().len() < count && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let seen = self.seen();
        assert!(
            seen.len() >= count,
            "{} of {count} deliveries: {seen:#?}",
            seen.len()
        );
        seen
    }

    fn types(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|delivery| {
                delivery.body["type"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }
}

/// Whether `delivery` carries the signature Svix's scheme gives its body under `secret`.
fn signed_with(delivery: &Delivery, secret: &str) -> bool {
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .expect("base64");
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
    let mut signed = format!("{}.{}.", delivery.id, delivery.timestamp).into_bytes();
    signed.extend_from_slice(&delivery.raw);
    let expected = format!("v1,{}", STANDARD.encode(hmac::sign(&key, &signed).as_ref()));
    delivery
        .signature
        .split(' ')
        .any(|signature| signature == expected)
}

async fn register(app: &TestApp, body: Value) -> crate::helpers::Answer {
    app.post("/__admin/instance/webhooks")
        .json(&body)
        .send()
        .await
}

/// A new instance of the app's server, and an endpoint of it pointed at `receiver`.
async fn instance_with_endpoint(
    app: &TestApp,
    receiver: &Receiver,
    extra: Value,
) -> (TestApp, String) {
    let created = app.create_instance().await;
    let instance = app.with_key(created.body["secret_key"].as_str().expect("a key"));
    let mut body = json!({ "url": receiver.url, "secret": SECRET });
    if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
        body.extend(extra);
    }
    let endpoint = register(&instance, body).await;
    endpoint.assert_status(201);
    let id = endpoint.body["id"].as_str().expect("an id").to_owned();
    (instance, id)
}

#[tokio::test]
async fn endpoints_are_registered_read_listed_and_removed_with_their_errors() {
    let app = spawn_app().await;
    let created = app.create_instance().await;
    let instance = app.with_key(created.body["secret_key"].as_str().expect("a key"));

    let endpoint = register(
        &instance,
        json!({"url": "http://127.0.0.1:9/hooks", "events": ["user.created", "session.revoked"], "secret": SECRET}),
    )
    .await;
    endpoint.assert_status(201);
    assert_eq!(endpoint.body["object"], "webhook_endpoint");
    assert!(
        endpoint.body["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("ep_"))
    );
    assert_eq!(endpoint.body["secret"], SECRET);
    assert_eq!(
        endpoint.body["events"],
        json!(["user.created", "session.revoked"])
    );
    assert_eq!(endpoint.body["disabled"], false);
    let id = endpoint.body["id"].as_str().expect("an id").to_owned();

    let generated = register(&instance, json!({"url": "https://example.com/hooks"})).await;
    generated.assert_status(201);
    assert!(
        generated.body["secret"]
            .as_str()
            .is_some_and(|secret| secret.starts_with("whsec_") && secret.len() == 38),
        "{:#}",
        generated.body
    );
    assert_eq!(generated.body["events"], Value::Null);

    let listed = instance.get("/__admin/instance/webhooks").send().await;
    listed.assert_status(200);
    assert_eq!(listed.body["total_count"], 2);
    assert_eq!(listed.body["data"][0]["id"], id.as_str());
    let read = instance
        .get(&format!("/__admin/instance/webhooks/{id}"))
        .send()
        .await;
    assert_eq!(read.body["url"], "http://127.0.0.1:9/hooks");

    for (body, param, reason) in [
        (json!({"url": "ftp://example.com/"}), "url", "http or https"),
        (json!({"url": "not a url"}), "url", "not a URL"),
        (json!({}), "url", "is required"),
        (json!({"url": 7}), "url", "must be a string"),
        (
            json!({"url": "http://127.0.0.1:9/", "events": ["user.exploded"]}),
            "events",
            "user.exploded",
        ),
        (
            json!({"url": "http://127.0.0.1:9/", "secret": "hunter2"}),
            "secret",
            "whsec_",
        ),
        (
            json!({"url": "http://127.0.0.1:9/", "secret": "whsec_c2hvcnQ="}),
            "secret",
            "24 to 64 bytes",
        ),
        (
            json!({"url": "http://127.0.0.1:9/", "filter": "all"}),
            "filter",
            "is not a field",
        ),
    ] {
        let refused = register(&instance, body.clone()).await;
        let error = refused.assert_error(400, "webhook_endpoint_invalid");
        assert_eq!(error["meta"]["param_name"], param, "{body}");
        assert!(
            error["long_message"]
                .as_str()
                .is_some_and(|message| message.contains(reason)),
            "{body}: {error}"
        );
    }
    instance
        .post("/__admin/instance/webhooks")
        .body("application/json", b"{".to_vec())
        .send()
        .await
        .assert_status(400);
    instance
        .post("/__admin/instance/webhooks")
        .authorization(None)
        .json(&json!({"url": "http://127.0.0.1:9/"}))
        .send()
        .await
        .assert_status(401);

    for _ in 2..16 {
        register(&instance, json!({"url": "http://127.0.0.1:9/"}))
            .await
            .assert_status(201);
    }
    register(&instance, json!({"url": "http://127.0.0.1:9/"}))
        .await
        .assert_error(409, "webhook_endpoint_limit_reached");

    let removed = instance
        .request(Method::DELETE, &format!("/__admin/instance/webhooks/{id}"))
        .send()
        .await;
    removed.assert_status(200);
    assert_eq!(removed.body["id"], id.as_str());
    for path in [
        format!("/__admin/instance/webhooks/{id}"),
        format!("/__admin/instance/webhooks/{id}/deliveries"),
    ] {
        instance
            .get(&path)
            .send()
            .await
            .assert_error(404, "resource_not_found");
    }
}

#[tokio::test]
async fn every_change_arrives_signed_in_order_with_clerks_payload() {
    let app = spawn_app().await;
    let receiver = Receiver::start(Behaviour::FailFirst(0, 200)).await;
    let (instance, _) = instance_with_endpoint(&app, &receiver, json!({})).await;

    let user = instance
        .post("/v1/users")
        .json(&json!({"email_address": ["ada@example.com"], "private_metadata": {"crm": "acc_1"}}))
        .send()
        .await;
    user.assert_status(200);
    let user_id = user.body["id"].as_str().expect("an id").to_owned();
    let session = instance.create_session(json!({"user_id": user_id})).await;
    let session_id = session.body["id"].as_str().expect("an id").to_owned();
    instance
        .revoke_session(&session_id)
        .await
        .assert_status(200);
    let organization = instance
        .post("/v1/organizations")
        .json(&json!({"name": "Hooks Inc", "created_by": user_id}))
        .send()
        .await;
    let organization_id = organization.body["id"].as_str().expect("an id").to_owned();
    instance
        .request(Method::PATCH, &format!("/v1/users/{user_id}/metadata"))
        .json(&json!({"public_metadata": {"plan": "pro"}}))
        .send()
        .await
        .assert_status(200);
    instance
        .request(
            Method::DELETE,
            &format!("/v1/organizations/{organization_id}"),
        )
        .send()
        .await
        .assert_status(200);
    instance
        .request(Method::DELETE, &format!("/v1/users/{user_id}"))
        .send()
        .await
        .assert_status(200);

    let seen = receiver.wait_for(8).await;
    assert_eq!(
        receiver.types(),
        [
            "user.created",
            "session.created",
            "session.revoked",
            "organization.created",
            "organizationMembership.created",
            "user.updated",
            "organization.deleted",
            "user.deleted",
        ]
    );
    let instance_id = instance.get("/__admin/instance/clock").send().await;
    assert_eq!(instance_id.status, 200);
    for delivery in &seen {
        assert!(signed_with(delivery, SECRET), "{delivery:?}");
        assert!(delivery.id.starts_with("msg_"), "{}", delivery.id);
        assert_eq!(delivery.body["object"], "event");
        assert!(
            delivery.body["instance_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("ins_"))
        );
        assert!(delivery.body["timestamp"].as_i64().is_some());
        assert_eq!(
            delivery.body["event_attributes"]["http_request"]["client_ip"],
            ""
        );
        let seconds: i64 = delivery.timestamp.parse().expect("seconds");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        assert!(
            (i64::try_from(now).expect("fits") - seconds).abs() < 60,
            "wall-clock seconds"
        );
    }
    let ids: std::collections::HashSet<_> = seen.iter().map(|delivery| &delivery.id).collect();
    assert_eq!(ids.len(), seen.len(), "one svix-id per event");
    let data = |index: usize| &seen[index].body["data"];
    assert_eq!(data(0)["object"], "user");
    assert_eq!(
        data(0)["private_metadata"],
        json!({"crm": "acc_1"}),
        "the receiver is the backend"
    );
    assert_eq!(data(1)["object"], "session");
    assert_eq!(data(1)["status"], "active");
    assert_eq!(
        data(1)["user"]["id"],
        user_id.as_str(),
        "session events carry their user"
    );
    assert_eq!(data(2)["status"], "revoked");
    assert_eq!(data(3)["slug"], "hooks-inc");
    assert_eq!(data(4)["object"], "organization_membership");
    assert_eq!(data(4)["role"], "org:admin");
    assert_eq!(data(5)["public_metadata"], json!({"plan": "pro"}));
    assert_eq!(
        data(6),
        &json!({"object": "organization", "id": organization_id, "slug": "hooks-inc", "deleted": true})
    );
    assert_eq!(
        data(7),
        &json!({"object": "user", "id": user_id, "deleted": true})
    );
    // The official schemas of the objects, as the API serves them.
    let schemas = crate::helpers::official_schemas("2021-02-05");
    for (schema, index) in [
        (&schemas.user, 0),
        (&schemas.organization, 3),
        (&schemas.membership, 4),
        (&schemas.deleted, 7),
    ] {
        assert_eq!(
            schema.violations(data(index)),
            Vec::<String>::new(),
            "{:#}",
            data(index)
        );
    }
}

#[tokio::test]
async fn a_failing_endpoint_gets_retries_with_the_same_id_and_a_delivery_log() {
    let app = spawn_app().await;
    let receiver = Receiver::start(Behaviour::FailFirst(2, 503)).await;
    let (instance, endpoint) =
        instance_with_endpoint(&app, &receiver, json!({"events": ["session.revoked"]})).await;
    instance
        .revoke_session(ALICE_ACTIVE)
        .await
        .assert_status(200);
    // 5 s and 5 min of Svix's schedule, compressed 300 times: 17 ms, then 1 s.
    let seen = receiver.wait_for(3).await;
    assert!(
        seen.iter().all(|delivery| delivery.id == seen[0].id),
        "a retry keeps its svix-id"
    );
    assert!(seen.iter().all(|delivery| signed_with(delivery, SECRET)));
    assert_eq!(
        receiver.types(),
        ["session.revoked"; 3],
        "nothing else: the filter"
    );

    let log = instance
        .get(&format!("/__admin/instance/webhooks/{endpoint}/deliveries"))
        .send()
        .await;
    log.assert_status(200);
    let attempts = log.body["data"].as_array().expect("a list");
    assert_eq!(attempts.len(), 3, "{:#}", log.body);
    assert_eq!(attempts[0]["attempt"], 3, "newest first");
    assert_eq!(attempts[0]["status"], 200);
    assert_eq!(attempts[0]["succeeded"], true);
    assert_eq!(attempts[0]["next_attempt_at"], Value::Null);
    assert_eq!(attempts[2]["attempt"], 1);
    assert_eq!(attempts[2]["status"], 503);
    assert_eq!(attempts[2]["event_type"], "session.revoked");
    assert_eq!(attempts[2]["event_id"], seen[0].id.as_str());
    let (first, second) = (
        attempts[2]["next_attempt_at"].as_i64().expect("a retry"),
        attempts[1]["next_attempt_at"].as_i64().expect("a retry"),
    );
    assert!(
        second - first >= 900,
        "5 min compressed to 1 s: {first} then {second}"
    );

    // A replay sends the same event again, with the same id; a test event goes whatever the
    // endpoint's filter says.
    let replayed = instance
        .post(&format!("/__admin/instance/webhooks/{endpoint}/replay"))
        .json(&json!({"event_id": seen[0].id}))
        .send()
        .await;
    replayed.assert_status(202);
    assert_eq!(replayed.body["id"], seen[0].id.as_str());
    let test = instance
        .post(&format!("/__admin/instance/webhooks/{endpoint}/test"))
        .json(&json!({"type": "organization.created"}))
        .send()
        .await;
    test.assert_status(202);
    let seen = receiver.wait_for(5).await;
    assert_eq!(seen[3].id, seen[0].id);
    assert_eq!(seen[4].body["type"], "organization.created");
    assert_eq!(seen[4].body["data"]["id"], ACME);
    assert_eq!(seen[4].id, test.body["id"].as_str().expect("an id"));

    for (path, body, status, code) in [
        (
            "replay",
            json!({"event_id": "msg_nope"}),
            404,
            "resource_not_found",
        ),
        ("replay", json!({}), 400, "webhook_endpoint_invalid"),
        (
            "test",
            json!({"type": "user.exploded"}),
            400,
            "webhook_endpoint_invalid",
        ),
    ] {
        instance
            .post(&format!("/__admin/instance/webhooks/{endpoint}/{path}"))
            .json(&body)
            .send()
            .await
            .assert_error(status, code);
    }
    instance
        .post("/__admin/instance/webhooks/ep_nope/test")
        .json(&json!({"type": "user.created"}))
        .send()
        .await
        .assert_error(404, "resource_not_found");
}

#[tokio::test]
async fn the_instance_clock_drives_retries_and_a_long_failure_disables_the_endpoint() {
    let app = spawn_app().await;
    let receiver = Receiver::start(Behaviour::FailFirst(usize::MAX, 500)).await;
    let (instance, endpoint) =
        instance_with_endpoint(&app, &receiver, json!({"events": ["user.updated"]})).await;
    instance
        .request(Method::PATCH, &format!("/v1/users/{BOB}/metadata"))
        .json(&json!({"public_metadata": {"n": 1}}))
        .send()
        .await
        .assert_status(200);
    receiver.wait_for(2).await;
    // The third attempt is due 1 s later, the fourth 6 s after it: moving the clock on by
    // 10 minutes makes both due at once.
    instance.advance_clock(600_000).await;
    let seen = receiver.wait_for(4).await;
    // The body's time follows the instance's clock; the signature's stays on the wall clock,
    // which verifiers compare it with.
    let (first, last) = (&seen[0], &seen[3]);
    assert_eq!(first.body, last.body, "a retry sends the same body");
    let wall = |delivery: &Delivery| delivery.timestamp.parse::<i64>().expect("seconds");
    assert!(
        wall(last) - wall(first) < 60,
        "{} then {}",
        wall(first),
        wall(last)
    );
    // 24 minutes of failures (Svix's 5 days, compressed) disable the endpoint at its next failure.
    instance.advance_clock(3_600_000).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let path = format!("/__admin/instance/webhooks/{endpoint}");
    let mut read = instance.get(&path).send().await.body;
    while read["disabled"] != true && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        read = instance.get(&path).send().await.body;
    }
    assert_eq!(read["disabled"], true, "{read:#}");
    assert!(
        crate::helpers::captured_logs().contains("webhook endpoint disabled"),
        "the log says so"
    );
    let attempts = receiver.seen().len();
    instance
        .request(Method::PATCH, &format!("/v1/users/{BOB}/metadata"))
        .json(&json!({"public_metadata": {"n": 2}}))
        .send()
        .await
        .assert_status(200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        receiver.seen().len(),
        attempts,
        "a disabled endpoint receives nothing"
    );
}

#[tokio::test]
async fn a_dead_or_hanging_endpoint_holds_up_no_request() {
    let app = spawn_app().await;
    let hanging = Receiver::start(Behaviour::Hang).await;
    let created = app.create_instance().await;
    let instance = app.with_key(created.body["secret_key"].as_str().expect("a key"));
    for url in [hanging.url.as_str(), "http://127.0.0.1:9/refused"] {
        register(&instance, json!({"url": url}))
            .await
            .assert_status(201);
    }
    let started = Instant::now();
    for _ in 0..20 {
        instance
            .create_session(json!({"user_id": ALICE}))
            .await
            .assert_status(200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "20 creates took {:?} with a hanging endpoint",
        started.elapsed()
    );
    hanging.wait_for(1).await;
    let endpoints = instance.get("/__admin/instance/webhooks").send().await;
    let refused = endpoints.body["data"][1]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut log = Value::Null;
    while Instant::now() < deadline {
        log = instance
            .get(&format!("/__admin/instance/webhooks/{refused}/deliveries"))
            .send()
            .await
            .body;
        if log["total_count"].as_u64() > Some(0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let attempt = &log["data"][log["total_count"].as_u64().unwrap_or(1) as usize - 1];
    assert_eq!(attempt["status"], Value::Null, "{log:#}");
    assert!(
        attempt["error"]
            .as_str()
            .is_some_and(|error| !error.is_empty()),
        "{log:#}"
    );
}

#[tokio::test]
async fn a_data_load_fires_its_creations_unless_asked_not_to() {
    let app = spawn_app().await;
    let receiver = Receiver::start(Behaviour::FailFirst(0, 200)).await;
    let (instance, _) = instance_with_endpoint(&app, &receiver, json!({})).await;
    let document = json!({
        "organizations": [{"id": "org_2Initechq3VxkTzWk9bRfPm1nA8", "name": "Initech", "slug": "initech"}],
        "users": [{"id": "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7", "first_name": "Dave"}],
        "sessions": [{"user_id": "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7"}],
    });
    instance
        .post("/__admin/instance/data")
        .query("webhooks", "false")
        .json(&document)
        .send()
        .await
        .assert_status(200);
    instance
        .post("/__admin/instance/data")
        .json(&json!({"users": [{"id": "user_2EveLoadedxYz8Kp3Wq1Rt5Nm7x", "first_name": "Eve"}]}))
        .send()
        .await
        .assert_status(200);
    receiver.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        receiver.types(),
        ["user.created"],
        "only the second load tells"
    );
    assert_eq!(receiver.seen()[0].body["data"]["first_name"], "Eve");
    instance
        .post("/__admin/instance/data")
        .query("webhooks", "maybe")
        .json(&document)
        .send()
        .await
        .assert_status(422);
}

#[tokio::test]
async fn the_startup_endpoint_serves_every_instance_and_no_secret_reaches_the_logs() {
    let receiver = Receiver::start(Behaviour::FailFirst(0, 200)).await;
    let url = receiver.url.clone();
    let app = spawn_app_with(move |settings| {
        settings.webhook_url = Some(url);
        settings.webhook_secret = Some(SECRET.to_owned());
    })
    .await;
    app.revoke_session(ALICE_ACTIVE).await.assert_status(200);
    let seen = receiver.wait_for(1).await;
    assert_eq!(seen[0].body["type"], "session.revoked");
    assert!(signed_with(&seen[0], SECRET));
    let listed = app.get("/__admin/instance/webhooks").send().await;
    assert_eq!(listed.body["data"][0]["url"], receiver.url.as_str());
    let journal = app.get("/__admin/instance/journal").send().await;
    assert!(!journal.body.to_string().contains(SECRET));
    assert!(!crate::helpers::captured_logs().contains(SECRET));
}

/// Runs an SDK's receiver script (`program script` in `dir`) against `app` with the signing
/// secret, and reads the JSON it prints.
async fn run_receiver(
    app: &TestApp,
    program: &std::path::Path,
    script: &str,
    dir: &std::path::Path,
) -> Value {
    let output = tokio::process::Command::new(program)
        .arg(script)
        .current_dir(dir)
        .env("CLERK_API_URL", &app.address)
        .env("CLERK_SECRET_KEY", &app.key)
        .env("CLERK_WEBHOOK_SIGNING_SECRET", SECRET)
        .output()
        .await
        .expect("the script runs");
    assert!(
        output.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

/// The official `verifyWebhook` of `@clerk/backend` verifies every delivery of the changes the
/// SDK makes, in the order they were made.
#[tokio::test]
async fn the_official_js_sdk_verifies_the_deliveries_of_its_own_changes() {
    let dir = node_package("sdk/js");
    let app = spawn_app().await;
    let seen = run_receiver(&app, "node".as_ref(), "webhooks.mjs", &dir).await;
    assert_eq!(seen["endpoint"]["status"], 201, "{seen:#}");
    let received = seen["received"].as_array().expect("a list");
    let types: Vec<_> = received.iter().map(|event| event["type"].clone()).collect();
    assert_eq!(
        types,
        [
            "user.created",
            "session.created",
            "session.revoked",
            "user.updated",
            "user.deleted"
        ],
        "{seen:#}"
    );
    assert!(
        received.iter().all(|event| event["error"].is_null()),
        "{seen:#}"
    );
    assert_eq!(received[0]["dataId"], seen["userId"]);
    assert_eq!(
        received[0]["privateMetadata"],
        json!({"stripeCustomer": "cus_ada"})
    );
    assert_eq!(received[1]["dataId"], seen["sessionId"]);
    assert_eq!(received[1]["userId"], seen["userId"]);
    assert_eq!(received[4]["deleted"], true);
    assert!(
        seen["tampered"]
            .as_str()
            .is_some_and(|error| error.contains("verify")),
        "{seen:#}"
    );
    assert_eq!(seen["deliveries"]["total_count"], 5);
}

/// The `svix` package, which Clerk's documentation gives Python backends, verifies the
/// deliveries of the changes the Python SDK makes.
#[tokio::test]
async fn the_svix_package_verifies_the_deliveries_of_the_python_sdks_changes() {
    let sdk = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/python");
    let python =
        crate::helpers::python_environment("python-sdk-venv", &sdk.join("requirements.txt"))
            .join("python");
    let app = spawn_app().await;
    let seen = run_receiver(&app, &python, "webhooks.py", &sdk).await;
    let received = seen["received"].as_array().expect("a list");
    let types: Vec<_> = received.iter().map(|event| event["type"].clone()).collect();
    assert_eq!(
        types,
        [
            "user.created",
            "session.created",
            "session.revoked",
            "user.deleted"
        ],
        "{seen:#}"
    );
    assert_eq!(received[0]["dataId"], seen["userId"]);
    assert_eq!(received[1]["dataId"], seen["sessionId"]);
    assert!(
        seen["forged"]
            .as_str()
            .is_some_and(|error| error != "verified"),
        "{seen:#}"
    );
}

#[tokio::test]
async fn the_retry_compression_flag_sets_the_schedule() {
    let app = spawn_app_with(|settings| settings.webhook_retry_compression = 1).await;
    let receiver = Receiver::start(Behaviour::FailFirst(usize::MAX, 500)).await;
    register(
        &app,
        json!({"url": receiver.url, "events": ["session.revoked"]}),
    )
    .await
    .assert_status(201);
    app.revoke_session(ALICE_ACTIVE).await.assert_status(200);
    receiver.wait_for(1).await;
    let endpoints = app.get("/__admin/instance/webhooks").send().await;
    let id = endpoints.body["data"][0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut log = Value::Null;
    while log["total_count"] != 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        log = app
            .get(&format!("/__admin/instance/webhooks/{id}/deliveries"))
            .send()
            .await
            .body;
    }
    let clock = app.get("/__admin/instance/clock").send().await.body["now_ms"]
        .as_i64()
        .expect("a time");
    let next = log["data"][0]["next_attempt_at"].as_i64().expect("a retry");
    // Svix's own first delay, 5 s, uncompressed.
    assert!(
        (4_000..=5_000).contains(&(next - clock)),
        "{} ms",
        next - clock
    );
}

#[tokio::test]
async fn a_queue_at_its_bound_drops_its_oldest_attempts_and_counts_them() {
    let app = spawn_app().await;
    let hanging = Receiver::start(Behaviour::Hang).await;
    let (instance, endpoint) =
        instance_with_endpoint(&app, &hanging, json!({"events": ["user.updated"]})).await;
    for n in 0..1_010 {
        instance
            .request(Method::PATCH, &format!("/v1/users/{BOB}/metadata"))
            .json(&json!({"public_metadata": {"n": n}}))
            .send()
            .await
            .assert_status(200);
    }
    let read = instance
        .get(&format!("/__admin/instance/webhooks/{endpoint}"))
        .send()
        .await;
    assert_eq!(read.body["queued"], 1_000, "{:#}", read.body);
    let dropped = read.body["dropped"].as_u64().expect("a count");
    assert!((9..=10).contains(&dropped), "{:#}", read.body);
}

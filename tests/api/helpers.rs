//! Test support: start the real server on port 0 and talk HTTP to it. Every Session and every
//! error body a test receives is validated against Clerk's official spec of the request's API
//! version, and every answer's `Content-Type` is checked, before the test sees it.

use std::io::BufRead as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use clerk_backend_mock::harness::known;
use clerk_backend_mock::{Application, DEFAULT_SECRET_KEY, Fixtures, Settings};
use clerk_conformance::jwt::{self, VerifiedToken};
use clerk_conformance::spec::BodySchema;
use clerk_conformance::{BuiltinSpec, builtin};
use reqwest::Method;
use serde_json::Value;

pub use clerk_backend_mock::harness::known::{ACME, ALICE, BOB, CAROL, GLOBEX};
pub const ALICE_ACTIVE: &str = known::ALICE_ACTIVE_SESSION;
pub const ALICE_ACME: &str = known::ALICE_ACME_SESSION;
pub const ALICE_PENDING: &str = known::ALICE_PENDING_SESSION;
pub const ALICE_REVOKED: &str = known::ALICE_REVOKED_SESSION;
pub const BOB_IMPERSONATED: &str = known::BOB_IMPERSONATED_SESSION;
/// The fixture signing key, which every instance uses unless fresh keys are asked for.
pub const FIXTURE_KEY_PEM: &str = include_str!("../../fixtures/signing_key.pem");
pub const UNKNOWN_SESSION: &str = "sess_2ThisSessionDoesNotExist000";

/// The schemas a family of API versions answers with.
pub struct VersionSchemas {
    pub session: BodySchema,
    pub user: BodySchema,
    pub total_count: BodySchema,
    pub deleted: BodySchema,
    pub sign_in_token: BodySchema,
    pub testing_token: BodySchema,
    pub organization: BodySchema,
    pub organizations: BodySchema,
    pub membership: BodySchema,
    pub memberships: BodySchema,
    pub errors: BodySchema,
    pub token: BodySchema,
    pub refresh: BodySchema,
    pub jwks: BodySchema,
}

fn schemas_of(official: BuiltinSpec) -> VersionSchemas {
    let spec = official.spec().expect("official spec loads");
    VersionSchemas {
        session: spec.schema("Session").expect("Session schema"),
        user: spec.schema("User").expect("User schema"),
        total_count: spec.schema("TotalCount").expect("TotalCount schema"),
        deleted: spec.schema("DeletedObject").expect("DeletedObject schema"),
        sign_in_token: spec.schema("SignInToken").expect("SignInToken schema"),
        testing_token: spec.schema("TestingToken").expect("TestingToken schema"),
        organization: spec.schema("Organization").expect("Organization schema"),
        organizations: spec.schema("Organizations").expect("Organizations schema"),
        membership: spec
            .schema("OrganizationMembership")
            .expect("OrganizationMembership schema"),
        memberships: spec
            .schema("OrganizationMemberships")
            .expect("OrganizationMemberships schema"),
        errors: spec.schema("ClerkErrors").expect("ClerkErrors schema"),
        token: spec
            .response_schema("post", "/sessions/{session_id}/tokens", 200)
            .expect("token schema"),
        refresh: spec
            .response_schema("post", "/sessions/{session_id}/refresh", 200)
            .expect("refresh schema"),
        jwks: spec.schema("JWKS").expect("JWKS schema"),
    }
}

/// The official schemas for `version`: 2021-02-05's file up to 2024-10-01, 2026-05-12's after.
pub fn official_schemas(version: &str) -> &'static VersionSchemas {
    static OLD: OnceLock<VersionSchemas> = OnceLock::new();
    static NEW: OnceLock<VersionSchemas> = OnceLock::new();
    let official = BuiltinSpec::official_for(Some(version));
    let kept = if official.name == builtin::CLERK_2026_05_12.name {
        &NEW
    } else {
        &OLD
    };
    kept.get_or_init(|| schemas_of(official))
}

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    pub key: String,
    /// The publishable key that goes with the server's token issuer.
    pub publishable_key: String,
    pub default_version: String,
    pub client: reqwest::Client,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Every log line the servers of this test binary wrote.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}

fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(|| Arc::new(Mutex::new(Vec::new())))
}

/// Writes log lines into the shared buffer.
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends the servers' logs (info and up) to [`captured_logs`], once per test binary.
fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let buffer = Arc::clone(log_buffer());
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || Capture(Arc::clone(&buffer)))
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// Starts a server with test settings adjusted by `configure`, and waits until it is ready.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    capture_logs();
    let mut settings = Settings::for_tests();
    configure(&mut settings);
    let application = Application::build(&settings).expect("application builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let publishable_key = application.publishable_key().to_owned();
    let ready = application.ready();
    tokio::spawn(application.run_until_stopped());
    ready.await.expect("seeding succeeds");
    TestApp {
        address,
        publishable_key,
        key: settings
            .secret_keys
            .first()
            .cloned()
            .unwrap_or_else(|| DEFAULT_SECRET_KEY.to_owned()),
        default_version: settings.api_version.to_string(),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client builds"),
    }
}

/// A folder of `tests/` holding a Node.js package, with its locked dependencies installed: `npm ci`
/// runs there on first use, one folder at a time (npm is not safe to run twice at once in one
/// folder).
pub fn node_package(folder: &str) -> PathBuf {
    crate::npm::installed(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join(folder),
    )
}

/// The `bin` folder of a Python virtual environment named `name` under the target directory,
/// with `requirements` installed: created on first use, one at a time.
pub fn python_environment(name: &str, requirements: &std::path::Path) -> PathBuf {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let bin = venv.join("bin");
    // Written last, so that an interrupted install is done again.
    let done = venv.join("installed.txt");
    let wanted = std::fs::read_to_string(requirements).expect("the requirements file reads");
    if std::fs::read_to_string(&done).is_ok_and(|installed| installed == wanted) {
        return bin;
    }
    let created = std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3 runs (Python 3 with venv is needed for the fuzz and Python SDK tests)");
    assert!(
        created.success(),
        "cannot create a virtual environment at {}",
        venv.display()
    );
    let installed = std::process::Command::new(bin.join("pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-cache-dir",
            "-r",
        ])
        .arg(requirements)
        .status()
        .expect("pip runs");
    assert!(
        installed.success(),
        "pip could not install {}",
        requirements.display()
    );
    std::fs::write(&done, wanted).expect("the install is recorded");
    bin
}

pub fn fixtures() -> Fixtures {
    Fixtures::embedded().expect("fixtures load")
}

impl TestApp {
    pub fn request(&self, method: Method, path: &str) -> TestRequest<'_> {
        TestRequest {
            app: self,
            method,
            path: path.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            authorization: Some(format!("Bearer {}", self.key)),
            body: None,
            version: None,
        }
    }

    /// `POST /__admin/instances`, which needs no key: a new instance on demand.
    pub async fn create_instance(&self) -> Answer {
        self.request(Method::POST, "/__admin/instances")
            .authorization(None)
            .send()
            .await
    }

    /// The same server, spoken to with another secret key (another instance).
    pub fn with_key(&self, key: &str) -> TestApp {
        TestApp {
            address: self.address.clone(),
            publishable_key: self.publishable_key.clone(),
            key: key.to_owned(),
            default_version: self.default_version.clone(),
            client: self.client.clone(),
        }
    }

    pub fn get(&self, path: &str) -> TestRequest<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> TestRequest<'_> {
        self.request(Method::POST, path)
    }

    pub async fn list_sessions(&self, query: &[(&str, &str)]) -> Answer {
        let mut request = self.get("/v1/sessions");
        for (name, value) in query {
            request = request.query(name, value);
        }
        request.send().await
    }

    pub async fn get_session(&self, id: &str) -> Answer {
        self.get(&format!("/v1/sessions/{id}")).send().await
    }

    pub async fn list_users(&self, query: &[(&str, &str)]) -> Answer {
        let mut request = self.get("/v1/users");
        for (name, value) in query {
            request = request.query(name, value);
        }
        request.send().await
    }

    pub async fn count_users(&self, query: &[(&str, &str)]) -> Answer {
        let mut request = self.get("/v1/users/count");
        for (name, value) in query {
            request = request.query(name, value);
        }
        request.send().await
    }

    pub async fn get_user(&self, id: &str) -> Answer {
        self.get(&format!("/v1/users/{id}")).send().await
    }

    /// Moves the instance's clock `ms` on.
    pub async fn advance_clock(&self, ms: i64) {
        self.post("/__admin/instance/clock")
            .json(&serde_json::json!({ "advance_ms": ms }))
            .send()
            .await
            .assert_status(200);
    }

    /// POSTs `make(n)` to `path` for n = 0, 1, ... until an answer is not a 200, and returns
    /// that answer: a write repeated until a bound refuses it.
    pub async fn post_until_refused(&self, path: &str, make: impl Fn(usize) -> Value) -> Answer {
        for n in 0..10_000 {
            let answer = self.post(path).json(&make(n)).send().await;
            if answer.status != 200 {
                return answer;
            }
        }
        panic!("{path} never refused a write");
    }

    pub async fn revoke_session(&self, id: &str) -> Answer {
        self.post(&format!("/v1/sessions/{id}/revoke")).send().await
    }

    pub async fn create_session(&self, body: Value) -> Answer {
        self.post("/v1/sessions").json(&body).send().await
    }

    /// The caller's JWKS, fetched as the SDKs do.
    pub async fn jwks(&self) -> Value {
        let answer = self.get("/v1/jwks").send().await;
        answer.assert_status(200);
        answer.body
    }

    /// Mints a token (from `template` when given) with an optional JSON body.
    pub async fn mint(&self, session: &str, template: Option<&str>, body: Option<Value>) -> Answer {
        let path = match template {
            Some(template) => format!("/v1/sessions/{session}/tokens/{template}"),
            None => format!("/v1/sessions/{session}/tokens"),
        };
        let mut request = self.post(&path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await
    }

    /// A token of `session` (from `template` when given), minted with the default lifetime.
    pub async fn jwt(&self, session: &str, template: Option<&str>) -> String {
        let minted = self.mint(session, template, None).await;
        minted.assert_status(200);
        minted.body["jwt"].as_str().expect("jwt").to_owned()
    }

    /// Mints a token and verifies it against the caller's JWKS the way the SDKs do.
    pub async fn mint_verified(
        &self,
        session: &str,
        template: Option<&str>,
        body: Option<Value>,
    ) -> VerifiedToken {
        let answer = self.mint(session, template, body).await;
        answer.assert_status(200);
        let jwt = answer.body["jwt"].as_str().expect("jwt");
        jwt::verify(jwt, &self.jwks().await, jwt::now_secs(), 5)
            .unwrap_or_else(|problem| panic!("token does not verify: {problem}"))
    }

    /// A session token of `session` (a session of Alice's) that expired a minute ago, signed with
    /// the fixture key under the caller's `kid`: what a browser holds when its token ran out.
    pub async fn expired_token(&self, session: &str) -> String {
        self.expired_token_signed_with(session, FIXTURE_KEY_PEM)
            .await
    }

    /// [`TestApp::expired_token`], signed with the private key `pem` instead.
    pub async fn expired_token_signed_with(&self, session: &str, pem: &str) -> String {
        let jwks = self.jwks().await;
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = jwks["keys"][0]["kid"].as_str().map(str::to_owned);
        let now = jwt::now_secs();
        let claims = serde_json::json!({
            "sid": session, "sub": ALICE, "iss": self.address, "v": 2, "sts": "active",
            "fva": [2, -1], "iat": now - 120, "nbf": now - 125, "exp": now - 60,
            "jti": "expired0000000000000",
        });
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).expect("an RSA key");
        jsonwebtoken::encode(&header, &claims, &key).expect("signs")
    }

    /// The refresh token of a session of the caller's instance, from the admin API.
    pub async fn refresh_token(&self, session: &str) -> String {
        let answer = self
            .get(&format!(
                "/__admin/instance/sessions/{session}/refresh_token"
            ))
            .send()
            .await;
        answer.assert_status(200);
        answer.body["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned()
    }

    /// The public key of the first configured instance, as PEM (`GET /jwt-public-key.pem`).
    pub async fn public_key_pem(&self) -> String {
        self.client
            .get(format!("{}/jwt-public-key.pem", self.address))
            .send()
            .await
            .expect("answered")
            .text()
            .await
            .expect("text")
    }

    /// Every session of `user`, newest first, in one page.
    pub async fn all_sessions_of(&self, user: &str) -> Vec<Value> {
        let answer = self
            .list_sessions(&[("user_id", user), ("limit", "500")])
            .await;
        answer.assert_status(200);
        answer.body.as_array().cloned().expect("an array")
    }
}

/// A request under construction; [`TestRequest::send`] validates the answer.
pub struct TestRequest<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    authorization: Option<String>,
    body: Option<(String, Vec<u8>)>,
    version: Option<String>,
}

impl TestRequest<'_> {
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        if name == "__clerk_api_version" {
            self.version = Some(value.to_owned());
        }
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        if name.eq_ignore_ascii_case("Clerk-API-Version") {
            self.version = Some(value.to_owned());
        }
        self
    }

    pub fn version(self, version: &str) -> Self {
        self.header("Clerk-API-Version", version)
    }

    pub fn key(mut self, key: &str) -> Self {
        self.authorization = Some(format!("Bearer {key}"));
        self
    }

    /// Sends this exact `Authorization` header, or none.
    pub fn authorization(mut self, value: Option<&str>) -> Self {
        self.authorization = value.map(str::to_owned);
        self
    }

    pub fn json(self, body: &Value) -> Self {
        self.body("application/json", body.to_string().into_bytes())
    }

    pub fn body(mut self, content_type: &str, bytes: Vec<u8>) -> Self {
        self.body = Some((content_type.to_owned(), bytes));
        self
    }

    pub async fn send(self) -> Answer {
        let url = format!("{}{}", self.app.address, self.path);
        let mut request = self.app.client.request(self.method.clone(), url);
        if !self.query.is_empty() {
            request = request.query(&self.query);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if let Some(authorization) = &self.authorization {
            request = request.header("Authorization", authorization);
        }
        if let Some((content_type, bytes)) = self.body {
            request = request.header("Content-Type", content_type).body(bytes);
        }
        let response = request.send().await.expect("request is answered");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body is read");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|error| {
                panic!(
                    "{} {}: body is not JSON ({error}): {}",
                    self.method,
                    self.path,
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        let answer = Answer {
            status,
            headers,
            body,
            version: self
                .version
                .unwrap_or_else(|| self.app.default_version.clone()),
        };
        if self.path.starts_with("/v1") {
            answer.assert_valid_against_official_spec();
        }
        answer
    }
}

/// An answer, already checked for its `Content-Type` and against the official schemas.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    /// The API version the request selected.
    pub version: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {:#}",
            self.body
        );
    }

    /// Asserts a non-2xx answer with one error whose `code` is `code`; returns that error.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> &Value {
        self.assert_status(status);
        let errors = self.body["errors"].as_array().expect("errors array");
        assert_eq!(errors.len(), 1, "expected one error: {:#}", self.body);
        assert_eq!(errors[0]["code"], code, "{:#}", self.body);
        &errors[0]
    }

    /// Asserts a 422 naming `param` with `code`.
    #[track_caller]
    pub fn assert_param_error(&self, code: &str, param: &str) {
        let error = self.assert_error(422, code);
        assert_eq!(error["meta"]["param_name"], param, "{:#}", self.body);
    }

    #[track_caller]
    fn assert_valid_against_official_spec(&self) {
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "Content-Type must be exactly application/json"
        );
        let schemas = official_schemas(&self.version);
        let violations = if self.body.get("object") == Some(&"token".into()) {
            schemas.token.violations(&self.body)
        } else if self.body.get("object") == Some(&"cookies".into()) {
            schemas.refresh.violations(&self.body)
        } else if self.body.get("keys").is_some() {
            schemas.jwks.violations(&self.body)
        } else if self.body.get("object") == Some(&"sign_in_token".into()) {
            schemas.sign_in_token.violations(&self.body)
        } else if self.body.get("object") == Some(&"testing_token".into()) {
            schemas.testing_token.violations(&self.body)
        } else if self.body.get("deleted").is_some() {
            schemas.deleted.violations(&self.body)
        } else if self.body.get("object") == Some(&"user".into()) {
            schemas.user.violations(&self.body)
        } else if self.body.get("object") == Some(&"total_count".into()) {
            schemas.total_count.violations(&self.body)
        } else if self.body.get("object") == Some(&"organization".into()) {
            schemas.organization.violations(&self.body)
        } else if self.body.get("object") == Some(&"organization_membership".into()) {
            schemas.membership.violations(&self.body)
        } else if self.body["data"].as_array().is_some_and(|items| {
            items.iter().all(|item| item["object"] == "organization") && !items.is_empty()
        }) {
            schemas.organizations.violations(&self.body)
        } else if self.body["data"].as_array().is_some_and(|items| {
            items
                .iter()
                .all(|item| item["object"] == "organization_membership")
                && !items.is_empty()
        }) {
            schemas.memberships.violations(&self.body)
        } else if (200..300).contains(&self.status) {
            let sessions: Vec<&Value> = match &self.body {
                Value::Array(items) => items.iter().collect(),
                Value::Object(object) if object.get("object") == Some(&"session".into()) => {
                    vec![&self.body]
                }
                Value::Object(object) if object.contains_key("data") => {
                    assert!(
                        object["total_count"].is_u64(),
                        "total_count: {:#}",
                        self.body
                    );
                    object["data"]
                        .as_array()
                        .expect("data array")
                        .iter()
                        .collect()
                }
                _ => Vec::new(),
            };
            // Each item against the schema of what it is: lists hold sessions or users.
            sessions
                .into_iter()
                .flat_map(|item| {
                    if item.get("object") == Some(&"user".into()) {
                        schemas.user.violations(item)
                    } else {
                        schemas.session.violations(item)
                    }
                })
                .collect::<Vec<_>>()
        } else {
            let errors = self.body["errors"].as_array().expect("an errors array");
            assert!(!errors.is_empty(), "empty errors: {:#}", self.body);
            for error in errors {
                for field in ["message", "long_message", "code"] {
                    assert!(error[field].is_string(), "{field} missing: {:#}", self.body);
                }
                if let Some(meta) = error.get("meta") {
                    assert!(
                        meta.as_object().is_some_and(|meta| !meta.is_empty()),
                        "meta present but empty: {:#}",
                        self.body
                    );
                }
            }
            assert!(self.body["clerk_trace_id"].is_string(), "{:#}", self.body);
            schemas.errors.violations(&self.body)
        };
        assert!(
            violations.is_empty(),
            "answer does not match the official {} spec: {violations:#?}\n{:#}",
            self.version,
            self.body
        );
    }
}

/// Starts the server binary on a free port with `flags` and returns it with the base URL from
/// its banner; its logs (stderr) are kept for `wait_with_output` when `keep_logs`.
pub fn start_binary(flags: &[&str], keep_logs: bool) -> (std::process::Child, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clerk-backend-mock"))
        .args(["--port", "0"])
        .args(flags)
        .stdout(std::process::Stdio::piped())
        .stderr(if keep_logs {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        })
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("stdout");
    let first = std::io::BufReader::new(stdout)
        .lines()
        .next()
        .expect("a banner")
        .expect("text");
    let base = first.rsplit(' ').next().unwrap_or_default().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    (child, base)
}

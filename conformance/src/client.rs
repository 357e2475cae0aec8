//! The HTTP side: requests to the target with its secret key, a cap on the request rate, 429
//! back-off, and a record of the last request so that a target that stops answering can be
//! reported with what it was last asked. The secret key never leaves this module.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use crate::transport::failure_reason;

/// How many times a 429 is waited out before it is taken as the answer.
const RETRIES_ON_429: u32 = 3;
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The server under test.
#[derive(Clone)]
pub struct Target {
    base_url: String,
    secret_key: String,
    api_version: Option<String>,
    http: reqwest::Client,
    pacing: Arc<Mutex<Pacing>>,
    last_request: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Pacing {
    interval: Option<Duration>,
    next: Instant,
}

/// The target did not answer at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no answer from the target to {request}: {reason}")]
pub struct Unreachable {
    pub request: String,
    pub reason: String,
}

/// One request and its answer.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// `METHOD /path?query`, without the host and never with the key.
    pub request: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
    /// The body as JSON, when it is JSON.
    pub json: Option<Value>,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body as text, shortened for reports.
    pub fn body_excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        if text.chars().count() > 300 {
            format!("{}…", text.chars().take(300).collect::<String>())
        } else {
            text.into_owned()
        }
    }

    /// The first error's `code`, if the body is Clerk's envelope.
    pub fn error_code(&self) -> Option<&str> {
        self.json
            .as_ref()?
            .get("errors")?
            .get(0)?
            .get("code")?
            .as_str()
    }

    /// The first error's `meta.param_name`.
    pub fn param_name(&self) -> Option<&str> {
        self.json
            .as_ref()?
            .get("errors")?
            .get(0)?
            .get("meta")?
            .get("param_name")?
            .as_str()
    }
}

/// How a request authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <the secret key>`.
    SecretKey,
    /// No `Authorization` header.
    None,
    /// This exact header value (never the secret key).
    Raw(String),
}

/// A request being built.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub auth: Auth,
    pub body: Option<(String, Vec<u8>)>,
    /// `None`: the target's selected version; `Some("")`: no version header at all.
    pub version: Option<String>,
    /// Under `/v1` (the API), or at the server's root (a path such as `/__admin/...`).
    pub under_v1: bool,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            auth: Auth::SecretKey,
            body: None,
            version: None,
            under_v1: true,
        }
    }

    /// A GET of `path` at the server's root rather than under `/v1`: what a target may offer
    /// besides the API, such as clerk-backend-mock's `/__admin`.
    pub fn get_outside_api(path: impl Into<String>) -> Self {
        Self {
            under_v1: false,
            ..Self::get(path)
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    pub fn json(self, body: &Value) -> Self {
        self.raw_body("application/json", body.to_string().into_bytes())
    }

    pub fn raw_body(mut self, content_type: &str, bytes: Vec<u8>) -> Self {
        self.body = Some((content_type.to_owned(), bytes));
        self
    }

    pub fn version(mut self, version: &str) -> Self {
        self.version = Some(version.to_owned());
        self
    }

    /// The path from the server's root.
    pub fn full_path(&self) -> String {
        if self.under_v1 {
            format!("/v1{}", self.path)
        } else {
            self.path.clone()
        }
    }

    /// `METHOD /v1/path?query` for reports.
    pub fn describe(&self) -> String {
        let mut text = format!("{} {}", self.method, self.full_path());
        if !self.query.is_empty() {
            let query: Vec<String> = self
                .query
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            text.push('?');
            text.push_str(&query.join("&"));
        }
        text
    }
}

impl Target {
    /// A target at `base_url` (the server root; `/v1` is added to every path) with `secret_key`,
    /// reached through `http` (see [`crate::transport::http_client`]).
    /// `max_requests_per_second` of 0 means no cap.
    pub fn new(
        base_url: &str,
        secret_key: &str,
        api_version: Option<String>,
        max_requests_per_second: u32,
        http: reqwest::Client,
    ) -> Self {
        let interval =
            (max_requests_per_second > 0).then(|| Duration::from_secs(1) / max_requests_per_second);
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
            api_version,
            http,
            pacing: Arc::new(Mutex::new(Pacing {
                interval,
                next: Instant::now(),
            })),
            last_request: Arc::new(Mutex::new(None)),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The version requests send unless they choose another.
    pub fn api_version(&self) -> Option<&str> {
        self.api_version.as_deref()
    }

    /// The last request sent, for crash reports.
    pub fn last_request(&self) -> Option<String> {
        self.last_request
            .lock()
            .map(|last| last.clone())
            .unwrap_or_default()
    }

    /// Replaces the secret key wherever it appears in `text`.
    pub fn redact(&self, text: &str) -> String {
        if self.secret_key.is_empty() {
            text.to_owned()
        } else {
            text.replace(&self.secret_key, "[secret key]")
        }
    }

    async fn pace(&self) {
        let wait = {
            let Ok(mut pacing) = self.pacing.lock() else {
                return;
            };
            let Some(interval) = pacing.interval else {
                return;
            };
            let now = Instant::now();
            let slot = pacing.next.max(now);
            pacing.next = slot + interval;
            slot - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Sends `request`, waiting out 429s with their `Retry-After`.
    pub async fn send(&self, request: &Request) -> Result<Exchange, Unreachable> {
        let mut attempt = 0;
        loop {
            let exchange = self.send_once(request).await?;
            if exchange.status != 429 || attempt >= RETRIES_ON_429 {
                return Ok(exchange);
            }
            attempt += 1;
            let wait = exchange
                .header("retry-after")
                .and_then(|value| value.trim().parse::<u64>().ok())
                .map_or(Duration::from_secs(1), Duration::from_secs)
                .min(MAX_RETRY_AFTER);
            tokio::time::sleep(wait).await;
        }
    }

    async fn send_once(&self, request: &Request) -> Result<Exchange, Unreachable> {
        self.pace().await;
        let described = request.describe();
        if let Ok(mut last) = self.last_request.lock() {
            *last = Some(described.clone());
        }
        let url = format!("{}{}", self.base_url, request.full_path());
        let mut builder = self.http.request(request.method.clone(), url);
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        match &request.auth {
            Auth::SecretKey => {
                builder = builder.header("Authorization", format!("Bearer {}", self.secret_key));
            }
            Auth::None => {}
            Auth::Raw(value) => builder = builder.header("Authorization", value),
        }
        let version = request.version.as_deref().or(self.api_version.as_deref());
        if let Some(version) = version.filter(|version| !version.is_empty()) {
            builder = builder.header("Clerk-API-Version", version);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some((content_type, bytes)) = &request.body {
            builder = builder
                .header("Content-Type", content_type)
                .body(bytes.clone());
        }
        let response = builder.send().await.map_err(|error| Unreachable {
            request: described.clone(),
            reason: self.redact(&failure_reason(&error)),
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|error| Unreachable {
                request: described.clone(),
                reason: self.redact(&failure_reason(&error)),
            })?
            .to_vec();
        Ok(Exchange {
            request: described,
            status,
            content_type: headers
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
            json: serde_json::from_slice(&body).ok(),
            headers,
            body,
        })
    }
}

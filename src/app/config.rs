//! Settings: every one a command-line flag with an environment-variable twin.

use std::path::PathBuf;

use clap::Parser;

use crate::domain::ApiVersion;
use crate::tenancy::faults::{CLERK_RATE_LIMIT, FaultPlan, FaultRule, RateLimit};

/// The key the server accepts when none is configured. It is a well-known test value, printed
/// at start-up and used throughout the documentation.
pub const DEFAULT_SECRET_KEY: &str = "sk_test_clerk_sessions_mock_default_key";

/// A local, stateful stand-in for Clerk's Backend API.
#[derive(Debug, Clone, Parser)]
#[command(name = "clerk-backend-mock", version, about)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "CLERK_MOCK_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "CLERK_MOCK_PORT", default_value_t = 8080)]
    pub port: u16,

    /// Serve HTTPS with this certificate chain (PEM, the server's certificate first); needs
    /// --tls-key.
    #[arg(
        long,
        env = "CLERK_MOCK_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,

    /// The private key (PEM: PKCS#8, PKCS#1 or SEC1) of --tls-cert.
    #[arg(
        long,
        env = "CLERK_MOCK_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,

    /// Seed of the generated data: the same seed and key always give the same data.
    #[arg(long, env = "CLERK_MOCK_SEED", default_value_t = 42)]
    pub seed: u64,

    /// A secret that instance ids (the tokens' `kid`), generated ids and refresh tokens are
    /// derived with, besides each secret key; keep it to keep them across restarts. Without it,
    /// the fixtures' signing key takes its place.
    #[arg(long, env = "CLERK_MOCK_ID_SECRET", hide_env_values = true)]
    pub id_secret: Option<String>,

    /// Number of users generated per instance, on top of the fixtures.
    #[arg(long, env = "CLERK_MOCK_USERS", default_value_t = 50)]
    pub users: usize,

    /// Number of organizations generated per instance, on top of the fixtures' two; generated
    /// users join them as they join the fixtures' ones.
    #[arg(long, env = "CLERK_MOCK_ORGANIZATIONS", default_value_t = 0)]
    pub organizations: usize,

    /// Number of sessions generated per instance, on top of the fixtures.
    #[arg(long, env = "CLERK_MOCK_SESSIONS", default_value_t = 200)]
    pub sessions: usize,

    /// A data document (as `POST /__admin/instance/data` takes, or `clerk-conformance watch
    /// --record` writes) that every configured instance starts with, on top of its seeded data,
    /// and comes back to on a reset; repeat the flag (or comma-separate the variable) for several,
    /// loaded in order.
    #[arg(
        long = "data",
        env = "CLERK_MOCK_DATA",
        value_name = "FILE",
        value_delimiter = ','
    )]
    pub data: Vec<PathBuf>,

    /// Keep the instances' data across restarts in this file: read at start when it exists,
    /// written atomically at a clean shutdown and on `POST /__admin/state/save`.
    #[arg(long = "state", env = "CLERK_MOCK_STATE", value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Directory to read fixtures from instead of the built-in ones.
    #[arg(long, env = "CLERK_MOCK_FIXTURES", value_name = "DIR")]
    pub fixtures: Option<PathBuf>,

    /// A secret key to accept, each its own instance; repeat the flag (or comma-separate the
    /// variable) for several.
    #[arg(
        long = "secret-key",
        env = "CLERK_MOCK_SECRET_KEYS",
        value_name = "KEY",
        value_delimiter = ',',
        default_value = DEFAULT_SECRET_KEY,
        hide_env_values = true
    )]
    pub secret_keys: Vec<String>,

    /// Also accept any `sk_test_...` key, creating its seeded instance on first use.
    #[arg(long, env = "CLERK_MOCK_ACCEPT_ANY_TEST_KEY")]
    pub accept_any_test_key: bool,

    /// API version of requests that name none.
    #[arg(long, env = "CLERK_MOCK_API_VERSION", default_value = "2021-02-05", value_parser = parse_api_version)]
    pub api_version: ApiVersion,

    /// List every session when neither user_id nor client_id is given, instead of a 400.
    #[arg(long, env = "CLERK_MOCK_LENIENT_LIST")]
    pub lenient_list: bool,

    /// The `iss` claim of tokens (default: this server's own URL).
    #[arg(long, env = "CLERK_MOCK_ISSUER", value_name = "URL")]
    pub issuer: Option<String>,

    /// The `azp` claim of tokens, the origin of your application (omitted when not set).
    #[arg(long, env = "CLERK_MOCK_AUTHORIZED_PARTY", value_name = "ORIGIN")]
    pub authorized_party: Option<String>,

    /// Give each instance a freshly generated signing key instead of the fixture key (tokens
    /// then stop verifying after a restart).
    #[arg(long, env = "CLERK_MOCK_GENERATE_SIGNING_KEYS")]
    pub generate_signing_keys: bool,

    /// Answer the deprecated verify operation with 410 whatever the API version.
    #[arg(long, env = "CLERK_MOCK_RETIRE_VERIFY")]
    pub retire_verify: bool,

    /// An origin browsers may call the API from (repeatable, or comma-separated); any origin
    /// when none is given.
    #[arg(
        long = "cors-origin",
        env = "CLERK_MOCK_CORS_ORIGINS",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,

    /// An origin browsers may call the test-control surface (`/__admin`) from (repeatable, or
    /// comma-separated). None by default: a cross-origin request to `/__admin` is refused, so
    /// that no web page open in a developer's browser can change the mock.
    #[arg(
        long = "admin-cors-origin",
        env = "CLERK_MOCK_ADMIN_CORS_ORIGINS",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub admin_cors_origins: Vec<String>,

    /// How many instances the admin API may create on demand at once.
    #[arg(long, env = "CLERK_MOCK_MAX_INSTANCES", default_value_t = 64)]
    pub max_instances: usize,

    /// How much memory, in MiB, each configured instance's data may take, and the instances
    /// created on demand together; writes past it are refused.
    #[arg(long, env = "CLERK_MOCK_INSTANCE_MEMORY_MIB", default_value_t = 1024)]
    pub instance_memory_mib: usize,

    /// How many requests each instance's journal keeps (0 keeps none).
    #[arg(long, env = "CLERK_MOCK_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,

    /// How long a client may take to send a request's head, in milliseconds; slower clients
    /// are answered 408 and disconnected.
    #[arg(long, env = "CLERK_MOCK_CLIENT_TIMEOUT_MS", default_value_t = 5_000)]
    pub client_timeout_ms: u64,

    /// A webhook endpoint every instance starts with, told of every change (needs
    /// --webhook-secret): a CI job then needs no admin call.
    #[arg(
        long,
        env = "CLERK_MOCK_WEBHOOK_URL",
        value_name = "URL",
        requires = "webhook_secret"
    )]
    pub webhook_url: Option<String>,

    /// The signing secret of --webhook-url, `whsec_` and base64, as the receiver's
    /// `CLERK_WEBHOOK_SIGNING_SECRET` holds it.
    #[arg(
        long,
        env = "CLERK_MOCK_WEBHOOK_SECRET",
        value_name = "SECRET",
        requires = "webhook_url",
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,

    /// How many times faster than Svix's schedule webhook retries run (1: Svix's own: 5 s,
    /// 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); the instance's clock drives them.
    #[arg(long, env = "CLERK_MOCK_WEBHOOK_RETRY_COMPRESSION", default_value_t = crate::webhooks::DEFAULT_COMPRESSION, value_parser = clap::value_parser!(u32).range(1..))]
    pub webhook_retry_compression: u32,

    #[command(flatten)]
    pub faults: FaultSettings,

    /// Log filter, such as `info` or `clerk_backend_mock=debug`.
    #[arg(long, env = "CLERK_MOCK_LOG", default_value = "info")]
    pub log_level: String,

    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, env = "CLERK_MOCK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Faults every instance starts with (and returns to on reset); the admin API and `Prefer`
/// change them per instance and per request.
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct FaultSettings {
    /// Wait this long before every API answer, in milliseconds.
    #[arg(long, env = "CLERK_MOCK_FAULT_DELAY_MS", default_value_t = 0)]
    pub fault_delay_ms: u64,

    /// Wait up to this much longer, drawn per request, in milliseconds.
    #[arg(long, env = "CLERK_MOCK_FAULT_JITTER_MS", default_value_t = 0)]
    pub fault_jitter_ms: u64,

    /// The share of API requests (0 to 1) answered with a server error.
    #[arg(long, env = "CLERK_MOCK_FAULT_ERROR_RATE", default_value_t = 0.0)]
    pub fault_error_rate: f64,

    /// The status of those server errors: 500, 502, 503 or 504.
    #[arg(long, env = "CLERK_MOCK_FAULT_ERROR_STATUS", default_value_t = 500)]
    pub fault_error_status: u16,

    /// The share of API requests (0 to 1) whose connection is reset without an answer.
    #[arg(long, env = "CLERK_MOCK_FAULT_RESET_RATE", default_value_t = 0.0)]
    pub fault_reset_rate: f64,

    /// Rate-limit each secret key like a Clerk development instance: 429 `too_many_requests`
    /// with `Retry-After` past --rate-limit-requests per --rate-limit-window-secs.
    #[arg(long, env = "CLERK_MOCK_RATE_LIMIT")]
    pub rate_limit: bool,

    /// Requests allowed per window when rate limiting.
    #[arg(long, env = "CLERK_MOCK_RATE_LIMIT_REQUESTS", default_value_t = CLERK_RATE_LIMIT.requests)]
    pub rate_limit_requests: u32,

    /// The rate limit's window, in seconds.
    #[arg(long, env = "CLERK_MOCK_RATE_LIMIT_WINDOW_SECS", default_value_t = CLERK_RATE_LIMIT.window_secs)]
    pub rate_limit_window_secs: u32,
}

impl Default for FaultSettings {
    fn default() -> Self {
        Self {
            fault_delay_ms: 0,
            fault_jitter_ms: 0,
            fault_error_rate: 0.0,
            fault_error_status: 500,
            fault_reset_rate: 0.0,
            rate_limit: false,
            rate_limit_requests: CLERK_RATE_LIMIT.requests,
            rate_limit_window_secs: CLERK_RATE_LIMIT.window_secs,
        }
    }
}

impl FaultSettings {
    /// The plan these flags describe, or what is wrong with them, naming the flag.
    pub fn checked_plan(&self) -> Result<FaultPlan, String> {
        let plan = self.plan();
        match plan.problems().into_iter().next() {
            None => Ok(plan),
            Some((field, problem)) => {
                let flag = match field.as_str() {
                    "default.delay_ms" => "--fault-delay-ms plus --fault-jitter-ms",
                    "default.error_rate" => "--fault-error-rate",
                    "default.error_status" => "--fault-error-status",
                    "default.reset_rate" => "--fault-reset-rate",
                    "rate_limit.requests" => "--rate-limit-requests",
                    "rate_limit.window_secs" => "--rate-limit-window-secs",
                    other => other,
                };
                Err(format!("{flag}: {problem}"))
            }
        }
    }

    /// The plan these flags describe: one default rule, and the rate limit when asked for.
    fn plan(&self) -> FaultPlan {
        let given = |value: u64| (value > 0).then_some(value);
        let rate = |value: f64| (value != 0.0).then_some(value);
        FaultPlan {
            default: FaultRule {
                delay_ms: given(self.fault_delay_ms),
                jitter_ms: given(self.fault_jitter_ms),
                error_rate: rate(self.fault_error_rate),
                error_status: (self.fault_error_status != 500).then_some(self.fault_error_status),
                reset_rate: rate(self.fault_reset_rate),
            },
            operations: std::collections::BTreeMap::new(),
            rate_limit: self.rate_limit.then_some(RateLimit {
                requests: self.rate_limit_requests,
                window_secs: self.rate_limit_window_secs,
            }),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

fn parse_api_version(text: &str) -> Result<ApiVersion, String> {
    text.parse()
        .map_err(|error: crate::domain::api_version::UnknownApiVersion| {
            let known: Vec<_> = ApiVersion::ALL.iter().map(|v| v.as_str()).collect();
            format!("{error}; known: {}", known.join(", "))
        })
}

impl Settings {
    /// Settings for tests and benchmarks: a free port, the default key, small fixed data.
    pub fn for_tests() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 0,
            tls_cert: None,
            tls_key: None,
            seed: 42,
            users: 20,
            organizations: 0,
            sessions: 100,
            fixtures: None,
            data: Vec::new(),
            state: None,
            secret_keys: vec![DEFAULT_SECRET_KEY.to_owned()],
            id_secret: None,
            accept_any_test_key: false,
            api_version: ApiVersion::V2021_02_05,
            lenient_list: false,
            issuer: None,
            authorized_party: None,
            generate_signing_keys: false,
            retire_verify: false,
            cors_origins: Vec::new(),
            admin_cors_origins: Vec::new(),
            max_instances: 64,
            instance_memory_mib: 1024,
            journal_size: 1000,
            client_timeout_ms: 5_000,
            webhook_url: None,
            webhook_secret: None,
            webhook_retry_compression: crate::webhooks::DEFAULT_COMPRESSION,
            faults: FaultSettings::default(),
            log_level: "warn".to_owned(),
            log_format: LogFormat::Text,
        }
    }
}

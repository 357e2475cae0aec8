//! What watching proves: each exchange against the spec of its API version and against what one
//! answer can show of the Sessions semantics, and the sequence against what earlier answers
//! showed. Exchanges come in the order their answers completed.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use serde_json::Value;

use super::exchange::{Exchange, sessions_in};
use crate::check::{Group, Severity};
use crate::checks::contract::{SESSION_TIMES, envelope_problems_in, is_clerk_id, is_milliseconds};
use crate::runner::{CheckReport, Verdict};
use crate::transport::failure_reason;
use crate::{BuiltinSpec, Spec, jwt};

/// One watch check: what it proves and where the rule comes from.
#[derive(Debug, Clone, Copy)]
pub struct WatchCheck {
    pub id: &'static str,
    pub group: Group,
    pub title: &'static str,
    pub rule: &'static str,
}

pub const DOCUMENTED_STATUS: WatchCheck = WatchCheck {
    id: "WATCH-001",
    group: Group::Contract,
    title: "Every answer's status is documented for its operation",
    rule: "The spec of the request's API version",
};
pub const CONTENT_TYPE: WatchCheck = WatchCheck {
    id: "WATCH-002",
    group: Group::Contract,
    title: "JSON answers carry Content-Type: application/json exactly",
    rule: "CONTRACT §2: @clerk/backend parses JSON only on an exact match",
};
pub const SCHEMA: WatchCheck = WatchCheck {
    id: "WATCH-003",
    group: Group::Contract,
    title: "Every answer matches its documented schema",
    rule: "The spec of the request's API version",
};
pub const ENVELOPE: WatchCheck = WatchCheck {
    id: "WATCH-004",
    group: Group::Contract,
    title: "Every error answer is Clerk's envelope (message, long_message, code; clerk_trace_id)",
    rule: "CONTRACT §2",
};
pub const LIST: WatchCheck = WatchCheck {
    id: "WATCH-005",
    group: Group::Behaviour,
    title: "Lists: newest first, limit honoured, total_count not below the page, filters honoured",
    rule: "CONTRACT §5 List",
};
pub const WELL_FORMED: WatchCheck = WatchCheck {
    id: "WATCH-006",
    group: Group::Contract,
    title: "Ids and times are well formed (prefix and 27 base62 characters; Unix milliseconds)",
    rule: "CONTRACT §2",
};
pub const TOKENS: WatchCheck = WatchCheck {
    id: "WATCH-007",
    group: Group::Tokens,
    title: "Tokens verify with the JWKS and their claims match their session",
    rule: "CONTRACT §6",
};
pub const REVOKED_STAYS_REVOKED: WatchCheck = WatchCheck {
    id: "WATCH-008",
    group: Group::Behaviour,
    title: "A session revoked earlier is never shown active or pending later",
    rule: "CONTRACT §5 Revoke",
};
pub const GET_EQUALS_LIST: WatchCheck = WatchCheck {
    id: "WATCH-009",
    group: Group::Behaviour,
    title: "A retrieved session equals its list item of the same moment",
    rule: "CONTRACT §5 Get",
};

pub const ALL: [WatchCheck; 9] = [
    DOCUMENTED_STATUS,
    CONTENT_TYPE,
    SCHEMA,
    ENVELOPE,
    LIST,
    WELL_FORMED,
    TOKENS,
    REVOKED_STAYS_REVOKED,
    GET_EQUALS_LIST,
];

/// One thing an exchange showed wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub check: &'static str,
    pub request: String,
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.check, self.request, self.detail)
    }
}

/// Which document an exchange is checked against.
#[derive(Debug)]
pub enum SpecChoice {
    /// Clerk's official file for each request's API version, with its known deviations.
    Official,
    /// One document for every exchange.
    Fixed(Spec, HashMap<String, String>),
}

/// The last time a session was seen, to compare a get with a list item of the same moment.
#[derive(Debug, Clone)]
struct Sighting {
    /// How many writes had passed through the proxy then.
    writes: u64,
    version: Option<String>,
    from_list: bool,
    body: Value,
}

/// The watch's state: the specs, the JWKS it fetched, and what earlier answers showed.
#[derive(Debug)]
pub struct Observer {
    /// The one document every exchange is checked against, when one was chosen.
    fixed: Option<(Spec, HashMap<String, String>)>,
    /// Clerk's official documents, loaded as requests name their versions.
    official: HashMap<&'static str, (Spec, HashMap<String, String>)>,
    default_version: Option<String>,
    upstream: String,
    http: reqwest::Client,
    jwks: Vec<Value>,
    /// Hashes (never the values) of the Authorization headers the JWKS was fetched with.
    jwks_fetched_with: HashSet<u64>,
    revoked: HashSet<String>,
    users: HashMap<String, String>,
    sightings: HashMap<String, Sighting>,
    writes: u64,
    exchanges: u64,
    violations: Vec<Violation>,
}

impl Observer {
    pub fn new(
        specs: SpecChoice,
        default_version: Option<String>,
        upstream: String,
        http: reqwest::Client,
    ) -> Self {
        Self {
            fixed: match specs {
                SpecChoice::Official => None,
                SpecChoice::Fixed(spec, deviations) => Some((spec, deviations)),
            },
            official: HashMap::new(),
            default_version,
            upstream,
            http,
            jwks: Vec::new(),
            jwks_fetched_with: HashSet::new(),
            revoked: HashSet::new(),
            users: HashMap::new(),
            sightings: HashMap::new(),
            writes: 0,
            exchanges: 0,
            violations: Vec::new(),
        }
    }

    /// Checks one exchange; returns what it showed wrong (also kept for the report).
    pub async fn observe(&mut self, exchange: &Exchange) -> Vec<Violation> {
        let Some(path) = exchange.api_path().map(str::to_owned) else {
            // Outside the API, but a write all the same (a data load, a reset): what was read
            // before it may differ from what is read after.
            if exchange.method != "GET" {
                self.writes += 1;
            }
            return Vec::new();
        };
        self.exchanges += 1;
        let version = exchange
            .requested_version()
            .or_else(|| self.default_version.clone());
        let mut found = Findings::new(exchange);
        let json = exchange.json();
        self.check_contract(
            exchange,
            &path,
            version.as_deref(),
            json.as_ref(),
            &mut found,
        );
        if let Some(body) = json.as_ref().filter(|_| exchange.is_success()) {
            check_well_formed(body, &mut found);
            if exchange.method == "GET" && path == "/sessions" {
                check_list(exchange, body, &mut found);
            }
            if exchange.method == "POST" && is_token_path(&path) {
                self.check_token(exchange, &path, body, &mut found).await;
            }
            self.check_sequence(exchange, &path, version, body, &mut found);
        }
        if exchange.method != "GET" {
            self.writes += 1;
        }
        self.violations.extend(found.violations.iter().cloned());
        found.violations
    }

    fn spec_for(&mut self, version: Option<&str>) -> Option<&(Spec, HashMap<String, String>)> {
        if self.fixed.is_some() {
            return self.fixed.as_ref();
        }
        let builtin = BuiltinSpec::official_for(version);
        if !self.official.contains_key(builtin.name) {
            let spec = builtin.spec().ok()?;
            self.official
                .insert(builtin.name, (spec, builtin.deviations()));
        }
        self.official.get(builtin.name)
    }

    fn check_contract(
        &mut self,
        exchange: &Exchange,
        path: &str,
        version: Option<&str>,
        json: Option<&Value>,
        found: &mut Findings,
    ) {
        let method = exchange.method.to_lowercase();
        if !exchange.body.is_empty() && exchange.content_type.as_deref() != Some("application/json")
        {
            found.push(
                CONTENT_TYPE,
                format!("Content-Type is {:?}", exchange.content_type),
            );
        }
        if !exchange.is_success() {
            check_envelope(json, found);
        }
        let Some((spec, deviations)) = self.spec_for(version) else {
            return;
        };
        let Some(template) = spec.path_template(path) else {
            return;
        };
        let documented = spec.statuses(&method, &template);
        if documented.is_empty() {
            return;
        }
        if !spec.documents_status(&method, &template, exchange.status) {
            if !deviations.contains_key(DOCUMENTED_STATUS.id) {
                found.push(
                    DOCUMENTED_STATUS,
                    format!(
                        "{} is not documented (documented: {documented:?})",
                        exchange.status
                    ),
                );
            }
            return;
        }
        let (Ok(schema), Some(body)) = (
            spec.response_schema(&method, &template, exchange.status),
            json,
        ) else {
            return;
        };
        if deviations.contains_key(SCHEMA.id) {
            return;
        }
        // A paginated list (`paginated=true`, which the JS SDK sends) wraps the documented array
        // in `{"data": [...], "total_count": N}`; its errors are errors like any other.
        let paginated = exchange.is_success()
            && method == "get"
            && path == "/sessions"
            && exchange.query_param("paginated").as_deref() == Some("true");
        let checked = if paginated {
            if !body["total_count"].is_u64() {
                found.push(
                    SCHEMA,
                    "a paginated list has no whole total_count".to_owned(),
                );
            }
            &body["data"]
        } else {
            body
        };
        for violation in schema.violations(checked).into_iter().take(3) {
            found.push(SCHEMA, violation);
        }
    }

    async fn check_token(
        &mut self,
        exchange: &Exchange,
        path: &str,
        body: &Value,
        found: &mut Findings,
    ) {
        let Some(token) = body["jwt"].as_str() else {
            return;
        };
        let session = path.split('/').nth(2).unwrap_or_default().to_owned();
        let kid = jsonwebtoken::decode_header(token)
            .ok()
            .and_then(|header| header.kid);
        let known = |jwks: &[Value]| {
            kid.as_deref()
                .is_some_and(|kid| jwks.iter().any(|key| key["kid"] == kid))
        };
        if !known(&self.jwks)
            && let Err(problem) = self.fetch_jwks(exchange).await
        {
            found.push(TOKENS, format!("cannot verify the token: {problem}"));
            return;
        }
        let jwks = serde_json::json!({ "keys": self.jwks });
        match jwt::verify(token, &jwks, jwt::now_secs(), 5) {
            Ok(verified) => {
                let templated = path.matches('/').count() > 3;
                if !templated && verified.claims["sid"] != session.as_str() {
                    found.push(
                        TOKENS,
                        format!(
                            "the token's sid is {}, not {session}",
                            verified.claims["sid"]
                        ),
                    );
                }
                if let Some(user) = self.users.get(&session)
                    && verified.claims["sub"] != user.as_str()
                {
                    found.push(
                        TOKENS,
                        format!(
                            "the token's sub is {}, not the session's user {user}",
                            verified.claims["sub"]
                        ),
                    );
                }
            }
            Err(problem) => found.push(TOKENS, format!("the token does not verify: {problem}")),
        }
    }

    /// Fetches the JWKS with the exchange's own Authorization, once per Authorization that got
    /// an answer: a fetch that failed is tried again with the next token.
    async fn fetch_jwks(&mut self, exchange: &Exchange) -> Result<(), String> {
        let Some(authorization) = &exchange.authorization else {
            return Ok(());
        };
        let mut hasher = DefaultHasher::new();
        authorization.hash(&mut hasher);
        let fingerprint = hasher.finish();
        if self.jwks_fetched_with.contains(&fingerprint) {
            return Ok(());
        }
        let mut request = self
            .http
            .get(format!("{}/v1/jwks", self.upstream))
            .header("Authorization", authorization);
        if let Some(version) = &exchange.version_header {
            request = request.header("Clerk-API-Version", version);
        }
        let response = request
            .send()
            .await
            .map_err(|error| format!("GET /v1/jwks got no answer: {}", failure_reason(&error)))?;
        let status = response.status();
        let jwks = response
            .json::<Value>()
            .await
            .map_err(|error| format!("GET /v1/jwks answered {status}, not JSON: {error}"))?;
        self.jwks_fetched_with.insert(fingerprint);
        for key in jwks["keys"].as_array().into_iter().flatten() {
            if !self.jwks.contains(key) {
                self.jwks.push(key.clone());
            }
        }
        Ok(())
    }

    fn check_sequence(
        &mut self,
        exchange: &Exchange,
        path: &str,
        version: Option<String>,
        body: &Value,
        found: &mut Findings,
    ) {
        let from_list = exchange.method == "GET" && path == "/sessions";
        let retrieved = exchange.method == "GET" && !from_list;
        for session in sessions_in(body) {
            let Some(id) = session["id"].as_str() else {
                continue;
            };
            if let Some(user) = session["user_id"].as_str() {
                self.users.insert(id.to_owned(), user.to_owned());
            }
            let status = session["status"].as_str().unwrap_or_default();
            if status == "revoked" {
                self.revoked.insert(id.to_owned());
            } else if (status == "active" || status == "pending") && self.revoked.contains(id) {
                found.push(
                    REVOKED_STAYS_REVOKED,
                    format!("{id} was revoked earlier and is {status} now"),
                );
            }
            if !(from_list || retrieved) {
                continue;
            }
            let sighting = Sighting {
                writes: self.writes,
                version: version.clone(),
                from_list,
                body: session.clone(),
            };
            if let Some(earlier) = self.sightings.get(id)
                && earlier.writes == self.writes
                && earlier.version == sighting.version
                && earlier.from_list != sighting.from_list
                && earlier.body != sighting.body
            {
                found.push(
                    GET_EQUALS_LIST,
                    format!("{id} differs between the list and the get, with no write between"),
                );
            }
            self.sightings.insert(id.to_owned(), sighting);
        }
    }

    /// One report entry per watch check: failed with its violations, or passed.
    pub fn report(&self) -> Vec<CheckReport> {
        ALL.iter()
            .map(|check| {
                let details: Vec<String> = self
                    .violations
                    .iter()
                    .filter(|violation| violation.check == check.id)
                    .map(|violation| format!("{} {}", violation.request, violation.detail))
                    .collect();
                CheckReport {
                    id: check.id,
                    group: check.group,
                    title: check.title,
                    rule: check.rule,
                    severity: Severity::Required,
                    verdict: if details.is_empty() {
                        Verdict::Passed
                    } else {
                        Verdict::Failed
                    },
                    details,
                    duration_ms: 0,
                }
            })
            .collect()
    }

    pub fn exchanges(&self) -> u64 {
        self.exchanges
    }

    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}

/// The most characters a violation's detail takes on its line.
const MAX_DETAIL_CHARS: usize = 300;

/// What one exchange showed wrong.
struct Findings {
    request: String,
    violations: Vec<Violation>,
}

impl Findings {
    fn new(exchange: &Exchange) -> Self {
        Self {
            request: exchange.describe(),
            violations: Vec::new(),
        }
    }

    fn push(&mut self, check: WatchCheck, mut detail: String) {
        // A schema's message quotes the whole value; a line says enough with its start.
        if let Some((cut, _)) = detail.char_indices().nth(MAX_DETAIL_CHARS) {
            detail.truncate(cut);
            detail.push('…');
        }
        self.violations.push(Violation {
            check: check.id,
            request: self.request.clone(),
            detail,
        });
    }
}

fn is_token_path(path: &str) -> bool {
    path.starts_with("/sessions/") && path.split('/').nth(3) == Some("tokens")
}

fn check_envelope(json: Option<&Value>, found: &mut Findings) {
    for problem in envelope_problems_in(json) {
        found.push(ENVELOPE, problem);
    }
}

fn check_well_formed(body: &Value, found: &mut Findings) {
    for session in sessions_in(body) {
        let id = session["id"].as_str().unwrap_or_default();
        for (field, prefix) in [
            ("id", "sess_"),
            ("user_id", "user_"),
            ("client_id", "client_"),
        ] {
            if !is_clerk_id(&session[field], prefix) {
                found.push(
                    WELL_FORMED,
                    format!(
                        "{id}: {field} {} is not {prefix} and 27 base62 characters",
                        session[field]
                    ),
                );
            }
        }
        for field in SESSION_TIMES {
            if !is_milliseconds(&session[field]) {
                found.push(
                    WELL_FORMED,
                    format!("{id}: {field} {} is not Unix milliseconds", session[field]),
                );
            }
        }
    }
}

fn check_list(exchange: &Exchange, body: &Value, found: &mut Findings) {
    let items = sessions_in(body);
    let limit = exchange
        .query_param("limit")
        .and_then(|limit| limit.parse::<usize>().ok())
        .unwrap_or(10);
    if items.len() > limit {
        found.push(LIST, format!("{} items for limit={limit}", items.len()));
    }
    let order = |session: &Value| {
        (
            session["created_at"].as_i64().unwrap_or_default(),
            session["id"].as_str().unwrap_or_default().to_owned(),
        )
    };
    if items.windows(2).any(|pair| order(pair[0]) < order(pair[1])) {
        found.push(
            LIST,
            "not newest first (created_at, then id, descending)".to_owned(),
        );
    }
    if let Some(total) = body.get("total_count").and_then(Value::as_u64)
        && (total as usize) < items.len()
    {
        found.push(
            LIST,
            format!(
                "total_count {total} is below the page's {} items",
                items.len()
            ),
        );
    }
    for (filter, field) in [
        ("user_id", "user_id"),
        ("client_id", "client_id"),
        ("status", "status"),
    ] {
        let Some(wanted) = exchange.query_param(filter) else {
            continue;
        };
        if let Some(item) = items.iter().find(|item| item[field] != wanted.as_str()) {
            found.push(
                LIST,
                format!(
                    "{filter}={wanted} listed {} with {field} {}",
                    item["id"], item[field]
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use jsonwebtoken::{Algorithm, EncodingKey, Header};

    use super::*;
    use crate::transport::http_client;

    fn token_exchange() -> Exchange {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("ins_2SomeInstance0000000000000".to_owned());
        let jwt = jsonwebtoken::encode(
            &header,
            &serde_json::json!({ "sid": "sess_2SomeSession00000000000000" }),
            &EncodingKey::from_secret(b"secret"),
        )
        .expect("a token");
        Exchange {
            method: "POST".to_owned(),
            path: "/v1/sessions/sess_2SomeSession00000000000000/tokens".to_owned(),
            query: String::new(),
            version_header: None,
            authorization: Some("Bearer sk_test_watched".to_owned()),
            status: 200,
            content_type: Some("application/json".to_owned()),
            body: serde_json::to_vec(&serde_json::json!({ "object": "token", "jwt": jwt }))
                .expect("json"),
        }
    }

    #[tokio::test]
    async fn a_jwks_that_cannot_be_fetched_is_named_and_fetched_again_with_the_next_token() {
        // A port nobody listens on: the fetch gets no answer.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let upstream = format!("http://{}", closed.local_addr().expect("an address"));
        drop(closed);
        let http = http_client(Duration::from_secs(2), None).expect("a client");
        let mut observer = Observer::new(SpecChoice::Official, None, upstream, http);
        for _ in 0..2 {
            let tokens: Vec<String> = observer
                .observe(&token_exchange())
                .await
                .into_iter()
                .filter(|violation| violation.check == TOKENS.id)
                .map(|violation| violation.detail)
                .collect();
            assert_eq!(tokens.len(), 1, "{tokens:?}");
            assert!(
                tokens[0].starts_with("cannot verify the token: GET /v1/jwks got no answer"),
                "{}",
                tokens[0]
            );
        }
        assert!(observer.jwks_fetched_with.is_empty());
    }
}

//! What watching proves: each exchange against the spec of its API version and against what one
//! answer can show of the Sessions semantics, and the sequence against what earlier answers
//! showed. Exchanges come in the order their answers completed.

mod contract;
mod sessions;
mod watch_checks;

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::exchange::Exchange;
use crate::check::Severity;
use crate::runner::{CheckReport, Verdict};
use crate::{BuiltinSpec, Spec};
use contract::check_well_formed;
use sessions::{check_list, is_token_path};
pub use watch_checks::{ALL, Violation, WatchCheck};

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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use jsonwebtoken::{Algorithm, EncodingKey, Header};

    use super::watch_checks::TOKENS;
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

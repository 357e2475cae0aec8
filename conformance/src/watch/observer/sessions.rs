//! What answers show of the Sessions semantics: lists in order and within their filters,
//! tokens that verify against the JWKS, and a sequence in which revoked stays revoked and a
//! get agrees with a list of the same moment.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use serde_json::Value;

use super::watch_checks::{GET_EQUALS_LIST, LIST, REVOKED_STAYS_REVOKED, TOKENS};
use super::{Findings, Observer, Sighting};
use crate::jwt;
use crate::transport::failure_reason;
use crate::watch::exchange::{Exchange, sessions_in};

impl Observer {
    pub(super) async fn check_token(
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
    pub(super) async fn fetch_jwks(&mut self, exchange: &Exchange) -> Result<(), String> {
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

    pub(super) fn check_sequence(
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
}

pub(super) fn check_list(exchange: &Exchange, body: &Value, found: &mut Findings) {
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

pub(super) fn is_token_path(path: &str) -> bool {
    path.starts_with("/sessions/") && path.split('/').nth(3) == Some("tokens")
}

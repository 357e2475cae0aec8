//! Each answer against the spec of its API version: content type, envelope, documented
//! status, schema, and ids and times that look like Clerk's.

use serde_json::Value;

use super::watch_checks::{CONTENT_TYPE, DOCUMENTED_STATUS, ENVELOPE, SCHEMA, WELL_FORMED};
use super::{Findings, Observer};
use crate::checks::contract::{SESSION_TIMES, envelope_problems_in, is_clerk_id, is_milliseconds};
use crate::watch::exchange::{Exchange, sessions_in, users_in};

impl Observer {
    pub(super) fn check_contract(
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
}

fn check_envelope(json: Option<&Value>, found: &mut Findings) {
    for problem in envelope_problems_in(json) {
        found.push(ENVELOPE, problem);
    }
}

pub(super) fn check_well_formed(body: &Value, found: &mut Findings) {
    for user in users_in(body) {
        let id = user["id"].as_str().unwrap_or_default();
        if !is_clerk_id(&user["id"], "user_") {
            found.push(
                WELL_FORMED,
                format!("user {}: not user_ and 27 base62 characters", user["id"]),
            );
        }
        for field in ["created_at", "updated_at"] {
            if !is_milliseconds(&user[field]) {
                found.push(
                    WELL_FORMED,
                    format!("{id}: {field} {} is not Unix milliseconds", user[field]),
                );
            }
        }
    }
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

//! Behaviour: order, filters, pagination, get/list agreement ([`lists`]), and create, revoke
//! and verify ([`writes`]). The table of checks is here; each check lives with its kind.

mod lists;
mod writes;

use serde_json::{Value, json};

use super::{check, items};
use crate::check::{Check, Context, Findings, Outcome};
use crate::client::{Exchange, Request, Unreachable};
use lists::{
    get_equals_list_item, id_filters, limit_and_offset, missing_filter, newest_first,
    pages_concatenate, status_filter, unknown_ids,
};
use writes::{
    create_session, revoke_persists, revoke_twice, verify_checks_the_session, verify_per_version,
};

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "BEHAV-001",
            Behaviour,
            Required,
            mutates = false,
            "Lists are newest first, within and across pages",
            "CONTRACT §5 List: created_at descending, ties by id descending",
            newest_first
        ),
        check!(
            "BEHAV-002",
            Behaviour,
            Required,
            mutates = false,
            "limit bounds the page and offset skips",
            "CONTRACT §5 List: limit, offset",
            limit_and_offset
        ),
        check!(
            "BEHAV-003",
            Behaviour,
            Required,
            mutates = false,
            "The status filter is honoured and counted",
            "CONTRACT §5 List: filters intersect",
            status_filter
        ),
        check!(
            "BEHAV-004",
            Behaviour,
            Required,
            mutates = false,
            "user_id and client_id filters are honoured and intersect",
            "CONTRACT §5 List: filters intersect",
            id_filters
        ),
        check!(
            "BEHAV-005",
            Behaviour,
            Required,
            mutates = false,
            "total_count counts every match; pages concatenate with no gap or duplicate",
            "CONTRACT §5 List: paginated=true",
            pages_concatenate
        ),
        check!(
            "BEHAV-006",
            Behaviour,
            Required,
            mutates = false,
            "A session retrieved equals its list item",
            "CONTRACT §5 Get",
            get_equals_list_item
        ),
        check!(
            "BEHAV-007",
            Behaviour,
            Required,
            mutates = false,
            "Unknown session ids are 404 resource_not_found on get, revoke and tokens",
            "CONTRACT §5: unknown id is 404",
            unknown_ids
        ),
        check!(
            "BEHAV-008",
            Behaviour,
            Required,
            mutates = false,
            "A list without user_id or client_id is 400 missing_query_parameter, or every session in order",
            "CONTRACT §5 List: the 2024-01-01 deprecation notice, which older instances predate",
            missing_filter
        ),
        check!(
            "BEHAV-009",
            Behaviour,
            Required,
            mutates = false,
            "Verify answers per API version: 410 from 2025-04-10, 400 for a bad token before",
            "CONTRACT §4, §5 Verify",
            verify_per_version
        ),
        check!(
            "BEHAV-010",
            Behaviour,
            Required,
            mutates = true,
            "Creating a session returns it active, first in its user's list",
            "CONTRACT §5 Create",
            create_session
        ),
        check!(
            "BEHAV-011",
            Behaviour,
            Required,
            mutates = true,
            "Revoking returns the session revoked, and every later get and list agrees",
            "CONTRACT §5 Revoke",
            revoke_persists
        ),
        check!(
            "BEHAV-012",
            Behaviour,
            Observation,
            mutates = true,
            "Revoking an already revoked session returns it unchanged with 200",
            "CONTRACT §5 Revoke (decided here)",
            revoke_twice
        ),
        check!(
            "BEHAV-013",
            Behaviour,
            Required,
            mutates = true,
            "Verify (before 2025-04-10) accepts a session's own token and rejects it for another session with 400",
            "CONTRACT §5 Verify: the token's sid must be this session",
            verify_checks_the_session
        ),
    ]
}

fn needs_user() -> Outcome {
    Outcome::Skip("needs --user-id".to_owned())
}

/// Every session of the user through pages of `limit`, and the totals each page reported.
async fn all_pages(
    context: &Context,
    user: &str,
    limit: usize,
) -> Result<(Vec<Value>, Vec<u64>), Unreachable> {
    let mut sessions = Vec::new();
    let mut totals = Vec::new();
    for page in 0..200 {
        let exchange = context
            .send(
                &Request::get("/sessions")
                    .query("user_id", user)
                    .query("paginated", "true")
                    .query("limit", &limit.to_string())
                    .query("offset", &(page * limit).to_string()),
            )
            .await?;
        if let Some(total) = exchange
            .json
            .as_ref()
            .and_then(|body| body["total_count"].as_u64())
        {
            totals.push(total);
        }
        let data = items(&exchange);
        if data.is_empty() || exchange.status != 200 {
            break;
        }
        sessions.extend(data);
    }
    Ok((sessions, totals))
}

fn order_key(session: &Value) -> (i64, String) {
    (
        session["created_at"].as_i64().unwrap_or_default(),
        session["id"].as_str().unwrap_or_default().to_owned(),
    )
}

fn out_of_order(sessions: &[Value]) -> Option<String> {
    sessions
        .windows(2)
        .find(|pair| order_key(&pair[0]) <= order_key(&pair[1]))
        .map(|pair| {
            format!(
                "{} (created_at {}) comes before {} (created_at {})",
                pair[0]["id"], pair[0]["created_at"], pair[1]["id"], pair[1]["created_at"]
            )
        })
}

/// Creates a session for the configured user; the check's findings note a failure.
pub async fn created_session(
    context: &Context,
    findings: &mut Findings,
) -> Result<Option<Value>, Unreachable> {
    let Some(user) = &context.options.user_id else {
        return Ok(None);
    };
    let exchange = context
        .send(&Request::post("/sessions").json(&json!({ "user_id": user })))
        .await?;
    if !findings.status(&exchange, 200) {
        return Ok(None);
    }
    Ok(exchange.json)
}

fn session_of(exchange: &Exchange) -> Value {
    exchange.json.clone().unwrap_or(Value::Null)
}

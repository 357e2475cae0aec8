//! Behaviour: order, filters, pagination, get/list agreement, revocation and verify.

use serde_json::{Value, json};

use super::{UNKNOWN_SESSION, active_session, check, ids, items};
use crate::check::{Check, CheckResult, Context, Findings, Outcome};
use crate::client::{Exchange, Request, Unreachable};

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

async fn newest_first(context: &Context) -> CheckResult {
    let Some(user) = context.options.user_id.clone() else {
        return Ok(needs_user());
    };
    let mut findings = Findings::default();
    let whole = context.user_sessions().await?.unwrap_or_default();
    if whole.len() < 2 {
        return Ok(Outcome::Skip(
            "the user needs at least two sessions".to_owned(),
        ));
    }
    if let Some(problem) = out_of_order(&whole) {
        findings.push(format!("one page: {problem}"));
    }
    let (paged, _) = all_pages(context, &user, 2).await?;
    if let Some(problem) = out_of_order(&paged) {
        findings.push(format!("pages of 2: {problem}"));
    }
    Ok(findings.outcome())
}

async fn limit_and_offset(context: &Context) -> CheckResult {
    let Some(user) = context.options.user_id.clone() else {
        return Ok(needs_user());
    };
    let whole = context.user_sessions().await?.unwrap_or_default();
    if whole.len() < 3 {
        return Ok(Outcome::Skip(
            "the user needs at least three sessions".to_owned(),
        ));
    }
    let mut findings = Findings::default();
    for (limit, offset) in [(1usize, 0usize), (2, 0), (2, 1), (1, whole.len() - 1)] {
        let exchange = context
            .send(
                &Request::get("/sessions")
                    .query("user_id", &user)
                    .query("limit", &limit.to_string())
                    .query("offset", &offset.to_string()),
            )
            .await?;
        let expected: Vec<String> = ids(&whole).into_iter().skip(offset).take(limit).collect();
        let got = ids(&items(&exchange));
        findings.expect(got == expected, || {
            format!("limit={limit} offset={offset}: expected {expected:?}, got {got:?}")
        });
    }
    Ok(findings.outcome())
}

async fn status_filter(context: &Context) -> CheckResult {
    let Some(user) = context.options.user_id.clone() else {
        return Ok(needs_user());
    };
    let whole = context.user_sessions().await?.unwrap_or_default();
    let mut findings = Findings::default();
    let mut statuses: Vec<String> = whole
        .iter()
        .filter_map(|session| session["status"].as_str().map(str::to_owned))
        .filter(|status| status != "pending")
        .collect();
    statuses.extend(["revoked".to_owned(), "active".to_owned()]);
    statuses.sort();
    statuses.dedup();
    for status in &statuses {
        let exchange = context
            .send(
                &Request::get("/sessions")
                    .query("user_id", &user)
                    .query("status", status)
                    .query("limit", "500"),
            )
            .await?;
        let filtered = items(&exchange);
        let wrong: Vec<String> = filtered
            .iter()
            .filter(|session| session["status"] != status.as_str())
            .map(|session| format!("{} is {}", session["id"], session["status"]))
            .collect();
        findings.expect(wrong.is_empty(), || {
            format!("status={status} answered {wrong:?}")
        });
        let expected = whole
            .iter()
            .filter(|session| session["status"] == status.as_str())
            .count();
        findings.expect(filtered.len() == expected, || {
            format!(
                "status={status}: {} sessions, but the unfiltered list has {expected}",
                filtered.len()
            )
        });
    }
    Ok(findings.outcome())
}

async fn id_filters(context: &Context) -> CheckResult {
    let Some(user) = context.options.user_id.clone() else {
        return Ok(needs_user());
    };
    let whole = context.user_sessions().await?.unwrap_or_default();
    let Some(client) = whole
        .first()
        .and_then(|session| session["client_id"].as_str())
        .map(str::to_owned)
    else {
        return Ok(Outcome::Skip("the user has no session".to_owned()));
    };
    let mut findings = Findings::default();
    let by_user_and_client = items(
        &context
            .send(
                &Request::get("/sessions")
                    .query("user_id", &user)
                    .query("client_id", &client)
                    .query("limit", "500"),
            )
            .await?,
    );
    let expected: Vec<String> = ids(&whole
        .iter()
        .filter(|s| s["client_id"] == client.as_str())
        .cloned()
        .collect::<Vec<_>>());
    findings.expect(ids(&by_user_and_client) == expected, || {
        format!(
            "user_id+client_id: expected {expected:?}, got {:?}",
            ids(&by_user_and_client)
        )
    });
    let by_client = items(
        &context
            .send(
                &Request::get("/sessions")
                    .query("client_id", &client)
                    .query("limit", "500"),
            )
            .await?,
    );
    findings.expect(
        !by_client.is_empty() && by_client.iter().all(|s| s["client_id"] == client.as_str()),
        || format!("client_id={client} answered sessions of other clients or none"),
    );
    let other = items(
        &context
            .send(
                &Request::get("/sessions")
                    .query("user_id", super::UNKNOWN_USER)
                    .query("client_id", &client),
            )
            .await?,
    );
    findings.expect(other.is_empty(), || {
        "filters did not intersect: another user's client matched".to_owned()
    });
    Ok(findings.outcome())
}

async fn pages_concatenate(context: &Context) -> CheckResult {
    let Some(user) = context.options.user_id.clone() else {
        return Ok(needs_user());
    };
    let whole = context.user_sessions().await?.unwrap_or_default();
    let mut findings = Findings::default();
    for limit in [1, 3] {
        let (paged, totals) = all_pages(context, &user, limit).await?;
        findings.expect(ids(&paged) == ids(&whole), || {
            format!(
                "pages of {limit} give {:?}, one page gives {:?}",
                ids(&paged),
                ids(&whole)
            )
        });
        findings.expect(
            totals.iter().all(|total| *total == whole.len() as u64),
            || {
                format!(
                    "total_count {totals:?} while the user has {} sessions",
                    whole.len()
                )
            },
        );
    }
    Ok(findings.outcome())
}

async fn get_equals_list_item(context: &Context) -> CheckResult {
    let Some(sessions) = context.user_sessions().await? else {
        return Ok(needs_user());
    };
    let mut findings = Findings::default();
    for session in sessions.iter().take(3) {
        let id = session["id"].as_str().unwrap_or_default();
        let exchange = context
            .send(&Request::get(format!("/sessions/{id}")))
            .await?;
        if findings.status(&exchange, 200) {
            // Activity can move last_active_at between the two reads; everything else must agree.
            let strip = |value: &Value| {
                let mut value = value.clone();
                if let Some(object) = value.as_object_mut() {
                    object.remove("last_active_at");
                    object.remove("updated_at");
                }
                value
            };
            findings.expect(
                exchange.json.as_ref().map(strip) == Some(strip(session)),
                || format!("GET {id} differs from its list item"),
            );
        }
    }
    Ok(findings.outcome())
}

async fn unknown_ids(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    for request in [
        Request::get(format!("/sessions/{UNKNOWN_SESSION}")),
        Request::post(format!("/sessions/{UNKNOWN_SESSION}/revoke")),
        Request::post(format!("/sessions/{UNKNOWN_SESSION}/tokens")),
    ] {
        let exchange = context.send(&request).await?;
        findings.error(&exchange, 404, "resource_not_found", None);
    }
    Ok(findings.outcome())
}

/// Instances that follow the 2024-01-01 notice answer 400; older ones (and the mock with
/// `--lenient-list`) list every session. Either passes; the check says which it saw.
async fn missing_filter(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let exchange = context.send(&Request::get("/sessions")).await?;
    if exchange.status != 200 {
        findings.error(&exchange, 400, "missing_query_parameter", None);
        return Ok(findings
            .or_saw("400 missing_query_parameter (the instance follows the 2024-01-01 notice)"));
    }
    findings.expect(matches!(exchange.json, Some(Value::Array(_))), || {
        format!(
            "{}: 200 without a JSON array: {}",
            exchange.request,
            exchange.body_excerpt()
        )
    });
    let sessions = items(&exchange);
    if let Some(problem) = out_of_order(&sessions) {
        findings.push(format!("{}: {problem}", exchange.request));
    }
    let paginated = context
        .send(&Request::get("/sessions").query("paginated", "true"))
        .await?;
    if findings.status(&paginated, 200) {
        let total = paginated
            .json
            .as_ref()
            .and_then(|body| body["total_count"].as_u64());
        findings.expect(
            total.is_some_and(|total| total >= items(&paginated).len() as u64),
            || {
                format!(
                    "{}: total_count {total:?} for a page of {}",
                    paginated.request,
                    items(&paginated).len()
                )
            },
        );
    }
    Ok(findings.or_saw(&format!(
        "200 with every session, {} on the first page (an instance from before the 2024-01-01 notice)",
        sessions.len()
    )))
}

async fn verify_per_version(context: &Context) -> CheckResult {
    let sessions = context.user_sessions().await?.unwrap_or_default();
    let session = active_session(&sessions).unwrap_or_else(|| UNKNOWN_SESSION.to_owned());
    let mut findings = Findings::default();
    let verify = |version: &str| {
        Request::post(format!("/sessions/{session}/verify"))
            .json(&json!({"token": "not.a.jwt"}))
            .version(version)
    };
    for version in ["2025-04-10", "2026-05-12"] {
        let exchange = context.send(&verify(version)).await?;
        findings.error(&exchange, 410, "operation_deprecated", None);
    }
    if session != UNKNOWN_SESSION {
        let exchange = context.send(&verify("2021-02-05")).await?;
        findings.error(&exchange, 400, "invalid_session_token", None);
    }
    Ok(findings.outcome())
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

async fn create_session(context: &Context) -> CheckResult {
    let Some(user) = context.options.user_id.clone() else {
        return Ok(needs_user());
    };
    let mut findings = Findings::default();
    let Some(session) = created_session(context, &mut findings).await? else {
        return Ok(findings.outcome());
    };
    findings.expect(session["status"] == "active", || {
        format!("created session is {}", session["status"])
    });
    findings.expect(session["user_id"] == user.as_str(), || {
        format!("created session belongs to {}", session["user_id"])
    });
    let first = context
        .user_sessions()
        .await?
        .unwrap_or_default()
        .into_iter()
        .next();
    findings.expect(
        first.as_ref().map(|s| &s["id"]) == Some(&session["id"]),
        || "the created session is not first in its user's list".to_owned(),
    );
    Ok(findings.outcome())
}

fn session_of(exchange: &Exchange) -> Value {
    exchange.json.clone().unwrap_or(Value::Null)
}

async fn revoke_persists(context: &Context) -> CheckResult {
    let Some(user) = context.options.user_id.clone() else {
        return Ok(needs_user());
    };
    let mut findings = Findings::default();
    let Some(session) = created_session(context, &mut findings).await? else {
        return Ok(findings.outcome());
    };
    let id = session["id"].as_str().unwrap_or_default().to_owned();
    let revoked = context
        .send(&Request::post(format!("/sessions/{id}/revoke")))
        .await?;
    if findings.status(&revoked, 200) {
        let body = session_of(&revoked);
        findings.expect(body["status"] == "revoked", || {
            format!("revoke answered status {}", body["status"])
        });
        findings.expect(
            body["updated_at"].as_i64() >= session["updated_at"].as_i64(),
            || "updated_at moved back".to_owned(),
        );
    }
    let get = session_of(
        &context
            .send(&Request::get(format!("/sessions/{id}")))
            .await?,
    );
    findings.expect(get["status"] == "revoked", || {
        format!("a later get shows {}", get["status"])
    });
    let listed = items(
        &context
            .send(
                &Request::get("/sessions")
                    .query("user_id", &user)
                    .query("status", "revoked")
                    .query("limit", "500"),
            )
            .await?,
    );
    findings.expect(ids(&listed).contains(&id), || {
        "a later list of revoked sessions misses it".to_owned()
    });
    let active = items(
        &context
            .send(
                &Request::get("/sessions")
                    .query("user_id", &user)
                    .query("status", "active")
                    .query("limit", "500"),
            )
            .await?,
    );
    findings.expect(!ids(&active).contains(&id), || {
        "a later list of active sessions still has it".to_owned()
    });
    Ok(findings.outcome())
}

async fn revoke_twice(context: &Context) -> CheckResult {
    if context.options.user_id.is_none() {
        return Ok(needs_user());
    }
    let mut findings = Findings::default();
    let Some(session) = created_session(context, &mut findings).await? else {
        return Ok(findings.outcome());
    };
    let id = session["id"].as_str().unwrap_or_default().to_owned();
    let first = context
        .send(&Request::post(format!("/sessions/{id}/revoke")))
        .await?;
    let second = context
        .send(&Request::post(format!("/sessions/{id}/revoke")))
        .await?;
    findings.status(&second, 200);
    findings.expect(second.json == first.json, || {
        "the second revoke changed the session".to_owned()
    });
    Ok(findings.outcome())
}

/// Verifies the token of a session the suite creates at that session (200) and at another
/// session of the same user (400 `invalid_session_token`), as API version 2021-02-05.
async fn verify_checks_the_session(context: &Context) -> CheckResult {
    if context.options.user_id.is_none() {
        return Ok(needs_user());
    }
    let mut findings = Findings::default();
    let Some(created) = created_session(context, &mut findings).await? else {
        return Ok(findings.outcome());
    };
    let created_id = created["id"].as_str().unwrap_or_default().to_owned();
    let sessions = context.user_sessions().await?.unwrap_or_default();
    let others: Vec<&Value> = sessions
        .iter()
        .filter(|session| session["id"] != created_id.as_str())
        .collect();
    let Some(other) = others
        .iter()
        .find(|session| session["status"] == "active")
        .or(others.first())
        .and_then(|session| session["id"].as_str())
    else {
        return Ok(Outcome::Skip("the user needs a second session".to_owned()));
    };
    let minted = context
        .send(&Request::post(format!("/sessions/{created_id}/tokens")))
        .await?;
    if !findings.status(&minted, 200) {
        return Ok(findings.outcome());
    }
    let Some(token) = minted.json.as_ref().and_then(|body| body["jwt"].as_str()) else {
        findings.push("the token answer has no jwt".to_owned());
        return Ok(findings.outcome());
    };
    let verify = |session: &str| {
        Request::post(format!("/sessions/{session}/verify"))
            .json(&json!({ "token": token }))
            .version("2021-02-05")
    };
    let own = context.send(&verify(&created_id)).await?;
    if findings.status(&own, 200) {
        findings.expect(
            own.json
                .as_ref()
                .is_some_and(|body| body["id"] == created_id.as_str()),
            || format!("{}: the answer is not session {created_id}", own.request),
        );
    }
    let foreign = context.send(&verify(other)).await?;
    findings.error(&foreign, 400, "invalid_session_token", None);
    Ok(findings.outcome())
}

//! What lists show: order, `limit` and `offset`, filters, pages, and agreement with gets.

use serde_json::Value;

use super::{all_pages, needs_user, out_of_order};
use crate::check::{CheckResult, Context, Findings, Outcome};
use crate::checks::{UNKNOWN_SESSION, ids, items};
use crate::client::Request;

pub(super) async fn newest_first(context: &Context) -> CheckResult {
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

pub(super) async fn limit_and_offset(context: &Context) -> CheckResult {
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

pub(super) async fn status_filter(context: &Context) -> CheckResult {
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

pub(super) async fn id_filters(context: &Context) -> CheckResult {
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
                    .query("user_id", crate::checks::UNKNOWN_USER)
                    .query("client_id", &client),
            )
            .await?,
    );
    findings.expect(other.is_empty(), || {
        "filters did not intersect: another user's client matched".to_owned()
    });
    Ok(findings.outcome())
}

pub(super) async fn pages_concatenate(context: &Context) -> CheckResult {
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

pub(super) async fn get_equals_list_item(context: &Context) -> CheckResult {
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

pub(super) async fn unknown_ids(context: &Context) -> CheckResult {
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
pub(super) async fn missing_filter(context: &Context) -> CheckResult {
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

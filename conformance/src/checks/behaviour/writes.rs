//! What writes do: create, revoke (persisted, twice), and verify per version and session.

use serde_json::{Value, json};

use super::{created_session, needs_user, session_of};
use crate::check::{CheckResult, Context, Findings, Outcome};
use crate::checks::{UNKNOWN_SESSION, active_session, ids, items};
use crate::client::Request;

pub(super) async fn verify_per_version(context: &Context) -> CheckResult {
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

pub(super) async fn create_session(context: &Context) -> CheckResult {
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

pub(super) async fn revoke_persists(context: &Context) -> CheckResult {
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

pub(super) async fn revoke_twice(context: &Context) -> CheckResult {
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
pub(super) async fn verify_checks_the_session(context: &Context) -> CheckResult {
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

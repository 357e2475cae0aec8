//! RefreshSession: what `@clerk/backend`'s `authenticateRequest` relies on when it refreshes an
//! expired cookie token — a new token for the session when both tokens are right, a 401 (the
//! SDK's cue to fall back to the handshake) otherwise.
//!
//! The checks that need no valid refresh token (unknown sessions, another session's token,
//! malformed or incomplete bodies) run on any target. A real deployment hands no refresh token
//! to a test: the checks that need one take the one given with `--refresh-token` (and the first
//! `--session-id`), else read it where clerk-backend-mock offers it
//! (`/__admin/instance/sessions/{id}/refresh_token`), and are skipped where neither is.

use serde_json::{Value, json};

use super::behaviour::created_session;
use super::contract::envelope_problems;
use super::{UNKNOWN_SESSION, check};
use crate::check::{Check, CheckResult, Context, Findings, Outcome};
use crate::client::{Request, Unreachable};
use crate::jwt;

/// The origin the suite refreshes for; it must come back as the new token's `azp`.
const ORIGIN: &str = "https://conformance.example";

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "REFRESH-001",
            Tokens,
            Required,
            mutates = false,
            "Refresh with tokens that are not the session's (made up, or another session's) is 401",
            "Clerk's spec: RefreshSession answers 401 to every validation error",
            refused_without_the_right_tokens
        ),
        check!(
            "REFRESH-002",
            Tokens,
            Required,
            mutates = false,
            "Refresh with a body that is not JSON is 400",
            "Clerk's spec: RefreshSession 400",
            malformed_body
        ),
        check!(
            "REFRESH-006",
            Tokens,
            Required,
            mutates = false,
            "Refresh with a field missing or of the wrong type is a 4xx in the envelope, never a 5xx",
            "CONTRACT §2: every non-2xx answer is Clerk's envelope; Clerk's spec: RefreshSession 400",
            incomplete_bodies_are_client_errors
        ),
        check!(
            "REFRESH-003",
            Tokens,
            Observation,
            mutates = false,
            "Refresh without its required fields is 422 naming each (or 400)",
            "CONTRACT §5 Refresh (decided here)",
            missing_fields
        ),
        check!(
            "REFRESH-004",
            Tokens,
            Required,
            mutates = true,
            "Refresh of a live session's token with its refresh token is 401 with a wrong refresh token, and a new token for the origin (Token and cookie formats) with the right one",
            "Clerk's spec: RefreshSession; CONTRACT §5 Refresh",
            refreshes_a_live_session
        ),
        check!(
            "REFRESH-005",
            Tokens,
            Required,
            mutates = true,
            "A revoked session is not refreshed: 401",
            "CONTRACT §5 Refresh",
            refuses_a_revoked_session
        ),
    ]
}

fn body(expired_token: &str, refresh_token: &str) -> Value {
    json!({
        "expired_token": expired_token,
        "refresh_token": refresh_token,
        "request_origin": ORIGIN,
    })
}

fn refresh(session: &str) -> Request {
    Request::post(format!("/sessions/{session}/refresh"))
}

async fn refused_without_the_right_tokens(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let exchange = context
        .send(&refresh(UNKNOWN_SESSION).json(&body(
            "eyJhbGciOiJSUzI1NiJ9.eyJzaWQiOiJub25lIn0.c2lnbmF0dXJl",
            "conformance-not-a-refresh-token",
        )))
        .await?;
    findings.status(&exchange, 401);
    // A real token of one session, presented to refresh another.
    if let Some(token) = live_session_token(context).await? {
        for other in [
            UNKNOWN_SESSION.to_owned(),
            other_session(context, &token.0).await?,
        ] {
            let exchange = context
                .send(&refresh(&other).json(&body(&token.1, "conformance-not-a-refresh-token")))
                .await?;
            findings.status(&exchange, 401);
        }
    }
    Ok(findings.outcome())
}

/// A live session the suite may read (of `--user-id`, else the first `--session-id`) and a
/// token minted for it, if there is one and the suite may mint (minting is activity on the
/// session: it runs with --allow-mutations only).
async fn live_session_token(context: &Context) -> Result<Option<(String, String)>, Unreachable> {
    if !context.options.allow_mutations {
        return Ok(None);
    }
    let Some(session) = readable_live_session(context).await? else {
        return Ok(None);
    };
    let minted = context
        .send(&Request::post(format!("/sessions/{session}/tokens")))
        .await?;
    Ok(minted
        .json
        .filter(|_| minted.status == 200)
        .and_then(|body| body["jwt"].as_str().map(str::to_owned))
        .map(|token| (session, token)))
}

async fn readable_live_session(context: &Context) -> Result<Option<String>, Unreachable> {
    if let Some(user) = &context.options.user_id {
        let listed = context
            .send(
                &Request::get("/sessions")
                    .query("user_id", user)
                    .query("status", "active"),
            )
            .await?;
        if let Some(id) = listed
            .json
            .as_ref()
            .and_then(Value::as_array)
            .and_then(|sessions| sessions.first())
            .and_then(|session| session["id"].as_str())
        {
            return Ok(Some(id.to_owned()));
        }
    }
    Ok(context.options.session_ids.first().cloned())
}

/// Another session of the same user than `session`, or the made-up one.
async fn other_session(context: &Context, session: &str) -> Result<String, Unreachable> {
    let Some(user) = &context.options.user_id else {
        return Ok(UNKNOWN_SESSION.to_owned());
    };
    let listed = context
        .send(
            &Request::get("/sessions")
                .query("user_id", user)
                .query("limit", "20"),
        )
        .await?;
    Ok(listed
        .json
        .as_ref()
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|other| other["id"].as_str())
        .find(|other| *other != session)
        .unwrap_or(UNKNOWN_SESSION)
        .to_owned())
}

async fn malformed_body(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let exchange = context
        .send(&refresh(UNKNOWN_SESSION).raw_body("application/json", b"{\"expired_token\":".into()))
        .await?;
    findings.status(&exchange, 400);
    Ok(findings.outcome())
}

async fn missing_fields(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let exchange = context
        .send(&refresh(UNKNOWN_SESSION).json(&json!({})))
        .await?;
    if exchange.status == 400 {
        return Ok(findings.or_saw("400"));
    }
    findings.error(&exchange, 422, "form_param_missing", Some("expired_token"));
    Ok(findings.or_saw("422"))
}

async fn incomplete_bodies_are_client_errors(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let token = live_session_token(context).await?;
    let (session, jwt) = token
        .as_ref()
        .map_or((UNKNOWN_SESSION, "not.a.jwt"), |(id, jwt)| {
            (id.as_str(), jwt.as_str())
        });
    let bodies = [
        json!({}),
        json!({"expired_token": jwt, "request_origin": ORIGIN}),
        json!({"expired_token": jwt, "refresh_token": "conformance-not-a-refresh-token"}),
        json!({"expired_token": 1, "refresh_token": true, "request_origin": []}),
    ];
    for sent in bodies {
        let exchange = context.send(&refresh(session).json(&sent)).await?;
        findings.expect(matches!(exchange.status, 400 | 401 | 422), || {
            format!(
                "{}: {sent} answered {}, not 400, 401 or 422: {}",
                exchange.request,
                exchange.status,
                exchange.body_excerpt()
            )
        });
        for problem in envelope_problems(&exchange) {
            findings.push(problem);
        }
    }
    Ok(findings.outcome())
}

/// A session, a token minted for it, and its refresh token: the one given on the command line,
/// else a session the suite creates when the target hands refresh tokens out.
struct Refreshable {
    id: String,
    token: String,
    refresh_token: String,
}

async fn refreshable(
    context: &Context,
    findings: &mut Findings,
) -> Result<Result<Refreshable, Outcome>, Unreachable> {
    if let Some(given) = &context.options.refresh {
        return Ok(minted_for(context, findings, &given.session_id)
            .await?
            .map(|token| Refreshable {
                id: given.session_id.clone(),
                token,
                refresh_token: given.refresh_token.clone(),
            }));
    }
    if context.options.user_id.is_none() {
        return Ok(Err(Outcome::Skip(
            "needs --user-id, or --session-id with --refresh-token".to_owned(),
        )));
    }
    let Some(session) = created_session(context, findings).await? else {
        return Ok(Err(Outcome::Fail(Vec::new())));
    };
    let id = session["id"].as_str().unwrap_or_default().to_owned();
    let handed_out = context
        .send(&Request::get_outside_api(format!(
            "/__admin/instance/sessions/{id}/refresh_token"
        )))
        .await?;
    let Some(refresh_token) = handed_out
        .json
        .as_ref()
        .filter(|_| handed_out.status == 200)
        .and_then(|body| body["refresh_token"].as_str())
        .map(str::to_owned)
    else {
        return Ok(Err(Outcome::Skip(
            "the target hands out no refresh tokens (clerk-backend-mock does, at /__admin/instance/sessions/{id}/refresh_token); give one with --session-id and --refresh-token".to_owned(),
        )));
    };
    Ok(minted_for(context, findings, &id)
        .await?
        .map(|token| Refreshable {
            id,
            token,
            refresh_token,
        }))
}

/// A token minted for `session`, to present as its expired token.
async fn minted_for(
    context: &Context,
    findings: &mut Findings,
    session: &str,
) -> Result<Result<String, Outcome>, Unreachable> {
    let minted = context
        .send(&Request::post(format!("/sessions/{session}/tokens")))
        .await?;
    Ok(minted
        .json
        .as_ref()
        .filter(|_| findings.status(&minted, 200))
        .and_then(|body| body["jwt"].as_str())
        .map(str::to_owned)
        .ok_or(Outcome::Fail(Vec::new())))
}

/// Whether `token` verifies against the target's JWKS as a token of `session` for [`ORIGIN`].
async fn check_new_token(
    context: &Context,
    findings: &mut Findings,
    token: &str,
    session: &str,
) -> Result<(), Unreachable> {
    let jwks = context.send(&Request::get("/jwks")).await?.json;
    match jwt::verify(token, &jwks.unwrap_or(Value::Null), jwt::now_secs(), 5) {
        Ok(verified) => {
            findings.expect(verified.claims["sid"] == session, || {
                format!("the new token's sid is {}", verified.claims["sid"])
            });
            findings.expect(verified.claims["azp"] == ORIGIN, || {
                format!(
                    "the new token's azp is {}, not the request_origin",
                    verified.claims["azp"]
                )
            });
        }
        Err(problem) => findings.push(format!("the new token does not verify: {problem}")),
    }
    Ok(())
}

async fn refreshes_a_live_session(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let session = match refreshable(context, &mut findings).await? {
        Ok(session) => session,
        Err(Outcome::Fail(_)) => return Ok(findings.outcome()),
        Err(outcome) => return Ok(outcome),
    };
    let wrong = context
        .send(&refresh(&session.id).json(&body(&session.token, "conformance-not-a-refresh-token")))
        .await?;
    findings.status(&wrong, 401);

    let exchange = context
        .send(&refresh(&session.id).json(&body(&session.token, &session.refresh_token)))
        .await?;
    if findings.status(&exchange, 200) {
        let answer = exchange.json.unwrap_or(Value::Null);
        findings.expect(answer["object"] == "token", || {
            format!("format token answered object {}", answer["object"])
        });
        let jwt = answer["jwt"].as_str().unwrap_or_default();
        check_new_token(context, &mut findings, jwt, &session.id).await?;
    }

    let mut cookie_format = body(&session.token, &session.refresh_token);
    cookie_format["format"] = json!("cookie");
    let exchange = context
        .send(&refresh(&session.id).json(&cookie_format))
        .await?;
    if findings.status(&exchange, 200) {
        let answer = exchange.json.unwrap_or(Value::Null);
        findings.expect(answer["object"] == "cookies", || {
            format!("format cookie answered object {}", answer["object"])
        });
        let session_cookie = answer["cookies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find_map(|cookie| cookie.strip_prefix("__session="))
            .and_then(|rest| rest.split(';').next())
            .map(str::to_owned);
        match session_cookie {
            Some(jwt) => check_new_token(context, &mut findings, &jwt, &session.id).await?,
            None => findings.push("no __session cookie among the cookies".to_owned()),
        }
    }
    Ok(findings.outcome())
}

async fn refuses_a_revoked_session(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let session = match refreshable(context, &mut findings).await? {
        Ok(session) => session,
        Err(Outcome::Fail(_)) => return Ok(findings.outcome()),
        Err(outcome) => return Ok(outcome),
    };
    let revoked = context
        .send(&Request::post(format!("/sessions/{}/revoke", session.id)))
        .await?;
    if !findings.status(&revoked, 200) {
        return Ok(findings.outcome());
    }
    let exchange = context
        .send(&refresh(&session.id).json(&body(&session.token, &session.refresh_token)))
        .await?;
    findings.status(&exchange, 401);
    Ok(findings.outcome())
}

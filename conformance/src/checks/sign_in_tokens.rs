//! Testing tokens (what `@clerk/testing`'s `clerkSetup()` asks for) and sign-in tokens: their
//! shapes, the seconds `TestingToken.expires_at` is in, and a sign-in token's life from pending
//! to revoked.

use serde_json::{Value, json};

use super::{UNKNOWN_USER, check};
use crate::check::{Check, CheckResult, Context, Findings, Outcome};
use crate::client::Request;
use crate::jwt;

/// A well-formed sign-in token id that no server should know.
const UNKNOWN_SIGN_IN_TOKEN: &str = "sit_2ConformanceNoSuchToken000";

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "TOKEN-008",
            Tokens,
            Required,
            mutates = false,
            "A testing token has a token and an expires_at in Unix seconds, in the future",
            "Clerk's spec: CreateTestingToken (TestingToken.expires_at, example in seconds)",
            a_testing_token_expires_in_seconds
        ),
        check!(
            "TOKEN-009",
            Tokens,
            Required,
            mutates = true,
            "A sign-in token is pending with its secret; revoked once it is revoked, and a second revoke is 400",
            "Clerk's spec: CreateSignInToken, RevokeSignInToken (only pending tokens)",
            a_sign_in_token_is_revoked_once
        ),
        check!(
            "TOKEN-010",
            Tokens,
            Required,
            mutates = false,
            "A sign-in token for an unknown user, and the revoke of an unknown token, are 404",
            "Clerk's spec: CreateSignInToken 404, RevokeSignInToken 404",
            unknown_users_and_tokens_are_404
        ),
    ]
}

async fn a_testing_token_expires_in_seconds(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let exchange = context.send(&Request::post("/testing_tokens")).await?;
    if !findings.status(&exchange, 200) {
        return Ok(findings.outcome());
    }
    let body = exchange.json.unwrap_or(Value::Null);
    findings.expect(
        body["object"] == "testing_token" && body["token"].as_str().is_some_and(|t| !t.is_empty()),
        || format!("the testing token reads {body}"),
    );
    let now = jwt::now_secs();
    let expires_at = body["expires_at"].as_i64();
    // Seconds, not milliseconds; the server's clock may be moved, so only the unit is checked,
    // and that the token does not expire before it was made.
    findings.expect(
        expires_at.is_some_and(|at| at > 1_000_000_000 && at < 100_000_000_000),
        || format!("expires_at {expires_at:?} is not Unix seconds (now is {now})"),
    );
    Ok(findings.outcome())
}

async fn a_sign_in_token_is_revoked_once(context: &Context) -> CheckResult {
    let Some(user) = context.options.user_id.clone() else {
        return Ok(Outcome::Skip("needs --user-id".to_owned()));
    };
    let mut findings = Findings::default();
    let created = context
        .send(
            &Request::post("/sign_in_tokens")
                .json(&json!({"user_id": user, "expires_in_seconds": 60})),
        )
        .await?;
    if !findings.status(&created, 200) {
        return Ok(findings.outcome());
    }
    let body = created.json.unwrap_or(Value::Null);
    findings.expect(
        body["status"] == "pending" && body["user_id"] == user.as_str(),
        || format!("a new sign-in token reads {body}"),
    );
    findings.expect(
        body["token"].as_str().is_some_and(|t| !t.is_empty()),
        || "a new sign-in token has no token to sign in with".to_owned(),
    );
    let id = body["id"].as_str().unwrap_or(UNKNOWN_SIGN_IN_TOKEN);
    let revoke = Request::post(format!("/sign_in_tokens/{id}/revoke"));
    let revoked = context.send(&revoke).await?;
    if findings.status(&revoked, 200) {
        let status = revoked.json.as_ref().map(|body| body["status"].clone());
        findings.expect(status == Some(json!("revoked")), || {
            format!("the revoke answered status {status:?}")
        });
    }
    let again = context.send(&revoke).await?;
    findings.error(&again, 400, "sign_in_token_cannot_be_revoked_code", None);
    Ok(findings.outcome())
}

async fn unknown_users_and_tokens_are_404(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let for_nobody = context
        .send(&Request::post("/sign_in_tokens").json(&json!({"user_id": UNKNOWN_USER})))
        .await?;
    findings.error(&for_nobody, 404, "resource_not_found", None);
    let revoke_nothing = context
        .send(&Request::post(format!(
            "/sign_in_tokens/{UNKNOWN_SIGN_IN_TOKEN}/revoke"
        )))
        .await?;
    findings.error(&revoke_nothing, 404, "resource_not_found", None);
    Ok(findings.outcome())
}

//! Tokens: the JWKS, and session and template tokens verified as the SDKs verify them.

use serde_json::{Value, json};

use super::behaviour::created_session;
use super::check;
use crate::check::{Check, CheckResult, Context, Findings, Outcome};
use crate::client::{Request, Unreachable};
use crate::jwt;

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "TOKEN-001",
            Tokens,
            Required,
            mutates = false,
            "The JWKS lists RSA signing keys (kid, alg RS256, use sig, n, e)",
            "CONTRACT §5 JWKS",
            jwks_lists_rsa_keys
        ),
        check!(
            "TOKEN-002",
            Tokens,
            Required,
            mutates = true,
            "Session tokens are RS256 with a kid found in the JWKS, and the signature verifies",
            "CONTRACT §6: the SDKs pick the key by kid from /v1/jwks",
            session_token_verifies
        ),
        check!(
            "TOKEN-003",
            Tokens,
            Required,
            mutates = true,
            "Session token claims: sid, sub, exp, iat, nbf right; 60 s by default",
            "CONTRACT §6",
            session_token_claims
        ),
        check!(
            "TOKEN-004",
            Tokens,
            Required,
            mutates = true,
            "expires_in_seconds sets the token lifetime, its bounds 30 and 315360000 included",
            "CONTRACT §5 Tokens",
            lifetime_override
        ),
        check!(
            "TOKEN-005",
            Tokens,
            Required,
            mutates = true,
            "Template tokens verify, carry the template's claims and the defaults for the user",
            "CONTRACT §6: template claims plus azp exp iat iss jti nbf sub",
            template_token
        ),
        check!(
            "TOKEN-006",
            Tokens,
            Required,
            mutates = true,
            "An unknown JWT template is 404",
            "CONTRACT §5 Tokens",
            unknown_template
        ),
        check!(
            "TOKEN-007",
            Tokens,
            Observation,
            mutates = true,
            "A session that is not active gets no token: 404",
            "CONTRACT §5 Tokens (decided here)",
            no_token_for_an_ended_session
        ),
    ]
}

async fn jwks(context: &Context) -> Result<Value, Unreachable> {
    let exchange = context.send(&Request::get("/jwks")).await?;
    Ok(exchange.json.unwrap_or(Value::Null))
}

async fn jwks_lists_rsa_keys(context: &Context) -> CheckResult {
    let mut findings = Findings::default();
    let exchange = context.send(&Request::get("/jwks")).await?;
    if !findings.status(&exchange, 200) {
        return Ok(findings.outcome());
    }
    let keys = exchange
        .json
        .as_ref()
        .and_then(|body| body["keys"].as_array())
        .cloned()
        .unwrap_or_default();
    findings.expect(!keys.is_empty(), || "the JWKS has no key".to_owned());
    for key in keys {
        for (field, expected) in [("kty", "RSA"), ("alg", "RS256"), ("use", "sig")] {
            findings.expect(key[field] == expected, || {
                format!("key {}: {field} is {}", key["kid"], key[field])
            });
        }
        for field in ["kid", "n", "e"] {
            findings.expect(
                key[field].as_str().is_some_and(|value| !value.is_empty()),
                || format!("key has no {field}"),
            );
        }
    }
    Ok(findings.outcome())
}

/// Mints a token for a session the suite creates, and verifies it against the JWKS.
async fn minted(
    context: &Context,
    findings: &mut Findings,
    template: Option<&str>,
    body: Option<Value>,
) -> Result<Option<(Value, jwt::VerifiedToken)>, Unreachable> {
    let Some(session) = created_session(context, findings).await? else {
        return Ok(None);
    };
    let id = session["id"].as_str().unwrap_or_default();
    let path = match template {
        Some(template) => format!("/sessions/{id}/tokens/{template}"),
        None => format!("/sessions/{id}/tokens"),
    };
    let mut request = Request::post(path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let exchange = context.send(&request).await?;
    if !findings.status(&exchange, 200) {
        return Ok(None);
    }
    let Some(token) = exchange.json.as_ref().and_then(|body| body["jwt"].as_str()) else {
        findings.push("the answer has no jwt".to_owned());
        return Ok(None);
    };
    match jwt::verify(token, &jwks(context).await?, jwt::now_secs(), 5) {
        Ok(verified) => Ok(Some((session, verified))),
        Err(problem) => {
            findings.push(format!("the token does not verify: {problem}"));
            Ok(None)
        }
    }
}

fn needs_user() -> Outcome {
    Outcome::Skip("needs --user-id".to_owned())
}

async fn session_token_verifies(context: &Context) -> CheckResult {
    if context.options.user_id.is_none() {
        return Ok(needs_user());
    }
    let mut findings = Findings::default();
    minted(context, &mut findings, None, None).await?;
    Ok(findings.outcome())
}

fn lifetime(claims: &Value) -> i64 {
    claims["exp"].as_i64().unwrap_or_default() - claims["iat"].as_i64().unwrap_or_default()
}

async fn session_token_claims(context: &Context) -> CheckResult {
    if context.options.user_id.is_none() {
        return Ok(needs_user());
    }
    let mut findings = Findings::default();
    if let Some((session, token)) = minted(context, &mut findings, None, None).await? {
        let claims = &token.claims;
        findings.expect(claims["sid"] == session["id"], || {
            format!("sid is {}, the session is {}", claims["sid"], session["id"])
        });
        findings.expect(claims["sub"] == session["user_id"], || {
            format!(
                "sub is {}, the user is {}",
                claims["sub"], session["user_id"]
            )
        });
        findings.expect(lifetime(claims) == 60, || {
            format!("the token lives {} s, not 60", lifetime(claims))
        });
        let iat = claims["iat"].as_i64().unwrap_or_default();
        findings.expect((iat - jwt::now_secs()).abs() <= 5, || {
            format!("iat {iat} is not now")
        });
        findings.expect(claims["nbf"].as_i64().is_some_and(|nbf| nbf <= iat), || {
            "nbf is after iat".to_owned()
        });
        findings.expect(claims["v"] == 2, || format!("v is {}, not 2", claims["v"]));
    }
    Ok(findings.outcome())
}

async fn lifetime_override(context: &Context) -> CheckResult {
    if context.options.user_id.is_none() {
        return Ok(needs_user());
    }
    let mut findings = Findings::default();
    for seconds in [30, 120, 315_360_000] {
        let body = json!({ "expires_in_seconds": seconds });
        if let Some((_, token)) = minted(context, &mut findings, None, Some(body)).await? {
            findings.expect(lifetime(&token.claims) == seconds, || {
                format!(
                    "asked for {seconds} s, the token lives {} s",
                    lifetime(&token.claims)
                )
            });
        }
    }
    Ok(findings.outcome())
}

async fn template_token(context: &Context) -> CheckResult {
    if context.options.user_id.is_none() {
        return Ok(needs_user());
    }
    let mut findings = Findings::default();
    let template = context.options.template.clone();
    if let Some((session, token)) = minted(context, &mut findings, Some(&template), None).await? {
        let claims = &token.claims;
        findings.expect(claims["sub"] == session["user_id"], || {
            format!("sub is {}", claims["sub"])
        });
        for claim in ["exp", "iat", "nbf", "iss", "jti"] {
            findings.expect(claims.get(claim).is_some(), || {
                format!("the template token has no {claim}")
            });
        }
        // The template's own claims: anything beyond the defaults every token carries.
        let defaults = ["azp", "exp", "iat", "iss", "jti", "nbf", "sub", "sid", "v"];
        let own = claims.as_object().map_or(0, |claims| {
            claims
                .keys()
                .filter(|key| !defaults.contains(&key.as_str()))
                .count()
        });
        findings.expect(own > 0, || {
            format!("the token carries no claim of template {template}")
        });
    }
    Ok(findings.outcome())
}

async fn unknown_template(context: &Context) -> CheckResult {
    if context.options.user_id.is_none() {
        return Ok(needs_user());
    }
    let mut findings = Findings::default();
    if let Some(session) = created_session(context, &mut findings).await? {
        let id = session["id"].as_str().unwrap_or_default();
        let exchange = context
            .send(&Request::post(format!(
                "/sessions/{id}/tokens/conformance_no_such_template"
            )))
            .await?;
        findings.error(&exchange, 404, "resource_not_found", None);
    }
    Ok(findings.outcome())
}

/// Asks a token for a session the suite creates and revokes (mutations touch only sessions
/// the suite created).
async fn no_token_for_an_ended_session(context: &Context) -> CheckResult {
    if context.options.user_id.is_none() {
        return Ok(needs_user());
    }
    let mut findings = Findings::default();
    let Some(created) = created_session(context, &mut findings).await? else {
        return Ok(findings.outcome());
    };
    let id = created["id"].as_str().unwrap_or_default();
    let revoked = context
        .send(&Request::post(format!("/sessions/{id}/revoke")))
        .await?;
    if !findings.status(&revoked, 200) {
        return Ok(findings.outcome());
    }
    let exchange = context
        .send(&Request::post(format!("/sessions/{id}/tokens")))
        .await?;
    findings.error(&exchange, 404, "resource_not_found", None);
    Ok(findings.outcome())
}

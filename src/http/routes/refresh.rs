//! `/v1/sessions/{id}/refresh`: a new session token for a session whose token has expired, as
//! `@clerk/backend`'s `authenticateRequest` asks for one when a `__refresh` cookie is present.

use std::time::{Duration, SystemTime};

use actix_web::http::header::HttpDate;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::tokens::TokenBody;
use super::{answers, json_ok};
use crate::domain::SessionId;
use crate::error::{ApiError, ParamProblem};
use crate::http::Caller;
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::extract::path::SessionIdSegment;
use crate::http::extract::query::for_each_pair;
use crate::http::operation::{Operation, OperationId, malformed_body};
use crate::tenancy::instance::{RefreshError, RefreshProof};

/// What `Prefer: code=` answers, and the spec shows, for each documented error.
pub const OPERATIONS: &[Operation] = &[REFRESH_SESSION];

pub const REFRESH_SESSION: Operation = Operation {
    id: OperationId::RefreshSession,
    canonical_error: |status, _| match status {
        400 => Some(malformed_body()),
        401 => Some(ApiError::RefreshRefused(
            RefreshError::WrongRefreshToken.to_string(),
        )),
        422 => Some(ApiError::param(ParamProblem::missing("refresh_token"))),
        _ => None,
    },
};

pub fn configure(config: &mut ServiceConfig) {
    config.service(refresh_session);
}

/// How long the `__session` cookie lives in the browser, as Clerk's frontend sets it: the
/// token inside expires long before, and is refreshed.
const SESSION_COOKIE_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// The body of a refresh; no other field is allowed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The session's expired token, from the `__session` cookie. It must be signed by this
    /// instance and name this session; its expiry does not matter.
    pub expired_token: String,
    /// The session's refresh token, from the `__refresh` cookie (tests get it from
    /// `GET /__admin/instance/sessions/{session_id}/refresh_token`).
    pub refresh_token: String,
    /// The origin of the request being authenticated; it becomes the new token's `azp`.
    #[schema(example = "http://localhost:3000")]
    pub request_origin: String,
    /// The headers of that request; accepted and not used.
    #[schema(value_type = Option<Object>)]
    #[allow(
        dead_code,
        reason = "accepted as Clerk accepts it; the mock decides nothing by it"
    )]
    pub request_headers: Option<Map<String, Value>>,
    /// The IP address of that request; accepted and not used.
    #[allow(
        dead_code,
        reason = "accepted as Clerk accepts it; the mock decides nothing by it"
    )]
    pub request_originating_ip: Option<String>,
    /// `token` (the default) answers a Token, `cookie` the cookies to set.
    #[schema(inline)]
    pub format: Option<RefreshFormat>,
    /// With `format: cookie`, also set the suffixed `__session_<suffix>` cookie. The SDK sends
    /// it as a query parameter; either place works.
    pub suffixed_cookies: Option<bool>,
}

/// The shape of a refresh's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RefreshFormat {
    #[default]
    Token,
    Cookie,
}

const FIELDS: [&str; 7] = [
    "expired_token",
    "refresh_token",
    "request_origin",
    "request_headers",
    "request_originating_ip",
    "format",
    "suffixed_cookies",
];

impl FromBody for RefreshRequest {
    /// The three tokens of the refresh are required strings; every bad field is reported.
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let mut problems: Vec<ParamProblem> =
            fields.unknown(&FIELDS).map(ParamProblem::unknown).collect();
        let mut required = |name: &str| match fields.string(name) {
            Ok(Some(value)) => value.to_owned(),
            Ok(None) => {
                problems.push(ParamProblem::missing(name));
                String::new()
            }
            Err(problem) => {
                problems.push(problem);
                String::new()
            }
        };
        let expired_token = required("expired_token");
        let refresh_token = required("refresh_token");
        let request_origin = required("request_origin");
        let request_headers = match fields.value("request_headers") {
            None => None,
            Some(Value::Object(headers)) => Some(headers.clone()),
            Some(_) => {
                problems.push(ParamProblem::invalid_type("request_headers", "an object"));
                None
            }
        };
        let request_originating_ip = fields
            .string("request_originating_ip")
            .unwrap_or_else(|problem| {
                problems.push(problem);
                None
            })
            .map(str::to_owned);
        let format = match fields.string("format") {
            Ok(None) => None,
            Ok(Some("token")) => Some(RefreshFormat::Token),
            Ok(Some("cookie")) => Some(RefreshFormat::Cookie),
            Ok(Some(_)) => {
                problems.push(ParamProblem::invalid_value(
                    "format",
                    "must be token or cookie",
                ));
                None
            }
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        let suffixed_cookies = fields
            .boolean("suffixed_cookies")
            .unwrap_or_else(|problem| {
                problems.push(problem);
                None
            });
        if !problems.is_empty() {
            return Err(ApiError::InvalidParams(problems));
        }
        Ok(Self {
            expired_token,
            refresh_token,
            request_origin,
            request_headers,
            request_originating_ip,
            format,
            suffixed_cookies,
        })
    }
}

/// The cookies a browser sets to carry the new token.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "object": "cookies",
    "cookies": ["__session=eyJhbGciOiJSUzI1NiJ9.e30.c2ln; Path=/; Expires=Tue, 30 Nov 2027 08:00:00 GMT; SameSite=Lax"]
}))]
pub struct CookiesBody {
    #[schema(example = "cookies")]
    pub object: &'static str,
    /// `Set-Cookie` values: `__session`, then `__session_<suffix>` when suffixed cookies were
    /// asked for.
    pub cookies: Vec<String>,
}

/// A refresh's answer: a Token, or the cookies to set.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[schema(example = json!({
    "object": "token",
    "jwt": "eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18yS3E4bU56WHY0cEw3clQxc1c5eUIzY0U1ZkgiLCJ0eXAiOiJKV1QifQ.eyJzaWQiOiJzZXNzXzJBbGljZUFjdGl2ZVpJQ2dWRmFFUDFNV1dFUCJ9.c2lnbmF0dXJl"
}))]
pub enum SessionRefresh {
    Token(TokenBody),
    Cookies(CookiesBody),
}

/// Refresh a session
///
/// Mints a new session token for a session whose token has expired, given that token and the
/// session's refresh token; `@clerk/backend`'s `authenticateRequest` calls it when a request
/// carries an expired `__session` cookie and a `__refresh` cookie. The new token is a normal
/// session token of the session, with `azp` = `request_origin`; refreshing counts as activity.
///
/// `format: token` (the default) answers `{"object":"token","jwt":...}`; `format: cookie`
/// answers the `Set-Cookie` values (`__session=<jwt>; Path=/; Expires=<in a year>;
/// SameSite=Lax`, plus `Secure` for an `https` origin), with the suffixed
/// `__session_<suffix>` cookie too when `suffixed_cookies` is true (body or query).
///
/// A 401 (which the SDKs read as "fall back to the handshake") when the expired token was not
/// signed by this instance or names another session, when the refresh token is not this
/// session's, or when the session can no longer be refreshed (revoked, ended, removed, replaced,
/// expired, abandoned, or unknown). A malformed body is a 400; a missing or mistyped field a
/// 422 naming it.
#[utoipa::path(
    operation_id = REFRESH_SESSION.id.as_str(),
    tag = "Sessions",
    params(
        ("session_id" = String, Path, description = "The ID of the session", example = "sess_2AliceActiveZICgVFaEP1MWWEP"),
        ("suffixed_cookies" = Option<bool>, Query, description = "With `format: cookie`, also set the suffixed `__session_<suffix>` cookie."),
        Caller,
    ),
    request_body(content = RefreshRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = SessionRefresh),
        answers::BadRequest,
        answers::Unauthorized,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/sessions/{session_id}/refresh", wrap = "REFRESH_SESSION.stages()")]
pub async fn refresh_session(
    caller: Caller,
    request: HttpRequest,
    session_id: SessionIdSegment,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let wanted = RefreshRequest::from_body(&request, &body)?;
    let suffixed = match wanted.suffixed_cookies {
        Some(suffixed) => suffixed,
        None => suffixed_in_query(request.query_string())?,
    };
    let refused = |error: RefreshError| ApiError::RefreshRefused(error.to_string());
    let id = SessionId::parse(&session_id).ok_or_else(|| refused(RefreshError::UnknownSession))?;
    let proof = RefreshProof {
        expired_token: &wanted.expired_token,
        refresh_token: &wanted.refresh_token,
        origin: &wanted.request_origin,
    };
    let jwt = caller
        .instance
        .refresh_session(id, proof)
        .map_err(|error| match error {
            RefreshError::Signing(reason) => {
                tracing::error!(%reason, "signing a token failed");
                ApiError::Internal
            }
            refusal => refused(refusal),
        })?;
    let answer = match wanted.format.unwrap_or_default() {
        RefreshFormat::Token => SessionRefresh::Token(TokenBody {
            object: "token",
            jwt,
        }),
        RefreshFormat::Cookie => {
            let suffix = suffixed.then(|| caller.instance.publishable_key().cookie_suffix());
            SessionRefresh::Cookies(CookiesBody {
                object: "cookies",
                cookies: session_cookies(&jwt, &wanted.request_origin, suffix.as_deref()),
            })
        }
    };
    Ok(json_ok(&answer))
}

/// The `suffixed_cookies` query parameter: `true` or `false`, absent meaning `false`.
fn suffixed_in_query(query: &str) -> Result<bool, ApiError> {
    let mut value = None;
    for_each_pair(query, |name, given| {
        if name == "suffixed_cookies" && value.is_none() {
            value = Some(given.to_owned());
        }
    });
    match value.as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::param(ParamProblem::invalid_type(
            "suffixed_cookies",
            "true or false",
        ))),
    }
}

/// The `Set-Cookie` values carrying `jwt`, as Clerk's frontend sets the session cookie: for the
/// whole site, for a year, `SameSite=Lax`, and `Secure` when the origin is `https`.
fn session_cookies(jwt: &str, origin: &str, suffix: Option<&str>) -> Vec<String> {
    let expires = HttpDate::from(SystemTime::now() + SESSION_COOKIE_LIFETIME);
    let secure = if origin.to_ascii_lowercase().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        |name: &str| format!("{name}={jwt}; Path=/; Expires={expires}; SameSite=Lax{secure}");
    let mut cookies = vec![cookie("__session")];
    if let Some(suffix) = suffix {
        cookies.push(cookie(&format!("__session_{suffix}")));
    }
    cookies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_carry_the_token_for_the_whole_site() {
        let cookies = session_cookies("a.b.c", "http://localhost:3000", None);
        assert_eq!(cookies.len(), 1);
        assert!(cookies[0].starts_with("__session=a.b.c; Path=/; Expires="));
        assert!(cookies[0].ends_with(" GMT; SameSite=Lax"), "{}", cookies[0]);

        let cookies = session_cookies("a.b.c", "https://app.example", Some("jhCTtJ4x"));
        assert_eq!(cookies.len(), 2);
        assert!(cookies[1].starts_with("__session_jhCTtJ4x=a.b.c; "));
        assert!(cookies.iter().all(|cookie| cookie.ends_with("; Secure")));
    }

    #[test]
    fn the_query_may_ask_for_suffixed_cookies() {
        assert_eq!(suffixed_in_query(""), Ok(false));
        assert_eq!(suffixed_in_query("suffixed_cookies=true"), Ok(true));
        assert_eq!(suffixed_in_query("suffixed_cookies=false"), Ok(false));
        assert!(suffixed_in_query("suffixed_cookies=yes").is_err());
    }
}

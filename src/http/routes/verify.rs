//! `/v1/sessions/{id}/verify`: the deprecated server-side check of a session token.
// `#[deprecated]` on the handler is what marks the operation deprecated in the OpenAPI
// document; the route is still served, so its own registration may use it.
#![allow(deprecated)]

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::answers;
use super::sessions::{path_session_not_found, session_answer, session_not_found};
use crate::domain::SessionId;
use crate::error::{ApiError, ParamProblem};
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::extract::path::SessionIdSegment;
use crate::http::operation::{Operation, OperationId};
use crate::http::{AppState, Caller};
use crate::tenancy::instance::VerifyError;

/// What `Prefer: code=` answers, and the spec shows, for each documented error.
pub const OPERATIONS: &[Operation] = &[VERIFY_SESSION];

pub const VERIFY_SESSION: Operation = Operation {
    id: OperationId::VerifySession,
    canonical_error: |status, params| match status {
        400 => Some(ApiError::InvalidSessionToken(
            "the token has expired".to_owned(),
        )),
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(path_session_not_found(params)),
        410 => Some(ApiError::Gone),
        422 => Some(ApiError::param(ParamProblem::missing("token"))),
        _ => None,
    },
};

pub fn configure(config: &mut ServiceConfig) {
    config.service(verify_session);
}

/// The body of the verify operation; no other field is allowed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The session token (the `__session` cookie) to check against the session.
    pub token: String,
}

impl FromBody for VerifyRequest {
    /// `token` is required; any other field is reported too.
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let mut problems: Vec<ParamProblem> = fields
            .unknown(&["token"])
            .map(ParamProblem::unknown)
            .collect();
        let token = match fields.string("token") {
            Ok(Some(token)) => Some(token),
            Ok(None) => {
                problems.push(ParamProblem::missing("token"));
                None
            }
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        match token.filter(|_| problems.is_empty()) {
            Some(token) => Ok(Self {
                token: token.to_owned(),
            }),
            None => Err(ApiError::InvalidParams(problems)),
        }
    }
}

/// Verify a session
///
/// Deprecated: verify session tokens networklessly with the instance's JWKS instead, as the SDKs
/// do. Returns the session when `token` is a session token signed by this instance, not expired,
/// for this session, and the session is still active; otherwise a 400 `invalid_session_token`.
/// `token` is required (422 `form_param_missing`) and no other field is allowed
/// (422 `form_param_unknown`).
///
/// From API version 2025-04-10 on (and always when the server runs with `--retire-verify`) the
/// answer is 410 `operation_deprecated`. Every answer carries a `Deprecation` header.
#[utoipa::path(
    operation_id = VERIFY_SESSION.id.as_str(),
    tag = "Sessions",
    params(
        ("session_id" = String, Path, description = "The ID of the session", example = "sess_2AliceActiveZICgVFaEP1MWWEP"),
        Caller,
    ),
    request_body(content = VerifyRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = crate::http::wire::SessionBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Gone,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/sessions/{session_id}/verify", wrap = "VERIFY_SESSION.stages()")]
#[deprecated = "verify session tokens networklessly with the JWKS"]
pub async fn verify_session(
    caller: Caller,
    state: web::Data<AppState>,
    request: HttpRequest,
    session_id: SessionIdSegment,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if state.retire_verify || caller.version.retires_verify() {
        return Err(ApiError::Gone);
    }
    let VerifyRequest { token } = VerifyRequest::from_body(&request, &body)?;
    let id = SessionId::parse(&session_id).ok_or_else(|| session_not_found(&session_id))?;
    match caller.instance.verify_session(id, &token) {
        Ok(session) => Ok(session_answer(&caller, &session)),
        Err(VerifyError::UnknownSession) => Err(session_not_found(&session_id)),
        Err(VerifyError::InvalidToken(reason)) => Err(ApiError::InvalidSessionToken(reason)),
    }
}

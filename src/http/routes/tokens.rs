//! `/v1/sessions/{id}/tokens` and `/v1/sessions/{id}/tokens/{template_name}`: minting tokens.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::sessions::{path_session_not_found, session_not_found};
use super::{answers, json_ok};
use crate::domain::SessionId;
use crate::error::{ApiError, ParamProblem, quoted};
use crate::http::Caller;
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::extract::path::SessionIdSegment;
use crate::http::operation::{Operation, OperationId, PathParams, malformed_body};
use crate::tenancy::instance::{MintError, TokenKind};
use crate::tokens::TOKEN_LIFETIME_RANGE;

/// What `Prefer: code=` answers, and the spec shows, for each documented error.
pub const OPERATIONS: &[Operation] = &[CREATE_SESSION_TOKEN, CREATE_SESSION_TOKEN_FROM_TEMPLATE];

pub const CREATE_SESSION_TOKEN: Operation = Operation {
    id: OperationId::CreateSessionToken,
    canonical_error: token_error,
};

pub const CREATE_SESSION_TOKEN_FROM_TEMPLATE: Operation = Operation {
    id: OperationId::CreateSessionTokenFromTemplate,
    canonical_error: token_error,
};

/// The documented errors of both token operations.
fn token_error(status: u16, params: PathParams<'_>) -> Option<ApiError> {
    match status {
        400 => Some(malformed_body()),
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(path_session_not_found(params)),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "expires_in_seconds",
            "must be between 30 and 315360000",
        ))),
        _ => None,
    }
}

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_session_token)
        .service(create_session_token_from_template);
}

/// The optional body of the token operations.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Overrides the token's lifetime, in seconds.
    #[schema(minimum = 30, maximum = 315360000, example = 120)]
    pub expires_in_seconds: Option<i64>,
}

/// A minted token.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "object": "token",
    "jwt": "eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18yS3E4bU56WHY0cEw3clQxc1c5eUIzY0U1ZkgiLCJ0eXAiOiJKV1QifQ.eyJzaWQiOiJzZXNzXzJBbGljZUFjdGl2ZVpJQ2dWRmFFUDFNV1dFUCJ9.c2lnbmF0dXJl"
}))]
pub struct TokenBody {
    #[schema(example = "token")]
    pub object: &'static str,
    /// The signed JWT (RS256, `kid` = the instance id).
    pub jwt: String,
}

/// Create a session token
///
/// Mints a session token (JWT, claims version 2) for an active or pending session, as Clerk's
/// frontend would: RS256 signed with the instance's key (`kid` = the instance id, published at
/// `/v1/jwks`), claims `exp iat nbf iss jti sid sub v sts fva`, plus `act` for an impersonated
/// session and `o` for one with an active organization. The token lives 60 seconds unless
/// `expires_in_seconds` (30 to 315360000) says otherwise; its times follow the wall clock.
///
/// Minting counts as activity: the session's `last_active_at` moves to now. The body may be
/// absent, empty, `{}` or `null`. A session that does not exist or has ended is a 404.
#[utoipa::path(
    operation_id = CREATE_SESSION_TOKEN.id.as_str(),
    tag = "Sessions",
    params(
        ("session_id" = String, Path, description = "The ID of the session", example = "sess_2AliceActiveZICgVFaEP1MWWEP"),
        Caller,
    ),
    request_body(content = Option<TokenRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = TokenBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post(
    "/v1/sessions/{session_id}/tokens",
    wrap = "CREATE_SESSION_TOKEN.stages()"
)]
pub async fn create_session_token(
    caller: Caller,
    request: HttpRequest,
    session_id: SessionIdSegment,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let lifetime = TokenRequest::from_body(&request, &body)?.lifetime();
    mint(&caller, &session_id, TokenKind::Session, lifetime)
}

/// Create a session token from a JWT template
///
/// Mints a JWT from one of the instance's JWT templates: the template's claims with their
/// shortcodes resolved against the session's user and active organization, plus the claims
/// `azp exp iat iss jti nbf sub`, which a template cannot override. The lifetime and clock skew
/// are the template's unless `expires_in_seconds` overrides the lifetime. An unknown template
/// is a 404 "JWT template not found".
#[utoipa::path(
    operation_id = CREATE_SESSION_TOKEN_FROM_TEMPLATE.id.as_str(),
    tag = "Sessions",
    params(
        ("session_id" = String, Path, description = "The ID of the session", example = "sess_2AliceActiveZICgVFaEP1MWWEP"),
        ("template_name" = String, Path, description = "The name of the JWT template defined in your instance (e.g. `custom_hasura`).", example = "test"),
        Caller,
    ),
    request_body(content = Option<TokenRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = TokenBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post(
    "/v1/sessions/{session_id}/tokens/{template_name}",
    wrap = "CREATE_SESSION_TOKEN_FROM_TEMPLATE.stages()"
)]
pub async fn create_session_token_from_template(
    caller: Caller,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let lifetime = TokenRequest::from_body(&request, &body)?.lifetime();
    let (session_id, template) = path.into_inner();
    mint(
        &caller,
        &session_id,
        TokenKind::Template(&template),
        lifetime,
    )
}

impl FromBody for TokenRequest {
    /// `expires_in_seconds`, when given, is a whole number of seconds within its range.
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        const PARAM: &str = "expires_in_seconds";
        let expires_in_seconds = fields.integer(PARAM).map_err(ApiError::param)?;
        if let Some(seconds) = expires_in_seconds
            && !TOKEN_LIFETIME_RANGE.contains(&seconds)
        {
            return Err(ApiError::param(ParamProblem::invalid_value(
                PARAM,
                format!(
                    "must be between {} and {}",
                    TOKEN_LIFETIME_RANGE.start(),
                    TOKEN_LIFETIME_RANGE.end()
                ),
            )));
        }
        Ok(Self { expires_in_seconds })
    }
}

impl TokenRequest {
    /// The lifetime asked for, in seconds, if any.
    pub fn lifetime(&self) -> Option<u64> {
        self.expires_in_seconds.map(i64::unsigned_abs)
    }
}

fn mint(
    caller: &Caller,
    session_id: &str,
    kind: TokenKind<'_>,
    lifetime: Option<u64>,
) -> Result<HttpResponse, ApiError> {
    let id = SessionId::parse(session_id).ok_or_else(|| session_not_found(session_id))?;
    let jwt = caller
        .instance
        .mint_token(id, kind, lifetime)
        .map_err(|error| mint_error(session_id, error))?;
    Ok(json_ok(&TokenBody::new(jwt)))
}

/// The answer to a token that could not be minted for `session_id`.
pub fn mint_error(session_id: &str, error: MintError) -> ApiError {
    match error {
        MintError::UnknownSession | MintError::SessionNotActive => session_not_found(session_id),
        MintError::UnknownTemplate(name) => ApiError::TemplateNotFound(quoted(&name)),
        MintError::Signing(reason) => {
            tracing::error!(%reason, "signing a token failed");
            ApiError::Internal
        }
    }
}

impl TokenBody {
    pub fn new(jwt: String) -> Self {
        Self {
            object: "token",
            jwt,
        }
    }
}

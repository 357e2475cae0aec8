//! Sessions made by the test-control surface (impersonated ones, with an actor), and the refresh
//! token of any session, which the API never shows.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::InstanceOwner;
use crate::domain::{SessionId, free_form};
use crate::error::{ApiError, ParamProblem};
use crate::http::AppState;
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::extract::path::SessionIdSegment;
use crate::http::routes::answers;
use crate::http::routes::json_ok;
use crate::http::routes::sessions::{CreateSessionRequest, session_not_found};
use crate::http::routes::tokens::{TokenBody, TokenRequest, mint_error};
use crate::http::wire::SessionBody;
use crate::tenancy::instance::{NewSession, TokenKind};

/// The body of an admin session creation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AdminSessionRequest {
    /// The user the session is for.
    #[schema(example = "user_2BobJZrdAIU6kShB4Ir5nvFTMPp", min_length = 1)]
    pub user_id: String,
    /// An organization of the user to set as active (the `o` claim of its tokens).
    #[schema(example = "org_2Acmet3kU1slpIuojlEroXRG9xb")]
    pub active_organization_id: Option<String>,
    /// Who impersonates the user: an object with at least a string `sub`, shown as the
    /// session's `actor` and as the `act` claim of its tokens.
    #[schema(value_type = Option<Object>, example = json!({"sub": "user_2CarolsZ1EoOyEZmEivtHY0phmf"}))]
    pub actor: Option<serde_json::Value>,
}

impl FromBody for AdminSessionRequest {
    /// `actor`, when given, is an object with a string `sub`; the rest is read as
    /// `POST /v1/sessions` reads it.
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let actor = match fields.value("actor") {
            None => None,
            Some(actor) if actor.get("sub").is_some_and(serde_json::Value::is_string) => {
                if let Some(problem) = free_form::too_large("actor", actor) {
                    return Err(ApiError::param(ParamProblem::invalid_value(
                        "actor", problem,
                    )));
                }
                Some(actor.clone())
            }
            Some(_) => {
                return Err(ApiError::param(ParamProblem::invalid_value(
                    "actor",
                    "must be an object with a string sub",
                )));
            }
        };
        let CreateSessionRequest {
            user_id,
            active_organization_id,
        } = CreateSessionRequest::from_fields(fields)?;
        Ok(Self {
            user_id,
            active_organization_id,
            actor,
        })
    }
}

/// A session made by the test-control surface: the Session, and its refresh token beside its
/// fields.
#[derive(Debug, Serialize)]
pub struct AdminSessionBody {
    #[serde(flatten)]
    pub session: SessionBody,
    pub refresh_token: String,
}

impl AdminSessionBody {
    /// `session` as the server's default API version presents it, with its refresh token.
    pub fn new(owner: &InstanceOwner, state: &AppState, session: &crate::domain::Session) -> Self {
        Self {
            session: SessionBody::new(session, state.default_version, owner.instance.now_ms()),
            refresh_token: owner.instance.refresh_token(session.id).unwrap_or_default(),
        }
    }
}

const REFRESH_TOKEN_EXAMPLE: &str = "lXf2vJQ0b9c1yXb1d2Zr3kq8Jm4nWc7t5sUoPe6aRgM";

/// In the OpenAPI document, the Session's own object with one more property: a Session does not
/// allow other properties, so `allOf` with it could not describe the answer.
impl utoipa::PartialSchema for AdminSessionBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        let mut schema = <SessionBody as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.description =
                Some("A session made by the test-control surface, with its refresh token.".into());
            object.properties.insert(
                "refresh_token".to_owned(),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(
                        "What the browser's `__refresh` cookie would hold: `RefreshSession` takes it.",
                    ))
                    .into(),
            );
            object.required.push("refresh_token".to_owned());
            let mut example = crate::http::wire::session_example();
            example["refresh_token"] = REFRESH_TOKEN_EXAMPLE.into();
            object.example = None;
            object.examples = vec![example];
        }
        schema
    }
}

impl ToSchema for AdminSessionBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "AdminSession".into()
    }
}

/// A session's refresh token.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefreshTokenBody {
    #[schema(example = "refresh_token")]
    pub object: &'static str,
    #[schema(value_type = String, example = "sess_2AliceActiveZICgVFaEP1MWWEP")]
    pub session_id: SessionId,
    /// What the browser's `__refresh` cookie would hold: `RefreshSession` takes it.
    #[schema(example = "lXf2vJQ0b9c1yXb1d2Zr3kq8Jm4nWc7t5sUoPe6aRgM")]
    pub refresh_token: String,
}

/// Create a session for the caller's instance
///
/// Like `POST /v1/sessions`, and also for an impersonated session: `actor` (an object with a
/// string `sub`, the impersonator) shows in the Session and as `act` in its tokens. The session
/// is answered as the server's default API version presents it, with its `refresh_token`.
#[utoipa::path(
    operation_id = super::CREATE_INSTANCE_SESSION.id.as_str(),
    tag = "Admin",
    request_body(content = AdminSessionRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The new session", body = AdminSessionBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 403, description = "The user is banned (`user_banned`) or locked (`user_locked`)", body = crate::error::ClerkErrors),
        answers::NotFound,
        (status = 409, description = "The session would take the instance past its memory bound (`--instance-memory-mib`)", body = crate::error::ClerkErrors),
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/sessions")]
pub async fn create_session(
    owner: InstanceOwner,
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let wanted = AdminSessionRequest::from_body(&request, &body)?;
    let session = owner.instance.create_session(NewSession {
        user: &wanted.user_id,
        organization: wanted.active_organization_id.as_deref(),
        actor: wanted.actor,
    })?;
    Ok(json_ok(&AdminSessionBody::new(&owner, &state, &session)))
}

/// Read a session's refresh token
///
/// The refresh token of any session of the caller's instance, whatever its status: what a
/// browser's `__refresh` cookie would hold, for tests of `RefreshSession` and of
/// `authenticateRequest`'s refresh. A session's refresh token never changes, and it refreshes
/// for as long as its session is active or pending. An unknown session is a 404.
#[utoipa::path(
    operation_id = super::GET_INSTANCE_SESSION_REFRESH_TOKEN.id.as_str(),
    tag = "Admin",
    params(
        ("session_id" = String, Path, description = "The ID of the session", example = "sess_2AliceActiveZICgVFaEP1MWWEP"),
    ),
    responses(
        (status = 200, description = "The session's refresh token", body = RefreshTokenBody),
        answers::Unauthorized,
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[get("/instance/sessions/{session_id}/refresh_token")]
pub async fn get_refresh_token(
    owner: InstanceOwner,
    session_id: SessionIdSegment,
) -> Result<HttpResponse, ApiError> {
    let id = SessionId::parse(&session_id).ok_or_else(|| session_not_found(&session_id))?;
    let refresh_token = owner
        .instance
        .refresh_token(id)
        .ok_or_else(|| session_not_found(&session_id))?;
    Ok(json_ok(&RefreshTokenBody {
        object: "refresh_token",
        session_id: id,
        refresh_token,
    }))
}

/// The body of an admin token: all optional.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AdminTokenRequest {
    /// The token's `azp`, whatever the server's `--authorized-party`: the origin of the
    /// request the token stands for, such as a backend that lists its authorized parties.
    #[schema(example = "http://localhost:3000")]
    pub authorized_party: Option<String>,
    /// A JWT template of the instance; without one, a session token.
    #[schema(example = "test")]
    pub template: Option<String>,
    /// Overrides the token's lifetime, in seconds.
    #[schema(minimum = 30, maximum = 315360000, example = 120)]
    pub expires_in_seconds: Option<i64>,
}

impl FromBody for AdminTokenRequest {
    /// Strings where strings are asked for, the lifetime within its range, no other field.
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        const FIELDS: [&str; 3] = ["authorized_party", "template", "expires_in_seconds"];
        let mut problems: Vec<ParamProblem> =
            fields.unknown(&FIELDS).map(ParamProblem::unknown).collect();
        let mut text = |name: &str| match fields.string(name) {
            Ok(Some("")) => {
                problems.push(ParamProblem::invalid_value(name, "must not be empty"));
                None
            }
            Ok(value) => value.map(str::to_owned),
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        let authorized_party = text("authorized_party");
        let template = text("template");
        let expires_in_seconds = match TokenRequest::from_fields(fields) {
            Ok(lifetime) => lifetime.expires_in_seconds,
            Err(ApiError::InvalidParams(more)) => {
                problems.extend(more);
                None
            }
            Err(other) => return Err(other),
        };
        if problems.is_empty() {
            Ok(Self {
                authorized_party,
                template,
                expires_in_seconds,
            })
        } else {
            Err(ApiError::InvalidParams(problems))
        }
    }
}

/// Mint a token for a session, with the `azp` a test chooses
///
/// A session token (or, with `template`, a template token) for an active or pending session of
/// the caller's instance, as `POST /v1/sessions/{session_id}/tokens` mints it, with
/// `authorized_party` as its `azp`: the token of a request from that origin, for a backend that
/// checks its authorized parties (`authenticateRequest({ authorizedParties })`). Without
/// `authorized_party` the token carries the server's `--authorized-party`, if any. A session
/// that does not exist or has ended, or an unknown template, is a 404.
#[utoipa::path(
    operation_id = super::CREATE_INSTANCE_SESSION_TOKEN.id.as_str(),
    tag = "Admin",
    params(
        ("session_id" = String, Path, description = "The ID of the session", example = "sess_2AliceActiveZICgVFaEP1MWWEP"),
    ),
    request_body(content = AdminTokenRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The token", body = TokenBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/sessions/{session_id}/tokens")]
pub async fn mint_token(
    owner: InstanceOwner,
    session_id: SessionIdSegment,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let wanted = AdminTokenRequest::from_body(&request, &body)?;
    let id = SessionId::parse(&session_id).ok_or_else(|| session_not_found(&session_id))?;
    let kind = wanted
        .template
        .as_deref()
        .map_or(TokenKind::Session, TokenKind::Template);
    let lifetime = wanted.expires_in_seconds.map(i64::unsigned_abs);
    let minted = match wanted.authorized_party.as_deref() {
        Some(origin) => owner.instance.mint_token_for(id, kind, lifetime, origin),
        None => owner.instance.mint_token(id, kind, lifetime),
    };
    let jwt = minted.map_err(|error| mint_error(&session_id, error))?;
    Ok(json_ok(&TokenBody::new(jwt)))
}

//! `/v1/sessions`: list, create, get and revoke.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{answers, json_ok};
use crate::domain::SessionId;
use crate::error::{ApiError, ParamProblem};
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::extract::list_query::ListSessionsQuery;
use crate::http::extract::path::SessionIdSegment;
use crate::http::operation::{
    Operation, OperationId, PathParams, malformed_body, unknown_api_version,
};
use crate::http::wire::{PaginatedSessions, SessionBody, SessionList};
use crate::http::{AppState, Caller};
use crate::store::{ListQuery, ListScope};
use crate::tenancy::instance::{CreateSessionError, NewSession};

/// What `Prefer: code=` answers, and the spec shows, for each documented error.
pub const OPERATIONS: &[Operation] = &[
    GET_SESSION_LIST,
    CREATE_SESSION,
    GET_SESSION,
    REVOKE_SESSION,
];

pub const GET_SESSION_LIST: Operation = Operation {
    id: OperationId::GetSessionList,
    canonical_error: |status, _| match status {
        400 => Some(ApiError::MissingListFilter),
        401 => Some(ApiError::MissingAuthorization),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "limit",
            "must be between 1 and 500",
        ))),
        _ => None,
    },
};

pub const CREATE_SESSION: Operation = Operation {
    id: OperationId::CreateSession,
    canonical_error: create_session_error,
};

pub const GET_SESSION: Operation = Operation {
    id: OperationId::GetSession,
    canonical_error: session_operation_error,
};

pub const REVOKE_SESSION: Operation = Operation {
    id: OperationId::RevokeSession,
    canonical_error: session_operation_error,
};

/// The documented errors of creating a session, here and on the admin surface.
pub fn create_session_error(status: u16, _: PathParams<'_>) -> Option<ApiError> {
    match status {
        400 => Some(malformed_body()),
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(ApiError::NotFound {
            resource: "User",
            id: "user_2NobodyHasThisId00000000000".to_owned(),
        }),
        403 => Some(ApiError::UserBanned),
        422 => Some(ApiError::param(ParamProblem::missing("user_id"))),
        _ => None,
    }
}

/// The documented errors of an operation on one session: get and revoke.
fn session_operation_error(status: u16, params: PathParams<'_>) -> Option<ApiError> {
    match status {
        400 => Some(unknown_api_version()),
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(path_session_not_found(params)),
        _ => None,
    }
}

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_sessions)
        .service(create_session)
        .service(get_session)
        .service(revoke_session);
}

/// List all sessions
///
/// Returns the sessions matching the filters, newest first (by `created_at`, ties broken by id,
/// both descending). Filters intersect.
///
/// At least one of `user_id` or `client_id` is required (Clerk's deprecation notice of
/// 2024-01-01); without either the answer is a 400 `missing_query_parameter`, unless the server
/// runs with `--lenient-list`, which lists every session of the instance.
///
/// With `paginated=true` the answer is `{"data": [...], "total_count": N}`, where `N` counts
/// every match; otherwise it is a bare array. Invalid parameter values answer 422 with
/// `meta.param_name` set, one error per bad parameter.
#[utoipa::path(
    operation_id = GET_SESSION_LIST.id.as_str(),
    tag = "Sessions",
    params(ListSessionsQuery, Caller),
    responses(
        (status = 200, description = "Success", body = SessionList),
        answers::BadRequest,
        answers::Unauthorized,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[get("/v1/sessions", wrap = "GET_SESSION_LIST.stages()")]
pub async fn list_sessions(
    caller: Caller,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // One instant for both filtering and presenting, so a session filtered as active is shown so.
    let now_ms = caller.instance.now_ms();
    let query = ListSessionsQuery::parse(request.query_string())?;
    let list = ListQuery {
        scope: list_scope(&query, state.lenient_list)?,
        status: query.status.map(|status| status.status()),
        version: caller.version,
        now_ms,
        limit: query.limit(),
        offset: query.offset(),
    };
    let answer = caller.instance.list_sessions(&list, |page| {
        let sessions = page
            .sessions
            .iter()
            .map(|session| SessionBody::new(session, caller.version, now_ms))
            .collect();
        if query.paginated == Some(true) {
            SessionList::Paginated(PaginatedSessions {
                data: sessions,
                total_count: page.total_count as u64,
            })
        } else {
            SessionList::Array(sessions)
        }
    });
    Ok(json_ok(&answer))
}

/// The index a list reads from. An id that is not well formed matches no session.
fn list_scope(query: &ListSessionsQuery, lenient: bool) -> Result<ListScope, ApiError> {
    use crate::domain::{ClientId, UserId};
    let user = query.user_id.as_deref().map(UserId::parse);
    let client = query.client_id.as_deref().map(ClientId::parse);
    Ok(match (user, client) {
        (None, None) if lenient => ListScope::All,
        (None, None) => return Err(ApiError::MissingListFilter),
        (Some(None), _) | (_, Some(None)) => ListScope::Nothing,
        (Some(Some(user)), None) => ListScope::User(user),
        (None, Some(Some(client))) => ListScope::Client(client),
        (Some(Some(user)), Some(Some(client))) => ListScope::UserAndClient(user, client),
    })
}

/// The body of `POST /v1/sessions`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateSessionRequest {
    /// The user the session is for.
    #[schema(example = "user_2AlicexBGaRy7HSnjHcaZabMn26", min_length = 1)]
    pub user_id: String,
    /// An organization of the user to set as active for the session.
    #[schema(example = "org_2Acmet3kU1slpIuojlEroXRG9xb")]
    pub active_organization_id: Option<String>,
}

/// Create a new active session
///
/// Creates an active session for an existing user of the instance, on a new client. Intended for
/// testing, as in Clerk, where it is not available to production instances.
///
/// `user_id` is required (422 `form_param_missing` without it); an unknown user is a 404; a
/// banned user is a 403 `user_banned` and a locked one a 403 `user_locked`. An
/// `active_organization_id` must name an organization the user belongs to. The body may be JSON
/// or form data.
#[utoipa::path(
    operation_id = CREATE_SESSION.id.as_str(),
    tag = "Sessions",
    params(Caller),
    request_body(content = CreateSessionRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = SessionBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 403, description = "The user is banned (`user_banned`) or locked (`user_locked`)", body = crate::error::ClerkErrors),
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/sessions", wrap = "CREATE_SESSION.stages()")]
pub async fn create_session(
    caller: Caller,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let wanted = CreateSessionRequest::from_body(&request, &body)?;
    let session = caller.instance.create_session(wanted.new_session(None))?;
    Ok(session_answer(&caller, &session))
}

impl FromBody for CreateSessionRequest {
    /// `user_id` is required and not empty; each bad field is reported.
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let mut problems = Vec::new();
        let user_id = match fields.string("user_id") {
            Ok(Some("")) => Err(ParamProblem::invalid_value("user_id", "must not be empty")),
            Ok(user_id) => user_id.ok_or_else(|| ParamProblem::missing("user_id")),
            Err(problem) => Err(problem),
        }
        .map_err(|problem| problems.push(problem));
        let active_organization_id =
            fields
                .string("active_organization_id")
                .unwrap_or_else(|problem| {
                    problems.push(problem);
                    None
                });
        match user_id {
            Ok(user_id) if problems.is_empty() => Ok(Self {
                user_id: user_id.to_owned(),
                active_organization_id: active_organization_id.map(str::to_owned),
            }),
            _ => Err(ApiError::InvalidParams(problems)),
        }
    }
}

impl CreateSessionRequest {
    /// What the request asks the instance for, with the impersonating `actor`, if any.
    pub fn new_session(&self, actor: Option<serde_json::Value>) -> NewSession<'_> {
        NewSession {
            user: &self.user_id,
            organization: self.active_organization_id.as_deref(),
            actor,
        }
    }
}

impl From<CreateSessionError> for ApiError {
    fn from(error: CreateSessionError) -> Self {
        match error {
            CreateSessionError::UnknownUser(id) => Self::not_found("User", &id),
            CreateSessionError::UnknownOrganization(id) => Self::not_found("Organization", &id),
            CreateSessionError::NotAMember(_) => Self::param(ParamProblem::invalid_value(
                "active_organization_id",
                "the user is not a member of this organization",
            )),
            CreateSessionError::UserBanned => Self::UserBanned,
            CreateSessionError::UserLocked => Self::UserLocked,
            CreateSessionError::OverBudget(over) => Self::instance_full(over.limit_mib),
        }
    }
}

/// Retrieve a session
///
/// Returns the session, whatever its status. A session that has outlived its `expire_at` or
/// `abandon_at` reads as `expired` or `abandoned`. An unknown id is a 404
/// `resource_not_found`.
#[utoipa::path(
    operation_id = GET_SESSION.id.as_str(),
    tag = "Sessions",
    params(
        ("session_id" = String, Path, description = "The ID of the session", example = "sess_2AliceActiveZICgVFaEP1MWWEP"),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = SessionBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[get("/v1/sessions/{session_id}", wrap = "GET_SESSION.stages()")]
pub async fn get_session(
    caller: Caller,
    session_id: SessionIdSegment,
) -> Result<HttpResponse, ApiError> {
    let now_ms = caller.instance.now_ms();
    let body = SessionId::parse(&session_id)
        .and_then(|id| {
            caller.instance.present_session(id, |session| {
                SessionBody::new(session, caller.version, now_ms)
            })
        })
        .ok_or_else(|| session_not_found(&session_id))?;
    Ok(json_ok(&body))
}

/// Revoke a session
///
/// Sets the status of an `active` or `pending` session to `revoked`, an unauthenticated state,
/// and moves its `updated_at` to now; every later get and list shows it revoked. A session that
/// has already ended (revoked, ended, expired, ...) is returned unchanged. An unknown id is a 404.
#[utoipa::path(
    operation_id = REVOKE_SESSION.id.as_str(),
    tag = "Sessions",
    params(
        ("session_id" = String, Path, description = "The ID of the session", example = "sess_2AliceActiveZICgVFaEP1MWWEP"),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = SessionBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/sessions/{session_id}/revoke", wrap = "REVOKE_SESSION.stages()")]
pub async fn revoke_session(
    caller: Caller,
    session_id: SessionIdSegment,
) -> Result<HttpResponse, ApiError> {
    let session = SessionId::parse(&session_id)
        .and_then(|id| caller.instance.revoke_session(id))
        .ok_or_else(|| session_not_found(&session_id))?;
    Ok(session_answer(&caller, &session))
}

/// 200 with the session as the caller's API version presents it.
pub fn session_answer(caller: &Caller, session: &crate::domain::Session) -> HttpResponse {
    json_ok(&SessionBody::new(
        session,
        caller.version,
        caller.instance.now_ms(),
    ))
}

/// A session id quoted by the document's examples, where no request names one.
pub const EXAMPLE_SESSION_ID: &str = "sess_2AliceActiveZICgVFaEP1MWWEP";

/// The 404 for the session the request's path names.
pub fn path_session_not_found(params: PathParams<'_>) -> ApiError {
    session_not_found(&params.get_or("session_id", EXAMPLE_SESSION_ID))
}

/// The 404 for a session id, quoting at most a sane length of whatever was asked for.
pub fn session_not_found(id: &str) -> ApiError {
    ApiError::not_found("Session", id)
}

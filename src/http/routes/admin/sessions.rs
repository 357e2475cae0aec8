//! Sessions made by the test-control surface: impersonated ones, with an actor.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::InstanceOwner;
use crate::domain::free_form;
use crate::error::{ApiError, ParamProblem};
use crate::http::AppState;
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::routes::answers;
use crate::http::routes::json_ok;
use crate::http::routes::sessions::CreateSessionRequest;
use crate::http::wire::SessionBody;
use crate::instance::NewSession;

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

/// Create a session for the caller's instance
///
/// Like `POST /v1/sessions`, and also for an impersonated session: `actor` (an object with a
/// string `sub`, the impersonator) shows in the Session and as `act` in its tokens. The session
/// is answered as the server's default API version presents it.
#[utoipa::path(
    operation_id = "CreateInstanceSession",
    tag = "Admin",
    request_body(content = AdminSessionRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The new session", body = SessionBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
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
    let now_ms = owner.instance.now_ms();
    Ok(json_ok(&SessionBody::new(
        &session,
        state.default_version,
        now_ms,
    )))
}

//! Switching a session's active organization, as the browser's `setActive` does, so that a test
//! moves between organizations without a frontend.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::InstanceOwner;
use crate::domain::SessionId;
use crate::error::{ApiError, ParamProblem};
use crate::http::AppState;
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::extract::path::SessionIdSegment;
use crate::http::routes::organizations::organization_not_found;
use crate::http::routes::sessions::session_not_found;
use crate::http::routes::{answers, json_ok};
use crate::http::wire::SessionBody;
use crate::tenancy::instance::SetActiveError;

/// The body of a switch: the organization, or `null` for none.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActiveOrganizationRequest {
    /// An organization of the session's user, by id or slug; `null` for none.
    #[schema(example = "org_2GlobexVGQT1v7E7Zi2T6IuzA7C")]
    pub organization_id: Option<String>,
}

impl FromBody for ActiveOrganizationRequest {
    /// `organization_id` must be given: a string, or `null`.
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        if !fields.as_map().contains_key("organization_id") {
            return Err(ApiError::param(ParamProblem::missing("organization_id")));
        }
        let organization_id = fields
            .string("organization_id")
            .map_err(ApiError::param)?
            .map(str::to_owned);
        Ok(Self { organization_id })
    }
}

/// Set a session's active organization
///
/// Makes an organization of the session's user (by id or slug) the session's active one, or
/// none with `null`, as the browser's `setActive` does: the session's next token carries it
/// (`o`, or no `o`). Answers the Session as the server's default API version presents it. An
/// unknown session or organization is a 404; an organization the user does not belong to, or
/// a missing `organization_id`, a 422.
#[utoipa::path(
    operation_id = super::SET_INSTANCE_SESSION_ORGANIZATION.id.as_str(),
    tag = "Admin",
    params(
        ("session_id" = String, Path, description = "The ID of the session", example = "sess_2AliceActiveZICgVFaEP1MWWEP"),
    ),
    request_body(content = ActiveOrganizationRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The session", body = SessionBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/sessions/{session_id}/active_organization")]
pub async fn set_active_organization(
    owner: InstanceOwner,
    state: web::Data<AppState>,
    session_id: SessionIdSegment,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let wanted = ActiveOrganizationRequest::from_body(&request, &body)?;
    let id = SessionId::parse(&session_id).ok_or_else(|| session_not_found(&session_id))?;
    let organization = wanted.organization_id.as_deref();
    let session = owner
        .instance
        .set_active_organization(id, organization)
        .map_err(|error| match error {
            SetActiveError::UnknownSession => session_not_found(&session_id),
            SetActiveError::UnknownOrganization => {
                organization_not_found(organization.unwrap_or_default())
            }
            SetActiveError::NotAMember => ApiError::param(ParamProblem::invalid_value(
                "organization_id",
                "the session's user is not a member of this organization",
            )),
        })?;
    Ok(json_ok(&SessionBody::new(
        &session,
        state.default_version,
        owner.instance.now_ms(),
    )))
}

//! `/v1/users`: the users of the instance, as a backend reads them after authenticating one.

use actix_web::{HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{answers, json_ok};
use crate::domain::UserId;
use crate::error::ApiError;
use crate::http::Caller;
use crate::http::operation::{Operation, OperationId, PathParams, unknown_api_version};
use crate::http::wire::UserBody;

pub const OPERATIONS: &[Operation] = &[GET_USER];

pub const GET_USER: Operation = Operation {
    id: OperationId::GetUser,
    canonical_error: user_operation_error,
};

/// A user id quoted by the document's examples, where no request names one.
pub const EXAMPLE_USER_ID: &str = "user_2AlicexBGaRy7HSnjHcaZabMn26";

/// The documented errors of an operation on one user.
fn user_operation_error(status: u16, params: PathParams<'_>) -> Option<ApiError> {
    match status {
        400 => Some(unknown_api_version()),
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(user_not_found(&params.get_or("user_id", EXAMPLE_USER_ID))),
        _ => None,
    }
}

pub fn configure(config: &mut ServiceConfig) {
    config.service(get_user);
}

/// Retrieve a user
///
/// Returns the user with every field of Clerk's `User`: its email address and phone number
/// (each with its `idn_` id, its `verification` and `linked_to`), names, username, image,
/// the three metadata objects (`private_metadata` is for the backend only and never reaches a
/// token), and the flags and times Clerk shows. `last_sign_in_at` is when the user's newest
/// session started and `last_active_at` the day (00:00 UTC) any of its sessions was last
/// active, both on the instance's clock. An unknown id is a 404 `resource_not_found`.
#[utoipa::path(
    operation_id = GET_USER.id.as_str(),
    tag = "Users",
    params(
        ("user_id" = String, Path, description = "The ID of the user to retrieve", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = UserBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[get("/v1/users/{user_id}", wrap = "GET_USER.stages()")]
pub async fn get_user(
    caller: Caller,
    user_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let body = UserId::parse(&user_id)
        .and_then(|id| caller.instance.present_user(id, UserBody::new))
        .ok_or_else(|| user_not_found(&user_id))?;
    Ok(json_ok(&body))
}

/// The 404 for a user id, quoting at most a sane length of whatever was asked for.
pub fn user_not_found(id: &str) -> ApiError {
    ApiError::NotFound {
        resource: "User",
        id: id.chars().take(100).collect(),
    }
}

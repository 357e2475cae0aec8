//! `POST /v1/users`, `PATCH` and `DELETE /v1/users/{user_id}`: the writes a test makes to set up
//! the people it needs, and a backend makes from its admin screens.

use actix_web::{HttpRequest, HttpResponse, delete, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{user_answer, user_id_of, user_not_found, user_operation_error};
use crate::domain::user::UserActivity;
use crate::error::{ApiError, ParamProblem, ParamProblemKind};
use crate::http::Caller;
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::extract::user_body::{CreateUserRequest, UpdateUserRequest};
use crate::http::extract::user_schemas::{CreateUserSchema, UpdateUserSchema};
use crate::http::operation::{Operation, OperationId, malformed_body};
use crate::http::routes::{answers, json_ok};
use crate::http::wire::{DeletedObjectBody, UserBody};
use crate::tenancy::instance::UserWriteError;

pub const CREATE_USER: Operation = Operation {
    id: OperationId::CreateUser,
    canonical_error: |status, _| match status {
        400 => Some(malformed_body()),
        401 => Some(ApiError::MissingAuthorization),
        402 => Some(ApiError::InstanceFull {
            limit_mib: 1024,
            status: 402,
        }),
        403 => Some(ApiError::Forbidden(
            "users cannot be created on this instance".to_owned(),
        )),
        422 => Some(ApiError::param(ParamProblem::with_kind(
            "email_address",
            ParamProblemKind::Taken,
        ))),
        _ => None,
    },
};

pub const UPDATE_USER: Operation = Operation {
    id: OperationId::UpdateUser,
    canonical_error: |status, params| match status {
        409 => Some(ApiError::instance_full(1024)),
        422 => Some(ApiError::param(ParamProblem::unknown("public_metadata"))),
        400 => Some(malformed_body()),
        _ => user_operation_error(status, params),
    },
};

pub const DELETE_USER: Operation = Operation {
    id: OperationId::DeleteUser,
    canonical_error: user_operation_error,
};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_user)
        .service(update_user)
        .service(delete_user);
}

/// What a refused write answers; `over_budget` is the status the operation gives a write past
/// the instance's memory bound.
pub fn write_error(error: UserWriteError, id: &str, over_budget: u16) -> ApiError {
    match error {
        UserWriteError::UnknownUser => user_not_found(id),
        UserWriteError::Taken(params) => ApiError::InvalidParams(
            params
                .into_iter()
                .map(|param| ParamProblem::with_kind(param, ParamProblemKind::Taken))
                .collect(),
        ),
        UserWriteError::OverBudget(over) => ApiError::InstanceFull {
            limit_mib: over.limit_mib,
            status: over_budget,
        },
    }
}

/// Create a new user
///
/// Creates a user with the email addresses, phone numbers, username, names, `external_id`,
/// metadata and creation time given; every field is optional, and `{}` makes a user with no
/// identifiers. Email addresses and phone numbers are verified unless
/// `*_identification_status` marks them `reserved`; the first one that is not reserved is the
/// primary one. A password is never kept: only `password_enabled` shows it.
///
/// An identifier (email address, phone number, username or `external_id`) another user holds
/// is a 422 `form_identifier_exists` naming it; a malformed one is a 422
/// `form_param_format_invalid`; a field the schema does not list is a 422 `form_param_unknown`;
/// each metadata field is a JSON object of at most 8 KiB. A user past the instance's memory
/// bound (`--instance-memory-mib`) is a 402 `instance_memory_exhausted`, as Clerk answers 402
/// for a plan's user quota.
#[utoipa::path(
    operation_id = CREATE_USER.id.as_str(),
    tag = "Users",
    params(Caller),
    request_body(content = Option<CreateUserSchema>, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = UserBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 402, description = "The user would take the instance past its memory bound (`--instance-memory-mib`)", body = crate::error::ClerkErrors),
        (status = 403, description = "Not allowed (only on demand, with `Prefer: code=403`)", body = crate::error::ClerkErrors),
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/users", wrap = "CREATE_USER.stages()")]
pub async fn create_user(
    caller: Caller,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let wanted = CreateUserRequest::from_body(&request, &body)?;
    let now_ms = caller.instance.now_ms();
    let user = caller
        .instance
        .create_user(|user| wanted.fill(user, now_ms))
        .map_err(|error| write_error(error, "", 402))?;
    Ok(json_ok(&UserBody::new(
        &user,
        UserActivity::default(),
        now_ms,
    )))
}

/// Update a user
///
/// Changes what the body names and leaves the rest: names, username, `external_id`, locale,
/// the primary email address and phone number (each the id of one of the user's verified
/// ones), the password (with `sign_out_of_other_sessions`, the user's live sessions are
/// revoked), the flags and times. `null` or `""` clears a nullable field. `updated_at` moves
/// to now.
///
/// The metadata fields are taken only under API versions before 2026-05-12, where they replace
/// the field; from 2026-05-12 they are a 422 `form_param_unknown`: use
/// `PATCH /v1/users/{user_id}/metadata`. An identifier another user holds is a 422
/// `form_identifier_exists`; an unknown user is a 404; a change past the instance's memory
/// bound is a 409.
#[utoipa::path(
    operation_id = UPDATE_USER.id.as_str(),
    tag = "Users",
    params(
        ("user_id" = String, Path, description = "The ID of the user to update", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        Caller,
    ),
    request_body(content = Option<UpdateUserSchema>, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = UserBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        (status = 409, description = "The change would take the instance past its memory bound (`--instance-memory-mib`)", body = crate::error::ClerkErrors),
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[patch("/v1/users/{user_id}", wrap = "UPDATE_USER.stages()")]
pub async fn update_user(
    caller: Caller,
    user_id: web::Path<String>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = user_id_of(&user_id)?;
    let fields = BodyFields::parse(&request, &body)?;
    let update = UpdateUserRequest::parse(&fields, caller.version.updates_user_metadata())?;
    let signs_out = update.signs_out();
    caller
        .instance
        .update_user(id, |user| {
            update.apply(user).map_err(UpdateFailure::Refused)
        })
        .map_err(|error| match error {
            UpdateFailure::Write(error) => write_error(error, &user_id, 409),
            UpdateFailure::Refused(error) => error,
        })?;
    if signs_out {
        caller.instance.revoke_sessions_of(id);
    }
    user_answer(&caller, id).ok_or_else(|| user_not_found(&user_id))
}

/// Why a change to a user failed: the instance refused it, or the change itself did.
pub enum UpdateFailure {
    Write(UserWriteError),
    Refused(ApiError),
}

impl From<UserWriteError> for UpdateFailure {
    fn from(error: UserWriteError) -> Self {
        Self::Write(error)
    }
}

impl From<ApiError> for UpdateFailure {
    fn from(error: ApiError) -> Self {
        Self::Refused(error)
    }
}

/// Delete a user
///
/// Deletes the user and answers `DeletedObject`. Its live sessions are revoked (they can no
/// longer mint tokens or refresh, and stay readable by id), its memberships go with it, later
/// reads of the user are 404, and its id is never given to another user. An unknown user is a
/// 404.
#[utoipa::path(
    operation_id = DELETE_USER.id.as_str(),
    tag = "Users",
    params(
        ("user_id" = String, Path, description = "The ID of the user to delete", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = DeletedObjectBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[delete("/v1/users/{user_id}", wrap = "DELETE_USER.stages()")]
pub async fn delete_user(
    caller: Caller,
    user_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = user_id_of(&user_id)?;
    let removed = caller
        .instance
        .delete_user(id)
        .map_err(|error| write_error(error, &user_id, 409))?;
    Ok(json_ok(&DeletedObjectBody::user(
        removed.id.to_string(),
        removed.external_id.as_deref().map(str::to_owned),
    )))
}

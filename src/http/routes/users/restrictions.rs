//! `POST /v1/users/{user_id}/ban`, `/unban`, `/lock` and `/unlock`: keeping a user from signing
//! in.

use actix_web::{HttpResponse, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::writes::write_error;
use super::{user_answer, user_id_of, user_not_found, user_operation_error};
use crate::error::ApiError;
use crate::http::Caller;
use crate::http::operation::{Operation, OperationId, PathParams};
use crate::http::routes::answers;
use crate::http::wire::UserBody;
use crate::tenancy::instance::Restriction;

pub const BAN_USER: Operation = Operation {
    id: OperationId::BanUser,
    canonical_error: ban_error,
};

pub const UNBAN_USER: Operation = Operation {
    id: OperationId::UnbanUser,
    canonical_error: ban_error,
};

pub const LOCK_USER: Operation = Operation {
    id: OperationId::LockUser,
    canonical_error: lock_error,
};

pub const UNLOCK_USER: Operation = Operation {
    id: OperationId::UnlockUser,
    canonical_error: lock_error,
};

/// Ban and unban: 402 where Clerk's plan lacks the feature.
fn ban_error(status: u16, params: PathParams<'_>) -> Option<ApiError> {
    match status {
        402 => Some(ApiError::PaymentRequired("Banning users".to_owned())),
        _ => user_operation_error(status, params),
    }
}

/// Lock and unlock: 403 where the instance's lockout is turned off.
fn lock_error(status: u16, params: PathParams<'_>) -> Option<ApiError> {
    match status {
        403 => Some(ApiError::Forbidden(
            "account lockout is not enabled for this instance".to_owned(),
        )),
        _ => user_operation_error(status, params),
    }
}

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(ban_user)
        .service(unban_user)
        .service(lock_user)
        .service(unlock_user);
}

/// Applies `restriction` to the user the path names and answers the user.
fn restrict(
    caller: &Caller,
    user_id: &str,
    restriction: Restriction,
) -> Result<HttpResponse, ApiError> {
    let id = user_id_of(user_id)?;
    caller
        .instance
        .restrict_user(id, restriction)
        .map_err(|error| write_error(error, user_id, 409))?;
    user_answer(caller, id).ok_or_else(|| user_not_found(user_id))
}

/// Ban a user
///
/// Marks the user as banned: all their sessions are revoked (so tokens can no longer be minted
/// and refreshes fail), and they cannot get a new session (`POST /v1/sessions` answers 403
/// `user_banned`) until unbanned. Banning twice changes nothing more. An unknown user is a 404;
/// 402 (Clerk's answer where the plan lacks the feature) only on demand, with `Prefer`.
#[utoipa::path(
    operation_id = BAN_USER.id.as_str(),
    tag = "Users",
    params(
        ("user_id" = String, Path, description = "The ID of the user to ban", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = UserBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 402, description = "Payment required (only on demand, with `Prefer: code=402`)", body = crate::error::ClerkErrors),
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/users/{user_id}/ban", wrap = "BAN_USER.stages()")]
pub async fn ban_user(
    caller: Caller,
    user_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    restrict(&caller, &user_id, Restriction::Ban)
}

/// Unban a user
///
/// Removes the ban mark: the user can get new sessions again. Sessions revoked by the ban stay
/// revoked. An unknown user is a 404.
#[utoipa::path(
    operation_id = UNBAN_USER.id.as_str(),
    tag = "Users",
    params(
        ("user_id" = String, Path, description = "The ID of the user to unban", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = UserBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 402, description = "Payment required (only on demand, with `Prefer: code=402`)", body = crate::error::ClerkErrors),
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/users/{user_id}/unban", wrap = "UNBAN_USER.stages()")]
pub async fn unban_user(
    caller: Caller,
    user_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    restrict(&caller, &user_id, Restriction::Unban)
}

/// Lock a user
///
/// Locks the user for one hour on the instance's clock (Clerk's default lockout):
/// `lockout_expires_in_seconds` counts down, and the user cannot get a new session
/// (`POST /v1/sessions` answers 403 `user_locked`) until the lock expires or is removed.
/// Existing sessions stay. An unknown user is a 404; 403 (lockout not enabled) only on demand,
/// with `Prefer`.
#[utoipa::path(
    operation_id = LOCK_USER.id.as_str(),
    tag = "Users",
    params(
        ("user_id" = String, Path, description = "The ID of the user to lock", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = UserBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 403, description = "Lockout not enabled (only on demand, with `Prefer: code=403`)", body = crate::error::ClerkErrors),
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/users/{user_id}/lock", wrap = "LOCK_USER.stages()")]
pub async fn lock_user(
    caller: Caller,
    user_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    restrict(&caller, &user_id, Restriction::Lock)
}

/// Unlock a user
///
/// Removes the lock at once. An unknown user is a 404.
#[utoipa::path(
    operation_id = UNLOCK_USER.id.as_str(),
    tag = "Users",
    params(
        ("user_id" = String, Path, description = "The ID of the user to unlock", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = UserBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 403, description = "Lockout not enabled (only on demand, with `Prefer: code=403`)", body = crate::error::ClerkErrors),
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/users/{user_id}/unlock", wrap = "UNLOCK_USER.stages()")]
pub async fn unlock_user(
    caller: Caller,
    user_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    restrict(&caller, &user_id, Restriction::Unlock)
}

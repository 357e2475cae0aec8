//! `/v1/users`: the users of the instance, as a backend reads them after authenticating one, and
//! finds them by email, id or anything else the list filters by; the writes live beside this
//! module by concern: [`writes`] (create, update, delete), [`metadata`] (merge and replace) and
//! [`restrictions`] (ban, unban, lock, unlock).

pub mod metadata;
pub mod restrictions;
pub mod writes;

use actix_web::{HttpRequest, HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{answers, json_ok};
use crate::domain::UserId;
use crate::error::{ApiError, ParamProblem, quoted};
use crate::http::Caller;
use crate::http::extract::user_query::{Reading, UserFilterParams, UserPageParams, UsersQuery};
use crate::http::operation::{Operation, OperationId, PathParams, unknown_api_version};
use crate::http::wire::users::user_example;
use crate::http::wire::{TotalCountBody, UserBody};
use crate::store::users::Start;

pub const OPERATIONS: &[Operation] = &[
    GET_USER_LIST,
    GET_USERS_COUNT,
    GET_USER,
    writes::CREATE_USER,
    writes::UPDATE_USER,
    writes::DELETE_USER,
    metadata::UPDATE_USER_METADATA,
    metadata::REPLACE_USER_METADATA,
    restrictions::BAN_USER,
    restrictions::UNBAN_USER,
    restrictions::LOCK_USER,
    restrictions::UNLOCK_USER,
];

pub const GET_USER_LIST: Operation = Operation {
    id: OperationId::GetUserList,
    canonical_error: |status, _| match status {
        400 => Some(unknown_api_version()),
        401 => Some(ApiError::MissingAuthorization),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "limit",
            "must be between 1 and 500",
        ))),
        _ => None,
    },
};

pub const GET_USERS_COUNT: Operation = Operation {
    id: OperationId::GetUsersCount,
    canonical_error: |status, _| match status {
        400 => Some(unknown_api_version()),
        401 => Some(ApiError::MissingAuthorization),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "email_address",
            "must not be empty",
        ))),
        _ => None,
    },
};

pub const GET_USER: Operation = Operation {
    id: OperationId::GetUser,
    canonical_error: user_operation_error,
};

/// A user id quoted by the document's examples, where no request names one.
pub const EXAMPLE_USER_ID: &str = "user_2AlicexBGaRy7HSnjHcaZabMn26";

/// The documented errors of an operation on one user.
pub fn user_operation_error(status: u16, params: PathParams<'_>) -> Option<ApiError> {
    match status {
        400 => Some(unknown_api_version()),
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(user_not_found(&params.get_or("user_id", EXAMPLE_USER_ID))),
        _ => None,
    }
}

pub fn configure(config: &mut ServiceConfig) {
    // The count before the user: `count` is not a user id.
    config
        .service(list_users)
        .service(count_users)
        .service(get_user);
    writes::configure(config);
    metadata::configure(config);
    restrictions::configure(config);
}

/// List all users
///
/// Returns the users matching the filters, newest first unless `order_by` says otherwise, as a
/// bare array. A filter repeats to give several values (users matching any are kept); different
/// filters apply together; values that match nothing are ignored, so a filter whose values all
/// match nothing answers `[]`. `user_id`, `external_id` and `organization_id` values prefixed
/// with `-` leave those users out. `GET /v1/users/count` with the same filters counts every
/// user this list can page through.
///
/// Filters on identifiers read indexes; `query` and the `*_query` parts, time ranges and orders
/// other than `created_at` look at the users the other filters left. Bad values are 422 with
/// `meta.param_name`, one error per bad parameter: more than 100 values of a filter is
/// `form_param_array_size_exceeded`.
#[utoipa::path(
    operation_id = GET_USER_LIST.id.as_str(),
    tag = "Users",
    params(UserFilterParams, UserPageParams, Caller),
    responses(
        (status = 200, description = "Success", body = Vec<UserBody>, example = json!([user_example()])),
        answers::BadRequest,
        answers::Unauthorized,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[get("/v1/users", wrap = "GET_USER_LIST.stages()")]
pub async fn list_users(caller: Caller, request: HttpRequest) -> Result<HttpResponse, ApiError> {
    let query = UsersQuery::parse(request.query_string(), Reading::List)?;
    let start = match &query.starting_after {
        None => Start::Offset(query.page.offset),
        Some(text) => Start::After(UserId::parse(text).ok_or_else(|| unknown_start(text))?),
    };
    let now_ms = caller.instance.now_ms();
    let page = caller
        .instance
        .list_users(
            &query.filter,
            query.order,
            (start, query.page.limit),
            |users| {
                users
                    .into_iter()
                    .map(|(user, activity)| UserBody::new(user, activity, now_ms))
                    .collect::<Vec<_>>()
            },
        )
        .ok_or_else(|| unknown_start(query.starting_after.as_deref().unwrap_or_default()))?;
    Ok(json_ok(&page))
}

/// Count users
///
/// How many users match the filters: the same filters as `GET /v1/users`, and always the
/// number of users that list can page through. Paging and `order_by` are ignored.
#[utoipa::path(
    operation_id = GET_USERS_COUNT.id.as_str(),
    tag = "Users",
    params(UserFilterParams, Caller),
    responses(
        (status = 200, description = "Success", body = TotalCountBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[get("/v1/users/count", wrap = "GET_USERS_COUNT.stages()")]
pub async fn count_users(caller: Caller, request: HttpRequest) -> Result<HttpResponse, ApiError> {
    let query = UsersQuery::parse(request.query_string(), Reading::Count)?;
    Ok(json_ok(&TotalCountBody::new(
        caller.instance.count_users(&query.filter),
    )))
}

/// 422 for a `starting_after` that names no user of the instance.
fn unknown_start(id: &str) -> ApiError {
    ApiError::param(ParamProblem::invalid_value(
        "starting_after",
        format!("`{}` is not a user of this instance", quoted(id)),
    ))
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
    user_answer(&caller, user_id_of(&user_id)?).ok_or_else(|| user_not_found(&user_id))
}

/// The user of `id` as the API shows it now, or `None` if there is no such user.
pub fn user_answer(caller: &Caller, id: UserId) -> Option<HttpResponse> {
    let now_ms = caller.instance.now_ms();
    caller.instance.present_user(id, |user, activity| {
        json_ok(&UserBody::new(user, activity, now_ms))
    })
}

/// The user id a path gives; one that is not well formed names no user (404).
pub fn user_id_of(text: &str) -> Result<UserId, ApiError> {
    UserId::parse(text).ok_or_else(|| user_not_found(text))
}

/// The 404 for a user id, quoting at most a sane length of whatever was asked for.
pub fn user_not_found(id: &str) -> ApiError {
    ApiError::not_found("User", id)
}

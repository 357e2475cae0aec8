//! `PATCH` and `PUT /v1/users/{user_id}/metadata`: a user's public, private and unsafe metadata,
//! merged deep or replaced whole.

use actix_web::{HttpRequest, HttpResponse, patch, put, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::writes::{UpdateFailure, write_error};
use super::{user_answer, user_id_of, user_not_found, user_operation_error};
use crate::error::{ApiError, ParamProblem};
use crate::http::Caller;
use crate::http::extract::body::FromBody;
use crate::http::extract::user_body::UserMetadataRequest;
use crate::http::extract::user_schemas::UserMetadataSchema;
use crate::http::operation::{Operation, OperationId, PathParams, malformed_body};
use crate::http::routes::answers;
use crate::http::routes::metadata_write::MetadataWrite;
use crate::http::wire::UserBody;

pub const UPDATE_USER_METADATA: Operation = Operation {
    id: OperationId::UpdateUserMetadata,
    canonical_error: metadata_error,
};

pub const REPLACE_USER_METADATA: Operation = Operation {
    id: OperationId::ReplaceUserMetadata,
    canonical_error: metadata_error,
};

fn metadata_error(status: u16, params: PathParams<'_>) -> Option<ApiError> {
    match status {
        400 => Some(malformed_body()),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "public_metadata",
            "must be a JSON object",
        ))),
        _ => user_operation_error(status, params),
    }
}

pub fn configure(config: &mut ServiceConfig) {
    config.service(merge_metadata).service(replace_metadata);
}

/// Merge metadata for a user
///
/// Merges each metadata field given (`public_metadata`, `private_metadata`,
/// `unsafe_metadata`) into the user's, deep: objects merge key by key at every depth, a `null`
/// value removes its key at any level, and any other value (arrays included) replaces what was
/// there. Fields not given are left as they are. A token template that reads
/// `{{user.public_metadata...}}` shows the merged value on its next mint; `private_metadata`
/// never reaches a token.
///
/// Each field must be a JSON object (else 422 `form_param_value_invalid`) of at most 8 KiB
/// after the merge (else 422 `form_param_exceeds_allowed_size`); a field the schema does not
/// list is a 422 `form_param_unknown`. An unknown user is a 404.
#[utoipa::path(
    operation_id = UPDATE_USER_METADATA.id.as_str(),
    tag = "Users",
    params(
        ("user_id" = String, Path, description = "The ID of the user whose metadata will be merged", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        Caller,
    ),
    request_body(content = Option<UserMetadataSchema>, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = UserBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[patch("/v1/users/{user_id}/metadata", wrap = "UPDATE_USER_METADATA.stages()")]
pub async fn merge_metadata(
    caller: Caller,
    user_id: web::Path<String>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    write_metadata(&caller, &user_id, (&request, &body), MetadataWrite::Merge)
}

/// Replace metadata for a user
///
/// Replaces each metadata field given whole: its prior contents are discarded, `{}` (or
/// `null`) empties it, and fields not given are left as they are. This is what
/// `@clerk/backend`'s `updateUser` sends when it is given metadata.
///
/// Each field must be a JSON object of at most 8 KiB (else 422 `form_param_value_invalid` or
/// `form_param_exceeds_allowed_size`); an unknown user is a 404.
#[utoipa::path(
    operation_id = REPLACE_USER_METADATA.id.as_str(),
    tag = "Users",
    params(
        ("user_id" = String, Path, description = "The ID of the user whose metadata will be replaced", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        Caller,
    ),
    request_body(content = Option<UserMetadataSchema>, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = UserBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[put(
    "/v1/users/{user_id}/metadata",
    wrap = "REPLACE_USER_METADATA.stages()"
)]
pub async fn replace_metadata(
    caller: Caller,
    user_id: web::Path<String>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    write_metadata(&caller, &user_id, (&request, &body), MetadataWrite::Replace)
}

/// Reads the body, writes each field given, and answers the user. A write past the instance's
/// memory bound is a 422, the error status these operations document.
fn write_metadata(
    caller: &Caller,
    user_id: &str,
    (request, body): (&HttpRequest, &[u8]),
    write: MetadataWrite,
) -> Result<HttpResponse, ApiError> {
    let id = user_id_of(user_id)?;
    let wanted = UserMetadataRequest::from_body(request, body)?;
    caller
        .instance
        .update_user(id, |user| {
            let [public, private, unsafe_] = wanted.fields;
            write
                .apply([
                    ("public_metadata", &mut user.public_metadata, public),
                    ("private_metadata", &mut user.private_metadata, private),
                    ("unsafe_metadata", &mut user.unsafe_metadata, unsafe_),
                ])
                .map_err(UpdateFailure::Refused)
        })
        .map_err(|error| match error {
            UpdateFailure::Write(error) => write_error(error, user_id, 422),
            UpdateFailure::Refused(error) => error,
        })?;
    user_answer(caller, id).ok_or_else(|| user_not_found(user_id))
}

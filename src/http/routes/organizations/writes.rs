//! `POST /v1/organizations`, `PATCH` and `DELETE /v1/organizations/{organization_id}`, and its
//! metadata merged or replaced.

use actix_web::{HttpRequest, HttpResponse, delete, patch, post, put, web};
use serde_json::Value;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{organization_error, organizations_disabled, write_error};
use crate::error::{ApiError, ParamProblem, ParamProblemKind};
use crate::http::Caller;
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::extract::organization_body::{
    CreateOrganizationRequest, CreateOrganizationSchema, OrganizationMetadataRequest,
    OrganizationMetadataSchema, UpdateOrganizationRequest, UpdateOrganizationSchema,
};
use crate::http::operation::{Operation, OperationId, PathParams, malformed_body};
use crate::http::routes::metadata_write::MetadataWrite;
use crate::http::routes::{answers, json_ok};
use crate::http::wire::DeletedObjectBody;
use crate::http::wire::organizations::{OrganizationBody, OrganizationExtras};
use crate::tenancy::instance::{NewOrganization, OrganizationWriteError};

pub const CREATE_ORGANIZATION: Operation = Operation {
    id: OperationId::CreateOrganization,
    canonical_error: |status, _| match status {
        400 => Some(ApiError::CreatorNotFound(
            "user_2NobodyHasThisId00000000000".to_owned(),
        )),
        401 => Some(ApiError::MissingAuthorization),
        402 => Some(ApiError::InstanceFull {
            limit_mib: 1024,
            status: 402,
        }),
        403 => Some(organizations_disabled()),
        422 => Some(ApiError::param(ParamProblem::with_kind(
            "slug",
            ParamProblemKind::Taken,
        ))),
        _ => None,
    },
};

pub const UPDATE_ORGANIZATION: Operation = Operation {
    id: OperationId::UpdateOrganization,
    canonical_error: |status, params| match status {
        400 => Some(malformed_body()),
        402 => Some(ApiError::PaymentRequired(
            "Organizations of this size".to_owned(),
        )),
        403 => Some(organizations_disabled()),
        422 => Some(ApiError::param(ParamProblem::with_kind(
            "slug",
            ParamProblemKind::Taken,
        ))),
        _ => organization_error(status, params),
    },
};

pub const DELETE_ORGANIZATION: Operation = Operation {
    id: OperationId::DeleteOrganization,
    canonical_error: organization_error,
};

pub const MERGE_ORGANIZATION_METADATA: Operation = Operation {
    id: OperationId::MergeOrganizationMetadata,
    canonical_error: metadata_error,
};

pub const REPLACE_ORGANIZATION_METADATA: Operation = Operation {
    id: OperationId::ReplaceOrganizationMetadata,
    canonical_error: metadata_error,
};

fn metadata_error(status: u16, params: PathParams<'_>) -> Option<ApiError> {
    match status {
        400 => Some(malformed_body()),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "public_metadata",
            "must be a JSON object",
        ))),
        _ => organization_error(status, params),
    }
}

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_organization)
        .service(update_organization)
        .service(delete_organization)
        .service(merge_metadata)
        .service(replace_metadata);
}

/// Why a change to an organization failed: the instance refused it, or the change itself did.
enum Failure {
    Write(OrganizationWriteError),
    Refused(ApiError),
}

impl From<OrganizationWriteError> for Failure {
    fn from(error: OrganizationWriteError) -> Self {
        Self::Write(error)
    }
}

fn organization_answer(organization: &crate::domain::Organization) -> HttpResponse {
    json_ok(&OrganizationBody::new(
        organization,
        OrganizationExtras::default(),
    ))
}

/// Create an organization
///
/// Creates an organization with `name` (required: 1 to 256 characters, no URL or HTML), and
/// `slug` (lower-case letters and digits joined by dashes, held by no other organization; made
/// from the name when absent, with `-2`, `-3`... while taken). `created_by` becomes its admin
/// (an unknown user is a 400 `organization_creator_not_found`); `max_allowed_memberships`
/// (0, the default, is no limit) and the metadata are taken; other fields are ignored. A taken
/// slug is a 422 `form_identifier_exists`; a malformed one `form_param_format_invalid`. Past
/// the instance's memory bound, 402 `instance_memory_exhausted`.
#[utoipa::path(
    operation_id = CREATE_ORGANIZATION.id.as_str(),
    tag = "Organizations",
    params(Caller),
    request_body(content = CreateOrganizationSchema, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = OrganizationBody),
        (status = 400, description = "The creator is not a user (`organization_creator_not_found`), the body is malformed, or the API version unknown", body = crate::error::ClerkErrors),
        answers::Unauthorized,
        (status = 402, description = "The organization would take the instance past its memory bound (`--instance-memory-mib`)", body = crate::error::ClerkErrors),
        (status = 403, description = "Organizations are off (only on demand, with `Prefer: code=403`)", body = crate::error::ClerkErrors),
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/organizations", wrap = "CREATE_ORGANIZATION.stages()")]
pub async fn create_organization(
    caller: Caller,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let wanted = CreateOrganizationRequest::from_body(&request, &body)?;
    let [public_metadata, private_metadata] = wanted.metadata;
    let organization = caller
        .instance
        .create_organization(NewOrganization {
            name: wanted.name,
            slug: wanted.slug,
            created_by: wanted.created_by,
            max_allowed_memberships: wanted.max_allowed_memberships,
            public_metadata: public_metadata.map(Value::Object),
            private_metadata: private_metadata.map(Value::Object),
            created_at: wanted.created_at,
        })
        .map_err(|error| match error {
            OrganizationWriteError::UnknownUser(id) => ApiError::CreatorNotFound(id),
            OrganizationWriteError::OverBudget(over) => ApiError::InstanceFull {
                limit_mib: over.limit_mib,
                status: 402,
            },
            other => write_error(other, ""),
        })?;
    Ok(organization_answer(&organization))
}

/// Update an organization
///
/// Changes what the body names: `name`, `slug` (held by no other organization),
/// `max_allowed_memberships` (lowering it below the members it has is allowed),
/// `admin_delete_enabled`, `created_at`. The metadata fields are taken, and replace the field,
/// only under API versions before 2026-05-12; from then on they are a 422
/// `form_param_unknown` (use `PATCH .../metadata`). The path takes an id or a slug; an unknown
/// one is a 404.
#[utoipa::path(
    operation_id = UPDATE_ORGANIZATION.id.as_str(),
    tag = "Organizations",
    params(
        ("organization_id" = String, Path, description = "The ID or slug of the organization to update", example = "org_2Acmet3kU1slpIuojlEroXRG9xb"),
        Caller,
    ),
    request_body(content = Option<UpdateOrganizationSchema>, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = OrganizationBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 402, description = "A plan limit (only on demand, with `Prefer: code=402`)", body = crate::error::ClerkErrors),
        (status = 403, description = "Organizations are off (only on demand, with `Prefer: code=403`)", body = crate::error::ClerkErrors),
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[patch(
    "/v1/organizations/{organization_id}",
    wrap = "UPDATE_ORGANIZATION.stages()"
)]
pub async fn update_organization(
    caller: Caller,
    organization_id: web::Path<String>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = BodyFields::parse(&request, &body)?;
    let update = UpdateOrganizationRequest::parse(&fields, caller.version.updates_user_metadata())?;
    let organization = caller
        .instance
        .update_organization(&organization_id, |organization| {
            update.apply(organization);
            Ok::<_, Failure>(())
        })
        .map_err(|error| match error {
            Failure::Write(error) => write_error(error, &organization_id),
            Failure::Refused(error) => error,
        })?;
    Ok(organization_answer(&organization))
}

/// Delete an organization
///
/// Deletes the organization and every membership of it; sessions active in it are active in
/// none from then on (their next token has no `o` claim). Answers `DeletedObject` with the
/// slug. The path takes an id or a slug; an unknown one is a 404.
#[utoipa::path(
    operation_id = DELETE_ORGANIZATION.id.as_str(),
    tag = "Organizations",
    params(
        ("organization_id" = String, Path, description = "The ID or slug of the organization to delete", example = "org_2Acmet3kU1slpIuojlEroXRG9xb"),
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
#[delete(
    "/v1/organizations/{organization_id}",
    wrap = "DELETE_ORGANIZATION.stages()"
)]
pub async fn delete_organization(
    caller: Caller,
    organization_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let removed = caller
        .instance
        .delete_organization(&organization_id)
        .map_err(|error| write_error(error, &organization_id))?;
    Ok(json_ok(&DeletedObjectBody::organization(
        removed.id.to_string(),
        removed.slug.to_string(),
    )))
}

/// Merge and update metadata for an organization
///
/// Merges `public_metadata` and `private_metadata` into the organization's, deep: objects merge
/// at every depth, a `null` removes its key, other values replace. Each field is a JSON object
/// of at most 8 KiB after the merge (else 422 `form_param_value_invalid` or
/// `form_param_exceeds_allowed_size`). An unknown organization is a 404.
#[utoipa::path(
    operation_id = MERGE_ORGANIZATION_METADATA.id.as_str(),
    tag = "Organizations",
    params(
        ("organization_id" = String, Path, description = "The ID or slug of the organization", example = "org_2Acmet3kU1slpIuojlEroXRG9xb"),
        Caller,
    ),
    request_body(content = Option<OrganizationMetadataSchema>, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = OrganizationBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[patch(
    "/v1/organizations/{organization_id}/metadata",
    wrap = "MERGE_ORGANIZATION_METADATA.stages()"
)]
pub async fn merge_metadata(
    caller: Caller,
    organization_id: web::Path<String>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    write_metadata(
        &caller,
        &organization_id,
        (&request, &body),
        MetadataWrite::Merge,
    )
}

/// Replace an organization's metadata
///
/// Replaces each metadata field given whole (`{}` or `null` empties it) and leaves the other;
/// what `@clerk/backend`'s `updateOrganization` sends when given metadata. Each field is a JSON
/// object of at most 8 KiB. An unknown organization is a 404.
#[utoipa::path(
    operation_id = REPLACE_ORGANIZATION_METADATA.id.as_str(),
    tag = "Organizations",
    params(
        ("organization_id" = String, Path, description = "The ID or slug of the organization", example = "org_2Acmet3kU1slpIuojlEroXRG9xb"),
        Caller,
    ),
    request_body(content = Option<OrganizationMetadataSchema>, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = OrganizationBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[put(
    "/v1/organizations/{organization_id}/metadata",
    wrap = "REPLACE_ORGANIZATION_METADATA.stages()"
)]
pub async fn replace_metadata(
    caller: Caller,
    organization_id: web::Path<String>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    write_metadata(
        &caller,
        &organization_id,
        (&request, &body),
        MetadataWrite::Replace,
    )
}

/// Reads the body, writes each field given, and answers the organization; past the memory
/// bound, a 422 as the operations document.
fn write_metadata(
    caller: &Caller,
    organization_id: &str,
    (request, body): (&HttpRequest, &[u8]),
    write: MetadataWrite,
) -> Result<HttpResponse, ApiError> {
    let wanted = OrganizationMetadataRequest::from_body(request, body)?;
    let organization = caller
        .instance
        .update_organization(organization_id, |organization| {
            let [public, private] = wanted.fields;
            write
                .apply([
                    ("public_metadata", &mut organization.public_metadata, public),
                    (
                        "private_metadata",
                        &mut organization.private_metadata,
                        private,
                    ),
                ])
                .map_err(Failure::Refused)
        })
        .map_err(|error| match error {
            Failure::Write(OrganizationWriteError::OverBudget(over)) => ApiError::InstanceFull {
                limit_mib: over.limit_mib,
                status: 422,
            },
            Failure::Write(error) => write_error(error, organization_id),
            Failure::Refused(error) => error,
        })?;
    Ok(organization_answer(&organization))
}

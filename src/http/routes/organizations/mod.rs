//! `/v1/organizations`: the organizations of the instance, read by id or slug and listed, as a
//! multi-tenant backend reads them after authenticating a user; the writes live beside this
//! module: [`writes`] (create, update, delete, metadata) and [`memberships`] (who belongs, in
//! which role, and a user's memberships).

pub mod memberships;
pub mod writes;

use actix_web::{HttpRequest, HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{answers, json_ok};
use crate::domain::Organization;
use crate::error::{ApiError, ParamProblem};
use crate::http::Caller;
use crate::http::extract::organization_query::{OrganizationListParams, OrganizationsQuery};
use crate::http::operation::{Operation, OperationId, PathParams, unknown_api_version};
use crate::http::wire::organizations::{OrganizationBody, OrganizationExtras, OrganizationsBody};
use crate::tenancy::instance::OrganizationWriteError;

pub const OPERATIONS: &[Operation] = &[
    LIST_ORGANIZATIONS,
    GET_ORGANIZATION,
    writes::CREATE_ORGANIZATION,
    writes::UPDATE_ORGANIZATION,
    writes::DELETE_ORGANIZATION,
    writes::MERGE_ORGANIZATION_METADATA,
    writes::REPLACE_ORGANIZATION_METADATA,
    memberships::LIST_ORGANIZATION_MEMBERSHIPS,
    memberships::CREATE_ORGANIZATION_MEMBERSHIP,
    memberships::UPDATE_ORGANIZATION_MEMBERSHIP,
    memberships::DELETE_ORGANIZATION_MEMBERSHIP,
    memberships::USERS_GET_ORGANIZATION_MEMBERSHIPS,
];

pub const LIST_ORGANIZATIONS: Operation = Operation {
    id: OperationId::ListOrganizations,
    canonical_error: |status, _| match status {
        400 => Some(unknown_api_version()),
        401 => Some(ApiError::MissingAuthorization),
        403 => Some(organizations_disabled()),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "limit",
            "must be between 1 and 500",
        ))),
        _ => None,
    },
};

pub const GET_ORGANIZATION: Operation = Operation {
    id: OperationId::GetOrganization,
    canonical_error: |status, params| match status {
        403 => Some(organizations_disabled()),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "include_members_count",
            "must be true or false",
        ))),
        _ => organization_error(status, params),
    },
};

/// An organization id quoted by the document's examples, where no request names one.
pub const EXAMPLE_ORGANIZATION_ID: &str = "org_2Acmet3kU1slpIuojlEroXRG9xb";

/// The documented errors every operation on one organization has.
pub fn organization_error(status: u16, params: PathParams<'_>) -> Option<ApiError> {
    match status {
        400 => Some(unknown_api_version()),
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(organization_not_found(
            &params.get_or("organization_id", EXAMPLE_ORGANIZATION_ID),
        )),
        _ => None,
    }
}

/// 403 where Clerk's instance has organizations turned off (the mock's never has): what
/// `Prefer: code=403` answers.
pub fn organizations_disabled() -> ApiError {
    ApiError::Forbidden("organizations are not enabled for this instance".to_owned())
}

pub fn configure(config: &mut ServiceConfig) {
    config.service(list_organizations).service(get_organization);
    writes::configure(config);
    memberships::configure(config);
}

/// The 404 for an organization id or slug.
pub fn organization_not_found(id: &str) -> ApiError {
    ApiError::not_found("Organization", id)
}

/// What a refused organization or membership write answers.
pub fn write_error(error: OrganizationWriteError, organization: &str) -> ApiError {
    match error {
        OrganizationWriteError::UnknownOrganization => organization_not_found(organization),
        OrganizationWriteError::UnknownUser(id) => ApiError::not_found("User", &id),
        OrganizationWriteError::SlugTaken => ApiError::param(ParamProblem::with_kind(
            "slug",
            crate::error::ParamProblemKind::Taken,
        )),
        OrganizationWriteError::AlreadyAMember(id) => ApiError::AlreadyAMember(id),
        OrganizationWriteError::NotAMember => ApiError::NotFound {
            resource: "Organization membership",
            id: "for this user".to_owned(),
        },
        OrganizationWriteError::UnknownRole(role) => ApiError::RoleNotFound(role),
        OrganizationWriteError::MembersLimit(limit) => ApiError::MembershipQuotaExceeded(limit),
        OrganizationWriteError::OverBudget(over) => ApiError::instance_full(over.limit_mib),
    }
}

/// `organization` as the API shows it, with its member count when asked.
fn body(organization: &Organization, members: usize, with_count: bool) -> OrganizationBody {
    OrganizationBody::new(
        organization,
        OrganizationExtras {
            members_count: with_count.then_some(members),
            missing_member_with_elevated_permissions: None,
        },
    )
}

/// Get a list of organizations for an instance
///
/// The organizations matching the filters, newest first unless `order_by` says otherwise, as
/// `{"data": [...], "total_count": N}` (N counts every match). `query` matches the id exactly or
/// a part of the name or slug; `user_id` keeps the organizations of those users (a `-` prefix
/// leaves a user's out); `organization_id` keeps or (with `-`) leaves out organizations.
/// `include_members_count=true` adds `members_count`. Bad values are 422 naming each parameter.
#[utoipa::path(
    operation_id = LIST_ORGANIZATIONS.id.as_str(),
    tag = "Organizations",
    params(OrganizationListParams, Caller),
    responses(
        (status = 200, description = "Success", body = OrganizationsBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 403, description = "Organizations are off (only on demand, with `Prefer: code=403`)", body = crate::error::ClerkErrors),
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[get("/v1/organizations", wrap = "LIST_ORGANIZATIONS.stages()")]
pub async fn list_organizations(
    caller: Caller,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = OrganizationsQuery::parse(request.query_string())?;
    let with_count = query.include_members_count;
    let with_missing = query.include_missing_member;
    let answer = caller.instance.list_organizations(
        query.filter,
        (query.users.include, query.users.exclude),
        query.order,
        query.page.bounds(),
        |organizations, total| OrganizationsBody {
            data: organizations
                .into_iter()
                .map(|(organization, members)| {
                    let mut body = body(organization, members, with_count);
                    if with_missing {
                        body.set_missing_member(false);
                    }
                    body
                })
                .collect(),
            total_count: u64::try_from(total).unwrap_or(u64::MAX),
        },
    );
    Ok(json_ok(&answer))
}

/// Retrieve an organization by ID or slug
///
/// The organization the path names: an id (`org_...`) or its slug (a value with `_` is read as
/// an id, as slugs cannot hold one). `include_members_count=true` adds `members_count`. An
/// unknown id or slug is a 404 `resource_not_found`; a flag that is not `true` or `false` a 422.
#[utoipa::path(
    operation_id = GET_ORGANIZATION.id.as_str(),
    tag = "Organizations",
    params(
        ("organization_id" = String, Path, description = "The ID or slug of the organization", example = "org_2Acmet3kU1slpIuojlEroXRG9xb"),
        ("include_members_count" = Option<bool>, Query, description = "Adds the organization's `members_count`"),
        ("include_missing_member_with_elevated_permissions" = Option<bool>, Query, description = "Adds `missing_member_with_elevated_permissions`"),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = OrganizationBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 403, description = "Organizations are off (only on demand, with `Prefer: code=403`)", body = crate::error::ClerkErrors),
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[get(
    "/v1/organizations/{organization_id}",
    wrap = "GET_ORGANIZATION.stages()"
)]
pub async fn get_organization(
    caller: Caller,
    organization_id: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = OrganizationsQuery::parse(request.query_string())?;
    let (with_count, with_missing) = (query.include_members_count, query.include_missing_member);
    let answer = caller
        .instance
        .present_organization(&organization_id, |organization, members| {
            let mut body = body(organization, members, with_count);
            if with_missing {
                body.set_missing_member(false);
            }
            body
        })
        .ok_or_else(|| organization_not_found(&organization_id))?;
    Ok(json_ok(&answer))
}

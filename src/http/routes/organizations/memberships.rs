//! `/v1/organizations/{organization_id}/memberships` and
//! `/v1/users/{user_id}/organization_memberships`: who belongs to an organization, in which
//! role, and which organizations a user belongs to.

use std::cmp::Ordering;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde_json::Value;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{organization_error, organization_not_found, write_error};
use crate::domain::{User, UserId};
use crate::error::{ApiError, ParamProblem};
use crate::http::Caller;
use crate::http::extract::body::FromBody;
use crate::http::extract::organization_body::{
    CreateMembershipRequest, CreateMembershipSchema, UpdateMembershipRequest,
};
use crate::http::extract::organization_query::{
    MemberOrderField, MembershipListParams, MembershipsQuery,
};
use crate::http::extract::query_parts::Page;
use crate::http::operation::{
    Operation, OperationId, PathParams, malformed_body, unknown_api_version,
};
use crate::http::routes::users::{EXAMPLE_USER_ID, user_not_found};
use crate::http::routes::{answers, json_ok};
use crate::http::wire::organizations::{OrganizationMembershipBody, OrganizationMembershipsBody};
use crate::tenancy::instance::{MemberSort, OrganizationWriteError};

pub const LIST_ORGANIZATION_MEMBERSHIPS: Operation = Operation {
    id: OperationId::ListOrganizationMemberships,
    canonical_error: |status, params| match status {
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "limit",
            "must be between 1 and 500",
        ))),
        _ => organization_error(status, params),
    },
};

pub const CREATE_ORGANIZATION_MEMBERSHIP: Operation = Operation {
    id: OperationId::CreateOrganizationMembership,
    canonical_error: |status, params| match status {
        400 => Some(ApiError::AlreadyAMember(EXAMPLE_USER_ID.to_owned())),
        403 => Some(ApiError::MembershipQuotaExceeded(5)),
        422 => Some(ApiError::param(ParamProblem::missing("role"))),
        _ => organization_error(status, params),
    },
};

pub const UPDATE_ORGANIZATION_MEMBERSHIP: Operation = Operation {
    id: OperationId::UpdateOrganizationMembership,
    canonical_error: member_error,
};

pub const DELETE_ORGANIZATION_MEMBERSHIP: Operation = Operation {
    id: OperationId::DeleteOrganizationMembership,
    // No body: a 400 is an unknown API version.
    canonical_error: |status, params| match status {
        400 => Some(unknown_api_version()),
        _ => member_error(status, params),
    },
};

pub const USERS_GET_ORGANIZATION_MEMBERSHIPS: Operation = Operation {
    id: OperationId::UsersGetOrganizationMemberships,
    canonical_error: |status, params| match status {
        403 => Some(super::organizations_disabled()),
        404 => Some(user_not_found(&params.get_or("user_id", EXAMPLE_USER_ID))),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "limit",
            "must be between 1 and 500",
        ))),
        _ => organization_error(status, params),
    },
};

/// The documented errors of an operation on one member.
fn member_error(status: u16, params: PathParams<'_>) -> Option<ApiError> {
    match status {
        400 => Some(malformed_body()),
        404 => Some(not_a_member()),
        422 => Some(ApiError::param(ParamProblem::missing("role"))),
        _ => organization_error(status, params),
    }
}

/// 200 with a membership just written, its organization and its member.
fn membership_answer(
    (membership, user, organization): &(
        crate::domain::user::Membership,
        User,
        crate::domain::Organization,
    ),
) -> HttpResponse {
    json_ok(&OrganizationMembershipBody::new(
        membership,
        organization,
        user,
    ))
}

fn not_a_member() -> ApiError {
    write_error(OrganizationWriteError::NotAMember, "")
}

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_memberships)
        .service(create_membership)
        .service(update_membership)
        .service(delete_membership)
        .service(user_memberships);
}

/// The sort key of a member for `field`: a lower-cased text, `None` last.
fn member_key(user: &User, field: MemberOrderField) -> Option<String> {
    let lower = |text: Option<&str>| text.map(str::to_lowercase);
    match field {
        MemberOrderField::CreatedAt => None,
        MemberOrderField::FirstName => lower(user.first_name.as_deref()),
        MemberOrderField::LastName => lower(user.last_name.as_deref()),
        MemberOrderField::EmailAddress => lower(user.email_address().map(|email| email.value)),
        MemberOrderField::PhoneNumber => lower(user.phone_number().map(|phone| phone.value)),
        MemberOrderField::Username => lower(user.username.as_deref()),
    }
}

/// Get a list of all members of an organization
///
/// The organization's memberships, newest first unless `order_by` says otherwise, as
/// `{"data": [...], "total_count": N}`; each carries the organization and the member's public
/// data. `role`, `user_id` (a `-` prefix leaves one out), `email_address` and `query` filter.
/// The path takes an id or a slug; an unknown organization is a 404; bad values are 422.
#[utoipa::path(
    operation_id = LIST_ORGANIZATION_MEMBERSHIPS.id.as_str(),
    tag = "Organization Memberships",
    params(
        ("organization_id" = String, Path, description = "The ID or slug of the organization", example = "org_2Acmet3kU1slpIuojlEroXRG9xb"),
        MembershipListParams,
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = OrganizationMembershipsBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[get(
    "/v1/organizations/{organization_id}/memberships",
    wrap = "LIST_ORGANIZATION_MEMBERSHIPS.stages()"
)]
pub async fn list_memberships(
    caller: Caller,
    organization_id: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = MembershipsQuery::parse(request.query_string())?;
    let keep = |user: &User, membership: &crate::domain::user::Membership| {
        let id = Some(user.id);
        query
            .roles
            .as_ref()
            .is_none_or(|roles| roles.iter().any(|role| **role == *membership.role))
            && query
                .users
                .include
                .as_ref()
                .is_none_or(|ids| ids.contains(&id))
            && !query.users.exclude.contains(&id)
            && query.email_addresses.as_ref().is_none_or(|emails| {
                user.email_addresses
                    .iter()
                    .any(|email| emails.contains(&email.value.to_lowercase()))
            })
            && query.query.as_deref().is_none_or(|needle| {
                let texts = [
                    user.first_name.as_deref(),
                    user.last_name.as_deref(),
                    user.username.as_deref(),
                ];
                texts
                    .into_iter()
                    .flatten()
                    .chain(user.email_addresses.iter().map(|email| &*email.value))
                    .chain(user.phone_numbers.iter().map(|phone| &*phone.value))
                    .any(|text| text.to_lowercase().contains(needle))
                    || user.id.to_string() == needle
            })
    };
    let by_field = query
        .order
        .filter(|(field, _)| *field != MemberOrderField::CreatedAt);
    let sort = by_field.map(|(field, descending)| {
        move |a: &User, b: &User| -> Ordering {
            let (a, b) = (member_key(a, field), member_key(b, field));
            let ascending = match (&a, &b) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            };
            if descending {
                ascending.reverse()
            } else {
                ascending
            }
        }
    });
    let oldest_first = query.order == Some((MemberOrderField::CreatedAt, false));
    let order = match &sort {
        Some(sort) => MemberSort::By(sort),
        None => MemberSort::Joined { oldest_first },
    };
    let answer = caller
        .instance
        .list_members(
            &organization_id,
            keep,
            order,
            query.page.bounds(),
            |organization, members, total| OrganizationMembershipsBody {
                data: members
                    .into_iter()
                    .map(|(user, membership)| {
                        OrganizationMembershipBody::new(membership, organization, user)
                    })
                    .collect(),
                total_count: u64::try_from(total).unwrap_or(u64::MAX),
            },
        )
        .ok_or_else(|| organization_not_found(&organization_id))?;
    Ok(json_ok(&answer))
}

/// Create a new organization membership
///
/// Makes a user a member of the organization in `role` (`org:admin`, `org:member`, or a role a
/// member already holds); the membership carries the organization and the member's public
/// data. Other fields are ignored. An unknown organization or user is a 404, an unknown role a
/// 404 naming `role`, a user already a member a 400 `already_a_member_in_organization`, an
/// organization at its `max_allowed_memberships` a 403
/// `organization_membership_quota_exceeded`; `user_id` and `role` are required (422).
#[utoipa::path(
    operation_id = CREATE_ORGANIZATION_MEMBERSHIP.id.as_str(),
    tag = "Organization Memberships",
    params(
        ("organization_id" = String, Path, description = "The ID or slug of the organization", example = "org_2Acmet3kU1slpIuojlEroXRG9xb"),
        Caller,
    ),
    request_body(content = CreateMembershipSchema, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = OrganizationMembershipBody),
        (status = 400, description = "The user is already a member (`already_a_member_in_organization`), the body is malformed, or the API version unknown", body = crate::error::ClerkErrors),
        answers::Unauthorized,
        (status = 403, description = "The organization has all the members it may (`organization_membership_quota_exceeded`)", body = crate::error::ClerkErrors),
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post(
    "/v1/organizations/{organization_id}/memberships",
    wrap = "CREATE_ORGANIZATION_MEMBERSHIP.stages()"
)]
pub async fn create_membership(
    caller: Caller,
    organization_id: web::Path<String>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let wanted = CreateMembershipRequest::from_body(&request, &body)?;
    let [public, private] = wanted.metadata;
    let written = caller
        .instance
        .create_membership(
            &organization_id,
            &wanted.user_id,
            &wanted.role,
            (public.map(Value::Object), private.map(Value::Object)),
        )
        .map_err(|error| write_error(error, &organization_id))?;
    Ok(membership_answer(&written))
}

/// Update an organization membership
///
/// Gives the member the `role` (`org:admin`, `org:member`, or a role a member already holds);
/// the next token of the member's sessions in the organization shows it. A user who is not a
/// member is a 404, an unknown role a 404 naming `role`, a missing `role` a 422.
#[utoipa::path(
    operation_id = UPDATE_ORGANIZATION_MEMBERSHIP.id.as_str(),
    tag = "Organization Memberships",
    params(
        ("organization_id" = String, Path, description = "The ID or slug of the organization", example = "org_2Acmet3kU1slpIuojlEroXRG9xb"),
        ("user_id" = String, Path, description = "The ID of the member", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        Caller,
    ),
    request_body(content = UpdateMembershipRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = OrganizationMembershipBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[patch(
    "/v1/organizations/{organization_id}/memberships/{user_id}",
    wrap = "UPDATE_ORGANIZATION_MEMBERSHIP.stages()"
)]
pub async fn update_membership(
    caller: Caller,
    path: web::Path<(String, String)>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (organization_id, user_id) = path.into_inner();
    let wanted = UpdateMembershipRequest::from_body(&request, &body)?;
    let written = caller
        .instance
        .update_membership(&organization_id, &user_id, &wanted.role)
        .map_err(|error| write_error(error, &organization_id))?;
    Ok(membership_answer(&written))
}

/// Remove a member from an organization
///
/// Removes the membership and answers it as it was. The member's sessions active in the
/// organization move to its newest remaining organization, or to none. A user who is not a
/// member is a 404.
#[utoipa::path(
    operation_id = DELETE_ORGANIZATION_MEMBERSHIP.id.as_str(),
    tag = "Organization Memberships",
    params(
        ("organization_id" = String, Path, description = "The ID or slug of the organization", example = "org_2Acmet3kU1slpIuojlEroXRG9xb"),
        ("user_id" = String, Path, description = "The ID of the member", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = OrganizationMembershipBody),
        answers::BadRequest,
        answers::Unauthorized,
        answers::NotFound,
        (status = 422, description = "A malformed request (only on demand, with `Prefer: code=422`)", body = crate::error::ClerkErrors),
    ),
    security(("bearerAuth" = []))
)]
#[delete(
    "/v1/organizations/{organization_id}/memberships/{user_id}",
    wrap = "DELETE_ORGANIZATION_MEMBERSHIP.stages()"
)]
pub async fn delete_membership(
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (organization_id, user_id) = path.into_inner();
    let written = caller
        .instance
        .delete_membership(&organization_id, &user_id)
        .map_err(|error| write_error(error, &organization_id))?;
    Ok(membership_answer(&written))
}

/// Retrieve all memberships for a user
///
/// The user's memberships, newest first, each with its organization and the user's public
/// data, as `{"data": [...], "total_count": N}`; `limit` and `offset` page them. An unknown user
/// is a 404; bad values are 422.
#[utoipa::path(
    operation_id = USERS_GET_ORGANIZATION_MEMBERSHIPS.id.as_str(),
    tag = "Users",
    params(
        ("user_id" = String, Path, description = "The ID of the user", example = "user_2AlicexBGaRy7HSnjHcaZabMn26"),
        ("limit" = Option<i64>, Query, description = "At most this many (1 to 500, default 10)", minimum = 1, maximum = 500),
        ("offset" = Option<i64>, Query, description = "Skip this many (default 0)", minimum = 0),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = OrganizationMembershipsBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 403, description = "Organizations are off (only on demand, with `Prefer: code=403`)", body = crate::error::ClerkErrors),
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[get(
    "/v1/users/{user_id}/organization_memberships",
    wrap = "USERS_GET_ORGANIZATION_MEMBERSHIPS.stages()"
)]
pub async fn user_memberships(
    caller: Caller,
    user_id: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::parse(request.query_string())?;
    let answer = UserId::parse(&user_id)
        .and_then(|id| {
            caller
                .instance
                .user_memberships(id, page.bounds(), |user, memberships, total| {
                    OrganizationMembershipsBody {
                        data: memberships
                            .into_iter()
                            .map(|(membership, organization)| {
                                OrganizationMembershipBody::new(membership, organization, user)
                            })
                            .collect(),
                        total_count: u64::try_from(total).unwrap_or(u64::MAX),
                    }
                })
        })
        .ok_or_else(|| user_not_found(&user_id))?;
    Ok(json_ok(&answer))
}

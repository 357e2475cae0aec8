//! The queries of the organization lists: organizations, an organization's memberships, and a
//! user's memberships. Every bad parameter is reported, each once, in one 422.

use utoipa::IntoParams;

use super::query::for_each_pair;
use super::query_parts::{Page, Problems, flag, gather};
use super::user_query::{FilterValue, MAX_FILTER_VALUES, signed, sorted_by, substring};
use crate::domain::{OrganizationId, UserId};
use crate::error::{ApiError, ParamProblem};
use crate::store::organizations::{OrganizationFilter, OrganizationOrder, OrganizationOrderField};
use crate::store::users::Signed;

/// The parameters of `GET /v1/organizations`, for the document.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "describes the query in the OpenAPI document")]
pub struct OrganizationListParams {
    /// Adds each organization's `members_count`.
    include_members_count: Option<bool>,
    /// Adds `missing_member_with_elevated_permissions` (always `false` here: every
    /// organization's members may hold any role).
    include_missing_member_with_elevated_permissions: Option<bool>,
    /// The id exactly, or a part of the name or slug, whatever the case.
    query: Option<String>,
    /// Organizations any of these users belongs to; `-user_...` leaves out those of that
    /// user. Repeatable, at most 100.
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    user_id: Option<Vec<String>>,
    /// These organizations; `-org_...` leaves one out. Repeatable, at most 100.
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    organization_id: Option<Vec<String>>,
    /// `name`, `created_at` or `members_count`, with `+` (default) or `-`; default
    /// `-created_at`.
    #[param(
        example = "-created_at",
        pattern = "^[-+ ]?(name|created_at|members_count)$"
    )]
    order_by: Option<String>,
    #[param(minimum = 1, maximum = 500, default = 10)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

/// What `GET /v1/organizations` asks for.
#[derive(Debug, Default)]
pub struct OrganizationsQuery {
    pub filter: OrganizationFilter,
    /// `user_id` values kept and left out.
    pub users: Signed<Option<UserId>>,
    pub order: OrganizationOrder,
    pub page: Page,
    pub include_members_count: bool,
    pub include_missing_member: bool,
}

impl OrganizationsQuery {
    pub fn parse(query_string: &str) -> Result<Self, ApiError> {
        let mut query = Self::default();
        let mut lists = Vec::new();
        let mut order_by: Option<String> = None;
        let mut problems = Problems::default();
        for_each_pair(query_string, |name, value| {
            let outcome = match name {
                "user_id" | "organization_id" => gather(&mut lists, name, value),
                "query" => {
                    query.filter.query = substring(value);
                    Ok(())
                }
                "include_members_count" => {
                    flag(name, value).map(|on| query.include_members_count = on)
                }
                "include_missing_member_with_elevated_permissions" => {
                    flag(name, value).map(|on| query.include_missing_member = on)
                }
                "order_by" => {
                    order_by.get_or_insert_with(|| value.to_owned());
                    Ok(())
                }
                _ => query.page.read(name, value).unwrap_or(Ok(())),
            };
            problems.note(outcome);
        });
        for (name, values) in lists {
            if values.len() > MAX_FILTER_VALUES {
                problems.note(Err(ParamProblem::too_many_values(&name, MAX_FILTER_VALUES)));
            } else if name == "user_id" {
                query.users = signed(&values, UserId::parse);
            } else {
                query.filter.organization_ids = signed(&values, OrganizationId::parse);
            }
        }
        if let Some(order_by) = order_by {
            match sorted_by(&order_by, &OrganizationOrderField::ALL) {
                Some((field, descending)) => query.order = OrganizationOrder { field, descending },
                None => problems.note(Err(ParamProblem::invalid_value(
                    "order_by",
                    "must be name, created_at or members_count, with + or -",
                ))),
            }
        }
        problems.finish(query)
    }
}

/// The fields memberships sort by, as `order_by` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberOrderField {
    CreatedAt,
    FirstName,
    LastName,
    EmailAddress,
    PhoneNumber,
    Username,
}

impl MemberOrderField {
    pub const ALL: [(&'static str, Self); 6] = [
        ("created_at", Self::CreatedAt),
        ("first_name", Self::FirstName),
        ("last_name", Self::LastName),
        ("email_address", Self::EmailAddress),
        ("phone_number", Self::PhoneNumber),
        ("username", Self::Username),
    ];
}

/// The parameters of `GET /v1/organizations/{organization_id}/memberships`, for the document.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "describes the query in the OpenAPI document")]
pub struct MembershipListParams {
    /// Members holding any of these roles, such as `org:admin`. Repeatable, at most 100.
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    role: Option<Vec<String>>,
    /// These members; `-user_...` leaves one out. Repeatable, at most 100.
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    user_id: Option<Vec<String>>,
    /// Members with any of these email addresses, whatever the case. Repeatable.
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    email_address: Option<Vec<String>>,
    /// A part of the member's email addresses, phone numbers, username, id or names.
    query: Option<String>,
    /// `created_at` (of the membership), `first_name`, `last_name`, `email_address`,
    /// `phone_number` or `username`, with `+` (default) or `-`; newest membership first by
    /// default.
    #[param(
        example = "-created_at",
        pattern = "^[-+ ]?(created_at|first_name|last_name|email_address|phone_number|username)$"
    )]
    order_by: Option<String>,
    #[param(minimum = 1, maximum = 500, default = 10)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

/// What `GET /v1/organizations/{organization_id}/memberships` asks for.
#[derive(Debug, Default)]
pub struct MembershipsQuery {
    pub roles: Option<Vec<String>>,
    pub users: Signed<Option<UserId>>,
    /// Lower-cased.
    pub email_addresses: Option<Vec<String>>,
    pub query: Option<String>,
    /// The field and whether descending; `None`: newest membership first.
    pub order: Option<(MemberOrderField, bool)>,
    pub page: Page,
}

impl MembershipsQuery {
    pub fn parse(query_string: &str) -> Result<Self, ApiError> {
        let mut query = Self::default();
        let mut lists = Vec::new();
        let mut order_by: Option<String> = None;
        let mut problems = Problems::default();
        for_each_pair(query_string, |name, value| {
            let outcome = match name {
                "role" | "user_id" | "email_address" => gather(&mut lists, name, value),
                "query" => {
                    query.query = substring(value);
                    Ok(())
                }
                "order_by" => {
                    order_by.get_or_insert_with(|| value.to_owned());
                    Ok(())
                }
                _ => query.page.read(name, value).unwrap_or(Ok(())),
            };
            problems.note(outcome);
        });
        for (name, values) in lists {
            if values.len() > MAX_FILTER_VALUES {
                problems.note(Err(ParamProblem::too_many_values(&name, MAX_FILTER_VALUES)));
                continue;
            }
            match name.as_str() {
                "role" => query.roles = Some(values),
                "user_id" => query.users = signed(&values, UserId::parse),
                _ => {
                    query.email_addresses =
                        Some(values.iter().map(|value| value.to_lowercase()).collect());
                }
            }
        }
        if let Some(order_by) = order_by {
            match sorted_by(&order_by, &MemberOrderField::ALL) {
                Some(order) => query.order = Some(order),
                None => problems.note(Err(ParamProblem::invalid_value(
                    "order_by",
                    "must be a field memberships sort by, such as -created_at",
                ))),
            }
        }
        problems.finish(query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::param_problems;

    #[test]
    fn organization_lists_read_signed_ids_orders_and_flags() {
        let query = OrganizationsQuery::parse(
            "user_id=user_2AlicexBGaRy7HSnjHcaZabMn26&organization_id=-org_2Acmet3kU1slpIuojlEroXRG9xb&order_by=-name&include_members_count=true&limit=5",
        )
        .expect("valid");
        assert!(query.users.include.is_some());
        assert_eq!(query.filter.organization_ids.exclude.len(), 1);
        assert_eq!(query.order.field, OrganizationOrderField::Name);
        assert!(query.order.descending);
        assert!(query.include_members_count);
        assert_eq!(query.page.limit, 5);
        let names: Vec<String> = param_problems(OrganizationsQuery::parse(
            "order_by=nope&limit=0&include_members_count=yes&user_id=",
        ))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
        assert_eq!(
            names,
            ["limit", "include_members_count", "user_id", "order_by"]
        );
    }

    #[test]
    fn membership_lists_read_roles_and_orders() {
        let query =
            MembershipsQuery::parse("role=org:admin&order_by=+first_name&offset=2").expect("valid");
        assert_eq!(query.roles, Some(vec!["org:admin".to_owned()]));
        assert_eq!(query.order, Some((MemberOrderField::FirstName, false)));
        assert_eq!(query.page.offset, 2);
        assert!(MembershipsQuery::parse("order_by=phone").is_err());
        assert!(Page::parse("limit=501").is_err());
    }
}

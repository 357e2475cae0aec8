//! The query of the user list and count: every documented filter, read by hand so that each bad
//! value gets Clerk's own error naming its parameter, and every bad parameter is reported at once.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::list_query::integer;
use super::query::for_each_pair;
use super::query_parts::{Page, Problems, flag, gather};
use crate::domain::{OrganizationId, UserId};
use crate::error::{ApiError, ParamProblem};
use crate::store::users::{Signed, UserFilter, UserOrder, UserOrderField};

/// The most values a filter takes.
pub const MAX_FILTER_VALUES: usize = 100;

/// The filters of `GET /v1/users` and `GET /v1/users/count`. A filter repeats to give several
/// values (`email_address=a@x.com&email_address=b@x.com`): users matching any of them are kept,
/// and different filters apply together. Values that match nothing are ignored. Unknown
/// parameters are ignored.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "documents the parameters UsersQuery reads by hand"
)]
pub struct UserFilterParams {
    /// Users with any of these email addresses (exact, without case). At most 100.
    #[param(example = json!(["alice@example.com"]))]
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    email_address: Option<Vec<String>>,
    /// Users with any of these phone numbers (exact, E.164). At most 100.
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    phone_number: Option<Vec<String>>,
    /// Users with any of these external ids. Prefix a value with `-` to leave those out (`+`,
    /// percent-encoded as `%2B`, keeps them). At most 100.
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    external_id: Option<Vec<String>>,
    /// Users with any of these usernames (exact). At most 100.
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    username: Option<Vec<String>>,
    /// Users with any of these web3 wallets. At most 100.
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    web3_wallet: Option<Vec<String>>,
    /// Users with any of these ids; `-` leaves an id out, `+` keeps it. At most 100.
    #[param(example = json!(["user_2AlicexBGaRy7HSnjHcaZabMn26"]))]
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    user_id: Option<Vec<String>>,
    /// Users who are members of any of these organizations; `-` leaves their members out.
    /// At most 100.
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    organization_id: Option<Vec<String>>,
    /// An OAuth provider, such as `oauth_google`; needs `provider_user_id`.
    provider: Option<String>,
    /// Users with these ids at `provider`. At most 100.
    #[param(value_type = Option<Vec<FilterValue>>, inline, max_items = 100)]
    provider_user_id: Option<Vec<String>>,
    /// A case-insensitive part of any email address, phone number, username, id, first or last
    /// name.
    query: Option<String>,
    /// A case-insensitive part of an email address.
    email_address_query: Option<String>,
    /// A case-insensitive part of a phone number.
    phone_number_query: Option<String>,
    /// A case-insensitive part of a username.
    username_query: Option<String>,
    /// A case-insensitive part of the first name, the last name, or both.
    name_query: Option<String>,
    /// `true` keeps banned users only, `false` the others.
    banned: Option<bool>,
    /// Users last active before this day (Unix milliseconds).
    last_active_at_before: Option<i64>,
    /// Users last active after this day (Unix milliseconds).
    last_active_at_after: Option<i64>,
    /// Deprecated: `last_active_at_after`.
    #[deprecated = "use last_active_at_after"]
    last_active_at_since: Option<i64>,
    /// Users created before this time (Unix milliseconds).
    created_at_before: Option<i64>,
    /// Users created after this time (Unix milliseconds).
    created_at_after: Option<i64>,
    /// Users whose newest session started before this time (Unix milliseconds).
    last_sign_in_at_before: Option<i64>,
    /// Users whose newest session started after this time (Unix milliseconds).
    last_sign_in_at_after: Option<i64>,
}

/// How `GET /v1/users` pages and sorts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "documents the parameters UsersQuery reads by hand"
)]
pub struct UserPageParams {
    /// How many users to return.
    #[param(minimum = 1, maximum = 500, default = 10)]
    limit: Option<u16>,
    /// How many users to skip.
    #[param(minimum = 0, default = 0)]
    offset: Option<u64>,
    /// The field to sort by, `+` (the default) or `-` before it for the direction: one of
    /// `created_at`, `updated_at`, `email_address`, `web3wallet`, `first_name`, `last_name`,
    /// `phone_number`, `username`, `last_active_at`, `last_sign_in_at`. Default `-created_at`
    /// (newest first); the first `order_by` given counts.
    #[param(example = "-created_at")]
    order_by: Option<String>,
    /// The id of the last user of the previous page, to start after it; only in creation
    /// order, and without `offset`.
    starting_after: Option<String>,
}

/// In the document, a value of a repeatable filter: a string that may not be empty.
pub(super) struct FilterValue;

impl utoipa::PartialSchema for FilterValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .into()
    }
}

impl ToSchema for FilterValue {}

/// What a user list or count asks for.
#[derive(Debug, Default)]
pub struct UsersQuery {
    pub filter: UserFilter,
    pub order: UserOrder,
    pub page: Page,
    pub starting_after: Option<String>,
}

/// Whether the query pages and sorts (the list) or only filters (the count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    List,
    Count,
}

impl UsersQuery {
    /// Parses a raw query string.
    pub fn parse(query_string: &str, reading: Reading) -> Result<Self, ApiError> {
        let mut query = Self::default();
        let mut lists: Vec<(String, Vec<String>)> = Vec::new();
        let mut problems = Problems::default();
        let mut order_by: Option<String> = None;
        let mut provider: Option<String> = None;
        let mut last_active_since: Option<i64> = None;
        let read = |name: &str, value: &str| {
            let filter = &mut query.filter;
            let outcome = match name {
                "email_address" | "phone_number" | "external_id" | "username" | "web3_wallet"
                | "user_id" | "organization_id" | "provider_user_id" => {
                    gather(&mut lists, name, value)
                }
                "query" => {
                    filter.query = substring(value);
                    Ok(())
                }
                "email_address_query" => {
                    filter.email_address_query = substring(value);
                    Ok(())
                }
                "phone_number_query" => {
                    filter.phone_number_query = substring(value);
                    Ok(())
                }
                "username_query" => {
                    filter.username_query = substring(value);
                    Ok(())
                }
                "name_query" => {
                    filter.name_query = substring(value);
                    Ok(())
                }
                "provider" if value.is_empty() => {
                    Err(ParamProblem::invalid_value(name, "must not be empty"))
                }
                "provider" => {
                    provider = Some(value.to_owned());
                    Ok(())
                }
                "banned" => flag(name, value).map(|banned| filter.banned = Some(banned)),
                "created_at_before" => {
                    integer(name, value).map(|at| filter.created.before = Some(at))
                }
                "created_at_after" => {
                    integer(name, value).map(|at| filter.created.after = Some(at))
                }
                "last_active_at_before" => {
                    integer(name, value).map(|at| filter.last_active.before = Some(at))
                }
                "last_active_at_after" => {
                    integer(name, value).map(|at| filter.last_active.after = Some(at))
                }
                "last_active_at_since" => {
                    integer(name, value).map(|at| last_active_since = Some(at))
                }
                "last_sign_in_at_before" => {
                    integer(name, value).map(|at| filter.last_sign_in.before = Some(at))
                }
                "last_sign_in_at_after" => {
                    integer(name, value).map(|at| filter.last_sign_in.after = Some(at))
                }
                "order_by" if reading == Reading::List => {
                    order_by.get_or_insert_with(|| value.to_owned());
                    Ok(())
                }
                "starting_after" if reading == Reading::List => {
                    query.starting_after = Some(value.to_owned());
                    Ok(())
                }
                _ if reading == Reading::List => query.page.read(name, value).unwrap_or(Ok(())),
                _ => Ok(()),
            };
            problems.note(outcome);
        };
        for_each_pair(query_string, read);

        for (name, values) in lists {
            if values.len() > MAX_FILTER_VALUES {
                problems.push(ParamProblem::too_many_values(&name, MAX_FILTER_VALUES));
                continue;
            }
            let filter = &mut query.filter;
            match name.as_str() {
                "email_address" => filter.email_addresses = Some(values),
                "phone_number" => filter.phone_numbers = Some(values),
                "username" => filter.usernames = Some(values),
                "web3_wallet" => filter.web3_wallets = Some(values),
                "provider_user_id" => filter.provider_user_ids = Some(values),
                "external_id" => filter.external_ids = signed(&values, |value| value.to_owned()),
                "user_id" => filter.user_ids = signed(&values, UserId::parse),
                _ => filter.organization_ids = signed(&values, OrganizationId::parse),
            }
        }
        match (&provider, &query.filter.provider_user_ids) {
            (Some(_), None) => problems.push(ParamProblem::missing("provider_user_id")),
            (None, Some(_)) => problems.push(ParamProblem::missing("provider")),
            _ => {}
        }
        if query.filter.last_active.after.is_none() {
            query.filter.last_active.after = last_active_since;
        }
        if let Some(order_by) = order_by {
            match parse_order(&order_by) {
                Some(order) => query.order = order,
                None => problems.push(ParamProblem::invalid_value(
                    "order_by",
                    "must be a field users sort by, such as -created_at",
                )),
            }
        }
        if query.starting_after.is_some() {
            if query.order.field != UserOrderField::CreatedAt {
                problems.push(ParamProblem::invalid_value(
                    "starting_after",
                    "can only be used when ordering by created_at",
                ));
            }
            if query.page.offset != 0 {
                problems.push(ParamProblem::invalid_value(
                    "starting_after",
                    "cannot be used together with offset",
                ));
            }
        }
        problems.finish(query)
    }
}

/// A `*_query` value, lower-cased; an empty one filters nothing.
pub(super) fn substring(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_lowercase())
}

/// Values kept and left out by their `+`/`-` prefix; a `+` that arrived unescaped reads as a
/// space and keeps too.
pub(super) fn signed<T>(values: &[String], parse: impl Fn(&str) -> T) -> Signed<T> {
    let mut signed = Signed::default();
    for value in values {
        if let Some(left_out) = value.strip_prefix('-') {
            signed.exclude.push(parse(left_out));
        } else {
            let kept = value.strip_prefix(['+', ' ']).unwrap_or(value);
            signed
                .include
                .get_or_insert_with(Vec::new)
                .push(parse(kept));
        }
    }
    signed
}

fn parse_order(order_by: &str) -> Option<UserOrder> {
    let (field, descending) = sorted_by(order_by, &UserOrderField::ALL)?;
    Some(UserOrder { field, descending })
}

/// The field an `order_by` value names among `fields`, and whether it is descending (a `-`
/// prefix; `+`, or a `+` that arrived as a space, ascending).
pub(super) fn sorted_by<F: Copy>(order_by: &str, fields: &[(&str, F)]) -> Option<(F, bool)> {
    let (descending, field) = match order_by.as_bytes().first() {
        Some(b'-') => (true, &order_by[1..]),
        Some(b'+' | b' ') => (false, &order_by[1..]),
        _ => (false, order_by),
    };
    fields
        .iter()
        .find(|(name, _)| *name == field)
        .map(|(_, field)| (*field, descending))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ParamProblemKind, param_problems};

    fn problems(query: &str) -> Vec<(String, ParamProblemKind)> {
        param_problems(UsersQuery::parse(query, Reading::List))
    }

    #[test]
    fn repeated_filters_gather_their_values_and_signs_split_them() {
        let query = UsersQuery::parse(
            "email_address=a%40x.com&email_address=b%40x.com&user_id=%2Buser_2AlicexBGaRy7HSnjHcaZabMn26&user_id=-user_2BobJZrdAIU6kShB4Ir5nvFTMPp&order_by=-username&order_by=first_name",
            Reading::List,
        )
        .expect("parses");
        assert_eq!(
            query.filter.email_addresses,
            Some(vec!["a@x.com".to_owned(), "b@x.com".to_owned()])
        );
        assert_eq!(
            query.filter.user_ids.include.as_ref().map(Vec::len),
            Some(1)
        );
        assert_eq!(query.filter.user_ids.exclude.len(), 1);
        assert_eq!(
            query.order,
            UserOrder {
                field: UserOrderField::Username,
                descending: true
            }
        );
    }

    #[test]
    fn bad_values_are_each_named() {
        let found = problems("limit=0&offset=-1&email_address=&order_by=height&banned=maybe");
        let params: Vec<&str> = found.iter().map(|(param, _)| param.as_str()).collect();
        for param in ["limit", "offset", "email_address", "order_by", "banned"] {
            assert!(params.contains(&param), "{param} in {params:?}");
        }
        let many: String = (0..101).map(|n| format!("username=u{n}&")).collect();
        assert_eq!(
            problems(&many),
            [("username".to_owned(), ParamProblemKind::TooManyValues(100))]
        );
        assert_eq!(
            problems("provider=oauth_google"),
            [("provider_user_id".to_owned(), ParamProblemKind::Missing)]
        );
        assert_eq!(problems("starting_after=user_x&offset=3").len(), 1);
    }

    #[test]
    fn the_count_ignores_paging_and_order() {
        let query =
            UsersQuery::parse("limit=0&order_by=height&offset=x", Reading::Count).expect("ignored");
        assert_eq!(query.order, UserOrder::default());
    }
}

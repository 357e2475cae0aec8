//! The list operation's query: parsed by hand so that every bad value gets Clerk's own error,
//! with the parameter named, and all bad parameters are reported at once.

use serde::Deserialize;
use utoipa::IntoParams;

use super::query::for_each_pair;
use crate::domain::StatusFilter;
use crate::error::{ApiError, ParamProblem};

pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 500;

/// Query parameters of `GET /v1/sessions`. Unknown parameters are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListSessionsQuery {
    /// List sessions for the given client.
    #[param(example = "client_2AliceLaptopQnpx7G6EtpIb7Vz", min_length = 1)]
    pub client_id: Option<String>,
    /// List sessions for the given user.
    #[param(example = "user_2AlicexBGaRy7HSnjHcaZabMn26", min_length = 1)]
    pub user_id: Option<String>,
    /// Filter sessions by the provided status.
    #[param(inline)]
    pub status: Option<StatusFilter>,
    /// Whether to paginate the results: `true` answers `{"data": [...], "total_count": N}`,
    /// otherwise a bare array.
    pub paginated: Option<bool>,
    /// Applies a limit to the number of results returned. Can be used for paginating the
    /// results together with `offset`.
    #[param(minimum = 1, maximum = 500, default = 10)]
    pub limit: Option<u16>,
    /// Skip the first `offset` results when paginating. Needs to be an integer greater or
    /// equal to zero. To be used in conjunction with `limit`.
    #[param(minimum = 0, default = 0)]
    pub offset: Option<u64>,
}

impl ListSessionsQuery {
    /// Parses a raw query string; the last value of a repeated parameter wins.
    pub fn parse(query_string: &str) -> Result<Self, ApiError> {
        let mut query = Self::default();
        let mut problems: Vec<ParamProblem> = Vec::new();
        let read = |name: &str, value: &str| {
            let outcome = match name {
                "client_id" => id_value(name, value).map(|id| query.client_id = Some(id)),
                "user_id" => id_value(name, value).map(|id| query.user_id = Some(id)),
                "status" => StatusFilter::parse(value)
                    .map(|status| query.status = Some(status))
                    .ok_or_else(|| {
                        ParamProblem::invalid_value(
                            name,
                            "must be one of abandoned, active, ended, expired, removed, replaced, revoked",
                        )
                    }),
                "paginated" => match value {
                    "true" => Ok(true),
                    "false" => Ok(false),
                    _ => Err(ParamProblem::invalid_value(name, "must be true or false")),
                }
                .map(|paginated| query.paginated = Some(paginated)),
                "limit" => integer(name, value)
                    .and_then(|limit| {
                        u16::try_from(limit)
                            .ok()
                            .filter(|limit| (1..=MAX_LIMIT).contains(&usize::from(*limit)))
                            .ok_or_else(|| {
                                ParamProblem::invalid_value(name, "must be between 1 and 500")
                            })
                    })
                    .map(|limit| query.limit = Some(limit)),
                "offset" => integer(name, value)
                    .and_then(|offset| {
                        u64::try_from(offset).map_err(|_| {
                            ParamProblem::invalid_value(name, "must be greater than or equal to 0")
                        })
                    })
                    .map(|offset| query.offset = Some(offset)),
                _ => Ok(()),
            };
            if let Err(problem) = outcome {
                problems.retain(|earlier| earlier.param != problem.param);
                problems.push(problem);
            }
        };
        for_each_pair(query_string, read);
        if problems.is_empty() {
            Ok(query)
        } else {
            Err(ApiError::InvalidParams(problems))
        }
    }

    pub fn limit(&self) -> usize {
        self.limit.map_or(DEFAULT_LIMIT, usize::from)
    }

    pub fn offset(&self) -> usize {
        self.offset
            .map_or(0, |offset| usize::try_from(offset).unwrap_or(usize::MAX))
    }
}

fn id_value(name: &str, value: &str) -> Result<String, ParamProblem> {
    if value.is_empty() {
        Err(ParamProblem::invalid_value(name, "must not be empty"))
    } else {
        Ok(value.to_owned())
    }
}

/// An integer, telling a non-number (wrong type) from a number out of any range (wrong value).
pub(super) fn integer(name: &str, value: &str) -> Result<i64, ParamProblem> {
    if value.is_empty() {
        return Err(ParamProblem::invalid_value(name, "must not be empty"));
    }
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ParamProblem::invalid_type(name, "an integer"));
    }
    value
        .parse()
        .map_err(|_| ParamProblem::invalid_value(name, "is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ParamProblemKind, param_problems};

    fn problems(query: &str) -> Vec<(String, ParamProblemKind)> {
        param_problems(ListSessionsQuery::parse(query))
    }

    #[test]
    fn defaults_apply_when_nothing_is_given() {
        let query = ListSessionsQuery::parse("").expect("valid");
        assert_eq!((query.limit(), query.offset()), (10, 0));
    }

    #[test]
    fn boundaries_are_accepted() {
        let query =
            ListSessionsQuery::parse("limit=500&offset=0&user_id=u&paginated=true").expect("valid");
        assert_eq!(query.limit(), 500);
        assert_eq!(query.paginated, Some(true));
        assert_eq!(
            ListSessionsQuery::parse("limit=1").map(|q| q.limit()).ok(),
            Some(1)
        );
    }

    #[test]
    fn out_of_range_and_empty_values_are_invalid_values() {
        for (query, param) in [
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("limit=", "limit"),
            ("limit=99999999999999999999", "limit"),
            ("offset=-1", "offset"),
            ("status=ACTIVE", "status"),
            ("status=pending", "status"),
            ("status=", "status"),
            ("user_id=", "user_id"),
            ("client_id=", "client_id"),
            ("paginated=maybe", "paginated"),
        ] {
            let found = problems(query);
            assert_eq!(found.len(), 1, "{query}");
            assert_eq!(found[0].0, param, "{query}");
            assert!(
                matches!(found[0].1, ParamProblemKind::InvalidValue(_)),
                "{query}"
            );
        }
    }

    #[test]
    fn non_numbers_are_invalid_types() {
        for query in ["limit=abc", "limit=1.5", "offset=-", "offset=1e3"] {
            assert!(
                matches!(problems(query)[0].1, ParamProblemKind::InvalidType(_)),
                "{query}"
            );
        }
    }

    #[test]
    fn every_bad_parameter_is_reported() {
        let params: Vec<_> = problems("limit=0&offset=-1&status=x")
            .into_iter()
            .map(|(param, _)| param)
            .collect();
        assert_eq!(params, ["limit", "offset", "status"]);
    }

    #[test]
    fn unknown_parameters_are_ignored_and_the_last_value_wins() {
        let query = ListSessionsQuery::parse("foo=bar&limit=5&limit=7").expect("valid");
        assert_eq!(query.limit(), 7);
    }
}

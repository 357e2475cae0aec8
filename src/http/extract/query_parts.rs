//! The pieces the hand-read list queries share: a page, repeatable filters, flags, and the
//! problems every bad parameter adds to one 422.

use super::list_query::{DEFAULT_LIMIT, MAX_LIMIT, integer};
use super::query::for_each_pair;
use crate::error::{ApiError, ParamProblem};

/// A page: `limit` (1 to 500, default 10) and `offset` (0 or more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: usize,
    pub offset: usize,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

impl Page {
    /// Reads `limit` or `offset`; `None` for any other parameter.
    pub fn read(&mut self, name: &str, value: &str) -> Option<Result<(), ParamProblem>> {
        match name {
            "limit" => Some(integer(name, value).and_then(|limit| {
                usize::try_from(limit)
                    .ok()
                    .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                    .map(|limit| self.limit = limit)
                    .ok_or_else(|| ParamProblem::invalid_value(name, "must be between 1 and 500"))
            })),
            "offset" => Some(integer(name, value).and_then(|offset| {
                usize::try_from(offset)
                    .map(|offset| self.offset = offset)
                    .map_err(|_| {
                        ParamProblem::invalid_value(name, "must be greater than or equal to 0")
                    })
            })),
            _ => None,
        }
    }

    /// The page as `(offset, limit)`.
    pub fn bounds(self) -> (usize, usize) {
        (self.offset, self.limit)
    }

    /// A query with only a page (`GET /v1/users/{user_id}/organization_memberships`).
    pub fn parse(query_string: &str) -> Result<Self, ApiError> {
        let mut page = Self::default();
        let mut problems = Problems::default();
        for_each_pair(query_string, |name, value| {
            if let Some(outcome) = page.read(name, value) {
                problems.note(outcome);
            }
        });
        problems.finish(page)
    }
}

/// The problems of one query, one per parameter (the last value's).
#[derive(Debug, Default)]
pub struct Problems(Vec<ParamProblem>);

impl Problems {
    /// Keeps the problem of `outcome`, if any, in place of an earlier one of its parameter.
    pub fn note(&mut self, outcome: Result<(), ParamProblem>) {
        if let Err(problem) = outcome {
            self.0.retain(|earlier| earlier.param != problem.param);
            self.0.push(problem);
        }
    }

    /// Adds `problem` beside any earlier one of its parameter.
    pub fn push(&mut self, problem: ParamProblem) {
        self.0.push(problem);
    }

    /// `value`, or one 422 with every problem noted.
    pub fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::InvalidParams(self.0))
        }
    }
}

/// Reads `true` or `false`.
pub fn flag(name: &str, value: &str) -> Result<bool, ParamProblem> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ParamProblem::invalid_value(name, "must be true or false")),
    }
}

/// Adds `value` to the repeated parameter `name`; an empty value is refused.
pub fn gather(
    lists: &mut Vec<(String, Vec<String>)>,
    name: &str,
    value: &str,
) -> Result<(), ParamProblem> {
    if value.is_empty() {
        return Err(ParamProblem::invalid_value(name, "must not be empty"));
    }
    match lists.iter_mut().find(|(list, _)| list == name) {
        Some((_, values)) => values.push(value.to_owned()),
        None => lists.push((name.to_owned(), vec![value.to_owned()])),
    }
    Ok(())
}

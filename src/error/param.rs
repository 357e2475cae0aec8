//! What is wrong with one request parameter (query, body or header), and the Clerk error that
//! says so, with `meta.param_name`.

use super::{ClerkError, param_meta};

/// What is wrong with one request parameter (query, body or header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamProblem {
    pub param: String,
    pub kind: ParamProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamProblemKind {
    /// Present but not an allowed value; the text says which values are.
    InvalidValue(String),
    /// Not of the parameter's type; the text names the type.
    InvalidType(&'static str),
    Missing,
    Unknown,
    /// More values than the parameter takes.
    TooManyValues(usize),
    /// Not in the parameter's format; the text says which.
    FormatInvalid(String),
    /// An identifier another user already holds.
    Taken,
    /// Larger than the parameter's bound; the text says by how much.
    TooLarge(String),
    /// An array that must have as many items as another one; the text names it.
    LengthMismatch(&'static str),
    /// Not an RFC 3339 time.
    InvalidTime,
    /// A password shorter than the bound.
    PasswordTooShort(usize),
}

/// The parameters and problems of a 422 `result`, for the tests of the parsers that report
/// them; anything else fails the test.
#[cfg(test)]
pub fn param_problems<T: std::fmt::Debug>(
    result: Result<T, super::ApiError>,
) -> Vec<(String, ParamProblemKind)> {
    match result {
        Err(super::ApiError::InvalidParams(problems)) => problems
            .into_iter()
            .map(|problem| (problem.param, problem.kind))
            .collect(),
        other => panic!("expected invalid params, got {other:?}"),
    }
}

impl ParamProblem {
    pub fn invalid_value(param: &str, expected: impl Into<String>) -> Self {
        Self {
            param: param.to_owned(),
            kind: ParamProblemKind::InvalidValue(expected.into()),
        }
    }

    pub fn invalid_type(param: &str, expected: &'static str) -> Self {
        Self {
            param: param.to_owned(),
            kind: ParamProblemKind::InvalidType(expected),
        }
    }

    pub fn too_many_values(param: &str, most: usize) -> Self {
        Self {
            param: param.to_owned(),
            kind: ParamProblemKind::TooManyValues(most),
        }
    }

    pub fn with_kind(param: &str, kind: ParamProblemKind) -> Self {
        Self {
            param: param.to_owned(),
            kind,
        }
    }

    pub fn missing(param: &str) -> Self {
        Self {
            param: param.to_owned(),
            kind: ParamProblemKind::Missing,
        }
    }

    pub fn unknown(param: &str) -> Self {
        Self {
            param: param.to_owned(),
            kind: ParamProblemKind::Unknown,
        }
    }

    pub(super) fn to_error(&self) -> ClerkError {
        let param = &self.param;
        let (code, message, long_message) = match &self.kind {
            ParamProblemKind::InvalidValue(expected) => (
                "form_param_value_invalid",
                "is invalid",
                format!("{param} is invalid: {expected}."),
            ),
            ParamProblemKind::InvalidType(expected) => (
                "form_param_type_invalid",
                "is of the wrong type",
                format!("{param} must be {expected}."),
            ),
            ParamProblemKind::Missing => (
                "form_param_missing",
                "is missing",
                format!("{param} must be included."),
            ),
            ParamProblemKind::Unknown => (
                "form_param_unknown",
                "is unknown",
                format!("{param} is not a valid parameter for this request."),
            ),
            ParamProblemKind::TooManyValues(most) => (
                "form_param_array_size_exceeded",
                "too many values",
                format!("{param} should not exceed {most} items."),
            ),
            ParamProblemKind::FormatInvalid(expected) => (
                "form_param_format_invalid",
                "is invalid",
                format!("{param} {expected}."),
            ),
            ParamProblemKind::Taken => (
                "form_identifier_exists",
                "That identifier is taken",
                format!("That {param} is taken. Please try another."),
            ),
            ParamProblemKind::TooLarge(detail) => (
                "form_param_exceeds_allowed_size",
                "exceeds allowed size",
                format!("{param} exceeds the allowed size: {detail}."),
            ),
            ParamProblemKind::LengthMismatch(other) => (
                "form_param_array_length_mismatch",
                "array length mismatch",
                format!("{param} must have exactly one item per {other}."),
            ),
            ParamProblemKind::InvalidTime => (
                "form_param_invalid_time",
                "is not a valid time",
                format!("{param} must be a time in RFC 3339 format, such as 2024-01-31T12:00:00Z."),
            ),
            ParamProblemKind::PasswordTooShort(fewest) => (
                "form_password_length_too_short",
                "Passwords must be 8 characters or more.",
                format!("{param} must be at least {fewest} characters long."),
            ),
        };
        ClerkError {
            message: message.to_owned(),
            long_message,
            code: code.to_owned(),
            meta: Some(param_meta(param)),
        }
    }
}

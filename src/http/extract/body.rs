//! Request bodies of POST operations: absent, empty, `null`, a JSON object or form data.
//!
//! The SDKs differ (the JS SDK sends no body, the Python SDK `{}`, clerk-rs `null`), and `curl -d`
//! sends form data; all of them are read into the same fields.

use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

use crate::error::{ApiError, ParamProblem};

/// The most any API request body may hold; larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A request body type: the type that documents a body in the spec is the one that reads it.
pub trait FromBody: Sized {
    /// The type, from a body's fields: every bad field is reported, in one 422 error.
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError>;

    /// The type, from a body as it came (JSON or form data, see [`BodyFields::parse`]).
    fn from_body(request: &HttpRequest, bytes: &[u8]) -> Result<Self, ApiError> {
        Self::from_fields(&BodyFields::parse(request, bytes)?)
    }
}

/// The fields of a request body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BodyFields {
    fields: Map<String, Value>,
    /// Form values are all text; typed fields parse them.
    from_form: bool,
}

impl BodyFields {
    /// Reads `bytes` as form data when the request says so, as JSON otherwise.
    pub fn parse(request: &HttpRequest, bytes: &[u8]) -> Result<Self, ApiError> {
        let is_form = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        if is_form {
            let fields = form_urlencoded::parse(bytes)
                .map(|(name, value)| (name.into_owned(), Value::String(value.into_owned())))
                .collect();
            return Ok(Self {
                fields,
                from_form: true,
            });
        }
        Self::parse_json(bytes)
    }

    /// Reads `bytes` as a JSON object (absent, empty and `null` read as no fields). Needs no
    /// request, so that a large body can be read off the event loop.
    pub fn parse_json(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        match serde_json::from_slice(bytes) {
            Ok(Value::Null) => Ok(Self::default()),
            Ok(Value::Object(fields)) => Ok(Self {
                fields,
                from_form: false,
            }),
            Ok(_) => Err(ApiError::MalformedBody(
                "the body must be a JSON object".to_owned(),
            )),
            Err(error) => Err(ApiError::MalformedBody(error.to_string())),
        }
    }

    /// Every field as given.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// A field as given, whatever its type; `null` counts as absent.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|value| !value.is_null())
    }

    /// A text field; `null` counts as absent.
    pub fn string(&self, name: &str) -> Result<Option<&str>, ParamProblem> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(ParamProblem::invalid_type(name, "a string")),
        }
    }

    /// An integer field; `null` counts as absent.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, ParamProblem> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            // JSON has one number type: 60.0 is the integer 60, as JSON Schema sees it.
            Some(Value::Number(number)) => number
                .as_i64()
                .or_else(|| {
                    number
                        .as_f64()
                        .filter(|value| value.fract() == 0.0 && value.abs() < 9.0e15)
                        .map(|value| value as i64)
                })
                .map(Some)
                .ok_or_else(|| ParamProblem::invalid_type(name, "an integer")),
            Some(Value::String(text)) if self.from_form => text
                .parse()
                .map(Some)
                .map_err(|_| ParamProblem::invalid_type(name, "an integer")),
            Some(_) => Err(ParamProblem::invalid_type(name, "an integer")),
        }
    }

    /// A boolean field; `null` counts as absent.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ParamProblem> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(value)) => Ok(Some(*value)),
            Some(Value::String(text)) if self.from_form => match text.as_str() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                _ => Err(ParamProblem::invalid_type(name, "true or false")),
            },
            Some(_) => Err(ParamProblem::invalid_type(name, "true or false")),
        }
    }

    /// A field as given, with `null` kept apart from absent: `Some(None)` is `null`, which the
    /// nullable fields of an update read as "clear it".
    pub fn nullable_string(&self, name: &str) -> Result<Option<Option<&str>>, ParamProblem> {
        match self.fields.get(name) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(text)) => Ok(Some(Some(text))),
            Some(_) => Err(ParamProblem::invalid_type(name, "a string or null")),
        }
    }

    /// An array of strings (a lone string from form data is a one-item array); `null` counts
    /// as absent.
    pub fn strings(&self, name: &str) -> Result<Option<Vec<&str>>, ParamProblem> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if self.from_form => Ok(Some(vec![text])),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str())
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| ParamProblem::invalid_type(name, "an array of strings")),
            Some(_) => Err(ParamProblem::invalid_type(name, "an array of strings")),
        }
    }

    /// Field names other than `known`, in name order.
    pub fn unknown<'a>(&'a self, known: &'a [&str]) -> impl Iterator<Item = &'a str> {
        self.fields
            .keys()
            .map(String::as_str)
            .filter(move |name| !known.contains(name))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn fields(body: &str) -> BodyFields {
        BodyFields::parse(&TestRequest::default().to_http_request(), body.as_bytes())
            .expect("parses")
    }

    #[test]
    fn integers_may_be_written_with_a_zero_fraction() {
        assert_eq!(fields(r#"{"n": 60}"#).integer("n"), Ok(Some(60)));
        assert_eq!(fields(r#"{"n": 60.0}"#).integer("n"), Ok(Some(60)));
        assert!(fields(r#"{"n": 60.5}"#).integer("n").is_err());
        assert!(fields(r#"{"n": 1e300}"#).integer("n").is_err());
        assert!(fields(r#"{"n": "60"}"#).integer("n").is_err());
        assert_eq!(fields("null").integer("n"), Ok(None));
    }
}

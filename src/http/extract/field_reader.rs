//! Reading a write's body field by field: each field's problem is kept, and every problem is
//! answered in one 422. Shared by the user, organization and membership bodies.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::body::BodyFields;
use crate::domain::free_form;
use crate::error::{ApiError, ParamProblem, ParamProblemKind};

/// What a body changes of a text field: absent (`None`), cleared (`Some(None)`, from `null` or
/// `""`), or set.
pub type TextChange = Option<Option<Arc<str>>>;

/// A body's fields and the problems found so far.
pub(super) struct Reader<'a> {
    pub(super) fields: &'a BodyFields,
    pub(super) problems: Vec<ParamProblem>,
}

impl<'a> Reader<'a> {
    /// A reader of a closed body: a field not in `known` is a problem.
    pub(super) fn new(fields: &'a BodyFields, known: &[&str]) -> Self {
        let problems = fields.unknown(known).map(ParamProblem::unknown).collect();
        Self { fields, problems }
    }

    /// A reader of an open body, whose other fields are ignored.
    pub(super) fn open(fields: &'a BodyFields) -> Self {
        Self {
            fields,
            problems: Vec::new(),
        }
    }

    pub(super) fn report<T>(&mut self, result: Result<T, ParamProblem>) -> Option<T> {
        result.map_err(|problem| self.problems.push(problem)).ok()
    }

    pub(super) fn problem(&mut self, param: &str, kind: ParamProblemKind) {
        self.problems.push(ParamProblem::with_kind(param, kind));
    }

    /// A nullable text of at most `max` characters; `""` clears it as `null` does.
    pub(super) fn text(&mut self, name: &str, max: usize) -> TextChange {
        let given = self.report(self.fields.nullable_string(name)).flatten()?;
        match given {
            None | Some("") => Some(None),
            Some(text) if text.chars().count() > max => {
                self.problem(
                    name,
                    ParamProblemKind::InvalidValue(format!("must be at most {max} characters")),
                );
                None
            }
            Some(text) => Some(Some(Arc::from(text))),
        }
    }

    pub(super) fn boolean(&mut self, name: &str) -> Option<bool> {
        self.report(self.fields.boolean(name)).flatten()
    }

    /// An RFC 3339 time (any offset, any year), in Unix milliseconds.
    pub(super) fn time(&mut self, name: &str) -> Option<i64> {
        let text = self.report(self.fields.string(name)).flatten()?;
        let parsed = chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|time| time.timestamp_millis());
        if parsed.is_none() {
            self.problem(name, ParamProblemKind::InvalidTime);
        }
        parsed
    }

    /// A metadata field: a JSON object within the free-form bound; `null` reads as `{}`.
    pub(super) fn metadata(&mut self, name: &str) -> Option<Map<String, Value>> {
        match self.fields.as_map().get(name)? {
            Value::Null => Some(Map::new()),
            Value::Object(object) => {
                let value = Value::Object(object.clone());
                if let Some(problem) = free_form::too_large(name, &value) {
                    self.problem(name, ParamProblemKind::TooLarge(problem));
                    return None;
                }
                Some(object.clone())
            }
            _ => {
                self.problem(
                    name,
                    ParamProblemKind::InvalidValue("must be a JSON object".into()),
                );
                None
            }
        }
    }

    /// The body's verdict: `value` if every field was good.
    pub(super) fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::InvalidParams(self.problems))
        }
    }
}

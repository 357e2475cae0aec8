//! Metadata writes as users' and organizations' share them: each field given merged deep
//! (`PATCH`) or replaced whole (`PUT`), then held to the free-form bound.

use serde_json::{Map, Value};

use crate::domain::free_form;
use crate::domain::metadata::deep_merge;
use crate::error::{ApiError, ParamProblem, ParamProblemKind};

/// How a metadata write treats each field it is given.
#[derive(Debug, Clone, Copy)]
pub enum MetadataWrite {
    Merge,
    Replace,
}

impl MetadataWrite {
    /// Writes each `(name, slot, given)` whose `given` is there; every field past its bound
    /// afterwards is reported, in one 422.
    pub fn apply<'a>(
        self,
        fields: impl IntoIterator<Item = (&'a str, &'a mut Value, Option<Map<String, Value>>)>,
    ) -> Result<(), ApiError> {
        let mut problems = Vec::new();
        for (name, slot, given) in fields {
            let Some(given) = given else { continue };
            match (self, &mut *slot) {
                (Self::Merge, Value::Object(existing)) => deep_merge(existing, &given),
                _ => *slot = Value::Object(given),
            }
            if let Some(problem) = free_form::too_large(name, slot) {
                problems.push(ParamProblem::with_kind(
                    name,
                    ParamProblemKind::TooLarge(problem),
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::InvalidParams(problems))
        }
    }
}

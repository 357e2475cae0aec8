//! The one pattern language of the journal's find, count and wait: a JSON object whose fields
//! must all match (an absent field matches anything).

use std::collections::BTreeMap;

use actix_web::dev::ResourceDef;
use regex::Regex;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::JournalEntry;

/// The most characters a `path_regex` may have.
pub const MAX_REGEX_CHARS: usize = 500;

/// A pattern as a request writes it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "method": "POST",
    "path": "/v1/users/{user_id}/metadata",
    "body": {"public_metadata": {"plan": "pro"}},
    "status": 200
}))]
pub struct PatternSpec {
    /// An HTTP method, whatever its case.
    pub method: Option<String>,
    /// A documented path template (`/v1/sessions/{session_id}/revoke`) or an exact path.
    pub path: Option<String>,
    /// A regular expression the path must match somewhere (at most 500 characters).
    pub path_regex: Option<String>,
    /// An operation id, such as `RevokeSession`.
    pub operation_id: Option<String>,
    /// Query parameters the request must carry with these values.
    pub query: Option<BTreeMap<String, String>>,
    /// Headers (by name, whatever its case) the request must carry: with this value, or, for
    /// `true`, with any value.
    #[schema(value_type = Option<Object>)]
    pub headers: Option<BTreeMap<String, Value>>,
    /// A JSON value the request's body must contain: objects match as subsets (their other
    /// fields are ignored), arrays and other values exactly.
    #[schema(value_type = Option<Object>)]
    pub body: Option<Value>,
    /// The answer's status.
    pub status: Option<u16>,
    /// Entries recorded at or after this time (Unix milliseconds, wall clock).
    pub since_ms: Option<i64>,
    /// Entries recorded at or before this time.
    pub until_ms: Option<i64>,
}

/// A pattern ready to match entries.
#[derive(Debug)]
pub struct Pattern {
    spec: PatternSpec,
    path_template: Option<ResourceDef>,
    path_regex: Option<Regex>,
    headers: Vec<(String, Option<String>)>,
}

/// What is wrong with a pattern: the part, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternProblem {
    pub part: String,
    pub reason: String,
}

impl Pattern {
    /// Reads a pattern from JSON; a field it does not know, a value of the wrong type or a bad
    /// regular expression is a problem naming the part.
    pub fn from_json(value: &Value) -> Result<Self, PatternProblem> {
        let fields = value.as_object().ok_or_else(|| PatternProblem {
            part: "pattern".to_owned(),
            reason: "must be a JSON object".to_owned(),
        })?;
        // Field by field, so that the problem names the field.
        for (name, field) in fields {
            let single = Value::Object(std::iter::once((name.clone(), field.clone())).collect());
            serde_json::from_value::<PatternSpec>(single).map_err(|error| PatternProblem {
                part: name.clone(),
                reason: error.to_string(),
            })?;
        }
        let spec = serde_json::from_value(value.clone()).map_err(|error| PatternProblem {
            part: "pattern".to_owned(),
            reason: error.to_string(),
        })?;
        Self::new(spec)
    }

    fn new(spec: PatternSpec) -> Result<Self, PatternProblem> {
        let path_regex = spec
            .path_regex
            .as_deref()
            .map(|text| {
                if text.chars().count() > MAX_REGEX_CHARS {
                    return Err(PatternProblem {
                        part: "path_regex".to_owned(),
                        reason: format!("at most {MAX_REGEX_CHARS} characters"),
                    });
                }
                Regex::new(text).map_err(|error| PatternProblem {
                    part: "path_regex".to_owned(),
                    reason: error.to_string(),
                })
            })
            .transpose()?;
        let path_template = spec
            .path
            .as_deref()
            .filter(|path| path.contains('{'))
            .map(ResourceDef::new);
        let mut headers = Vec::new();
        for (name, wanted) in spec.headers.iter().flatten() {
            let wanted = match wanted {
                Value::Bool(true) => None,
                Value::String(text) => Some(text.clone()),
                _ => {
                    return Err(PatternProblem {
                        part: format!("headers.{name}"),
                        reason: "must be a string, or true for any value".to_owned(),
                    });
                }
            };
            headers.push((name.to_lowercase(), wanted));
        }
        Ok(Self {
            spec,
            path_template,
            path_regex,
            headers,
        })
    }

    /// Whether `entry` matches every field of the pattern.
    pub fn matches(&self, entry: &JournalEntry) -> bool {
        let spec = &self.spec;
        spec.method
            .as_deref()
            .is_none_or(|method| method.eq_ignore_ascii_case(entry.method.as_str()))
            && spec
                .path
                .as_deref()
                .is_none_or(|path| match &self.path_template {
                    Some(template) => template.is_match(&entry.path),
                    None => path == entry.path,
                })
            && self
                .path_regex
                .as_ref()
                .is_none_or(|regex| regex.is_match(&entry.path))
            && spec.operation_id.as_deref().is_none_or(|wanted| {
                entry
                    .operation_id
                    .is_some_and(|operation| operation.as_str() == wanted)
            })
            && spec.query.as_ref().is_none_or(|wanted| {
                let given: Vec<(String, String)> = form_urlencoded::parse(entry.query.as_bytes())
                    .into_owned()
                    .collect();
                wanted.iter().all(|(name, value)| {
                    given
                        .iter()
                        .any(|(given_name, given_value)| given_name == name && given_value == value)
                })
            })
            && self.headers.iter().all(|(name, wanted)| {
                entry
                    .headers
                    .get(name)
                    .is_some_and(|value| wanted.as_ref().is_none_or(|wanted| *wanted == value))
            })
            && spec.body.as_ref().is_none_or(|wanted| {
                entry
                    .body
                    .as_ref()
                    .is_some_and(|body| contains(body, wanted))
            })
            && spec.status.is_none_or(|status| status == entry.status)
            && spec.since_ms.is_none_or(|since| entry.at_ms >= since)
            && spec.until_ms.is_none_or(|until| entry.at_ms <= until)
    }
}

/// Whether `value` contains `wanted`: objects as subsets at every depth, anything else equal.
fn contains(value: &Value, wanted: &Value) -> bool {
    match (value, wanted) {
        (Value::Object(value), Value::Object(wanted)) => wanted
            .iter()
            .all(|(name, wanted)| value.get(name).is_some_and(|value| contains(value, wanted))),
        _ => value == wanted,
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::Method;
    use serde_json::json;

    use super::*;

    fn entry() -> JournalEntry {
        JournalEntry {
            method: Method::PATCH,
            path: "/v1/users/user_1/metadata".to_owned(),
            query: "a=1&b=two".to_owned(),
            status: 200,
            fault: None,
            duration_us: 1,
            at_ms: 1_000,
            operation_id: Some(crate::domain::OperationId::UpdateUserMetadata),
            headers: {
                let mut headers = actix_web::http::header::HeaderMap::new();
                headers.insert(
                    actix_web::http::header::HeaderName::from_static("clerk-api-version"),
                    actix_web::http::header::HeaderValue::from_static("2026-05-12"),
                );
                super::super::JournalHeaders::redacted(&headers)
            },
            body: Some(json!({"public_metadata": {"plan": "pro", "seats": 5}, "other": [1]})),
            body_truncated: false,
            error_code: None,
            near_miss: None,
            api_version: Some("2026-05-12"),
        }
    }

    fn pattern(value: Value) -> Pattern {
        Pattern::from_json(&value).expect("a valid pattern")
    }

    #[test]
    fn every_field_must_match_and_bodies_match_as_subsets() {
        let entry = entry();
        assert!(pattern(json!({})).matches(&entry));
        assert!(
            pattern(json!({
                "method": "patch",
                "path": "/v1/users/{user_id}/metadata",
                "path_regex": "^/v1/users/",
                "operation_id": "UpdateUserMetadata",
                "query": {"b": "two"},
                "headers": {"Clerk-API-Version": "2026-05-12"},
                "body": {"public_metadata": {"plan": "pro"}},
                "status": 200,
                "since_ms": 1000,
                "until_ms": 1000
            }))
            .matches(&entry)
        );
        for miss in [
            json!({"method": "GET"}),
            json!({"path": "/v1/users/{user_id}"}),
            json!({"query": {"a": "2"}}),
            json!({"headers": {"x-missing": true}}),
            json!({"body": {"public_metadata": {"plan": "free"}}}),
            json!({"body": {"other": [1, 2]}}),
            json!({"since_ms": 1001}),
        ] {
            assert!(!pattern(miss.clone()).matches(&entry), "{miss}");
        }
    }

    #[test]
    fn a_malformed_pattern_names_its_bad_part() {
        let problem = |value: Value| Pattern::from_json(&value).expect_err("refused").part;
        assert_eq!(problem(json!({"colour": "red"})), "colour");
        assert_eq!(problem(json!({"path_regex": "("})), "path_regex");
        assert_eq!(problem(json!({"headers": {"x": 1}})), "headers.x");
        assert!(Pattern::from_json(&json!({"status": "two hundred"})).is_err());
    }
}

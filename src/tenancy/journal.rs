//! An instance's request journal: the last requests it answered (never their secret key), so a
//! test can assert what its backend asked, such as "revoke was called exactly once".

use std::collections::VecDeque;

use actix_web::http::Method;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::OperationId;
use crate::error::{ApiError, ParamProblem};

/// One answered request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct JournalEntry {
    // Kept as actix's `Method`, which holds the standard methods without allocating.
    #[serde(serialize_with = "method_text")]
    #[schema(value_type = String, example = "POST")]
    pub method: Method,
    #[schema(example = "/v1/sessions/sess_2AliceActiveZICgVFaEP1MWWEP/revoke")]
    pub path: String,
    /// The query string, without the leading `?`.
    pub query: String,
    /// The answer's status; 0 when the connection was reset without one.
    #[schema(example = 200)]
    pub status: u16,
    /// The fault injected into the request, if any: `error`, `reset` or `rate_limit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "error")]
    pub fault: Option<&'static str>,
    /// How long the answer took, in microseconds.
    pub duration_us: u64,
    /// When the request arrived, in Unix milliseconds (wall clock).
    pub at_ms: i64,
    /// The operation the request was (`RevokeSession`, ...), when a route took it.
    #[schema(value_type = Option<String>, example = "RevokeSession")]
    pub operation_id: Option<OperationId>,
}

fn method_text<S: serde::Serializer>(method: &Method, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

/// At most the first `max_bytes` of `text`, cut at a character boundary.
pub fn clipped(text: &str, max_bytes: usize) -> String {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// The journal's filters, all optional, all intersecting.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JournalFilter {
    /// An HTTP method, such as `POST`.
    pub method: Option<String>,
    /// An operation id, such as `RevokeSession`.
    pub operation_id: Option<String>,
    /// A request path, exactly.
    pub path: Option<String>,
    /// An answer's status.
    pub status: Option<u16>,
    /// At most this many entries (list only; default 100).
    pub limit: Option<usize>,
}

impl JournalFilter {
    /// The filters a query string asks for; a `status` or `limit` that is not a number is a 422.
    pub fn from_query(query: &str) -> Result<Self, ApiError> {
        let mut filter = Self::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match &*name {
                "method" => filter.method = Some(value.to_uppercase()),
                "operation_id" => filter.operation_id = Some(value.into_owned()),
                "path" => filter.path = Some(value.into_owned()),
                "status" => {
                    filter.status = Some(value.parse().map_err(|_| {
                        ApiError::param(ParamProblem::invalid_type("status", "an HTTP status"))
                    })?);
                }
                "limit" => {
                    filter.limit = Some(value.parse().map_err(|_| {
                        ApiError::param(ParamProblem::invalid_type("limit", "a whole number"))
                    })?);
                }
                _ => {}
            }
        }
        Ok(filter)
    }
}

/// The last `capacity` requests of an instance, oldest first.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<VecDeque<JournalEntry>>,
    capacity: usize,
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
            capacity,
        }
    }

    /// Records a request, forgetting the oldest once full.
    pub fn record(&self, entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock();
        if entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The entries that `keep` accepts, newest first.
    pub fn matching(&self, keep: impl Fn(&JournalEntry) -> bool) -> Vec<JournalEntry> {
        self.entries
            .lock()
            .iter()
            .rev()
            .filter(|entry| keep(entry))
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.entries.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> JournalEntry {
        JournalEntry {
            method: Method::GET,
            path: path.to_owned(),
            query: String::new(),
            status: 200,
            fault: None,
            duration_us: 1,
            at_ms: 0,
            operation_id: None,
        }
    }

    #[test]
    fn clipping_never_splits_a_character() {
        assert_eq!(clipped("abc", 10), "abc");
        assert_eq!(clipped("abcdef", 3), "abc");
        assert_eq!(clipped("a\u{e9}b", 2), "a");
        assert_eq!(clipped("", 5), "");
    }

    #[test]
    fn the_journal_keeps_the_newest_entries_up_to_its_capacity() {
        let journal = Journal::new(2);
        for path in ["/a", "/b", "/c"] {
            journal.record(entry(path));
        }
        let paths: Vec<String> = journal
            .matching(|_| true)
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(paths, ["/c", "/b"]);
        journal.clear();
        assert!(journal.matching(|_| true).is_empty());
    }
}

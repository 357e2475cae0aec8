//! An instance's request journal: the last requests it answered, with their headers and bodies
//! (never a secret: [`redaction`]), so a test can assert what its backend sent, find it by a
//! [`pattern`], count it, or wait for it.

pub mod pattern;
pub mod redaction;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::http::Method;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;
use utoipa::{IntoParams, ToSchema};

use crate::domain::OperationId;
use crate::error::{ApiError, ParamProblem};
use crate::tenancy::memory_budget::MemoryBudget;

/// The most of a request body an entry keeps; longer bodies are cut, and say so.
pub const MAX_JOURNAL_BODY_BYTES: usize = 16 * 1024;
/// The most an instance's journal takes in memory, besides its entry bound (`--journal-size`):
/// the oldest entries go first.
pub const MAX_JOURNAL_BYTES: usize = 8 * 1024 * 1024;

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
    /// The request's headers, by lower-case name; secrets show as `[redacted]`.
    #[schema(value_type = BTreeMap<String, String>, example = json!({"clerk-api-version": "2026-05-12", "authorization": "[redacted]"}))]
    pub headers: JournalHeaders,
    /// The request's body: JSON when it is JSON (or form data, read as an object of strings),
    /// text otherwise; secret fields show as `[redacted]`; absent when there was none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub body: Option<Value>,
    /// Whether the body was longer than the journal keeps (16 KiB), and was cut (as text).
    pub body_truncated: bool,
    /// The Clerk error `code` of an error answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "resource_not_found")]
    pub error_code: Option<String>,
    /// For a request no route took (404, 405): the documented operation it most likely meant,
    /// as `METHOD /path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "GET /v1/sessions/{session_id}")]
    pub near_miss: Option<String>,
    /// The API version the request used.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "2026-05-12")]
    pub api_version: Option<&'static str>,
}

/// A request's headers as the journal keeps them: the values a request sent, shared rather
/// than copied, but for the secrets, which are replaced by `[redacted]` when recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalHeaders(Vec<(HeaderName, HeaderValue)>);

impl JournalHeaders {
    /// `headers` with their secrets redacted.
    pub fn redacted(headers: &HeaderMap) -> Self {
        Self(
            headers
                .iter()
                .map(|(name, value)| {
                    // A value that is not visible ASCII is redacted too: it cannot be checked.
                    let secret = redaction::SECRET_HEADERS.contains(&name.as_str())
                        || value.to_str().map_or(true, redaction::looks_secret);
                    let value = if secret {
                        HeaderValue::from_static(redaction::REDACTED)
                    } else {
                        value.clone()
                    };
                    (name.clone(), value)
                })
                .collect(),
        )
    }

    /// The value of the header `name` (lower-case); a repeated header's values joined by `, `.
    pub fn get(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .0
            .iter()
            .filter(|(header, _)| header.as_str() == name)
            .filter_map(|(_, value)| value.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// The headers by name, as the journal answers them.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.0
            .iter()
            .filter_map(|(name, _)| Some((name.as_str().to_owned(), self.get(name.as_str())?)))
            .collect()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    fn footprint(&self) -> usize {
        self.0
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 48)
            .sum()
    }
}

impl Serialize for JournalHeaders {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(serializer)
    }
}

impl JournalEntry {
    /// What the entry takes in memory, about.
    pub fn footprint(&self) -> usize {
        size_of::<Self>()
            + self.path.len()
            + self.query.len()
            + self.headers.footprint()
            + self
                .body
                .as_ref()
                .map_or(0, crate::domain::footprint::json_bytes)
            + self.error_code.as_ref().map_or(0, String::len)
    }
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

/// The last `capacity` requests of an instance, oldest first, within [`MAX_JOURNAL_BYTES`] and
/// charged to the instance's memory budget.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<Entries>,
    capacity: usize,
    budget: Arc<MemoryBudget>,
    /// Wakes the waits on the journal when an entry comes.
    recorded: Notify,
    /// How many waits are waiting: without any, a record wakes no one.
    waiters: AtomicUsize,
}

#[derive(Debug, Default)]
struct Entries {
    entries: VecDeque<JournalEntry>,
    bytes: usize,
    /// What the budget has been charged for the entries: `bytes` rounded up to a
    /// [`CHARGE_STEP`], so that most records leave the shared budget alone.
    charged: usize,
}

/// The steps in which the journal charges the memory budget.
const CHARGE_STEP: usize = 64 * 1024;

impl Journal {
    pub fn new(capacity: usize, budget: Arc<MemoryBudget>) -> Self {
        Self {
            entries: Mutex::new(Entries {
                entries: VecDeque::with_capacity(capacity.min(1024)),
                bytes: 0,
                charged: 0,
            }),
            capacity,
            budget,
            recorded: Notify::new(),
            waiters: AtomicUsize::new(0),
        }
    }

    /// Records a request, forgetting the oldest entries past the entry and byte bounds. An
    /// entry the memory budget has no room for is kept without its headers and body.
    pub fn record(&self, mut entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut footprint = entry.footprint();
        let mut held = self.entries.lock();
        while held.entries.len() >= self.capacity
            || (!held.entries.is_empty() && held.bytes + footprint > MAX_JOURNAL_BYTES)
        {
            if let Some(oldest) = held.entries.pop_front() {
                held.bytes = held.bytes.saturating_sub(oldest.footprint());
            }
        }
        let needed = held.bytes + footprint;
        if needed > held.charged {
            let target = needed.next_multiple_of(CHARGE_STEP);
            if self.budget.change(held.charged, target).is_ok() {
                held.charged = target;
            } else {
                entry.headers.clear();
                entry.body = None;
                entry.body_truncated = true;
                footprint = entry.footprint();
                let needed = held.bytes + footprint;
                if needed > held.charged {
                    self.budget.force(held.charged, needed);
                    held.charged = needed;
                }
            }
        } else if needed + 2 * CHARGE_STEP < held.charged {
            let target = needed.next_multiple_of(CHARGE_STEP);
            self.budget.force(held.charged, target);
            held.charged = target;
        }
        held.bytes += footprint;
        held.entries.push_back(entry);
        drop(held);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            self.recorded.notify_waiters();
        }
    }

    /// Waits until `done` says so, or `within` passes, waking on each entry recorded; holds no
    /// thread meanwhile.
    pub async fn wait_until(&self, done: impl Fn(&Self) -> bool, within: Duration) {
        let deadline = Instant::now() + within;
        self.waiters.fetch_add(1, Ordering::SeqCst);
        loop {
            // Registered before the check, so that an entry recorded in between wakes it.
            let notified = self.recorded.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now = Instant::now();
            if done(self) || now >= deadline {
                break;
            }
            let _ = tokio::time::timeout(deadline - now, notified).await;
        }
        self.waiters.fetch_sub(1, Ordering::SeqCst);
    }

    /// The entries that `keep` accepts, newest first.
    pub fn matching(&self, keep: impl Fn(&JournalEntry) -> bool) -> Vec<JournalEntry> {
        self.entries
            .lock()
            .entries
            .iter()
            .rev()
            .filter(|entry| keep(entry))
            .cloned()
            .collect()
    }

    /// How many entries `keep` accepts.
    pub fn count(&self, keep: impl Fn(&JournalEntry) -> bool) -> usize {
        self.entries
            .lock()
            .entries
            .iter()
            .filter(|entry| keep(entry))
            .count()
    }

    pub fn clear(&self) {
        let mut held = self.entries.lock();
        self.budget.force(held.charged, 0);
        held.entries.clear();
        held.bytes = 0;
        held.charged = 0;
    }
}

/// A journal that goes gives its memory back to its budget.
impl Drop for Journal {
    fn drop(&mut self) {
        let held = self.entries.get_mut();
        self.budget.force(held.charged, 0);
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
            headers: JournalHeaders::default(),
            body: None,
            body_truncated: false,
            error_code: None,
            near_miss: None,
            api_version: None,
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
    fn the_journal_stays_within_its_byte_bound_and_its_budget() {
        let budget = Arc::new(MemoryBudget::new(usize::MAX));
        let journal = Journal::new(100_000, Arc::clone(&budget));
        let big = |n: usize| JournalEntry {
            body: Some(Value::String(format!(
                "{n}{}",
                "x".repeat(MAX_JOURNAL_BODY_BYTES)
            ))),
            ..entry("/big")
        };
        for n in 0..2_000 {
            journal.record(big(n));
        }
        let held = journal.entries.lock().bytes;
        assert!(held <= MAX_JOURNAL_BYTES, "{held} bytes");
        assert!(journal.count(|_| true) < 2_000, "the oldest went");
        drop(journal);

        // With no room left in the budget, an entry is kept without its body.
        let tight = Arc::new(MemoryBudget::new(1));
        let journal = Journal::new(10, tight);
        journal.record(big(0));
        let kept = journal.matching(|_| true);
        assert_eq!(kept.len(), 1);
        assert!(kept[0].body.is_none() && kept[0].body_truncated);
    }

    #[test]
    fn the_journal_keeps_the_newest_entries_up_to_its_capacity() {
        let journal = Journal::new(2, Arc::new(MemoryBudget::new(usize::MAX)));
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

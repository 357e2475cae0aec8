//! The request journal of an instance: read it, count it, clear it, and find, count and wait
//! for entries by a pattern.

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::InstanceOwner;
use crate::error::{ApiError, ParamProblem};
use crate::http::routes::{answers, json_ok};
use crate::tenancy::instance::Instance;
use crate::tenancy::journal::pattern::{Pattern, PatternSpec};
use crate::tenancy::journal::{JournalEntry, JournalFilter};

/// The journal, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalPage {
    pub data: Vec<JournalEntry>,
    /// How many entries match the filters.
    pub total_count: usize,
}

impl JournalPage {
    /// The first `limit` of `records`, and how many there are.
    fn of(mut records: Vec<JournalEntry>, limit: usize) -> Self {
        let total_count = records.len();
        records.truncate(limit);
        Self {
            data: records,
            total_count,
        }
    }
}

/// How many journal entries match.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalCount {
    #[schema(example = "journal_count")]
    pub object: &'static str,
    pub count: usize,
}

/// The entries of `instance`'s journal that the query's filters accept, and the list's limit.
fn journal_records(
    instance: &Instance,
    request: &HttpRequest,
) -> Result<(Vec<JournalEntry>, usize), ApiError> {
    let filter = JournalFilter::from_query(request.query_string())?;
    let records = instance.journal().matching(|entry| {
        filter
            .method
            .as_ref()
            .is_none_or(|method| method == entry.method.as_str())
            && filter.path.as_ref().is_none_or(|path| *path == entry.path)
            && filter.status.is_none_or(|status| status == entry.status)
            && filter.operation_id.as_ref().is_none_or(|wanted| {
                entry
                    .operation_id
                    .is_some_and(|operation| operation.as_str() == wanted)
            })
    });
    let limit = filter.limit.unwrap_or(100);
    Ok((records, limit))
}

/// Read the caller's request journal
///
/// The last requests the instance answered (`--journal-size`, default 1000), newest first:
/// method, path, query, status, duration and time, and the operation each was. Never the
/// secret key. Filters intersect.
#[utoipa::path(
    operation_id = super::GET_INSTANCE_JOURNAL.id.as_str(),
    tag = "Admin",
    params(JournalFilter),
    responses((status = 200, description = "The journal", body = JournalPage), answers::Unauthorized, answers::Unprocessable),
    security(("bearerAuth" = []))
)]
#[get("/instance/journal")]
pub async fn get_journal(
    owner: InstanceOwner,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (records, limit) = journal_records(&owner.instance, &request)?;
    Ok(json_ok(&JournalPage::of(records, limit)))
}

/// Count the caller's journal entries
///
/// How many journal entries match the filters: for example
/// `?operation_id=RevokeSession` to assert that a backend revoked exactly once.
#[utoipa::path(
    operation_id = super::COUNT_INSTANCE_JOURNAL.id.as_str(),
    tag = "Admin",
    params(JournalFilter),
    responses((status = 200, description = "The count", body = JournalCount), answers::Unauthorized, answers::Unprocessable),
    security(("bearerAuth" = []))
)]
#[get("/instance/journal/count")]
pub async fn count_journal(
    owner: InstanceOwner,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (records, _) = journal_records(&owner.instance, &request)?;
    Ok(json_ok(&JournalCount {
        object: "journal_count",
        count: records.len(),
    }))
}

/// Clear the caller's journal
///
/// Forgets every recorded request, for example between two tests sharing an instance.
#[utoipa::path(
    operation_id = super::CLEAR_INSTANCE_JOURNAL.id.as_str(),
    tag = "Admin",
    responses((status = 200, description = "The journal is empty", body = JournalCount), answers::Unauthorized),
    security(("bearerAuth" = []))
)]
#[delete("/instance/journal")]
pub async fn clear_journal(owner: InstanceOwner) -> HttpResponse {
    owner.instance.journal().clear();
    json_ok(&JournalCount {
        object: "journal_count",
        count: 0,
    })
}

/// The longest a wait on the journal may last, in milliseconds.
pub const MAX_WAIT_MS: u64 = 30_000;
/// How long a wait lasts when the request does not say.
const DEFAULT_WAIT_MS: u64 = 5_000;

/// Reads a pattern from a request body: a JSON object (no body is `{}`, which matches every
/// entry).
fn pattern_of(body: &[u8]) -> Result<Pattern, ApiError> {
    let value: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::json!({})
    } else {
        serde_json::from_slice(body).map_err(|error| ApiError::MalformedBody(error.to_string()))?
    };
    if !value.is_object() {
        return Err(invalid_pattern("pattern", "must be a JSON object"));
    }
    Pattern::from_json(&value).map_err(|problem| invalid_pattern(&problem.part, &problem.reason))
}

pub fn invalid_pattern(part: &str, reason: &str) -> ApiError {
    ApiError::InvalidPattern {
        part: part.to_owned(),
        reason: reason.chars().take(300).collect(),
    }
}

/// Find journal entries by a pattern
///
/// The entries that match the pattern in the body, newest first, as `{"data": [...],
/// "total_count": N}`; `?limit=` (default 100) bounds `data`. A pattern is a JSON object whose
/// fields must all match: `method`, `path` (a documented template such as
/// `/v1/sessions/{session_id}/revoke`, or an exact path), `path_regex`, `operation_id`, `query`
/// (name to value), `headers` (name to value, or `true` for "present"), `body` (a JSON value
/// the body contains: objects as subsets), `status`, `since_ms` and `until_ms`. A malformed
/// pattern (an unknown field, a value of the wrong type, a bad regular expression) is a 400
/// `pattern_invalid` naming the part.
#[utoipa::path(
    operation_id = super::FIND_INSTANCE_JOURNAL.id.as_str(),
    tag = "Admin",
    params(("limit" = Option<usize>, Query, description = "At most this many entries (default 100)")),
    request_body(content = PatternSpec, content_type = "application/json"),
    responses(
        (status = 200, description = "The matching entries", body = JournalPage),
        answers::BadRequest,
        answers::Unauthorized,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/journal/find")]
pub async fn find_journal(
    owner: InstanceOwner,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let pattern = pattern_of(&body)?;
    let limit = JournalFilter::from_query(request.query_string())?
        .limit
        .unwrap_or(100);
    let records = owner
        .instance
        .journal()
        .matching(|entry| pattern.matches(entry));
    Ok(json_ok(&JournalPage::of(records, limit)))
}

/// Count journal entries by a pattern
///
/// How many entries match the pattern in the body (the pattern language of
/// `POST /__admin/instance/journal/find`): `{"object": "journal_count", "count": N}`.
#[utoipa::path(
    operation_id = super::COUNT_INSTANCE_JOURNAL_BY_PATTERN.id.as_str(),
    tag = "Admin",
    request_body(content = PatternSpec, content_type = "application/json"),
    responses(
        (status = 200, description = "The count", body = JournalCount),
        answers::BadRequest,
        answers::Unauthorized,
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/journal/count")]
pub async fn count_journal_by_pattern(
    owner: InstanceOwner,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let pattern = pattern_of(&body)?;
    Ok(json_ok(&JournalCount {
        object: "journal_count",
        count: owner
            .instance
            .journal()
            .count(|entry| pattern.matches(entry)),
    }))
}

/// The body of a wait: what to wait for, how many, and how long at most.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "describes the request body in the OpenAPI document"
)]
pub struct WaitRequest {
    /// The pattern entries must match (the language of `POST .../journal/find`).
    pub pattern: PatternSpec,
    /// How many matching entries to wait for (default 1).
    #[schema(minimum = 1)]
    pub count: Option<usize>,
    /// How long to wait at most, in milliseconds (default 5000, at most 30000).
    #[schema(minimum = 0, maximum = 30000)]
    pub timeout_ms: Option<u64>,
}

/// What a wait found.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitOutcome {
    #[schema(example = "journal_wait")]
    pub object: &'static str,
    /// Whether at least `count` entries matched before the timeout.
    pub satisfied: bool,
    /// How many entries match now.
    pub count: usize,
    /// The matching entries, newest first (at most 100).
    pub data: Vec<JournalEntry>,
}

/// Wait for journal entries
///
/// Answers as soon as at least `count` entries (default 1) match `pattern`, or when
/// `timeout_ms` (default 5000, at most 30000) has passed, with `satisfied` saying which, and the
/// entries that matched so far: a test of a backend that calls Clerk from a background job
/// waits for the call instead of sleeping. The wait holds no worker thread. A malformed pattern
/// is a 400 `pattern_invalid` naming its part; a `timeout_ms` over the bound a 422.
#[utoipa::path(
    operation_id = super::WAIT_INSTANCE_JOURNAL.id.as_str(),
    tag = "Admin",
    request_body(content = WaitRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "What the wait found", body = WaitOutcome),
        answers::BadRequest,
        answers::Unauthorized,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/journal/wait")]
pub async fn wait_journal(
    owner: InstanceOwner,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|error| ApiError::MalformedBody(error.to_string()))?;
    let fields = value
        .as_object()
        .ok_or_else(|| invalid_pattern("body", "must be a JSON object"))?;
    if let Some(unknown) = fields
        .keys()
        .find(|name| !["pattern", "count", "timeout_ms"].contains(&name.as_str()))
    {
        return Err(invalid_pattern(unknown, "is not a field of a wait"));
    }
    let pattern = Pattern::from_json(fields.get("pattern").unwrap_or(&serde_json::json!({})))
        .map_err(|problem| {
            invalid_pattern(&format!("pattern.{}", problem.part), &problem.reason)
        })?;
    let wanted = match fields.get("count") {
        None => 1,
        Some(count) => count
            .as_u64()
            .filter(|count| *count >= 1)
            .and_then(|count| usize::try_from(count).ok())
            .ok_or_else(|| {
                ApiError::param(ParamProblem::invalid_value("count", "must be 1 or more"))
            })?,
    };
    let timeout_ms = match fields.get("timeout_ms") {
        None => DEFAULT_WAIT_MS,
        Some(timeout) => timeout
            .as_u64()
            .filter(|timeout| *timeout <= MAX_WAIT_MS)
            .ok_or_else(|| {
                ApiError::param(ParamProblem::invalid_value(
                    "timeout_ms",
                    format!("must be 0 to {MAX_WAIT_MS}"),
                ))
            })?,
    };
    let journal = owner.instance.journal();
    let matched =
        |journal: &crate::tenancy::journal::Journal| journal.count(|entry| pattern.matches(entry));
    journal
        .wait_until(
            |journal| matched(journal) >= wanted,
            Duration::from_millis(timeout_ms),
        )
        .await;
    let count = matched(journal);
    let mut data = journal.matching(|entry| pattern.matches(entry));
    data.truncate(100);
    Ok(json_ok(&WaitOutcome {
        object: "journal_wait",
        satisfied: count >= wanted,
        count,
        data,
    }))
}

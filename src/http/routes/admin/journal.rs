//! The request journal of an instance: read it, count it, clear it.

use actix_web::{HttpRequest, HttpResponse, delete, get};
use serde::Serialize;
use utoipa::ToSchema;

use super::InstanceOwner;
use crate::error::ApiError;
use crate::http::routes::{answers, json_ok};
use crate::tenancy::instance::Instance;
use crate::tenancy::journal::{JournalEntry, JournalFilter};

/// The journal, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalPage {
    pub data: Vec<JournalEntry>,
    /// How many entries match the filters.
    pub total_count: usize,
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
    let (mut records, limit) = journal_records(&owner.instance, &request)?;
    let total_count = records.len();
    records.truncate(limit);
    Ok(json_ok(&JournalPage {
        data: records,
        total_count,
    }))
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

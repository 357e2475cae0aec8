//! The server-wide journal of requests that belonged to no instance, for a test to see that its
//! backend sent no key, a malformed header or the wrong key.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::http::AppState;
use crate::http::routes::{answers, json_ok};
use crate::tenancy::unauthenticated::UnauthenticatedEntry;

/// The unauthenticated requests, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnauthenticatedPage {
    pub data: Vec<UnauthenticatedEntry>,
    pub total_count: usize,
}

/// Read the requests that belonged to no instance
///
/// The last 200 requests, server-wide, that carried no key, a malformed `Authorization` header
/// or a key the server does not accept, newest first: method, path, query, the 401's code, the
/// headers (redacted as an instance's journal redacts them) and the key sent as its prefix and
/// last 4 characters (`sk_test_…Ab12`), never whole; no body. Only a key the server was started
/// with (`--secret-key`) may read it: the operator's, never that of an instance created on
/// demand or accepted on first use, so that a CI job sharing a server cannot read another's
/// mistakes. These requests reached no instance, so no instance's traffic is among them.
#[utoipa::path(
    operation_id = super::GET_UNAUTHENTICATED_JOURNAL.id.as_str(),
    tag = "Admin",
    responses(
        (status = 200, description = "The requests", body = UnauthenticatedPage),
        answers::Unauthorized,
        (status = 403, description = "The key is not one the server was started with", body = crate::error::ClerkErrors),
    ),
    security(("bearerAuth" = []))
)]
#[get("/journal/unauthenticated")]
pub async fn get_unauthenticated(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    super::operator_only(
        state.registry()?,
        &request,
        "read the unauthenticated journal",
    )?;
    let data = state.unauthenticated.newest_first();
    Ok(json_ok(&UnauthenticatedPage {
        total_count: data.len(),
        data,
    }))
}

//! An instance's data as one document: load users, organizations, sessions and JWT templates
//! into it, and export what it holds.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::{InstanceOwner, LoadMode};
use clerk_mock_document::Document;

use crate::data::document::{self, DocumentCounts, EntryProblem};
use crate::error::{ApiError, ParamProblem};
use crate::http::extract::body::BodyFields;
use crate::http::routes::{answers, json_bytes_ok, json_ok};
use crate::tenancy::instance::{Instance, LoadError, LoadOutcome};

/// The most a data document may weigh; larger ones get 413.
pub const MAX_DATASET_BYTES: usize = 16 * 1024 * 1024;

/// What a load added, and what the instance holds after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoadSummary {
    #[schema(example = "instance_data_load")]
    pub object: &'static str,
    pub loaded: DocumentCounts,
    pub total: DocumentCounts,
}

/// Load data into the caller's instance
///
/// Adds users, organizations, sessions and JWT templates, given as one JSON document (the
/// shape `GET /__admin/instance/data` exports). Each entry may reference the instance's data and
/// the document's own; an entry with an existing id (a template: name) replaces that one. Times
/// are Unix milliseconds and may be left out: a session without times starts now on the
/// instance's clock and lives seven days. The document is checked whole before anything
/// changes: a 422 names every bad entry (`sessions[3]`) and what is wrong with it, and the
/// instance stays as it was. `?replace=true` empties the instance first. A reset brings the
/// seeded data back.
#[utoipa::path(
    operation_id = super::LOAD_INSTANCE_DATA.id.as_str(),
    tag = "Admin",
    params(LoadMode),
    request_body(content = Document, content_type = "application/json"),
    responses(
        (status = 200, description = "The document is loaded", body = LoadSummary),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 409, description = "The load would take the instance past its memory bound (`--instance-memory-mib`)", body = crate::error::ClerkErrors),
        (status = 413, description = "The document is larger than 16 MiB", body = crate::error::ClerkErrors),
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("")]
pub async fn load_data(
    owner: InstanceOwner,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let mode = LoadMode::from_query(request.query_string())?;
    let (replace, announce) = (mode.replace.unwrap_or(false), mode.webhooks.unwrap_or(true));
    let instance = Arc::clone(&owner.instance);
    // A large document takes a while to parse, check and index; keep it off the event loop.
    let outcome = web::block(move || {
        let fields = BodyFields::parse_json(&body)?;
        load_document(&instance, fields.as_map(), replace, announce)
    })
    .await
    .map_err(|_| ApiError::Internal)??;
    Ok(json_ok(&LoadSummary {
        object: "instance_data_load",
        loaded: outcome.loaded,
        total: outcome.total,
    }))
}

/// Export the caller's instance data
///
/// Everything the instance holds now (users, organizations, sessions with their times and
/// status as written, JWT templates) as the document `POST /__admin/instance/data` loads.
/// Sessions come oldest first; times are Unix milliseconds.
#[utoipa::path(
    operation_id = super::EXPORT_INSTANCE_DATA.id.as_str(),
    tag = "Admin",
    responses(
        (status = 200, description = "The instance's data", body = Document),
        answers::Unauthorized,
    ),
    security(("bearerAuth" = []))
)]
#[get("")]
pub async fn export_data(owner: InstanceOwner) -> Result<HttpResponse, ApiError> {
    let instance = Arc::clone(&owner.instance);
    // A large instance takes a while to export and serialise; keep it off the event loop.
    let body = web::block(move || serde_json::to_vec(&instance.export()))
        .await
        .map_err(|_| ApiError::Internal)?
        .map_err(|_| ApiError::Internal)?;
    Ok(json_bytes_ok(body))
}

/// Loads a data document into `instance`, with the answer a refusal deserves: a 422 naming each
/// bad entry, or the memory bound's error.
pub fn load_document(
    instance: &Instance,
    document: &serde_json::Map<String, serde_json::Value>,
    replace: bool,
    announce: bool,
) -> Result<LoadOutcome, ApiError> {
    let loaded = document::read(document).map_err(entry_problems)?;
    instance
        .load(&loaded, replace, announce)
        .map_err(|error| match error {
            LoadError::Invalid(problems) => entry_problems(problems),
            LoadError::OverBudget(over) => ApiError::instance_full(over.limit_mib),
        })
}

fn entry_problems(problems: Vec<EntryProblem>) -> ApiError {
    ApiError::InvalidParams(
        problems
            .into_iter()
            .map(|problem| ParamProblem::invalid_value(&problem.at(), problem.message()))
            .collect(),
    )
}

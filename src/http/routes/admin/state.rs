//! `POST /__admin/state/save`: write every instance to the state file (`--state`) now, rather
//! than at the next clean shutdown.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::operator_only;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::routes::{answers, json_ok};

/// What a save wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedState {
    #[schema(example = "state")]
    pub object: &'static str,
    /// The state file, as the server was started with it.
    #[schema(example = "/var/lib/clerk-mock/state.json")]
    pub path: String,
    /// How many instances it holds: the live ones, and those saved before the restart whose
    /// key has not been used since.
    #[schema(example = 1)]
    pub instances: usize,
    /// Its size in bytes.
    #[schema(example = 48213)]
    pub bytes: usize,
}

/// Save the instances to the state file
///
/// Writes every instance's data (users, organizations and memberships, sessions, JWT templates),
/// the position of its id sequence and its clock to the file the server was started with
/// (`--state FILE`), atomically: a temporary file beside it, flushed, then renamed over it. The
/// server also saves at a clean shutdown (Ctrl-C or SIGTERM), and reads the file back at start.
/// The file holds no secret key, token or password: each instance is named by its id, and gets
/// its data back when its key is used again. Only a key the server was started with
/// (`--secret-key`) may save: the file is the operator's. 409 `state_file_not_configured` when
/// the server has no `--state`; 500 `state_not_saved`, with the reason, when the file cannot be
/// written.
#[utoipa::path(
    operation_id = super::SAVE_STATE.id.as_str(),
    tag = "Admin",
    responses(
        (status = 200, description = "The state is saved", body = SavedState),
        answers::Unauthorized,
        (status = 403, description = "The key is not one the server was started with", body = crate::error::ClerkErrors),
        (status = 409, description = "The server was started without --state", body = crate::error::ClerkErrors),
        (status = 500, description = "The file could not be written", body = crate::error::ClerkErrors),
    ),
    security(("bearerAuth" = []))
)]
#[post("/state/save")]
pub async fn save_state(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let registry = Arc::clone(state.registry()?);
    operator_only(&registry, &request, "save the state")?;
    // Writing a big instance takes a while: off the worker.
    let (path, saved) = web::block(move || {
        let saved = registry.save_state();
        (registry.state_path(), saved)
    })
    .await
    .map_err(|_| ApiError::Internal)?;
    let saved = saved
        .map_err(|error| ApiError::StateNotSaved(error.to_string()))?
        .ok_or(ApiError::NoStateFile)?;
    Ok(json_ok(&SavedState {
        object: "state",
        path: path.unwrap_or_default(),
        instances: saved.instances,
        bytes: saved.bytes,
    }))
}

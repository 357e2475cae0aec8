//! Instances on demand: create one per CI job or test, delete it, reset it to its seeded state.

use std::sync::Arc;

use actix_web::{HttpResponse, delete, post, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::InstanceOwner;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::routes::{answers, json_ok};

/// A new instance and the secret key that reaches it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedInstance {
    #[schema(example = "instance")]
    pub object: &'static str,
    /// The instance id, also the `kid` of its tokens.
    #[schema(example = "ins_2Kq8mNzXv4pL7rT1sW9yB3cE5fH")]
    pub id: String,
    /// The secret key of the new instance: send it as `Authorization: Bearer <key>`.
    #[schema(example = "sk_test_4fQ9xV2mK7pL1sN8rT3wB6yC0dE5gH2j")]
    pub secret_key: String,
}

/// An instance after an admin operation.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceState {
    #[schema(example = "instance")]
    pub object: &'static str,
    #[schema(example = "ins_2Kq8mNzXv4pL7rT1sW9yB3cE5fH")]
    pub id: String,
    /// Whether the instance is gone (after a delete).
    pub deleted: bool,
    /// How many sessions it holds now.
    pub sessions: usize,
}

/// Create an instance
///
/// Creates a fresh, isolated instance seeded like every other (fixtures plus generated data,
/// from the server's seed and the new key), and returns its id and secret key. Needs no key. At
/// most `--max-instances` exist at once, taking together at most `--instance-memory-mib` of
/// memory (estimated from the sessions and users each holds, loaded ones included); past either
/// bound the answer is a 409 `instance_limit_reached` until one is deleted.
#[utoipa::path(
    operation_id = super::CREATE_INSTANCE.id.as_str(),
    tag = "Admin",
    responses(
        (status = 201, description = "The new instance", body = CreatedInstance),
        (status = 409, description = "A bound on instances created on demand (their number or their memory) is reached", body = crate::error::ClerkErrors),
    )
)]
#[post("/instances")]
pub async fn create_instance(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    // Seeding is slow: it runs on the seeding thread, and the worker goes on answering.
    let registry = Arc::clone(state.registry()?);
    let (secret_key, instance) = state
        .seeder
        .run(move || registry.create_on_demand())
        .await
        .ok_or(ApiError::Internal)??;
    Ok(HttpResponse::Created().json(CreatedInstance {
        object: "instance",
        id: instance.id().to_string(),
        secret_key,
    }))
}

/// Delete the caller's instance
///
/// Deletes the instance of the secret key in `Authorization`; the key stops working. Only
/// instances created on demand can be deleted (403 `instance_not_deletable` for a configured
/// key).
#[utoipa::path(
    operation_id = super::DELETE_INSTANCE.id.as_str(),
    tag = "Admin",
    responses(
        (status = 200, description = "The instance is gone", body = InstanceState),
        answers::Unauthorized,
        (status = 403, description = "A configured instance cannot be deleted", body = crate::error::ClerkErrors),
    ),
    security(("bearerAuth" = []))
)]
#[delete("/instance")]
pub async fn delete_instance(
    owner: InstanceOwner,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = state.registry()?.delete(&owner.key)?;
    Ok(json_ok(&InstanceState {
        object: "instance",
        id: id.to_string(),
        deleted: true,
        sessions: 0,
    }))
}

/// Reset the caller's instance
///
/// Puts the instance of the secret key in `Authorization` back in its seeded state: sessions
/// created and data loaded since are gone, revoked sessions are back, and new ids are drawn
/// again from the start of the seed's sequence. Times are seeded anew relative to now, the clock
/// is the wall clock again, and the faults are the server's configured ones. The journal and the
/// webhook endpoints stay.
#[utoipa::path(
    operation_id = super::RESET_INSTANCE.id.as_str(),
    tag = "Admin",
    responses(
        (status = 200, description = "The instance, reseeded", body = InstanceState),
        answers::Unauthorized,
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/reset")]
pub async fn reset_instance(owner: InstanceOwner) -> HttpResponse {
    let instance = Arc::clone(&owner.instance);
    let sessions = web::block(move || instance.reset())
        .await
        .unwrap_or_default();
    json_ok(&InstanceState {
        object: "instance",
        id: owner.instance.id().to_string(),
        deleted: false,
        sessions,
    })
}

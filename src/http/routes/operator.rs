//! The operator surface outside `/v1`: health, readiness and the OpenAPI document.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::json_ok;
use crate::error::{ApiError, ClerkErrors};
use crate::http::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(healthz)
        .service(readyz)
        .service(openapi_document);
}

/// The OpenAPI document as served, kept as bytes so every answer is identical.
#[derive(Debug, Clone)]
pub struct OpenApiDocument(pub String);

/// Liveness of the process.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Readiness: data seeded and keys loaded.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// Instances (secret keys) currently known.
    pub instances: usize,
}

/// Liveness probe
///
/// Answers 200 as soon as the process serves HTTP. Needs no key.
#[utoipa::path(
    operation_id = "Healthz",
    tag = "Operator",
    responses((status = 200, description = "The process is up", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    json_ok(&Health { status: "ok" })
}

/// Readiness probe
///
/// Answers 200 once the fixtures are loaded and every configured instance is seeded, 503 before.
/// Needs no key. CI jobs can poll it before running tests.
#[utoipa::path(
    operation_id = "Readyz",
    tag = "Operator",
    responses(
        (status = 200, description = "Ready to serve the API", body = Readiness),
        (status = 503, description = "Still seeding", body = ClerkErrors),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let registry = state.registry()?;
    Ok(json_ok(&Readiness {
        status: "ready",
        instances: registry.instance_count(),
    }))
}

/// The OpenAPI document
///
/// This server's OpenAPI 3.1 document, generated from its handlers; Swagger UI reads it.
#[utoipa::path(
    operation_id = "GetOpenApiDocument",
    tag = "Operator",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
#[get("/openapi.json")]
pub async fn openapi_document(document: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(document.0.clone())
}

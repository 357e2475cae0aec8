//! The operator surface outside `/v1`: health, readiness and the OpenAPI document.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::json_ok;
use crate::error::{ApiError, ClerkErrors};
use crate::http::AppState;
use crate::http::operation::{Operation, OperationId};

/// The example each documented error shows in the spec.
pub const OPERATIONS: &[Operation] = &[HEALTHZ, READYZ, GET_PUBLIC_KEY_PEM, GET_OPENAPI_DOCUMENT];

pub const HEALTHZ: Operation = Operation {
    id: OperationId::Healthz,
    canonical_error: |_, _| None,
};

pub const GET_OPENAPI_DOCUMENT: Operation = Operation {
    id: OperationId::GetOpenApiDocument,
    canonical_error: |_, _| None,
};

pub const READYZ: Operation = Operation {
    id: OperationId::Readyz,
    canonical_error: |status, _| (status == 503).then_some(ApiError::NotReady),
};

pub const GET_PUBLIC_KEY_PEM: Operation = Operation {
    id: OperationId::GetPublicKeyPem,
    canonical_error: |status, _| match status {
        404 => Some(ApiError::NotFound {
            resource: "Instance",
            id: "ins_2NobodyHasThisInstance0000".to_owned(),
        }),
        503 => Some(ApiError::NotReady),
        _ => None,
    },
};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(healthz)
        .service(readyz)
        .service(public_key_pem)
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
    operation_id = HEALTHZ.id.as_str(),
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
    operation_id = READYZ.id.as_str(),
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

/// Public signing key (PEM)
///
/// An instance's public signing key in PEM (SPKI) form, for networkless verification with a
/// static key: give it to the SDKs as `jwtKey` / `CLERK_JWT_KEY`. Needs no key.
#[utoipa::path(
    operation_id = GET_PUBLIC_KEY_PEM.id.as_str(),
    tag = "Operator",
    params(("kid" = Option<String>, Query, description = "The instance (`kid`) whose key to show; the first configured key's instance when absent.", example = "ins_2Kq8mNzXv4pL7rT1sW9yB3cE5fH")),
    responses(
        (status = 200, description = "The public key", content_type = "application/x-pem-file", body = String),
        (status = 404, description = "No such instance", body = ClerkErrors),
        (status = 503, description = "Still seeding", body = ClerkErrors),
    )
)]
#[get("/jwt-public-key.pem")]
pub async fn public_key_pem(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let kid = form_urlencoded::parse(request.query_string().as_bytes())
        .find(|(name, _)| name == "kid")
        .map(|(_, value)| value.into_owned());
    let instance = state
        .registry()?
        .instance_by_id(kid.as_deref())
        .ok_or_else(|| ApiError::not_found("Instance", kid.as_deref().unwrap_or_default()))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/x-pem-file"))
        .body(instance.public_key_pem().to_owned()))
}

/// The OpenAPI document
///
/// This server's OpenAPI 3.1 document, generated from its handlers; Swagger UI reads it.
#[utoipa::path(
    operation_id = GET_OPENAPI_DOCUMENT.id.as_str(),
    tag = "Operator",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
#[get("/openapi.json")]
pub async fn openapi_document(document: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(document.0.clone())
}

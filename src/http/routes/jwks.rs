//! `/v1/jwks`: the public key set the SDKs verify session tokens with.

use actix_web::{HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::json_ok;
use crate::error::ClerkErrors;
use crate::http::Caller;
use crate::tokens::signing::Jwk;

pub fn configure(config: &mut ServiceConfig) {
    config.service(get_jwks);
}

/// A JSON Web Key Set.
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// Retrieve the JSON Web Key Set of the instance
///
/// The public keys of the caller's instance: one RSA key (`use: sig`, `alg: RS256`) whose `kid`
/// is the instance id, the `kid` in the header of every token the instance signs. The official
/// SDKs fetch this with the secret key to verify session tokens networklessly.
#[utoipa::path(
    operation_id = "GetJWKS",
    tag = "JWKS",
    responses(
        (status = 200, description = "Get the JSON Web Key Set", body = Jwks),
        (status = 400, description = "Invalid API version", body = ClerkErrors),
        (status = 401, description = "Authentication invalid", body = ClerkErrors),
    ),
    security(("bearerAuth" = []))
)]
#[get("/jwks")]
pub async fn get_jwks(caller: Caller) -> HttpResponse {
    json_ok(&Jwks {
        keys: vec![caller.instance.jwk()],
    })
}

//! `/v1/jwks`: the public key set the SDKs verify session tokens with.

use actix_web::{HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{answers, json_ok};
use crate::error::ApiError;
use crate::http::Caller;
use crate::http::operation::{Operation, OperationId, unknown_api_version};
use crate::tokens::signing::Jwk;

/// What `Prefer: code=` answers, and the spec shows, for each documented error.
pub const OPERATIONS: &[Operation] = &[GET_JWKS];

pub const GET_JWKS: Operation = Operation {
    id: OperationId::GetJwks,
    canonical_error: |status, _| match status {
        400 => Some(unknown_api_version()),
        401 => Some(ApiError::MissingAuthorization),
        _ => None,
    },
};

pub fn configure(config: &mut ServiceConfig) {
    config.service(get_jwks);
}

/// A JSON Web Key Set.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"keys": [{
    "use": "sig",
    "kty": "RSA",
    "kid": "ins_2Kq8mNzXv4pL7rT1sW9yB3cE5fH",
    "alg": "RS256",
    "n": "2mT4b0yQn...base64url modulus...",
    "e": "AQAB"
}]}))]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// Retrieve the JSON Web Key Set of the instance
///
/// The public keys of the caller's instance: one RSA key (`use: sig`, `alg: RS256`) whose `kid`
/// is the instance id, the `kid` in the header of every token the instance signs. The official
/// SDKs fetch this with the secret key to verify session tokens networklessly.
#[utoipa::path(
    operation_id = GET_JWKS.id.as_str(),
    tag = "JWKS",
    responses(
        (status = 200, description = "Get the JSON Web Key Set", body = Jwks),
        answers::BadRequest,
        answers::Unauthorized,
    ),
    security(("bearerAuth" = []))
)]
#[get("/v1/jwks", wrap = "GET_JWKS.stages()")]
pub async fn get_jwks(caller: Caller) -> HttpResponse {
    json_ok(&Jwks {
        keys: vec![caller.instance.jwk()],
    })
}

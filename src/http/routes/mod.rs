//! The routes: one module per resource, each registering annotated handlers with `.service()`.

pub mod admin;
pub mod jwks;
pub mod metadata_write;
pub mod operator;
pub mod organizations;
pub mod refresh;
pub mod sessions;
pub mod sign_in_tokens;
pub mod testing_tokens;
pub mod tokens;
pub mod users;
pub mod verify;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue};
use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::extract::body::MAX_BODY_BYTES;
use crate::http::operation::Operation;

/// Registers every documented route; the OpenAPI document is generated from the same calls.
/// Clerk's operations carry their `/v1` in their own paths rather than sit in a scope: a scope is
/// one more router every request passes.
pub fn configure(config: &mut ServiceConfig) {
    config.app_data(web::PayloadConfig::new(MAX_BODY_BYTES));
    sessions::configure(config);
    tokens::configure(config);
    refresh::configure(config);
    verify::configure(config);
    users::configure(config);
    testing_tokens::configure(config);
    sign_in_tokens::configure(config);
    organizations::configure(config);
    jwks::configure(config);
    operator::configure(config);
    admin::configure(config);
}

/// Every operation, as each routes module declares them.
pub fn operations() -> impl Iterator<Item = &'static Operation> + Clone {
    [
        sessions::OPERATIONS,
        tokens::OPERATIONS,
        refresh::OPERATIONS,
        verify::OPERATIONS,
        users::OPERATIONS,
        testing_tokens::OPERATIONS,
        sign_in_tokens::OPERATIONS,
        organizations::OPERATIONS,
        jwks::OPERATIONS,
        operator::OPERATIONS,
        admin::OPERATIONS,
    ]
    .into_iter()
    .flatten()
}

/// Answers 200 with `value` as JSON (`Content-Type: application/json`, nothing appended).
pub fn json_ok<T: Serialize>(value: &T) -> HttpResponse {
    HttpResponse::Ok().json(value)
}

/// Answers 200 with a body already serialised to JSON, with the same `Content-Type`.
pub fn json_bytes_ok(body: impl MessageBody + 'static) -> HttpResponse {
    // Built directly rather than through `HttpResponse::Ok()`, whose builder checks for errors
    // that a fixed status and header cannot have.
    let mut response = HttpResponse::with_body(StatusCode::OK, BoxBody::new(body));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The documented error answers, each a Clerk envelope; operations list the ones they give.
pub mod answers {
    #![allow(
        dead_code,
        reason = "these types describe responses in the OpenAPI document"
    )]

    use utoipa::IntoResponses;

    use crate::error::ClerkErrors;

    #[derive(IntoResponses)]
    #[response(status = 400, description = "Request was not successful")]
    pub struct BadRequest(ClerkErrors);

    #[derive(IntoResponses)]
    #[response(status = 401, description = "Authentication invalid")]
    pub struct Unauthorized(ClerkErrors);

    #[derive(IntoResponses)]
    #[response(status = 404, description = "Resource not found")]
    pub struct NotFound(ClerkErrors);

    #[derive(IntoResponses)]
    #[response(
        status = 410,
        description = "The endpoint is considered deprecated and is pending removal."
    )]
    pub struct Gone(ClerkErrors);

    #[derive(IntoResponses)]
    #[response(status = 422, description = "Invalid request parameters")]
    pub struct Unprocessable(ClerkErrors);
}

//! A last line of defence: any error answer that is not already JSON (actix's own plain-text
//! errors for bad payloads, oversized bodies or malformed paths, CORS's refusals) is replaced by
//! Clerk's envelope for the same status.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, ResponseError};

use crate::error::ApiError;

/// Puts every error answer that is not JSON in Clerk's envelope.
pub async fn enforce(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse, Error> {
    next.call(request)
        .await
        .map(|response| in_envelope(response.map_into_boxed_body()))
}

/// `response`, or Clerk's envelope for its status if it is an error answer that is not JSON.
fn in_envelope(response: ServiceResponse) -> ServiceResponse {
    let status = response.status();
    let is_error = status.is_client_error() || status.is_server_error();
    let is_json = || {
        response
            .headers()
            .get(CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes() == b"application/json")
    };
    if !is_error || is_json() {
        return response;
    }
    let (request, _) = response.into_parts();
    let mut envelope: HttpResponse = ApiError::from_status(status).error_response();
    // Keep the original status even where the canonical error would use another.
    *envelope.status_mut() = status;
    ServiceResponse::new(request, envelope)
}

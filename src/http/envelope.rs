//! A last line of defence: any error answer that is not already JSON (actix's own plain-text
//! errors for bad payloads, oversized bodies or malformed paths) is replaced by Clerk's envelope
//! for the same status.

use actix_web::dev::ServiceResponse;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpResponse, ResponseError};

use crate::error::ApiError;

/// The middleware that puts every error answer into the envelope.
pub fn errors_in_envelope<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(wrap_in_envelope)
}

fn wrap_in_envelope<B>(response: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == b"application/json");
    if is_json {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let error = ApiError::from_status(status);
    let (request, _) = response.into_parts();
    let mut envelope: HttpResponse = error.error_response();
    // Keep the original status even where the canonical error would use another.
    *envelope.status_mut() = status;
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, envelope).map_into_right_body(),
    ))
}

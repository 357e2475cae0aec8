//! Requests no route took: a 405 with `Allow` when the path exists under another method, a 404
//! otherwise (naming the documented operation it most likely meant), both in Clerk's envelope.

use actix_web::{HttpRequest, HttpResponse};

use super::operation::{allowed_methods, closest};
use crate::error::ApiError;

/// The default service: answers whatever no route matched.
pub async fn no_route(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    let allowed = allowed_methods(request.path());
    Err(if allowed.is_empty() {
        ApiError::RouteNotFound {
            method: request.method().to_string(),
            path: request.path().chars().take(200).collect(),
            suggestion: closest(request.method(), request.path()),
        }
    } else {
        ApiError::MethodNotAllowed {
            allowed: allowed.iter().map(ToString::to_string).collect(),
        }
    })
}

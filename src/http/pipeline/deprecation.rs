//! Marks every answer of a deprecated operation, errors included, with a `Deprecation` header
//! (RFC 9745), dated when the operation was retired (API version 2025-04-10).

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

use super::context::RequestContext;

/// 2025-04-10T00:00:00Z as an RFC 9745 date.
pub const DEPRECATION_DATE: &str = "@1744243200";

/// Adds the `Deprecation` header to the answers of deprecated operations.
pub async fn mark(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let deprecated = RequestContext::read(request.request(), |context| {
        context
            .operation
            .is_some_and(|operation| operation.documented().deprecated)
    })
    .unwrap_or(false);
    let mut response = next.call(request).await?;
    if deprecated {
        response.headers_mut().insert(
            HeaderName::from_static("deprecation"),
            HeaderValue::from_static(DEPRECATION_DATE),
        );
    }
    Ok(response)
}

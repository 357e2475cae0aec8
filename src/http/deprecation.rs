//! Marks every answer of a deprecated operation, errors included, with a `Deprecation` header
//! (RFC 9745), dated when the operation was retired (API version 2025-04-10).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use super::route_table::RouteTable;

/// 2025-04-10T00:00:00Z as an RFC 9745 date.
pub const DEPRECATION_DATE: &str = "@1744243200";

pub async fn mark_deprecated(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let deprecated = request
        .app_data::<web::Data<RouteTable>>()
        .is_some_and(|routes| routes.is_deprecated(request.method(), request.path()));
    let mut response = next.call(request).await?;
    if deprecated {
        response.headers_mut().insert(
            HeaderName::from_static("deprecation"),
            HeaderValue::from_static(DEPRECATION_DATE),
        );
    }
    Ok(response)
}

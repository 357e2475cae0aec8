//! Marks every answer of a deprecated operation, errors included, with a `Deprecation` header
//! (RFC 9745), dated when the operation was retired (API version 2025-04-10).

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

/// 2025-04-10T00:00:00Z as an RFC 9745 date.
pub const DEPRECATION_DATE: &str = "@1744243200";

/// Adds the `Deprecation` header to an answer's headers.
pub fn mark_deprecated(headers: &mut HeaderMap) {
    headers.insert(
        HeaderName::from_static("deprecation"),
        HeaderValue::from_static(DEPRECATION_DATE),
    );
}

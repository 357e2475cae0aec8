//! Which API version a request asks for: the `Clerk-API-Version` header or the
//! `__clerk_api_version` query parameter, never both.

use std::borrow::Cow;

use actix_web::HttpRequest;
use actix_web::http::header::HeaderName;

use super::query::for_each_pair;
use crate::domain::ApiVersion;
use crate::error::ApiError;

/// `Clerk-API-Version`, as a header name ready for lookups.
pub const API_VERSION_HEADER: HeaderName = HeaderName::from_static("clerk-api-version");
pub const API_VERSION_QUERY: &str = "__clerk_api_version";

/// The version `request` selects, or `default` when it names none.
pub fn requested_version(
    request: &HttpRequest,
    default: ApiVersion,
) -> Result<ApiVersion, ApiError> {
    let header = request.headers().get(API_VERSION_HEADER);
    let query_string = request.query_string();
    let mut query = None;
    // Unless escaped, the parameter's name is in the text as it is; most queries lack it.
    if query_string.contains(API_VERSION_QUERY) || query_string.contains(['%', '+']) {
        for_each_pair(query_string, |name, value| {
            if name == API_VERSION_QUERY && query.is_none() {
                query = Some(value.to_owned());
            }
        });
    }
    let text = match (header, query) {
        (None, None) => return Ok(default),
        (Some(_), Some(_)) => return Err(ApiError::ConflictingApiVersions),
        (Some(header), None) => String::from_utf8_lossy(header.as_bytes()),
        (None, Some(query)) => Cow::Owned(query),
    };
    text.parse()
        .map_err(|_| ApiError::InvalidApiVersion(text.chars().take(64).collect()))
}

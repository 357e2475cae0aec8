//! Which API version a request asks for: the `Clerk-API-Version` header or the
//! `__clerk_api_version` query parameter, never both.

use actix_web::HttpRequest;
use actix_web::http::header::HeaderName;

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
    let query = form_urlencoded::parse(request.query_string().as_bytes())
        .find(|(name, _)| name == API_VERSION_QUERY)
        .map(|(_, value)| value.into_owned());
    let text = match (header, query) {
        (None, None) => return Ok(default),
        (Some(_), Some(_)) => return Err(ApiError::ConflictingApiVersions),
        (Some(header), None) => String::from_utf8_lossy(header.as_bytes()).into_owned(),
        (None, Some(query)) => query,
    };
    text.parse()
        .map_err(|_| ApiError::InvalidApiVersion(text.chars().take(64).collect()))
}

//! `Prefer: code=<status>` (Prism's convention): answer an operation's documented response for
//! that status on demand. Authentication still comes first, except for `code=401`; `code=200`
//! means "behave normally"; a status the operation does not document is a 400 that lists the
//! documented ones.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest};

use super::context::{PREFER, RequestContext};
use crate::error::ApiError;
use crate::http::operation::PathParams;

/// When in the pipeline a forced status is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Before authentication: only `code=401` is answered here.
    BeforeAuthentication,
    /// After authentication: every other code.
    AfterAuthentication,
}

/// The value of the preference `name` in the request's `Prefer` headers, as given.
pub fn preference(request: &HttpRequest, name: &str) -> Option<String> {
    request
        .headers()
        .get_all(PREFER)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split([',', ';']))
        .find_map(|preference| {
            let (given, value) = preference.split_once('=')?;
            (given.trim().eq_ignore_ascii_case(name))
                .then(|| value.trim().trim_matches('"').to_owned())
        })
}

/// The error to answer instead of running the operation, if the request forces one at `stage`.
pub fn forced_error(
    request: &ServiceRequest,
    context: &RequestContext,
    stage: Stage,
) -> Option<ApiError> {
    let operation = context.operation?;
    let code = preference(request.request(), "code")?;
    let documented = &operation.documented().statuses;
    let status = code
        .parse::<u16>()
        .ok()
        .filter(|status| documented.contains(status));
    let params = PathParams::of(request.request());
    match (stage, status) {
        (Stage::BeforeAuthentication, Some(401)) => operation.error_for(401, params),
        (Stage::BeforeAuthentication, _) | (Stage::AfterAuthentication, Some(200)) => None,
        (Stage::AfterAuthentication, Some(status)) => operation.error_for(status, params),
        (Stage::AfterAuthentication, None) => Some(ApiError::UndocumentedStatus {
            requested: code.chars().take(20).collect(),
            documented: documented.clone(),
        }),
    }
}

/// Answers an authenticated API request with the documented answer its `Prefer: code=` asks
/// for, if it asks for one.
pub async fn force_status(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse, Error> {
    let forced = RequestContext::read(request.request(), |context| {
        context
            .prefers
            .then(|| forced_error(&request, context, Stage::AfterAuthentication))
            .flatten()
    })
    .flatten();
    if let Some(error) = forced {
        return Ok(preference_applied(request.error_response(error)));
    }
    next.call(request)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// Marks an answer as the one a `Prefer` header asked for (RFC 7240).
pub fn preference_applied<B>(mut response: ServiceResponse<B>) -> ServiceResponse<B> {
    if let Ok(value) = HeaderValue::from_str(&format!("code={}", response.status().as_u16())) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("preference-applied"), value);
    }
    response
}

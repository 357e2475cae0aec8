//! Authentication: the bearer secret key picks the instance, before anything else is looked at
//! (the gateway asks first); handlers take the result as a [`Caller`].

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::header::{AUTHORIZATION, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::AppState;
use super::api_version::requested_version;
use crate::domain::ApiVersion;
use crate::error::ApiError;
use crate::instance::Instance;

/// The instance an API request authenticated as; the gateway records it.
#[derive(Debug, Clone)]
struct Authenticated(Arc<Instance>);

/// The authenticated caller of an API operation: its instance and the API version it speaks.
/// The version is read here, once a route has matched, so that an unknown route or method
/// answers 404 or 405 whatever version it names.
#[derive(Debug, Clone)]
pub struct Caller {
    pub instance: Arc<Instance>,
    pub version: ApiVersion,
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = || {
            let instance = authenticated(request).ok_or(ApiError::Internal)?;
            let state = request
                .app_data::<web::Data<AppState>>()
                .ok_or(ApiError::Internal)?;
            let version = requested_version(request, state.default_version)?;
            Ok(Self { instance, version })
        };
        ready(caller())
    }
}

/// Records the instance a request authenticated as, for [`Caller`] and the access log.
pub(crate) fn remember_instance(request: &ServiceRequest, instance: Arc<Instance>) {
    request.extensions_mut().insert(Authenticated(instance));
}

/// The instance the gateway authenticated this request as.
pub(crate) fn authenticated(request: &HttpRequest) -> Option<Arc<Instance>> {
    request
        .extensions()
        .get::<Authenticated>()
        .map(|Authenticated(instance)| Arc::clone(instance))
}

pub(crate) fn authenticated_instance(request: &HttpRequest) -> Result<Arc<Instance>, ApiError> {
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or(ApiError::Internal)?;
    let registry = state.registry()?;
    let key = bearer_key(request)?;
    registry.instance(key).ok_or(ApiError::InvalidSecretKey)
}

const BEARER: &[u8] = b"bearer ";

/// The key of `Authorization: Bearer <key>`; the scheme is case-insensitive (RFC 9110).
pub(crate) fn bearer_key(request: &HttpRequest) -> Result<&str, ApiError> {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .ok_or(ApiError::MissingAuthorization)?;
    key_of(header).ok_or(ApiError::MalformedAuthorization)
}

/// The key in an `Authorization` header's value, if it is `Bearer <key>`.
fn key_of(header: &HeaderValue) -> Option<&str> {
    // What nearly every request sends, checked in one pass: `Bearer ` and visible ASCII.
    if let Some((scheme, key)) = header.as_bytes().split_at_checked(BEARER.len())
        && scheme.eq_ignore_ascii_case(BEARER)
        && !key.is_empty()
        // Folded rather than `all`, which stops early and so is checked a byte at a time.
        && key.iter().fold(true, |graphic, byte| graphic & byte.is_ascii_graphic())
    {
        return std::str::from_utf8(key).ok();
    }
    any_key_of(header)
}

/// [`key_of`] for any header: spaces around the key, other whitespace, other schemes.
fn any_key_of(header: &HeaderValue) -> Option<&str> {
    let (scheme, key) = header.to_str().ok()?.split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty() && !key.contains(char::is_whitespace))
        .then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_pass_reading_agrees_with_the_general_one() {
        for value in [
            &b"Bearer sk_test_abc"[..],
            b"bearer sk_test_abc",
            b"BEARER sk_test_abc",
            b"Bearer  sk_test_abc ",
            b"Bearer\tsk_test_abc",
            b"Bearer sk_test_\tabc",
            b"Bearer sk_test_a b",
            b"Bearer sk_test_caf\xc3\xa9",
            b"Bearer ",
            b"Bearer",
            b"Basic sk_test_abc",
            b"Bearers sk_test_abc",
            b"",
        ] {
            let header = HeaderValue::from_bytes(value).expect("a header value");
            assert_eq!(key_of(&header), any_key_of(&header), "{header:?}");
        }
        let header = HeaderValue::from_static("Bearer sk_test_abc");
        assert_eq!(key_of(&header), Some("sk_test_abc"));
    }
}

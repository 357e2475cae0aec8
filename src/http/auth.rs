//! Authentication: the bearer secret key picks the instance, before anything else is looked at
//! (the gateway asks first, then runs the route [as](answer_as) that instance); handlers take
//! the result as a [`Caller`].

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header::{AUTHORIZATION, HeaderValue};
use actix_web::{FromRequest, HttpRequest, web};

use super::AppState;
use super::api_version::requested_version;
use super::connection_key::ConnectionKey;
use crate::domain::ApiVersion;
use crate::error::ApiError;
use crate::instance::Instance;

/// The instance a request authenticated as, and the API version it speaks unless it names one.
#[derive(Debug)]
struct Authenticated {
    instance: Arc<Instance>,
    default_version: ApiVersion,
}

tokio::task_local! {
    /// What the request being answered authenticated as, set by the gateway around the route: a
    /// request extension would cost an allocation and a map entry per request.
    static AUTHENTICATED: Authenticated;
}

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
        // `let ... else` rather than `ok_or(error)` here and below: an error built eagerly is
        // also dropped, out of line, on every request that does not need it.
        let Ok((instance, default_version)) = AUTHENTICATED.try_with(|authenticated| {
            let instance = Arc::clone(&authenticated.instance);
            (instance, authenticated.default_version)
        }) else {
            return ready(Err(ApiError::Internal));
        };
        ready(requested_version(request, default_version).map(|version| Self { instance, version }))
    }
}

/// Runs `route`, the route's answer to a request that authenticated as `instance` and speaks
/// `default_version` unless it names another.
pub(crate) async fn answer_as<F: Future>(
    instance: &Arc<Instance>,
    default_version: ApiVersion,
    route: F,
) -> F::Output {
    let authenticated = Authenticated {
        instance: Arc::clone(instance),
        default_version,
    };
    AUTHENTICATED.scope(authenticated, route).await
}

/// The instance the request's secret key names, found through the app's shared state.
pub(crate) fn authenticated_instance(request: &HttpRequest) -> Result<Arc<Instance>, ApiError> {
    let Some(state) = request.app_data::<web::Data<AppState>>() else {
        return Err(ApiError::Internal);
    };
    authenticate(state, request)
}

/// The instance the request's secret key names: the one the connection found for the same
/// `Authorization` header before, or the registry's.
pub(crate) fn authenticate(
    state: &AppState,
    request: &HttpRequest,
) -> Result<Arc<Instance>, ApiError> {
    let registry = state.registry()?;
    // Read before the registry is, so that a deletion in between makes what is remembered stale.
    let deletions = registry.deletions();
    let sent = request
        .headers()
        .get(AUTHORIZATION)
        .map(HeaderValue::as_bytes);
    let connection = request.conn_data::<ConnectionKey>();
    if let (Some(sent), Some(connection)) = (sent, connection)
        && let Some(instance) = connection.instance(sent, deletions)
    {
        return Ok(instance);
    }
    let key = bearer_key(request)?;
    let Some(instance) = registry.instance(key) else {
        return Err(ApiError::InvalidSecretKey);
    };
    if let (Some(sent), Some(connection)) = (sent, connection) {
        connection.remember(sent, deletions, &instance);
    }
    Ok(instance)
}

const BEARER: &[u8] = b"bearer ";

/// The key of `Authorization: Bearer <key>`; the scheme is case-insensitive (RFC 9110).
pub(crate) fn bearer_key(request: &HttpRequest) -> Result<&str, ApiError> {
    let Some(header) = request.headers().get(AUTHORIZATION) else {
        return Err(ApiError::MissingAuthorization);
    };
    match key_of(header) {
        Some(key) => Ok(key),
        None => Err(ApiError::MalformedAuthorization),
    }
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

//! Authentication: the bearer secret key picks the instance, before anything else is looked at.

use std::future::{Ready, ready};
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::access_log::AnsweredFor;
use super::api_version::requested_version;
use super::faults::InjectedFault;
use super::prefer::{self, Stage};
use super::{AppState, is_api_path};
use crate::domain::ApiVersion;
use crate::domain::clock::wall_clock_ms;
use crate::error::ApiError;
use crate::instance::Instance;
use crate::journal::{JournalEntry, clipped};

/// The instance an API request authenticated as; the middleware below records it.
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

/// Authenticates every API request, or answers 401 before any handler runs, so authentication
/// comes before 400s, 404s, 422s and body limits; then records the answer in the instance's
/// journal.
pub async fn authenticate(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !is_api_path(request.path()) {
        return next
            .call(request)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    if let Some(error) = prefer::forced_error(request.request(), Stage::BeforeAuthentication) {
        return Ok(prefer::preference_applied(request.error_response(error)).map_into_right_body());
    }
    match authenticated_instance(request.request()) {
        Ok(instance) => {
            let started = Instant::now();
            let at_ms = wall_clock_ms();
            let method = request.method().to_string();
            let path = clipped(request.path(), 500);
            let query = clipped(request.query_string(), 2000);
            request.extensions_mut().insert(AnsweredFor(instance.id()));
            request
                .extensions_mut()
                .insert(Authenticated(Arc::clone(&instance)));
            let response = next.call(request).await?;
            let fault = response
                .response()
                .extensions()
                .get::<InjectedFault>()
                .map(|InjectedFault(kind)| *kind);
            instance.journal().record(JournalEntry {
                method,
                path,
                query,
                status: if fault == Some(InjectedFault::RESET.0) {
                    0
                } else {
                    response.status().as_u16()
                },
                fault,
                duration_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                at_ms,
            });
            Ok(response.map_into_left_body())
        }
        Err(error) => Ok(request.error_response(error).map_into_right_body()),
    }
}

/// The instance the authentication middleware found for this request.
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

/// The key of `Authorization: Bearer <key>`; the scheme is case-insensitive (RFC 9110).
pub(crate) fn bearer_key(request: &HttpRequest) -> Result<&str, ApiError> {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .ok_or(ApiError::MissingAuthorization)?;
    let text = header
        .to_str()
        .map_err(|_| ApiError::MalformedAuthorization)?;
    let (scheme, key) = text
        .split_once(' ')
        .ok_or(ApiError::MalformedAuthorization)?;
    let key = key.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || key.is_empty() || key.contains(char::is_whitespace)
    {
        return Err(ApiError::MalformedAuthorization);
    }
    Ok(key)
}

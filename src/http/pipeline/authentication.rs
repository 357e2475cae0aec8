//! Authentication: the bearer secret key picks the instance before anything else about an API
//! request is looked at, so a 401 comes before any 400, 404, 422 or body limit.
//! `Prefer: code=401` is answered first, as it needs no key. Handlers receive the outcome as a
//! [`Caller`]; the admin surface's `InstanceOwner` finds its instance through the same
//! [`instance_for`].

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage as _, HttpRequest, web};

use super::context::RequestContext;
use super::prefer::{Stage, forced_error, preference_applied};
use crate::domain::ApiVersion;
use crate::domain::clock::wall_clock_ms;
use crate::error::ApiError;
use crate::http::AppState;
use crate::tenancy::instance::Instance;
use crate::tenancy::journal::{clipped, redaction};
use crate::tenancy::registry::Lookup;
use crate::tenancy::unauthenticated::{UnauthenticatedEntry, masked_key};

/// The authenticated caller of an API operation: its instance and the API version it speaks.
#[derive(Debug, Clone)]
pub struct Caller {
    pub instance: Arc<Instance>,
    pub version: ApiVersion,
}

/// An operation that takes a [`Caller`] speaks the version the request asks for; the OpenAPI
/// document shows that as the `Clerk-API-Version` header. The query parameter
/// `__clerk_api_version` is its alternative rather than a parameter of its own: a request giving
/// both is a 400, which a list of independent optional parameters cannot say.
impl utoipa::IntoParams for Caller {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        vec![
            ParameterBuilder::new()
                .name("Clerk-API-Version")
                .parameter_in(ParameterIn::Header)
                .description(Some(API_VERSION_DESCRIPTION))
                .required(utoipa::openapi::Required::False)
                .schema(Some(<ApiVersion as utoipa::PartialSchema>::schema()))
                .build(),
        ]
    }
}

const API_VERSION_DESCRIPTION: &str =
    "The API version this request speaks (the server's default when absent). Sessions gain
`tasks` and the `pending` status in 2025-03-12; verify answers 410 from 2025-04-10. Clients
that cannot set headers may give the query parameter `__clerk_api_version` instead; both
at once is a 400 `api_version_invalid`.";

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = RequestContext::read(request, |context| {
            let instance = context.instance.clone()?;
            Some(
                context
                    .version
                    .clone()
                    .map(|version| Self { instance, version }),
            )
        })
        .flatten()
        // Every API route is behind the authentication stage.
        .unwrap_or(Err(ApiError::Internal));
        ready(caller)
    }
}

/// Authenticates an API request, or answers it with the 401 it deserves.
pub async fn authenticate(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse, Error> {
    let Some(forced) = RequestContext::read(request.request(), |context| {
        context
            .prefers
            .then(|| forced_error(&request, context, Stage::BeforeAuthentication))
            .flatten()
    }) else {
        return next
            .call(request)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    if let Some(error) = forced {
        return Ok(preference_applied(request.error_response(error)));
    }
    let instance = match request.app_data::<web::Data<AppState>>() {
        Some(state) => instance_for(state, request.request()).await,
        None => Err(ApiError::Internal),
    };
    match instance {
        Ok(instance) => {
            if let Some(context) = request.extensions_mut().get_mut::<RequestContext>() {
                context.instance = Some(instance);
            }
            next.call(request)
                .await
                .map(ServiceResponse::map_into_boxed_body)
        }
        Err(error) => {
            if let Some(state) = request.app_data::<web::Data<AppState>>()
                && matches!(
                    error,
                    ApiError::MissingAuthorization
                        | ApiError::MalformedAuthorization
                        | ApiError::InvalidSecretKey
                )
            {
                state
                    .unauthenticated
                    .record(unauthenticated_entry(&request, &error));
            }
            Ok(request.error_response(error))
        }
    }
}

/// What the server-wide journal keeps of a request that belonged to no instance.
fn unauthenticated_entry(request: &ServiceRequest, error: &ApiError) -> UnauthenticatedEntry {
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes());
            (
                name.as_str().to_owned(),
                clipped(&redaction::header_value(name.as_str(), &value), 1000),
            )
        })
        .collect();
    UnauthenticatedEntry {
        method: request.method().clone(),
        path: clipped(request.path(), 500),
        query: clipped(request.query_string(), 2000),
        status: 401,
        error_code: error
            .errors()
            .first()
            .map(|error| error.code.clone())
            .unwrap_or_default(),
        key: request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_whitespace().last())
            .map(masked_key),
        headers,
        at_ms: wall_clock_ms(),
    }
}

/// The instance the request's secret key names. A new key accepted on first use has its
/// instance seeded by the [`Seeder`](crate::tenancy::seeder::Seeder), so that the worker goes
/// on answering the requests queued on it meanwhile.
pub async fn instance_for(
    state: &AppState,
    request: &HttpRequest,
) -> Result<Arc<Instance>, ApiError> {
    let registry = state.registry()?;
    let key = bearer_key(request)?;
    match registry.lookup(key) {
        Lookup::Found(instance) => Ok(instance),
        Lookup::Refused => Err(ApiError::InvalidSecretKey),
        Lookup::OnDemand => {
            let (registry, key) = (Arc::clone(registry), key.to_owned());
            state
                .seeder
                .run(move || registry.create_on_demand_for(&key))
                .await
                .ok_or(ApiError::Internal)?
                .map_err(ApiError::from)
        }
    }
}

/// The key of `Authorization: Bearer <key>`; the scheme is case-insensitive (RFC 9110), and
/// spaces around the key are allowed.
pub fn bearer_key(request: &HttpRequest) -> Result<&str, ApiError> {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .ok_or(ApiError::MissingAuthorization)?;
    let (scheme, key) = header
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .ok_or(ApiError::MalformedAuthorization)?;
    let key = key.trim();
    if scheme.eq_ignore_ascii_case("bearer")
        && !key.is_empty()
        && !key.contains(char::is_whitespace)
    {
        Ok(key)
    } else {
        Err(ApiError::MalformedAuthorization)
    }
}

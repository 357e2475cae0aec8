//! The one middleware every request passes through. An API request meets, in this order: a
//! `Prefer: code=401`, authentication (a 401 before any handler runs, so it comes before 400s,
//! 404s, 422s and body limits), the instance's faults, any other `Prefer: code=`, the route; then
//! the answer goes into the instance's journal and, for a deprecated operation, gets its
//! `Deprecation` header. Every request's route runs [contained](super::failures), so that a panic
//! is answered in the envelope. One middleware rather than one per concern: each layer costs
//! every request a boxed future.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use super::auth::{authenticated_instance, remember_instance};
use super::deprecation::mark_deprecated;
use super::failures::contained;
use super::faults::{InjectedFault, injected_fault};
use super::is_api_path;
use super::prefer::{PREFER, Stage, forced_error, preference_applied};
use super::route_table::RouteTable;
use crate::domain::clock::wall_clock_ms;
use crate::instance::Instance;
use crate::journal::{JournalEntry, clipped};

/// Passes a request on to its route, as the module's first lines say.
pub async fn serve_request<B: MessageBody + 'static>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if !is_api_path(request.path()) {
        let path = request.path().to_owned();
        return contained(&path, next.call(request))
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let deprecated = request
        .app_data::<web::Data<RouteTable>>()
        .is_some_and(|routes| routes.is_deprecated(request.method(), request.path()));
    let mut response = authenticated_answer(request, next).await?;
    if deprecated {
        mark_deprecated(response.headers_mut());
    }
    Ok(response)
}

/// Authenticates the request, answers it and records the answer in the instance's journal.
async fn authenticated_answer<B: MessageBody + 'static>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let preferences = request.headers().contains_key(PREFER);
    if preferences && let Some(error) = forced_error(request.request(), Stage::BeforeAuthentication)
    {
        return Ok(preference_applied(request.error_response(error)).map_into_right_body());
    }
    let instance = match authenticated_instance(request.request()) {
        Ok(instance) => instance,
        Err(error) => return Ok(request.error_response(error).map_into_right_body()),
    };
    remember_instance(&request, Arc::clone(&instance));
    let started = Instant::now();
    let at_ms = wall_clock_ms();
    let method = request.method().clone();
    let path = clipped(request.path(), 500);
    let query = clipped(request.query_string(), 2000);
    let outcome = answer(&instance, request, next, preferences, &path).await;
    let (status, fault) = match &outcome {
        Ok(response) => {
            let fault = response
                .response()
                .extensions()
                .get::<InjectedFault>()
                .map(|InjectedFault(kind)| *kind);
            // A reset connection never got a status.
            let status = if fault == Some(InjectedFault::RESET.0) {
                0
            } else {
                response.status().as_u16()
            };
            (status, fault)
        }
        Err(error) => (error.as_response_error().status_code().as_u16(), None),
    };
    instance.journal().record(JournalEntry {
        method,
        path,
        query,
        status,
        fault,
        duration_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        at_ms,
    });
    outcome
}

/// The answer of an authenticated request: a fault, a forced status, or the route's own.
async fn answer<B: MessageBody + 'static>(
    instance: &Instance,
    request: ServiceRequest,
    next: Next<B>,
    preferences: bool,
    path: &str,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    match injected_fault(instance, request.request(), preferences).await {
        Ok(None) => {}
        Ok(Some(fault)) => return Ok(request.into_response(fault).map_into_right_body()),
        Err(error) => return Ok(request.error_response(error).map_into_right_body()),
    }
    if preferences && let Some(error) = forced_error(request.request(), Stage::AfterAuthentication)
    {
        return Ok(preference_applied(request.error_response(error)).map_into_right_body());
    }
    contained(path, next.call(request))
        .await
        .map(ServiceResponse::map_into_left_body)
}

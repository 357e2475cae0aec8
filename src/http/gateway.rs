//! The one middleware every request passes through. Outside in, a request meets: the access log
//! (when it is on), Clerk's envelope for any error answer that is not already JSON, CORS (only
//! for requests that send an `Origin`), then, for an API request, a `Prefer: code=401`,
//! authentication (a 401 before any handler runs, so it comes before 400s, 404s, 422s and body
//! limits), the instance's faults, any other `Prefer: code=`, and the route. The answer goes into
//! the instance's journal and, for a deprecated operation, gets its `Deprecation` header. Every
//! request's route runs [contained](super::failures), so that a panic is answered in the
//! envelope.
//!
//! One hand-written middleware rather than one layer per concern: each layer costs every request
//! its own futures, and this one boxes a single future for a request.

use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use actix_cors::{Cors, CorsMiddleware};
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::ORIGIN;
use actix_web::{Error, web};
use futures_util::future::{Either, LocalBoxFuture, MapOk, TryFutureExt};

use super::AppState;
use super::access_log::{logged, note_instance};
use super::auth::{answer_as, authenticate};
use super::deprecation::mark_deprecated;
use super::envelope::in_envelope;
use super::failures::contained;
use super::faults::{InjectedFault, injected_fault};
use super::is_api_path;
use super::prefer::{PREFER, Stage, forced_error, preference_applied};
use super::route_table::RouteTable;
use crate::domain::clock::wall_clock_ms;
use crate::instance::Instance;
use crate::journal::{JournalEntry, clipped};

/// The middleware, as the module's first lines say. It holds what every API request needs, so
/// that no request looks it up among the app's data.
#[derive(Debug)]
pub struct Gateway {
    state: web::Data<AppState>,
    table: web::Data<RouteTable>,
    cors: Cors,
    access_log: bool,
}

impl Gateway {
    /// The gateway to the app that shares `state` and serves the routes of `table`, with CORS as
    /// `cors` says and no access log.
    pub fn new(state: web::Data<AppState>, table: web::Data<RouteTable>, cors: Cors) -> Self {
        Self {
            state,
            table,
            cors,
            access_log: false,
        }
    }

    /// Logs a line for every request when `on`.
    pub fn logging_access(self, on: bool) -> Self {
        Self {
            access_log: on,
            ..self
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Gateway
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse;
    type Error = Error;
    type InitError = ();
    type Transform = GatewayService<S>;
    type Future = LocalBoxFuture<'static, Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let gate = Gate(Rc::new(Shared {
            routes: service,
            state: self.state.clone(),
            table: self.table.clone(),
        }));
        let cors = self.cors.new_transform(gate.clone());
        let access_log = self.access_log;
        Box::pin(async move {
            Ok(GatewayService {
                cors: cors.await?,
                gate,
                access_log,
            })
        })
    }
}

/// The running middleware of one worker.
#[allow(missing_debug_implementations, reason = "holds actix services")]
pub struct GatewayService<S> {
    cors: CorsMiddleware<Gate<S>>,
    gate: Gate<S>,
    access_log: bool,
}

type Answer = Result<ServiceResponse, Error>;
type CrossOrigin = fn(ServiceResponse<EitherBody<BoxBody>>) -> ServiceResponse;
type Enveloped = fn(ServiceResponse) -> ServiceResponse;
type Unlogged = Either<
    MapOk<
        LocalBoxFuture<'static, Result<ServiceResponse<EitherBody<BoxBody>>, Error>>,
        CrossOrigin,
    >,
    MapOk<LocalBoxFuture<'static, Answer>, Enveloped>,
>;

impl<S, B> Service<ServiceRequest> for GatewayService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse;
    type Error = Error;
    type Future = Either<Unlogged, LocalBoxFuture<'static, Answer>>;

    forward_ready!(gate);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let logged_request = self
            .access_log
            .then(|| (request.method().clone(), request.path().to_owned()));
        // Requests without an `Origin` (SDKs on a server, test suites, curl) are not cross-origin
        // requests, and their answers need none of CORS's headers.
        let answer = if request.headers().contains_key(ORIGIN) {
            let cross_origin: CrossOrigin = |response| in_envelope(response.map_into_boxed_body());
            Either::Left(self.cors.call(request).map_ok(cross_origin))
        } else {
            let enveloped: Enveloped = in_envelope;
            Either::Right(self.gate.call(request).map_ok(enveloped))
        };
        match logged_request {
            None => Either::Left(answer),
            Some((method, path)) => Either::Right(Box::pin(logged(method, path, answer))),
        }
    }
}

/// Everything after CORS: authentication, faults, the route, the journal.
#[allow(missing_debug_implementations, reason = "holds an actix service")]
pub struct Gate<S>(Rc<Shared<S>>);

impl<S> Clone for Gate<S> {
    fn clone(&self) -> Self {
        Self(Rc::clone(&self.0))
    }
}

/// What a worker's gate holds.
struct Shared<S> {
    routes: S,
    state: web::Data<AppState>,
    table: web::Data<RouteTable>,
}

impl<S, B> Service<ServiceRequest> for Gate<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Answer>;

    fn poll_ready(&self, context: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.0.routes.poll_ready(context)
    }

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let gate = Rc::clone(&self.0);
        Box::pin(async move {
            if is_api_path(request.path()) {
                api_answer(request, &gate).await
            } else {
                let path = request.path().to_owned();
                let route = gate.routes.call(request);
                contained(&path, route)
                    .await
                    .map(ServiceResponse::map_into_boxed_body)
            }
        })
    }
}

/// The answer to an API request, with its `Deprecation` header where it is due.
async fn api_answer<S, B>(request: ServiceRequest, gate: &Shared<S>) -> Answer
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    let deprecated = gate.table.is_deprecated(request.method(), request.path());
    let mut response = authenticated_answer(request, gate).await?;
    if deprecated {
        mark_deprecated(response.headers_mut());
    }
    Ok(response)
}

/// Authenticates the request, answers it and records the answer in the instance's journal.
async fn authenticated_answer<S, B>(request: ServiceRequest, gate: &Shared<S>) -> Answer
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    let preferences = request.headers().contains_key(PREFER);
    if preferences && let Some(error) = forced_error(request.request(), Stage::BeforeAuthentication)
    {
        return Ok(preference_applied(request.error_response(error)));
    }
    let instance = match authenticate(&gate.state, request.request()) {
        Ok(instance) => instance,
        Err(error) => return Ok(request.error_response(error)),
    };
    note_instance(instance.id());
    let started = Instant::now();
    let at_ms = wall_clock_ms();
    let method = request.method().clone();
    let path = clipped(request.path(), 500);
    let query = clipped(request.query_string(), 2000);
    let outcome = answer(&instance, request, gate, preferences, &path).await;
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
async fn answer<S, B>(
    instance: &Arc<Instance>,
    request: ServiceRequest,
    gate: &Shared<S>,
    preferences: bool,
    path: &str,
) -> Answer
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    match injected_fault(instance, request.request(), preferences).await {
        Ok(None) => {}
        Ok(Some(fault)) => return Ok(request.into_response(fault)),
        Err(error) => return Ok(request.error_response(error)),
    }
    if preferences && let Some(error) = forced_error(request.request(), Stage::AfterAuthentication)
    {
        return Ok(preference_applied(request.error_response(error)));
    }
    let route = gate.routes.call(request);
    answer_as(instance, gate.state.default_version, contained(path, route))
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

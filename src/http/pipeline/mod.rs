//! The stages every request passes, each a small `from_fn` middleware of its own. Outermost
//! first, as a request meets them:
//!
//! 1. [`access_log`]: one line per request, with its status, instance and trace id;
//! 2. [`envelope`]: any error answer that is not JSON becomes Clerk's envelope;
//! 3. [`cors`]: browsers' preflights and headers, for requests that send an `Origin` (and
//!    `/__admin` only from the origins the operator lists);
//! 4. [`context`]: an API request (`/v1`) is resolved once into its [`RequestContext`] (API
//!    version, `Prefer`), which the later stages and the handlers read;
//! 5. [`panics`]: a handler that panics answers 500 in the envelope, and the worker goes on.
//!
//! Then actix routes the request, once. An API route carries its operation's own stages,
//! [`OperationStages`], which put the [`Operation`] in the context and run, in order:
//!
//! 6. [`deprecation`]: the `Deprecation` header on every answer of a deprecated operation;
//! 7. [`authentication`]: `Prefer: code=401`, then the bearer key picks the instance (a 401
//!    before any handler runs), which handlers receive as a [`Caller`];
//! 8. [`journal`]: the instance's record of the request and its answer;
//! 9. [`faults`]: the instance's (and `Prefer`'s) delay, server errors, resets and 429s;
//! 10. [`prefer`]: any other `Prefer: code=`, the operation's documented answer for it;
//! 11. [`panics`] again, so that the journal records a handler's panic as its 500.
//!
//! An API request no route takes meets the same stages with no operation (a 401 before its 404
//! or 405, and a journal entry). [`install`] mounts stages 1 to 5; [`OperationStages`] lists
//! 6 to 11. A new stage is a module here and one line in one of the two lists.

pub mod access_log;
pub mod authentication;
pub mod context;
pub mod cors;
pub mod deprecation;
pub mod envelope;
pub mod faults;
pub mod journal;
pub mod panics;
pub mod prefer;

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse, Transform};
use actix_web::middleware::from_fn;
use actix_web::{App, Error, HttpMessage as _};
use futures_util::future::LocalBoxFuture;

pub use authentication::Caller;
pub use context::RequestContext;

use crate::http::operation::Operation;

/// Mounts stages 1 to 5 on `app` around its router, with CORS for `cors_origins`. actix runs
/// the last `wrap` first, so they are listed here innermost first: read this from the bottom up
/// to follow a request.
pub fn install<T, B>(
    app: App<T>,
    cors_origins: cors::CrossOrigin,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
>
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    app.wrap(from_fn(panics::contain))
        .wrap(from_fn(context::resolve))
        .wrap(cors_origins)
        .wrap(from_fn(envelope::enforce))
        .wrap(from_fn(access_log::log))
}

/// The stages of one API operation (6 to 11), which its route runs after the router chose it:
/// `#[get("/v1/...", wrap = "GET_SESSION.stages()")]`. With no operation, the stages of an API
/// request that no route took.
#[derive(Debug, Clone, Copy)]
pub struct OperationStages(pub Option<Operation>);

impl Operation {
    /// The stages this operation's requests run through.
    pub fn stages(self) -> OperationStages {
        OperationStages(Some(self))
    }
}

type Stage = Rc<
    dyn Service<
            ServiceRequest,
            Response = ServiceResponse<BoxBody>,
            Error = Error,
            Future = LocalBoxFuture<'static, Result<ServiceResponse<BoxBody>, Error>>,
        >,
>;

impl<S, B> Transform<S, ServiceRequest> for OperationStages
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = OperationService;
    type InitError = ();
    type Future = Ready<Result<OperationService, ()>>;

    fn new_transform(&self, route: S) -> Self::Future {
        let operation = self.0;
        ready(stack(boxed(route)).map(|stages| OperationService { operation, stages }))
    }
}

/// Stacks the stages around the route, innermost first: read from the bottom up to follow a
/// request.
fn stack(route: Stage) -> Result<Stage, ()> {
    let stages = layer(from_fn(panics::contain), route)?;
    let stages = layer(from_fn(prefer::force_status), stages)?;
    let stages = layer(from_fn(faults::inject), stages)?;
    let stages = layer(from_fn(journal::record), stages)?;
    let stages = layer(from_fn(authentication::authenticate), stages)?;
    layer(from_fn(deprecation::mark), stages)
}

/// A stage around the stages inside it. `from_fn` stages are built at once; one that is not, or
/// fails, fails the application's start rather than a request.
fn layer<M, B>(stage: M, inner: Stage) -> Result<Stage, ()>
where
    M: Transform<
            Stage,
            ServiceRequest,
            Response = ServiceResponse<B>,
            Error = Error,
            InitError = (),
        >,
    M::Transform: 'static,
    B: MessageBody + 'static,
{
    futures_util::FutureExt::now_or_never(stage.new_transform(inner))
        .ok_or(())?
        .map(boxed)
}

fn boxed<S, B>(service: S) -> Stage
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    struct Boxed<S> {
        service: S,
    }
    impl<S, B> Service<ServiceRequest> for Boxed<S>
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
        B: MessageBody + 'static,
    {
        type Response = ServiceResponse<BoxBody>;
        type Error = Error;
        type Future = LocalBoxFuture<'static, Result<ServiceResponse<BoxBody>, Error>>;

        actix_web::dev::forward_ready!(service);

        fn call(&self, request: ServiceRequest) -> Self::Future {
            let answer = self.service.call(request);
            Box::pin(async move { answer.await.map(ServiceResponse::map_into_boxed_body) })
        }
    }
    Rc::new(Boxed { service })
}

/// A route with its operation's stages around it.
pub struct OperationService {
    operation: Option<Operation>,
    stages: Stage,
}

impl std::fmt::Debug for OperationService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperationService")
            .field("operation", &self.operation.map(|operation| operation.id))
            .finish_non_exhaustive()
    }
}

impl Service<ServiceRequest> for OperationService {
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<ServiceResponse<BoxBody>, Error>>;

    actix_web::dev::forward_ready!(stages);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        if let Some(context) = request.extensions_mut().get_mut::<RequestContext>() {
            context.operation = self.operation;
        }
        self.stages.call(request)
    }
}

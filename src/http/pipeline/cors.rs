//! CORS, so browser frontends on another origin can call the mock: preflights are answered
//! before authentication (they carry no key), the request's origin is echoed (never `*`, which
//! browsers refuse with credentials), credentials are allowed, and the headers an SDK reads are
//! exposed. `--cors-origin` restricts the origins.
//!
//! Only requests with an `Origin` header pass through `actix-cors`: the others (SDKs on a server,
//! test suites, curl) are not cross-origin requests, and their answers need none of its headers.

use std::rc::Rc;

use actix_cors::{Cors, CorsMiddleware};
use actix_web::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::ORIGIN;
use futures_util::future::LocalBoxFuture;

/// How long browsers may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: usize = 3600;

/// The CORS stage for the configured origins (any when `origins` is empty).
pub fn cors(origins: &[String]) -> CrossOrigin {
    let cors = Cors::default()
        .allow_any_method()
        .allow_any_header()
        .supports_credentials()
        .expose_headers(["Deprecation", "Preference-Applied", "Retry-After", "Allow"])
        .max_age(PREFLIGHT_MAX_AGE);
    CrossOrigin(if origins.is_empty() {
        cors.allow_any_origin()
    } else {
        origins.iter().fold(cors, |cors, origin| {
            cors.allowed_origin(origin.trim_end_matches('/'))
        })
    })
}

/// `actix-cors` for the requests that send an `Origin`; the others go straight on.
#[derive(Debug)]
pub struct CrossOrigin(Cors);

/// The inner service, shared by the CORS path and the direct one.
#[allow(missing_debug_implementations, reason = "holds an actix service")]
pub struct Shared<S>(Rc<S>);

impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Self(Rc::clone(&self.0))
    }
}

impl<S, B> Service<ServiceRequest> for Shared<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = S::Future;

    fn poll_ready(
        &self,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Error>> {
        self.0.poll_ready(context)
    }

    fn call(&self, request: ServiceRequest) -> Self::Future {
        self.0.call(request)
    }
}

impl<S, B> Transform<S, ServiceRequest> for CrossOrigin
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse;
    type Error = Error;
    type InitError = ();
    type Transform = CrossOriginService<S>;
    type Future = LocalBoxFuture<'static, Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let inner = Shared(Rc::new(service));
        let cors = self.0.new_transform(inner.clone());
        Box::pin(async move {
            Ok(CrossOriginService {
                cors: cors.await?,
                inner,
            })
        })
    }
}

/// The running stage of one worker.
#[allow(missing_debug_implementations, reason = "holds actix services")]
pub struct CrossOriginService<S> {
    cors: CorsMiddleware<Shared<S>>,
    inner: Shared<S>,
}

impl<S, B> Service<ServiceRequest> for CrossOriginService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<ServiceResponse<BoxBody>, Error>>;

    forward_ready!(inner);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        if request.headers().contains_key(ORIGIN) {
            let answer = self.cors.call(request);
            Box::pin(async move { answer.await.map(ServiceResponse::map_into_boxed_body) })
        } else {
            let answer = self.inner.call(request);
            Box::pin(async move { answer.await.map(ServiceResponse::map_into_boxed_body) })
        }
    }
}

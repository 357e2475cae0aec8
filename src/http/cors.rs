//! CORS, so browser frontends on another origin can call the mock: preflights are answered
//! before authentication (they carry no key), the request's origin is echoed (never `*`, which
//! browsers refuse with credentials), credentials are allowed, and the headers an SDK reads are
//! exposed. `--cors-origin` restricts the origins.
//!
//! Only requests with an `Origin` header pass through CORS: the others (SDKs on a server, test
//! suites, curl) are not cross-origin requests, and their answers need none of its headers.

use std::rc::Rc;

use actix_cors::{Cors, CorsMiddleware};
use actix_web::Error;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::ORIGIN;
use futures_util::future::{Either, LocalBoxFuture, MapOk, TryFutureExt};

/// How long browsers may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: usize = 3600;

/// The CORS middleware for the configured origins (any when `origins` is empty).
pub fn cors(origins: &[String]) -> CrossOriginOnly {
    let cors = Cors::default()
        .allow_any_method()
        .allow_any_header()
        .supports_credentials()
        .expose_headers(["Deprecation", "Preference-Applied", "Retry-After", "Allow"])
        .max_age(PREFLIGHT_MAX_AGE);
    CrossOriginOnly(if origins.is_empty() {
        cors.allow_any_origin()
    } else {
        origins.iter().fold(cors, |cors, origin| {
            cors.allowed_origin(origin.trim_end_matches('/'))
        })
    })
}

/// [`Cors`] for requests with an `Origin`; the others go straight to the service it wraps.
#[derive(Debug)]
pub struct CrossOriginOnly(Cors);

impl<S, B> Transform<S, ServiceRequest> for CrossOriginOnly
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type InitError = ();
    type Transform = CrossOriginOnlyMiddleware<S>;
    type Future = LocalBoxFuture<'static, Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let service = Rc::new(service);
        let cors = self.0.new_transform(Rc::clone(&service));
        Box::pin(async move {
            Ok(CrossOriginOnlyMiddleware {
                cors: cors.await?,
                service,
            })
        })
    }
}

#[allow(missing_debug_implementations, reason = "holds actix services")]
pub struct CrossOriginOnlyMiddleware<S> {
    cors: CorsMiddleware<Rc<S>>,
    service: Rc<S>,
}

type Plain<B> = fn(ServiceResponse<B>) -> ServiceResponse<EitherBody<B>>;

impl<S, B> Service<ServiceRequest> for CrossOriginOnlyMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future =
        Either<LocalBoxFuture<'static, Result<Self::Response, Error>>, MapOk<S::Future, Plain<B>>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        if request.headers().contains_key(ORIGIN) {
            Either::Left(self.cors.call(request))
        } else {
            let plain: Plain<B> = ServiceResponse::map_into_left_body;
            Either::Right(self.service.call(request).map_ok(plain))
        }
    }
}

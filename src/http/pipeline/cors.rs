//! CORS, so browser frontends on another origin can call the mock: preflights are answered
//! before authentication (they carry no key), the request's origin is echoed (never `*`, which
//! browsers refuse with credentials), credentials are allowed, and the headers an SDK reads are
//! exposed. `--cors-origin` restricts the origins.
//!
//! The test-control surface (`/__admin`) takes cross-origin requests only from the origins the
//! operator lists with `--admin-cors-origin` (none by default); any other origin is refused with
//! a 403 before anything runs, so that a web page open in a developer's browser cannot create
//! instances or change data, faults or clocks.
//!
//! Only requests with an `Origin` header pass through `actix-cors`: the others (SDKs on a server,
//! test suites, curl) are not cross-origin requests, and their answers need none of its headers.

use std::rc::Rc;

use actix_cors::{Cors, CorsMiddleware};
use actix_web::Error;

use super::context::routed_path;
use crate::error::{ApiError, quoted};
use crate::http::routes::admin::ADMIN_PREFIX;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::ORIGIN;
use futures_util::future::LocalBoxFuture;

/// How long browsers may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: usize = 3600;

/// The CORS stage: the API for `origins` (any when empty), the admin surface for
/// `admin_origins` only.
pub fn cors(origins: &[String], admin_origins: &[String]) -> CrossOrigin {
    let listed = |origins: &[String]| {
        origins.iter().fold(base(), |cors, origin| {
            cors.allowed_origin(origin.trim_end_matches('/'))
        })
    };
    CrossOrigin {
        api: if origins.is_empty() {
            base().allow_any_origin()
        } else {
            listed(origins)
        },
        admin: (!admin_origins.is_empty()).then(|| listed(admin_origins)),
        admin_origins: admin_origins
            .iter()
            .map(|origin| origin.trim_end_matches('/').to_owned())
            .collect(),
    }
}

/// What both surfaces allow, whatever the origin.
fn base() -> Cors {
    Cors::default()
        .allow_any_method()
        .allow_any_header()
        .supports_credentials()
        .expose_headers(["Deprecation", "Preference-Applied", "Retry-After", "Allow"])
        .max_age(PREFLIGHT_MAX_AGE)
}

/// `actix-cors` for the requests that send an `Origin`; the others go straight on.
#[derive(Debug)]
pub struct CrossOrigin {
    api: Cors,
    /// `None`: the admin surface takes no cross-origin request.
    admin: Option<Cors>,
    /// The origins the admin surface takes cross-origin requests from.
    admin_origins: Rc<[String]>,
}

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
        let api = self.api.new_transform(inner.clone());
        let admin = self
            .admin
            .as_ref()
            .map(|admin| admin.new_transform(inner.clone()));
        let admin_origins = Rc::clone(&self.admin_origins);
        Box::pin(async move {
            let admin = match admin {
                Some(admin) => Some(admin.await?),
                None => None,
            };
            Ok(CrossOriginService {
                api: api.await?,
                admin,
                admin_origins,
                inner,
            })
        })
    }
}

/// The running stage of one worker.
#[allow(missing_debug_implementations, reason = "holds actix services")]
pub struct CrossOriginService<S> {
    api: CorsMiddleware<Shared<S>>,
    admin: Option<CorsMiddleware<Shared<S>>>,
    admin_origins: Rc<[String]>,
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
        let Some(origin) = request.headers().get(ORIGIN) else {
            return boxed(self.inner.call(request));
        };
        let cors = if routed_path(request.request()).starts_with(ADMIN_PREFIX) {
            let origin_text = origin.to_str().unwrap_or_default().trim_end_matches('/');
            // Browsers send `Origin` on a page's own requests too (Swagger UI's, here).
            if is_same_origin(&request, origin_text) {
                return boxed(self.inner.call(request));
            }
            let allowed = self.admin.as_ref().filter(|_| {
                self.admin_origins
                    .iter()
                    .any(|listed| listed == origin_text)
            });
            match allowed {
                Some(admin) => admin,
                None => {
                    let origin = quoted(&String::from_utf8_lossy(origin.as_bytes()));
                    let refused = request.error_response(ApiError::AdminOriginRefused(origin));
                    return Box::pin(async move { Ok(refused) });
                }
            }
        } else {
            &self.api
        };
        boxed(cors.call(request))
    }
}

/// An answer on its way, with its body boxed.
fn boxed<B: MessageBody + 'static>(
    answer: impl Future<Output = Result<ServiceResponse<B>, Error>> + 'static,
) -> LocalBoxFuture<'static, Result<ServiceResponse<BoxBody>, Error>> {
    Box::pin(async move { answer.await.map(ServiceResponse::map_into_boxed_body) })
}

/// Whether `origin` is the server's own, as the request reached it at an address or a local
/// name. A domain name does not count: a page of a domain that an attacker points at this
/// machine (DNS rebinding) would otherwise pass for the server's own.
fn is_same_origin(request: &ServiceRequest, origin: &str) -> bool {
    let connection = request.connection_info();
    let host = connection.host();
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|byte| byte.is_ascii_digit()) => name,
        _ => host,
    };
    let local = name
        .trim_matches(['[', ']'])
        .parse::<std::net::IpAddr>()
        .is_ok()
        || name.eq_ignore_ascii_case("localhost")
        || name.to_ascii_lowercase().ends_with(".localhost");
    local
        && origin
            .strip_prefix(connection.scheme())
            .and_then(|rest| rest.strip_prefix("://"))
            .is_some_and(|own| own.eq_ignore_ascii_case(host))
}

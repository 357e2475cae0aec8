//! The stages every request passes, each a small `from_fn` middleware of its own. Outermost
//! first, as a request meets them:
//!
//! 1. [`access_log`]: one line per request, with its status, instance and trace id;
//! 2. [`envelope`]: any error answer that is not JSON becomes Clerk's envelope;
//! 3. [`cors`]: browsers' preflights and headers, for requests that send an `Origin` (and
//!    `/__admin` only from the origins the operator lists);
//! 4. [`context`]: the request is resolved once into its [`RequestContext`] (operation, API
//!    version, `Prefer`), which the later stages and the handlers read;
//! 5. [`deprecation`]: the `Deprecation` header on every answer of a deprecated operation;
//! 6. [`authentication`]: `Prefer: code=401`, then the bearer key picks the instance (a 401
//!    before any handler runs), which handlers receive as a [`Caller`];
//! 7. [`journal`]: the instance's record of the request and its answer;
//! 8. [`faults`]: the instance's (and `Prefer`'s) delay, server errors, resets and 429s;
//! 9. [`prefer`]: any other `Prefer: code=`, the operation's documented answer for it;
//! 10. [`panics`]: a handler that panics answers 500 in the envelope, and the worker goes on.
//!
//! Stages 5 to 9 apply to Clerk's API (`/v1`) only. [`install`] mounts them in this order; a new
//! stage is a module here and one line there.

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

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, Error};

pub use authentication::Caller;

/// Mounts the stages on `app` around its routes, with CORS for `cors_origins`. actix runs the
/// last `wrap` first, so they are listed here innermost first: read this from the bottom up to
/// follow a request.
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
        .wrap(from_fn(prefer::force_status))
        .wrap(from_fn(faults::inject))
        .wrap(from_fn(journal::record))
        .wrap(from_fn(authentication::authenticate))
        .wrap(from_fn(deprecation::mark))
        .wrap(from_fn(context::resolve))
        .wrap(cors_origins)
        .wrap(from_fn(envelope::enforce))
        .wrap(from_fn(access_log::log))
}

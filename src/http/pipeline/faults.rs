//! An instance's faults, applied to its API requests after authentication: a delay, then the
//! answer, a server error, Clerk's 429 or a reset connection. `Prefer: delay=<ms>`,
//! `jitter=<ms>` and `fault=<kind>` ask for the same on one request.

use std::any::Any;
use std::os::fd::{AsFd, OwnedFd};
use std::rc::Rc;
use std::time::Duration;

use actix_web::body::{BodyStream, MessageBody};
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpRequest, HttpResponse};

use super::context::RequestContext;
use super::prefer::preference;
use crate::error::ApiError;
use crate::http::operation::OperationId;
use crate::tenancy::faults::{ERROR_STATUSES, ForcedFault, MAX_DELAY_MS, Outcome, RequestFaults};
use crate::tenancy::instance::Instance;

/// Marks an answer that a fault produced, for the journal: `error`, `reset` or `rate_limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InjectedFault(pub &'static str);

impl InjectedFault {
    pub const ERROR: Self = Self("error");
    pub const RESET: Self = Self("reset");
    pub const RATE_LIMIT: Self = Self("rate_limit");
}

/// A second handle on a connection's socket, so that a fault can reset it.
///
/// It is taken for every connection, though few are ever reset: `on_connect` is the only moment
/// actix shows a connection's socket, before any request says whether it wants a reset (a
/// `Prefer: fault=reset` can come on any request), and keeping the descriptor's number to
/// borrow it later would need `unsafe`, which the project forbids. The price is a second file
/// descriptor per open connection.
#[derive(Debug, Clone)]
struct ConnectionSocket(Rc<OwnedFd>);

/// Keeps a handle on each new connection's socket (`HttpServer::on_connect`).
/// Plain and TLS connections alike.
pub fn remember_socket(connection: &dyn Any, data: &mut Extensions) {
    use actix_tls::accept::rustls_0_23::TlsStream;
    use actix_web::rt::net::TcpStream;
    let stream = connection.downcast_ref::<TcpStream>().or_else(|| {
        connection
            .downcast_ref::<TlsStream<TcpStream>>()
            .map(|tls| tls.get_ref().0)
    });
    if let Some(stream) = stream
        && let Ok(socket) = stream.as_fd().try_clone_to_owned()
    {
        data.insert(ConnectionSocket(Rc::new(socket)));
    }
}

/// The faults the request's `Prefer` header asks for.
fn requested_faults(request: &HttpRequest) -> Result<RequestFaults, ApiError> {
    let milliseconds = |name: &str| {
        preference(request, name)
            .map(|value| {
                value
                    .parse::<u64>()
                    .ok()
                    .filter(|ms| *ms <= MAX_DELAY_MS)
                    .ok_or_else(|| ApiError::InvalidPreference(format!("{name}={value}")))
            })
            .transpose()
    };
    let fault = preference(request, "fault")
        .map(|value| match value.as_str() {
            "reset" => Ok(ForcedFault::Reset),
            "rate_limit" => Ok(ForcedFault::RateLimited),
            status => status
                .parse::<u16>()
                .ok()
                .filter(|status| ERROR_STATUSES.contains(status))
                .map(ForcedFault::Error)
                .ok_or_else(|| ApiError::InvalidPreference(format!("fault={value}"))),
        })
        .transpose()?;
    Ok(RequestFaults {
        delay_ms: milliseconds("delay")?,
        jitter_ms: milliseconds("jitter")?,
        fault,
    })
}

/// Delays the request as the instance's plan and its `Prefer` header say, then gives the answer
/// a fault puts in its place, if any: a server error, Clerk's 429 or a reset connection.
/// `prefers` says whether the request has a `Prefer` header at all; `operation` is its
/// operation id, for the plan's rules per operation.
async fn injected_fault(
    instance: &Instance,
    request: &HttpRequest,
    prefers: bool,
    operation: Option<OperationId>,
) -> Result<Option<HttpResponse>, ApiError> {
    let wanted = if prefers {
        requested_faults(request)?
    } else {
        RequestFaults::default()
    };
    let faults = instance.faults();
    let plan = faults.plan();
    if wanted == RequestFaults::default() && plan.is_idle() {
        return Ok(None);
    }
    let decision = faults.decide(&plan, operation, wanted);
    if !decision.delay.is_zero() {
        actix_web::rt::time::sleep(decision.delay).await;
    }
    let (mut response, marker) = match decision.outcome {
        Outcome::Answer => return Ok(None),
        Outcome::Error(status) => (
            HttpResponse::from_error(ApiError::InjectedFault(status)),
            InjectedFault::ERROR,
        ),
        Outcome::RateLimited { retry_after_secs } => (
            HttpResponse::from_error(ApiError::RateLimited { retry_after_secs }),
            InjectedFault::RATE_LIMIT,
        ),
        Outcome::Reset => (reset_connection(request), InjectedFault::RESET),
    };
    response.extensions_mut().insert(marker);
    Ok(Some(response))
}

/// Answers an authenticated API request with the fault its instance or its `Prefer` header
/// plans for it, after the delay they plan, if any.
pub async fn inject(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse, Error> {
    let planned = RequestContext::read(request.request(), |context| {
        let instance = context.instance.clone()?;
        Some((instance, context.prefers, context.operation))
    })
    .flatten();
    let Some((instance, prefers, operation)) = planned else {
        return next
            .call(request)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let operation_id = operation.map(|operation| operation.id);
    match injected_fault(&instance, request.request(), prefers, operation_id).await {
        Ok(None) => next
            .call(request)
            .await
            .map(ServiceResponse::map_into_boxed_body),
        Ok(Some(fault)) => Ok(request.into_response(fault)),
        Err(error) => Ok(request.error_response(error)),
    }
}

/// An answer that never reaches the client: the socket is set to reset (RST) when closed, and
/// the body fails before anything is written, which makes the server drop the connection.
fn reset_connection(request: &HttpRequest) -> HttpResponse {
    if let Some(ConnectionSocket(socket)) = request.conn_data::<ConnectionSocket>()
        && let Err(error) = socket2::SockRef::from(&**socket).set_linger(Some(Duration::ZERO))
    {
        tracing::warn!(%error, "cannot arm a connection reset; the connection is closed instead");
    }
    let failing = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::other("connection reset by a fault"))
    });
    HttpResponse::InternalServerError()
        // Marked as JSON so that the envelope middleware leaves it alone.
        .content_type("application/json")
        .body(BodyStream::new(failing))
}

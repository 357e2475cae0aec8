//! The instance's journal: every authenticated API request with its answer (status, duration,
//! and the fault that made it, if one did), for tests to read back through `/__admin`.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use super::context::RequestContext;
use super::faults::InjectedFault;
use crate::domain::clock::wall_clock_ms;
use crate::tenancy::journal::{JournalEntry, clipped};

/// Records the answer to an authenticated API request in its instance's journal.
pub async fn record(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some((Some(instance), operation)) = RequestContext::read(request.request(), |context| {
        (context.instance.clone(), context.operation)
    }) else {
        return next.call(request).await;
    };
    let started = Instant::now();
    let at_ms = wall_clock_ms();
    let method = request.method().clone();
    let path = clipped(request.path(), 500);
    let query = clipped(request.query_string(), 2000);
    let outcome = next.call(request).await;
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
        operation_id: operation.map(|operation| operation.id),
    });
    outcome
}

//! One log line per request (method, path, status, duration, instance, trace id). An error body
//! carries the same trace id as its `clerk_trace_id`, so an answer can be found in the log. The
//! secret key is never logged: the instance is named by its id.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use super::context::RequestContext;
use crate::error::{TraceId, new_trace_id};

/// The longest path a line shows, in characters.
const LOGGED_PATH_CHARS: usize = 200;

/// Logs the line of every request, when the `access` target logs at info.
pub async fn log(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if !tracing::enabled!(target: "access", tracing::Level::INFO) {
        return next.call(request).await;
    }
    let started = Instant::now();
    let method = request.method().clone();
    let path: String = request.path().chars().take(LOGGED_PATH_CHARS).collect();
    let outcome = next.call(request).await;
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &outcome {
        Ok(response) => {
            let trace_id = response
                .response()
                .extensions()
                .get::<TraceId>()
                .map_or_else(new_trace_id, |TraceId(id)| id.clone());
            let instance = RequestContext::instance(response.request())
                .map(|instance| instance.id().to_string())
                .unwrap_or_default();
            tracing::info!(
                target: "access",
                %method,
                path,
                status = response.status().as_u16(),
                duration_ms = format_args!("{duration_ms:.2}"),
                instance,
                trace_id,
            );
        }
        Err(error) => {
            let trace_id = new_trace_id();
            tracing::warn!(target: "access", %method, path, %error, trace_id);
        }
    }
    outcome
}

//! One log line per request (method, path, status, duration, instance, trace id), and the trace
//! id that error bodies carry as `clerk_trace_id`, so an answer can be found in the log. The
//! secret key is never logged: the instance is named by its id.

use std::time::Instant;

use actix_web::dev::ServiceResponse;
use actix_web::http::Method;

use super::auth::authenticated;
use crate::error::new_trace_id;

tokio::task_local! {
    /// The trace id of the request being answered.
    static TRACE_ID: String;
}

/// The trace id of the request being answered, or a fresh one outside a request.
pub fn current_trace_id() -> String {
    TRACE_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| new_trace_id())
}

/// Logs the line of a request answered by `answer`. The gateway asks for it only when the
/// `access` target logs at info: with access logs off, an error body draws its own trace id and
/// nothing else is spent.
pub async fn logged(
    method: Method,
    path: String,
    answer: impl Future<Output = Result<ServiceResponse, actix_web::Error>>,
) -> Result<ServiceResponse, actix_web::Error> {
    let started = Instant::now();
    let trace_id = new_trace_id();
    let path: String = path.chars().take(200).collect();
    let outcome = TRACE_ID.scope(trace_id.clone(), answer).await;
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &outcome {
        Ok(response) => {
            let instance = authenticated(response.request())
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
        Err(error) => tracing::warn!(target: "access", %method, path, %error, trace_id),
    }
    outcome
}

//! One log line per request (method, path, status, duration, instance, trace id), and the trace
//! id that error bodies carry as `clerk_trace_id`, so an answer can be found in the log. The
//! secret key is never logged: the instance is named by its id.

use std::cell::Cell;
use std::time::Instant;

use actix_web::dev::ServiceResponse;
use actix_web::http::Method;

use crate::domain::InstanceId;
use crate::error::new_trace_id;

/// What the log line of the request being answered says beyond the request itself.
#[derive(Debug)]
struct LoggedRequest {
    trace_id: String,
    instance: Cell<Option<InstanceId>>,
}

tokio::task_local! {
    /// The request being answered, while its line is to be logged.
    static LOGGED: LoggedRequest;
}

/// The trace id of the request being answered, or a fresh one outside a request.
pub fn current_trace_id() -> String {
    LOGGED
        .try_with(|logged| logged.trace_id.clone())
        .unwrap_or_else(|_| new_trace_id())
}

/// Names the instance the request being answered authenticated as on its log line.
pub fn note_instance(id: InstanceId) {
    // With the access log off there is no line, and nothing to note.
    let _ = LOGGED.try_with(|logged| logged.instance.set(Some(id)));
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
    // The line shows at most 200 characters of a path; most are shorter, and kept as they are.
    let path = if path.len() > 200 {
        path.chars().take(200).collect()
    } else {
        path
    };
    let logged_request = LoggedRequest {
        trace_id: trace_id.clone(),
        instance: Cell::new(None),
    };
    let (outcome, instance) = LOGGED
        .scope(logged_request, async {
            let outcome = answer.await;
            let instance = LOGGED
                .try_with(|logged| logged.instance.get())
                .ok()
                .flatten();
            (outcome, instance)
        })
        .await;
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &outcome {
        Ok(response) => {
            let instance = instance.map(|id| id.to_string()).unwrap_or_default();
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

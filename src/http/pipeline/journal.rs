//! The instance's journal: every authenticated API request with its headers and body (secrets
//! redacted) and its answer (status, Clerk error code, duration, and the fault that made it, if
//! one did), for tests to read, find, count and wait on through `/__admin`.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use serde_json::Value;

use super::context::RequestContext;
use super::faults::InjectedFault;
use crate::domain::clock::wall_clock_ms;
use crate::error::ApiError;
use crate::http::operation::closest;
use crate::tenancy::journal::redaction;
use crate::tenancy::journal::{JournalEntry, JournalHeaders, MAX_JOURNAL_BODY_BYTES, clipped};

/// Records the answer to an authenticated API request in its instance's journal. The body is
/// read here and handed on unchanged to the handler.
pub async fn record(
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some((Some(instance), operation, version)) =
        RequestContext::read(request.request(), |context| {
            (
                context.instance.clone(),
                context.operation,
                context
                    .version
                    .as_ref()
                    .ok()
                    .map(|version| version.as_str()),
            )
        })
    else {
        return next.call(request).await;
    };
    let started = Instant::now();
    let at_ms = wall_clock_ms();
    let method = request.method().clone();
    let path = clipped(request.path(), 500);
    let query = clipped(request.query_string(), 2000);
    let headers = JournalHeaders::redacted(request.headers());
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut entry = JournalEntry {
        method,
        path,
        query,
        status: 0,
        fault: None,
        duration_us: 0,
        at_ms,
        operation_id: operation.map(|operation| operation.id),
        headers,
        body: None,
        body_truncated: false,
        error_code: None,
        near_miss: None,
        api_version: version,
    };
    // Most requests (gets, lists) have no body to read.
    let has_body = request.headers().contains_key(TRANSFER_ENCODING)
        || request
            .headers()
            .get(CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0");
    // A body past the API's limit is refused by the extractor (413), as the handler would.
    let bytes = match has_body {
        false => web::Bytes::new(),
        true => match request.extract::<web::Bytes>().await {
            Ok(bytes) => bytes,
            Err(error) => {
                entry.status = error.as_response_error().status_code().as_u16();
                entry.error_code = error_code(&error);
                instance.journal().record(entry);
                return Err(error);
            }
        },
    };
    if has_body {
        request.set_payload(Payload::from(bytes.clone()));
    }
    (entry.body, entry.body_truncated) = body_of(&bytes, &content_type);
    let outcome = next.call(request).await;
    let (status, fault, error_code) = match &outcome {
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
            let code = response.response().error().and_then(error_code);
            (status, fault, code)
        }
        Err(error) => (
            error.as_response_error().status_code().as_u16(),
            None,
            error_code(error),
        ),
    };
    if operation.is_none() && matches!(status, 404 | 405) {
        entry.near_miss = closest(&entry.method, &entry.path);
    }
    entry.status = status;
    entry.fault = fault;
    entry.error_code = error_code;
    entry.duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    instance.journal().record(entry);
    outcome
}

/// The body as the journal keeps it: JSON (or form data as an object of strings) with its
/// secrets redacted, else text; cut past [`MAX_JOURNAL_BODY_BYTES`], which it says.
fn body_of(bytes: &[u8], content_type: &str) -> (Option<Value>, bool) {
    if bytes.is_empty() {
        return (None, false);
    }
    let parsed = if content_type.starts_with("application/x-www-form-urlencoded") {
        Some(Value::Object(
            form_urlencoded::parse(bytes)
                .map(|(name, value)| (name.into_owned(), Value::String(value.into_owned())))
                .collect(),
        ))
    } else {
        serde_json::from_slice::<Value>(bytes).ok()
    };
    if let Some(mut value) = parsed
        && bytes.len() <= MAX_JOURNAL_BODY_BYTES
    {
        redaction::redact(&mut value);
        return (Some(value), false);
    }
    let text = String::from_utf8_lossy(bytes);
    let cut = clipped(&text, MAX_JOURNAL_BODY_BYTES);
    let truncated = cut.len() < text.len();
    let mut value = Value::String(cut);
    redaction::redact(&mut value);
    (Some(value), truncated)
}

/// The Clerk error code of an error answer.
fn error_code(error: &Error) -> Option<String> {
    let api_error = error.as_error::<ApiError>()?;
    api_error.errors().first().map(|error| error.code.clone())
}

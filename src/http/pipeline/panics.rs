//! A guard around the answer to every request: a handler that panics, or a failure outside a
//! handler's own error type, still answers in Clerk's envelope (500 `internal_clerk_error`, or the
//! failure's own status), and the worker keeps serving. The failure is given back as an error,
//! which actix answers with the envelope itself: the request an answer would be built from went
//! into the route, and the router needs it unshared.

use std::panic::AssertUnwindSafe;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use futures_util::FutureExt;

use crate::error::ApiError;

/// Runs the route of every request contained.
pub async fn contain(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse, actix_web::Error> {
    // The URI is shared, not copied, and read only if something fails.
    let uri = request.uri().clone();
    let error = match AssertUnwindSafe(next.call(request)).catch_unwind().await {
        Ok(Ok(response)) => return Ok(response.map_into_boxed_body()),
        Ok(Err(error)) => {
            let status = error.as_response_error().status_code();
            tracing::error!(%error, %status, path = uri.path(), "request failed outside a handler");
            ApiError::from_status(status)
        }
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(%reason, path = uri.path(), "a handler panicked");
            ApiError::Internal
        }
    };
    Err(error.into())
}

#[cfg(test)]
mod tests {
    use actix_web::dev::Service;
    use actix_web::{App, HttpResponse, test, web};

    use actix_web::middleware::from_fn;

    async fn panics() -> HttpResponse {
        panic!("a bug")
    }

    #[actix_web::test]
    async fn a_panicking_handler_answers_500_in_the_envelope() {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(super::contain))
                .route("/boom", web::get().to(panics))
                .route("/fine", web::get().to(HttpResponse::Ok)),
        )
        .await;
        let failure = app
            .call(test::TestRequest::get().uri("/boom").to_request())
            .await
            .expect_err("the panic comes back as an error");
        // What actix answers for an error.
        let response = failure.error_response();
        assert_eq!(response.status(), 500);
        assert_eq!(
            response.headers().get("content-type").map(|v| v.as_bytes()),
            Some(&b"application/json"[..])
        );
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .expect("a body");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(body["errors"][0]["code"], "internal_clerk_error");
        assert!(body["errors"][0]["long_message"].is_string());

        let after =
            test::call_service(&app, test::TestRequest::get().uri("/fine").to_request()).await;
        assert_eq!(
            after.status(),
            200,
            "the service keeps answering after a panic"
        );
    }
}

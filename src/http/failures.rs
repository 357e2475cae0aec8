//! A guard around every handler: one that panics, or fails outside its own error type, still
//! answers in Clerk's envelope (500 `internal_clerk_error`, or the failure's own status), and the
//! worker keeps serving. It wraps each route (`wrap = "..."` on the route macros) because only a
//! routed request can be kept aside while the handler runs.

use std::panic::AssertUnwindSafe;

use actix_web::ResponseError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use futures_util::FutureExt;

use crate::error::ApiError;

pub async fn contain_failures(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let http_request = request.request().clone();
    let error = match AssertUnwindSafe(next.call(request)).catch_unwind().await {
        Ok(Ok(response)) => return Ok(response.map_into_left_body()),
        Ok(Err(error)) => {
            let status = error.as_response_error().status_code();
            tracing::error!(%error, %status, "request failed outside a handler");
            ApiError::from_status(status)
        }
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(%reason, path = http_request.path(), "a handler panicked");
            ApiError::Internal
        }
    };
    Ok(ServiceResponse::new(http_request, error.error_response()).map_into_right_body())
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    async fn panics() -> HttpResponse {
        panic!("a bug")
    }

    #[actix_web::test]
    async fn a_panicking_handler_answers_500_in_the_envelope() {
        let app = test::init_service(
            App::new()
                .service(
                    web::resource("/boom")
                        .wrap(from_fn(contain_failures))
                        .route(web::get().to(panics)),
                )
                .service(
                    web::resource("/fine")
                        .wrap(from_fn(contain_failures))
                        .route(web::get().to(HttpResponse::Ok)),
                ),
        )
        .await;
        let response =
            test::call_service(&app, test::TestRequest::get().uri("/boom").to_request()).await;
        assert_eq!(response.status(), 500);
        assert_eq!(
            response.headers().get("content-type").map(|v| v.as_bytes()),
            Some(&b"application/json"[..])
        );
        let body: serde_json::Value = test::read_body_json(response).await;
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

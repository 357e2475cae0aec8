//! The HTTP client's manners: it waits out 429s with their Retry-After, and caps its rate.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use clerk_conformance::Target;
use clerk_conformance::client::Request;
use clerk_conformance::transport::http_client;

/// A server that answers 429 (Retry-After: 1) to its first `throttled` requests, then 200.
async fn spawn_throttling_server(throttled: usize) -> String {
    let seen = Arc::new(AtomicUsize::new(0));
    let server = HttpServer::new(move || {
        let seen = Arc::clone(&seen);
        App::new().default_service(web::to(move || {
            let seen = Arc::clone(&seen);
            async move {
                if seen.fetch_add(1, Ordering::SeqCst) < throttled {
                    HttpResponse::TooManyRequests()
                        .insert_header(("Retry-After", "1"))
                        .content_type("application/json")
                        .body(r#"{"errors":[{"message":"slow down","long_message":"slow down","code":"too_many_requests"}]}"#)
                } else {
                    HttpResponse::Ok().content_type("application/json").body("{}")
                }
            }
        }))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .expect("binds");
    let address = format!("http://{}", server.addrs()[0]);
    tokio::spawn(server.run());
    address
}

#[tokio::test]
async fn a_429_is_waited_out_for_its_retry_after() {
    let address = spawn_throttling_server(1).await;
    let target = Target::new(
        &address,
        "sk_test_x",
        None,
        0,
        http_client(Duration::from_secs(5), None).expect("client"),
    );
    let started = Instant::now();
    let exchange = target.send(&Request::get("/jwks")).await.expect("answered");
    assert_eq!(exchange.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_request_rate_is_capped() {
    let address = spawn_throttling_server(0).await;
    let target = Target::new(
        &address,
        "sk_test_x",
        None,
        20,
        http_client(Duration::from_secs(5), None).expect("client"),
    );
    let started = Instant::now();
    for _ in 0..11 {
        target.send(&Request::get("/jwks")).await.expect("answered");
    }
    // Eleven requests at 20 per second need at least half a second.
    assert!(
        started.elapsed() >= Duration::from_millis(480),
        "{:?}",
        started.elapsed()
    );
}

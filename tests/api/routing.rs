//! What no operation answers: unknown routes, wrong methods, oversized bodies, the operator
//! surface. Every error here is in Clerk's envelope too.

use reqwest::Method;

use crate::helpers::{ALICE_ACTIVE, spawn_app};

#[tokio::test]
async fn an_unknown_api_route_is_404_in_the_envelope() {
    let app = spawn_app().await;
    for path in ["/v1/nothing", "/v1/sessions/a/b/c/d", "/v1", "/v1/"] {
        app.get(path)
            .send()
            .await
            .assert_error(404, "resource_not_found");
    }
}

#[tokio::test]
async fn an_unknown_route_outside_the_api_is_404_in_the_envelope() {
    let app = spawn_app().await;
    let answer = app.get("/nothing/here").authorization(None).send().await;
    answer.assert_status(404);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.body["errors"][0]["code"], "resource_not_found");
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow_in_the_envelope() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (Method::DELETE, "/v1/sessions".to_owned(), "GET, POST"),
        (Method::PUT, "/v1/sessions".to_owned(), "GET, POST"),
        (
            Method::DELETE,
            format!("/v1/sessions/{ALICE_ACTIVE}"),
            "GET",
        ),
        (Method::POST, format!("/v1/sessions/{ALICE_ACTIVE}"), "GET"),
        (
            Method::GET,
            format!("/v1/sessions/{ALICE_ACTIVE}/revoke"),
            "POST",
        ),
    ] {
        let answer = app.request(method.clone(), &path).send().await;
        answer.assert_error(405, "method_not_allowed");
        assert_eq!(answer.header("allow"), Some(allow), "{method} {path}");
    }
}

#[tokio::test]
async fn an_oversized_body_is_413_in_the_envelope() {
    let app = spawn_app().await;
    let body = format!("{{\"user_id\": \"{}\"}}", "x".repeat(100 * 1024));
    let answer = app
        .post("/v1/sessions")
        .body("application/json", body.into_bytes())
        .send()
        .await;
    answer.assert_error(413, "request_body_too_large");
}

#[tokio::test]
async fn health_and_readiness_need_no_key() {
    let app = spawn_app().await;
    let health = app.get("/healthz").authorization(None).send().await;
    health.assert_status(200);
    assert_eq!(health.body["status"], "ok");
    let ready = app.get("/readyz").authorization(None).send().await;
    ready.assert_status(200);
    assert_eq!(ready.body["status"], "ready");
    assert_eq!(ready.body["instances"], 1);
}

#[tokio::test]
async fn the_root_and_the_bare_swagger_path_redirect_to_swagger_ui() {
    let app = spawn_app().await;
    for path in ["/", "/swagger-ui"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), 307);
        assert_eq!(
            response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok()),
            Some("/swagger-ui/")
        );
    }
}

#[tokio::test]
async fn swagger_ui_is_served_and_reads_the_generated_document() {
    let app = spawn_app().await;
    let page = app
        .client
        .get(format!("{}/swagger-ui/", app.address))
        .send()
        .await
        .expect("answered");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("html").contains("swagger-ui"));
    let config = app
        .client
        .get(format!("{}/swagger-ui/swagger-initializer.js", app.address))
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("script");
    assert!(config.contains("/openapi.json"), "{config}");
}

#[tokio::test]
async fn a_wrong_method_is_405_whatever_api_version_it_names() {
    let app = spawn_app().await;
    let answer = app
        .request(
            Method::TRACE,
            &format!("/v1/sessions/{ALICE_ACTIVE}/tokens"),
        )
        .version("2021-02-05")
        .query("__clerk_api_version", "1999-01-01")
        .send()
        .await;
    answer.assert_error(405, "method_not_allowed");
}

//! CORS: browser frontends on another origin can call the API; `--cors-origin` restricts them.

use reqwest::Method;

use crate::helpers::{ALICE, Answer, TestApp, spawn_app, spawn_app_with};

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(Method::OPTIONS, format!("{}/v1/sessions", app.address))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "GET")
        .header(
            "Access-Control-Request-Headers",
            "authorization, clerk-api-version",
        )
        .send()
        .await
        .expect("answered")
}

/// Alice's sessions, asked for by a page on another origin.
async fn list_from_browser(app: &TestApp) -> Answer {
    app.get("/v1/sessions")
        .query("user_id", ALICE)
        .header("Origin", "https://app.example")
        .send()
        .await
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
}

#[tokio::test]
async fn a_preflight_is_answered_without_a_key_and_echoes_the_origin() {
    let app = spawn_app().await;
    let response = preflight(&app, "http://localhost:3000").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert_eq!(
        header(&response, "access-control-allow-credentials"),
        Some("true")
    );
    let allowed = header(&response, "access-control-allow-headers")
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("clerk-api-version"),
        "{allowed}"
    );
}

#[tokio::test]
async fn an_api_answer_to_a_browser_names_its_origin_and_exposes_the_headers_sdks_read() {
    let app = spawn_app().await;
    let answer = list_from_browser(&app).await;
    answer.assert_status(200);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_ne!(
        answer.header("access-control-allow-origin"),
        Some("*"),
        "never a wildcard with credentials"
    );
    let exposed = answer
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        exposed.contains("deprecation") && exposed.contains("retry-after"),
        "{exposed}"
    );
}

#[tokio::test]
async fn restricted_origins_are_enforced() {
    let app = spawn_app_with(|settings| {
        settings.cors_origins = vec!["https://allowed.example".to_owned()]
    })
    .await;
    let allowed = preflight(&app, "https://allowed.example").await;
    assert_eq!(
        header(&allowed, "access-control-allow-origin"),
        Some("https://allowed.example")
    );
    let refused = preflight(&app, "https://evil.example").await;
    assert!(refused.status().is_client_error(), "{}", refused.status());
    assert_eq!(header(&refused, "access-control-allow-origin"), None);
    assert_eq!(header(&refused, "content-type"), Some("application/json"));
}

#[tokio::test]
async fn a_request_without_an_origin_is_not_cross_origin_and_gets_no_cors_headers() {
    let app = spawn_app().await;
    let answer = app.get("/v1/sessions").query("user_id", ALICE).send().await;
    answer.assert_status(200);
    for name in [
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-expose-headers",
        "vary",
    ] {
        assert_eq!(answer.header(name), None, "{name}");
    }
    // The same server still answers a browser's request as CORS asks.
    let from_browser = list_from_browser(&app).await;
    assert_eq!(
        from_browser.header("access-control-allow-credentials"),
        Some("true")
    );
}

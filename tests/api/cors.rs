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

/// `POST /__admin/instances` (which needs no key) as a page on `origin` would send it.
async fn create_instance_from(app: &TestApp, origin: &str) -> Answer {
    app.request(Method::POST, "/__admin/instances")
        .authorization(None)
        .header("Origin", origin)
        .send()
        .await
}

#[tokio::test]
async fn a_web_page_cannot_reach_the_admin_surface_unless_its_origin_is_listed() {
    // One instance may exist on demand: had the refused request created one, the second
    // request would be a 409.
    let app = spawn_app_with(|settings| settings.max_instances = 1).await;
    let refused = create_instance_from(&app, "https://evil.example").await;
    let error = refused.assert_error(403, "origin_not_allowed");
    assert!(
        error["long_message"]
            .as_str()
            .is_some_and(|text| text.contains("--admin-cors-origin")),
        "{error}"
    );
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let preflight = app
        .client
        .request(
            Method::OPTIONS,
            format!("{}/__admin/instance/faults", app.address),
        )
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "PUT")
        .send()
        .await
        .expect("answered");
    assert_eq!(preflight.status(), 403);
    // The same server still answers a browser's API request, and a request with no Origin.
    list_from_browser(&app).await.assert_status(200);
    app.create_instance().await.assert_status(201);
}

#[tokio::test]
async fn a_listed_origin_reaches_the_admin_surface_with_cors_headers() {
    let app = spawn_app_with(|settings| {
        settings.admin_cors_origins = vec!["http://localhost:5173/".to_owned()];
    })
    .await;
    let created = create_instance_from(&app, "http://localhost:5173").await;
    created.assert_status(201);
    assert_eq!(
        created.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    create_instance_from(&app, "http://localhost:5174")
        .await
        .assert_error(403, "origin_not_allowed");
}

#[tokio::test]
async fn the_servers_own_pages_reach_the_admin_surface() {
    // Swagger UI, served by the mock itself: browsers send its origin on its POSTs too.
    let app = spawn_app().await;
    let own_origin = app.address.clone();
    create_instance_from(&app, &own_origin)
        .await
        .assert_status(201);
}

#[tokio::test]
async fn a_page_of_a_domain_pointed_at_the_server_does_not_pass_for_its_own() {
    // DNS rebinding: the page's domain resolves to this machine, so Host and Origin agree.
    let app = spawn_app().await;
    let port = app
        .address
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let answer = app
        .request(Method::POST, "/__admin/instances")
        .authorization(None)
        .header("Host", &format!("rebind.example:{port}"))
        .header("Origin", &format!("http://rebind.example:{port}"))
        .send()
        .await;
    answer.assert_error(403, "origin_not_allowed");
}

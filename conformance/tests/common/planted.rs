//! A proxy in front of the real mock that plants one bug at a time, for the suite's and the
//! watch's tests: each planted bug must be caught by the check meant for it.

use std::sync::Arc;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;

use super::spawn_mock;

pub const KEY: &str = "sk_test_conformance_primary";
pub const OTHER_KEY: &str = "sk_test_conformance_other";
pub const ALICE: &str = "user_2AlicexBGaRy7HSnjHcaZabMn26";

/// One planted bug each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bug {
    None,
    WrongSortOrder,
    IgnoredLimit,
    IgnoredStatusFilter,
    RevokeNotPersisted,
    RevokeUnknownIsOk,
    Hs256TokensWithWrongSid,
    AnySecretKeyAccepted,
    Limit501Accepted,
    ServerErrorOnNegativeOffset,
    WrongEnvelope,
    CharsetInContentType,
    MissingLongMessage,
    PendingLeaksIntoOldVersions,
    TokenFromAnotherInstance,
    VerifyIgnoresTheSessionOfTheToken,
    MethodNotAllowedWithoutAllow,
    RefreshIgnoresTheRefreshToken,
    RefreshWithoutAFieldIs500,
    EmailAddressWithoutLinkedTo,
    UnknownUserIsOk,
    UserCountIgnoresFilters,
    UserListIgnoresOffset,
    /// `PATCH .../metadata` replaces the fields instead of merging them.
    MetadataMergeIsShallow,
    /// `DELETE /v1/users/{id}` answers as if deleted, and deletes nothing.
    DeleteNotPersisted,
    /// A second user with a taken email address is created.
    DuplicateEmailAccepted,
    /// A ban marks the user and leaves its sessions active.
    BanKeepsSessions,
    /// A testing token's `expires_at` in milliseconds, like every other time.
    TestingTokenInMilliseconds,
    /// Revoking a sign-in token that is no longer pending succeeds.
    RevokingTwiceIsOk,
    /// An organization's slug names nothing.
    SlugLookupFails,
    /// Memberships come without the member's public data.
    MembershipWithoutPublicUserData,
    /// A second membership of the same user is accepted.
    DuplicateMembershipAccepted,
    /// Deleting an organization deletes nothing.
    OrganizationDeleteNotPersisted,
    /// Not a bug of the API: the server goes away after some requests.
    StopsAnswering,
}

/// How many requests the server that stops answering serves first.
const REQUESTS_BEFORE_STOPPING: usize = 40;

struct Proxy {
    bug: Bug,
    served: std::sync::atomic::AtomicUsize,
    handle: std::sync::OnceLock<actix_web::dev::ServerHandle>,
    upstream: String,
    http: reqwest::Client,
    other_kid: String,
    /// Like a server that is not the mock: no `/__admin` surface (no refresh tokens handed out).
    independent: bool,
}

fn is_revoke(path: &str) -> bool {
    path.starts_with("/v1/sessions/") && path.ends_with("/revoke")
}

fn is_verify(path: &str) -> bool {
    path.starts_with("/v1/sessions/") && path.ends_with("/verify")
}

fn is_refresh(path: &str) -> bool {
    path.starts_with("/v1/sessions/") && path.ends_with("/refresh")
}

fn is_token(path: &str) -> bool {
    path.starts_with("/v1/sessions/") && path.contains("/tokens")
}

/// `request`'s query pairs after the bug has had its way with them.
fn planted_query(bug: Bug, query: &str) -> Option<Vec<(String, String)>> {
    let mut pairs: Vec<(String, String)> = form_pairs(query);
    match bug {
        Bug::IgnoredLimit => pairs.retain(|(name, _)| name != "limit"),
        Bug::IgnoredStatusFilter => pairs.retain(|(name, _)| name != "status"),
        Bug::Limit501Accepted => {
            for (name, value) in &mut pairs {
                if name == "limit" && value == "501" {
                    *value = "500".to_owned();
                }
            }
        }
        Bug::ServerErrorOnNegativeOffset
            if pairs
                .iter()
                .any(|(name, value)| name == "offset" && value == "-1") =>
        {
            return None;
        }
        _ => {}
    }
    Some(pairs)
}

fn form_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

fn resign(token: &str, bug: Bug, other_kid: &str) -> String {
    let payload = token.split('.').nth(1).unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap_or_default();
    let mut claims: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let kid = jsonwebtoken::decode_header(token)
        .ok()
        .and_then(|header| header.kid);
    match bug {
        Bug::Hs256TokensWithWrongSid => {
            claims["sid"] = Value::String("sess_2SomeoneElsesSession000000".to_owned());
            let mut header = Header::new(Algorithm::HS256);
            header.kid = kid;
            jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(b"secret"))
                .unwrap_or_default()
        }
        _ => {
            let mut header = Header::new(Algorithm::RS256);
            header.kid = Some(other_kid.to_owned());
            let key =
                EncodingKey::from_rsa_pem(include_bytes!("../../../fixtures/signing_key.pem"))
                    .expect("fixture key");
            jsonwebtoken::encode(&header, &claims, &key).unwrap_or_default()
        }
    }
}

fn rewrite_errors(body: &mut Value, bug: Bug) {
    match bug {
        Bug::WrongEnvelope => {
            let message = body["errors"][0]["message"].clone();
            *body = serde_json::json!({ "error": message });
        }
        Bug::MissingLongMessage => {
            if let Some(errors) = body["errors"].as_array_mut() {
                for error in errors {
                    if let Some(error) = error.as_object_mut() {
                        error.remove("long_message");
                    }
                }
            }
        }
        _ => {}
    }
}

async fn forward(
    request: HttpRequest,
    body: web::Bytes,
    proxy: web::Data<Arc<Proxy>>,
) -> HttpResponse {
    let bug = proxy.bug;
    let served = proxy
        .served
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    if bug == Bug::StopsAnswering && served >= REQUESTS_BEFORE_STOPPING {
        if let Some(handle) = proxy.handle.get() {
            // Stop accepting and drop this connection without an answer.
            let handle = handle.clone();
            tokio::spawn(async move { handle.stop(false).await });
        }
        futures_util::future::pending::<()>().await;
    }
    let path = request.path().to_owned();
    if proxy.independent && path.starts_with("/__admin") {
        return HttpResponse::NotFound()
            .content_type("application/json")
            .body(r#"{"errors":[{"message":"not found","long_message":"not found","code":"resource_not_found"}]}"#);
    }
    if bug == Bug::RefreshWithoutAFieldIs500
        && is_refresh(&path)
        && serde_json::from_slice::<Value>(&body).is_ok_and(|sent| {
            ["expired_token", "refresh_token", "request_origin"]
                .iter()
                .any(|field| !sent[field].is_string())
        })
    {
        return HttpResponse::InternalServerError()
            .content_type("text/plain")
            .body("Internal Server Error");
    }
    let query_string = match bug {
        Bug::UserCountIgnoresFilters if path == "/v1/users/count" => "",
        _ => request.query_string(),
    };
    let Some(mut query) = planted_query(bug, query_string) else {
        return HttpResponse::InternalServerError()
            .content_type("text/plain")
            .body("Internal Server Error");
    };
    if bug == Bug::UserListIgnoresOffset && path == "/v1/users" {
        query.retain(|(name, _)| name != "offset");
    }
    let mut method = reqwest::Method::from_bytes(request.method().as_str().as_bytes())
        .unwrap_or(reqwest::Method::GET);
    let mut upstream_path = path.clone();
    if bug == Bug::RevokeNotPersisted && is_revoke(&path) {
        method = reqwest::Method::GET;
        upstream_path = path.trim_end_matches("/revoke").to_owned();
    }
    let is_user = path.starts_with("/v1/users/") && path.matches('/').count() == 3;
    if bug == Bug::MetadataMergeIsShallow && path.ends_with("/metadata") && method == "PATCH" {
        method = reqwest::Method::PUT;
    }
    if bug == Bug::DeleteNotPersisted && is_user && method == "DELETE" {
        method = reqwest::Method::GET;
    }
    let is_organization = path.starts_with("/v1/organizations/") && path.matches('/').count() == 3;
    if bug == Bug::SlugLookupFails && is_organization && !path.contains('_') {
        upstream_path = "/v1/organizations/org_2ConformanceNoSuchOrg000000".to_owned();
    }
    if bug == Bug::OrganizationDeleteNotPersisted && is_organization && method == "DELETE" {
        method = reqwest::Method::GET;
    }
    if bug == Bug::BanKeepsSessions && path.starts_with("/v1/users/") && path.ends_with("/ban") {
        method = reqwest::Method::GET;
        upstream_path = path.trim_end_matches("/ban").to_owned();
    }
    // A real token starts with its base64url JSON header; `not.a.jwt` does not.
    let request_body_has_a_jwt = std::str::from_utf8(&body).is_ok_and(|text| text.contains("eyJ"));
    let mut outgoing = proxy
        .http
        .request(method, format!("{}{upstream_path}", proxy.upstream))
        .query(&query)
        .body(body.to_vec());
    for (name, value) in request.headers() {
        let name = name.as_str();
        if matches!(name, "host" | "content-length") {
            continue;
        }
        let mut value = value.to_str().unwrap_or_default().to_owned();
        if name == "authorization"
            && bug == Bug::AnySecretKeyAccepted
            && value.starts_with("Bearer sk_")
        {
            value = format!("Bearer {KEY}");
        }
        if name == "clerk-api-version" && bug == Bug::PendingLeaksIntoOldVersions {
            value = "2026-05-12".to_owned();
        }
        outgoing = outgoing.header(name, value);
    }
    if bug == Bug::PendingLeaksIntoOldVersions
        && !request.headers().contains_key("clerk-api-version")
    {
        outgoing = outgoing.header("Clerk-API-Version", "2026-05-12");
    }
    let Ok(response) = outgoing.send().await else {
        return HttpResponse::BadGateway().finish();
    };
    let mut status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let allow = response
        .headers()
        .get("allow")
        .filter(|_| bug != Bug::MethodNotAllowedWithoutAllow)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let bytes = response.bytes().await.unwrap_or_default();
    let mut json: Option<Value> = serde_json::from_slice(&bytes).ok();

    if let Some(body) = json.as_mut() {
        match bug {
            Bug::WrongSortOrder if path == "/v1/sessions" && status == 200 => {
                if let Some(items) = body.as_array_mut() {
                    items.reverse();
                } else if let Some(items) = body["data"].as_array_mut() {
                    items.reverse();
                }
            }
            Bug::RevokeNotPersisted if is_revoke(&path) && status == 200 => {
                body["status"] = Value::String("revoked".to_owned());
            }
            Bug::Hs256TokensWithWrongSid | Bug::TokenFromAnotherInstance
                if is_token(&path) && status == 200 =>
            {
                let token = body["jwt"].as_str().unwrap_or_default().to_owned();
                body["jwt"] = Value::String(resign(&token, bug, &proxy.other_kid));
            }
            Bug::WrongEnvelope | Bug::MissingLongMessage if status >= 400 => {
                rewrite_errors(body, bug)
            }
            Bug::TestingTokenInMilliseconds if path == "/v1/testing_tokens" && status == 200 => {
                body["expires_at"] = Value::from(body["expires_at"].as_i64().unwrap_or(0) * 1000);
            }
            Bug::RevokingTwiceIsOk
                if path.starts_with("/v1/sign_in_tokens/")
                    && status == 400
                    && body["errors"][0]["code"] == "sign_in_token_cannot_be_revoked_code" =>
            {
                status = 200;
                *body = serde_json::json!({"object": "sign_in_token", "id": path.split('/').nth(3), "status": "revoked"});
            }
            Bug::MembershipWithoutPublicUserData
                if path.contains("memberships") && status == 200 =>
            {
                for membership in body["data"].as_array_mut().into_iter().flatten() {
                    if let Some(membership) = membership.as_object_mut() {
                        membership.remove("public_user_data");
                    }
                }
            }
            Bug::DuplicateMembershipAccepted
                if status == 400
                    && body["errors"][0]["code"] == "already_a_member_in_organization" =>
            {
                status = 200;
                *body =
                    serde_json::json!({"object": "organization_membership", "role": "org:member"});
            }
            Bug::OrganizationDeleteNotPersisted
                if is_organization && request.method() == "DELETE" && status == 200 =>
            {
                *body = serde_json::json!({"object": "organization", "id": body["id"], "slug": body["slug"], "deleted": true});
            }
            Bug::DeleteNotPersisted if is_user && request.method() == "DELETE" && status == 200 => {
                *body = serde_json::json!({"object": "user", "id": body["id"], "deleted": true});
            }
            Bug::BanKeepsSessions if path.ends_with("/ban") && status == 200 => {
                body["banned"] = Value::Bool(true);
            }
            Bug::DuplicateEmailAccepted
                if path == "/v1/users"
                    && status == 422
                    && body["errors"][0]["code"] == "form_identifier_exists" =>
            {
                status = 200;
                *body =
                    serde_json::json!({"object": "user", "id": "user_2ConformanceDuplicate000000"});
            }
            Bug::EmailAddressWithoutLinkedTo if path.starts_with("/v1/users/") && status == 200 => {
                for email in body["email_addresses"].as_array_mut().into_iter().flatten() {
                    if let Some(email) = email.as_object_mut() {
                        email.remove("linked_to");
                    }
                }
            }
            _ => {}
        }
    }
    if bug == Bug::RefreshIgnoresTheRefreshToken
        && is_refresh(&path)
        && status == 401
        && request_body_has_a_jwt
    {
        // The expired token handed back as the new one: whatever the refresh token said.
        let sent: Value = serde_json::from_slice(&body).unwrap_or_default();
        status = 200;
        json = Some(serde_json::json!({"object": "token", "jwt": sent["expired_token"]}));
    }
    if bug == Bug::VerifyIgnoresTheSessionOfTheToken
        && is_verify(&path)
        && status == 400
        && request_body_has_a_jwt
    {
        status = 200;
        json = Some(
            serde_json::json!({"object": "session", "id": path.split('/').nth(3), "status": "active"}),
        );
    }
    if bug == Bug::UnknownUserIsOk && path.starts_with("/v1/users/") && status == 404 {
        status = 200;
        json = Some(serde_json::json!({"object": "user", "id": path.split('/').nth(3)}));
    }
    if bug == Bug::RevokeUnknownIsOk && is_revoke(&path) && status == 404 {
        status = 200;
        json = Some(
            serde_json::json!({"object": "session", "id": path.split('/').nth(3), "status": "revoked"}),
        );
    }
    let content_type = if bug == Bug::CharsetInContentType && content_type == "application/json" {
        "application/json; charset=utf-8".to_owned()
    } else {
        content_type
    };
    let body = json.map_or_else(|| bytes.to_vec(), |json| json.to_string().into_bytes());
    let mut answer = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status)
            .unwrap_or(actix_web::http::StatusCode::BAD_GATEWAY),
    );
    answer.insert_header(("content-type", content_type));
    if let Some(allow) = allow {
        answer.insert_header(("allow", allow));
    }
    answer.body(body)
}

/// Starts the mock and a proxy in front of it that plants `bug`; returns the proxy's address.
pub async fn spawn_broken_server(bug: Bug) -> String {
    spawn_proxy(bug, false).await.address
}

/// A proxy and the mock behind it.
#[derive(Debug)]
pub struct Proxied {
    /// Where the proxy answers.
    pub address: String,
    /// The mock itself, with its admin surface.
    pub upstream: String,
}

/// Like [`spawn_broken_server`], but the proxy has no `/__admin` surface, like a server that is
/// not the mock; the mock behind it stays reachable for the test's own set-up.
pub async fn spawn_independent_server(bug: Bug) -> Proxied {
    spawn_proxy(bug, true).await
}

async fn spawn_proxy(bug: Bug, independent: bool) -> Proxied {
    let upstream = spawn_mock(&[KEY, OTHER_KEY]).await;
    let http = reqwest::Client::new();
    let other_jwks: Value = http
        .get(format!("{upstream}/v1/jwks"))
        .bearer_auth(OTHER_KEY)
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    let proxy = Arc::new(Proxy {
        bug,
        served: std::sync::atomic::AtomicUsize::new(0),
        handle: std::sync::OnceLock::new(),
        upstream: upstream.clone(),
        http,
        other_kid: other_jwks["keys"][0]["kid"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        independent,
    });
    let app_proxy = Arc::clone(&proxy);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(Arc::clone(&app_proxy)))
            .default_service(web::to(forward))
    })
    .workers(1)
    .shutdown_timeout(0)
    .bind(("127.0.0.1", 0))
    .expect("proxy binds");
    let address = format!("http://{}", server.addrs()[0]);
    let server = server.run();
    let _ = proxy.handle.set(server.handle());
    tokio::spawn(server);
    Proxied { address, upstream }
}

//! The reference the benchmarks measure the mock against: the Sessions endpoints as an idiomatic
//! actix-web service would write them. serde types, the sessions in a `HashMap` behind an
//! `RwLock` with an index of each user's sessions, bearer-key authentication, and tokens signed
//! with `jsonwebtoken`. It serves the same sessions as the mock (a JSON array of the mock's own
//! answers), in the same shape, for get, list, create, revoke and session tokens.
//!
//! Usage: reference_server PORT SESSIONS_JSON_FILE SECRET_KEY

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Session {
    object: String,
    id: String,
    user_id: String,
    client_id: String,
    actor: Option<serde_json::Value>,
    status: String,
    last_active_organization_id: Option<String>,
    last_active_at: i64,
    latest_activity: Option<SessionActivity>,
    expire_at: i64,
    abandon_at: i64,
    updated_at: i64,
    created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionActivity {
    object: String,
    id: String,
    device_type: Option<String>,
    is_mobile: bool,
    browser_name: Option<String>,
    browser_version: Option<String>,
    ip_address: Option<String>,
    city: Option<String>,
    country: Option<String>,
}

#[derive(Default)]
struct Store {
    sessions: HashMap<String, Session>,
    /// Each user's session ids, newest first.
    by_user: HashMap<String, Vec<String>>,
}

impl Store {
    fn insert(&mut self, session: Session) {
        let ids = self.by_user.entry(session.user_id.clone()).or_default();
        ids.push(session.id.clone());
        self.sessions.insert(session.id.clone(), session);
        let sessions = &self.sessions;
        ids.sort_by_key(|id| std::cmp::Reverse((sessions[id].created_at, id.clone())));
    }
}

struct State {
    store: RwLock<Store>,
    secret_key: String,
    signing_key: EncodingKey,
    next_id: AtomicU64,
}

#[derive(Deserialize)]
struct ListQuery {
    user_id: String,
    limit: Option<usize>,
    offset: Option<usize>,
    paginated: Option<bool>,
}

#[derive(Deserialize)]
struct CreateBody {
    user_id: String,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}

fn error(status: actix_web::http::StatusCode, code: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errors": [{"message": code, "long_message": code, "code": code}],
        "clerk_trace_id": "reference"
    }))
}

fn authorized(request: &HttpRequest, state: &State) -> bool {
    request
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        == Some(state.secret_key.as_str())
}

macro_rules! authenticate {
    ($request:expr, $state:expr) => {
        if !authorized(&$request, &$state) {
            return error(
                actix_web::http::StatusCode::UNAUTHORIZED,
                "authentication_invalid",
            );
        }
    };
}

async fn get_session(
    request: HttpRequest,
    state: web::Data<State>,
    id: web::Path<String>,
) -> HttpResponse {
    authenticate!(request, state);
    let store = state.store.read().unwrap_or_else(|p| p.into_inner());
    match store.sessions.get(id.as_str()) {
        Some(session) => HttpResponse::Ok().json(session),
        None => error(actix_web::http::StatusCode::NOT_FOUND, "resource_not_found"),
    }
}

async fn list_sessions(
    request: HttpRequest,
    state: web::Data<State>,
    query: web::Query<ListQuery>,
) -> HttpResponse {
    authenticate!(request, state);
    let store = state.store.read().unwrap_or_else(|p| p.into_inner());
    let ids = store
        .by_user
        .get(&query.user_id)
        .map_or(&[][..], Vec::as_slice);
    let page: Vec<&Session> = ids
        .iter()
        .skip(query.offset.unwrap_or(0))
        .take(query.limit.unwrap_or(10))
        .filter_map(|id| store.sessions.get(id))
        .collect();
    if query.paginated == Some(true) {
        HttpResponse::Ok().json(json!({ "data": page, "total_count": ids.len() }))
    } else {
        HttpResponse::Ok().json(page)
    }
}

async fn create_session(
    request: HttpRequest,
    state: web::Data<State>,
    body: web::Json<CreateBody>,
) -> HttpResponse {
    authenticate!(request, state);
    let number = state.next_id.fetch_add(1, Ordering::Relaxed);
    let now = now_ms();
    let session = Session {
        object: "session".to_owned(),
        id: format!("sess_2Reference{number:018}"),
        user_id: body.user_id.clone(),
        client_id: format!("client_2Reference{number:016}"),
        actor: None,
        status: "active".to_owned(),
        last_active_organization_id: None,
        last_active_at: now,
        latest_activity: None,
        expire_at: now + 7 * 86_400_000,
        abandon_at: now + 30 * 86_400_000,
        updated_at: now,
        created_at: now,
    };
    state
        .store
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(session.clone());
    HttpResponse::Ok().json(session)
}

async fn revoke_session(
    request: HttpRequest,
    state: web::Data<State>,
    id: web::Path<String>,
) -> HttpResponse {
    authenticate!(request, state);
    let mut store = state.store.write().unwrap_or_else(|p| p.into_inner());
    match store.sessions.get_mut(id.as_str()) {
        Some(session) => {
            if session.status == "active" {
                session.status = "revoked".to_owned();
                session.updated_at = now_ms();
            }
            HttpResponse::Ok().json(&*session)
        }
        None => error(actix_web::http::StatusCode::NOT_FOUND, "resource_not_found"),
    }
}

async fn create_token(
    request: HttpRequest,
    state: web::Data<State>,
    id: web::Path<String>,
) -> HttpResponse {
    authenticate!(request, state);
    let session = {
        let mut store = state.store.write().unwrap_or_else(|p| p.into_inner());
        match store.sessions.get_mut(id.as_str()) {
            Some(session) if session.status == "active" => {
                session.last_active_at = now_ms();
                session.clone()
            }
            _ => {
                return error(actix_web::http::StatusCode::NOT_FOUND, "resource_not_found");
            }
        }
    };
    let now = now_ms() / 1000;
    let claims = json!({
        "exp": now + 60, "fva": [0, -1], "iat": now, "iss": "http://127.0.0.1",
        "jti": format!("{:020x}", state.next_id.fetch_add(1, Ordering::Relaxed)),
        "nbf": now - 5, "sid": session.id, "sts": "active", "sub": session.user_id, "v": 2
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("ins_2Mmt04TqS3ajF885oOp3kP5GFY7".to_owned());
    match jsonwebtoken::encode(&header, &claims, &state.signing_key) {
        Ok(jwt) => HttpResponse::Ok().json(json!({ "object": "token", "jwt": jwt })),
        Err(_) => error(
            actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            "internal_clerk_error",
        ),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let arguments: Vec<String> = std::env::args().collect();
    let [_, port, sessions_file, secret_key] = arguments.as_slice() else {
        eprintln!("usage: reference_server PORT SESSIONS_JSON_FILE SECRET_KEY");
        std::process::exit(2);
    };
    let port: u16 = port.parse().map_err(std::io::Error::other)?;
    let sessions: Vec<Session> =
        serde_json::from_slice(&std::fs::read(sessions_file)?).map_err(std::io::Error::other)?;
    let mut store = Store::default();
    for session in sessions {
        store.insert(session);
    }
    let state = web::Data::new(State {
        store: RwLock::new(store),
        secret_key: secret_key.clone(),
        signing_key: EncodingKey::from_rsa_pem(include_bytes!("../fixtures/signing_key.pem"))
            .map_err(std::io::Error::other)?,
        next_id: AtomicU64::new(0),
    });
    HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/v1/sessions", web::get().to(list_sessions))
            .route("/v1/sessions", web::post().to(create_session))
            .route("/v1/sessions/{id}", web::get().to(get_session))
            .route("/v1/sessions/{id}/revoke", web::post().to(revoke_session))
            .route("/v1/sessions/{id}/tokens", web::post().to(create_token))
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}

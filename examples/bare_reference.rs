//! The ceiling the performance benchmark measures the mock against: bare actix-web handlers
//! that answer fixed bytes (the same bytes the mock answers) and one that signs fixed claims
//! with the fixture key, with none of the mock's work in between.
//!
//! Usage: bare_reference PORT GET_BODY_FILE LIST_BODY_FILE

use actix_web::{App, HttpResponse, HttpServer, web};
use jsonwebtoken::{Algorithm, EncodingKey, Header};

struct Bodies {
    get: Vec<u8>,
    list: Vec<u8>,
    key: EncodingKey,
}

async fn get(bodies: web::Data<Bodies>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(bodies.get.clone())
}

async fn list(bodies: web::Data<Bodies>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(bodies.list.clone())
}

/// One RS256 signature of session-token-sized claims, the floor of what minting costs.
async fn sign(bodies: web::Data<Bodies>) -> HttpResponse {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let claims = serde_json::json!({
        "exp": now + 60, "fva": [0, -1], "iat": now, "iss": "http://127.0.0.1",
        "jti": "0123456789abcdef0123", "nbf": now - 5, "sid": "sess_2AliceActiveZICgVFaEP1MWWEP",
        "sts": "active", "sub": "user_2AlicexBGaRy7HSnjHcaZabMn26", "v": 2
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("ins_2Mmt04TqS3ajF885oOp3kP5GFY7".to_owned());
    match jsonwebtoken::encode(&header, &claims, &bodies.key) {
        Ok(jwt) => HttpResponse::Ok().json(serde_json::json!({ "object": "token", "jwt": jwt })),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let arguments: Vec<String> = std::env::args().collect();
    let [_, port, get_body, list_body] = arguments.as_slice() else {
        eprintln!("usage: bare_reference PORT GET_BODY_FILE LIST_BODY_FILE");
        std::process::exit(2);
    };
    let port: u16 = port.parse().map_err(std::io::Error::other)?;
    let key = EncodingKey::from_rsa_pem(include_bytes!("../fixtures/signing_key.pem"))
        .map_err(std::io::Error::other)?;
    let bodies = web::Data::new(Bodies {
        get: std::fs::read(get_body)?,
        list: std::fs::read(list_body)?,
        key,
    });
    HttpServer::new(move || {
        App::new()
            .app_data(bodies.clone())
            .route("/v1/sessions/{id}", web::get().to(get))
            .route("/v1/sessions", web::get().to(list))
            .route("/v1/sessions/{id}/tokens", web::post().to(sign))
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}

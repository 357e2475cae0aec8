//! The forwarding: every request goes to the upstream unchanged (method, path, query, headers,
//! body) and its answer comes back unchanged (status, headers, body, streamed as the upstream
//! sends it). A copy of each exchange goes to the observer once the answer is complete.

use std::io::Write as _;
use std::sync::{Arc, Mutex};

use actix_web::body::SizedStream;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt as _;
use tokio::sync::mpsc::UnboundedSender;

use super::exchange::Exchange;

/// What every forwarding needs.
#[derive(Debug, Clone)]
pub struct Forwarding {
    pub upstream: String,
    pub http: reqwest::Client,
    pub exchanges: UnboundedSender<Option<Exchange>>,
}

/// Headers that belong to one connection, not to the message (RFC 9110 §7.6.1).
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

pub async fn forward(
    request: HttpRequest,
    body: web::Bytes,
    forwarding: web::Data<Forwarding>,
) -> HttpResponse {
    let method = reqwest::Method::from_bytes(request.method().as_str().as_bytes())
        .unwrap_or(reqwest::Method::GET);
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.path().to_owned(), ToString::to_string);
    let mut outgoing = forwarding
        .http
        .request(method, format!("{}{path_and_query}", forwarding.upstream))
        .body(body.to_vec());
    for (name, value) in request.headers() {
        if name == "host" || name == "content-length" || HOP_BY_HOP.contains(&name.as_str()) {
            continue;
        }
        outgoing = outgoing.header(name.as_str(), value.as_bytes());
    }
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let mut exchange = Exchange {
        method: request.method().to_string(),
        path: request.path().to_owned(),
        query: request.query_string().to_owned(),
        version_header: header("clerk-api-version"),
        authorization: header("authorization"),
        status: 0,
        content_type: None,
        body: Vec::new(),
    };
    let response = match outgoing.send().await {
        Ok(response) => response,
        Err(error) => {
            // A closed standard error must not stop the watch.
            let _ = writeln!(
                std::io::stderr(),
                "watch: {}: the upstream did not answer: {error}",
                exchange.describe()
            );
            // Answered in Clerk's envelope, so that the SDK reports it as it would any error.
            let envelope = serde_json::json!({
                "errors": [{
                    "message": "Upstream unreachable",
                    "long_message": format!("clerk-conformance watch could not reach the upstream: {error}"),
                    "code": "upstream_unreachable",
                }],
                "clerk_trace_id": "",
            });
            return HttpResponse::BadGateway()
                .content_type("application/json")
                .body(envelope.to_string());
        }
    };
    exchange.status = response.status().as_u16();
    exchange.content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let mut answer = HttpResponse::build(
        StatusCode::from_u16(exchange.status).unwrap_or(StatusCode::BAD_GATEWAY),
    );
    for (name, value) in response.headers() {
        if name == "content-length" || HOP_BY_HOP.contains(&name.as_str()) {
            continue;
        }
        answer.append_header((name.as_str(), value.as_bytes()));
    }
    // The body goes on chunk by chunk as it arrives; a copy is kept, and the exchange is handed
    // to the observer after the last chunk.
    let copy = Arc::new(Mutex::new(Vec::new()));
    let length = response.content_length();
    let kept = Arc::clone(&copy);
    let chunks = response.bytes_stream().map(move |chunk| {
        if let (Ok(bytes), Ok(mut copy)) = (&chunk, kept.lock()) {
            copy.extend_from_slice(bytes);
        }
        chunk.map_err(std::io::Error::other)
    });
    let exchanges = forwarding.exchanges.clone();
    let finished = futures_util::stream::once(async move {
        exchange.body = copy.lock().map(|copy| copy.clone()).unwrap_or_default();
        let _ = exchanges.send(Some(exchange));
    })
    .filter_map(|()| async { None });
    let body = chunks.chain(finished);
    match length {
        Some(length) => answer.body(SizedStream::new(length, body)),
        None => answer.streaming(body),
    }
}

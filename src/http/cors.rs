//! CORS, so browser frontends on another origin can call the mock: preflights are answered
//! before authentication (they carry no key), the request's origin is echoed (never `*`, which
//! browsers refuse with credentials), credentials are allowed, and the headers an SDK reads are
//! exposed. `--cors-origin` restricts the origins.
//!
//! Only requests with an `Origin` header pass through CORS (the [gateway](super::gateway) sees
//! to it): the others (SDKs on a server, test suites, curl) are not cross-origin requests, and
//! their answers need none of its headers.

use actix_cors::Cors;

/// How long browsers may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: usize = 3600;

/// The CORS middleware for the configured origins (any when `origins` is empty).
pub fn cors(origins: &[String]) -> Cors {
    let cors = Cors::default()
        .allow_any_method()
        .allow_any_header()
        .supports_credentials()
        .expose_headers(["Deprecation", "Preference-Applied", "Retry-After", "Allow"])
        .max_age(PREFLIGHT_MAX_AGE);
    if origins.is_empty() {
        cors.allow_any_origin()
    } else {
        origins.iter().fold(cors, |cors, origin| {
            cors.allowed_origin(origin.trim_end_matches('/'))
        })
    }
}

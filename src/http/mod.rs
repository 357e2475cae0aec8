//! The actix-web side: shared state, authentication, request parsing, wire shapes and routes.

pub mod extract;
pub mod fallback;
pub mod operation;
pub mod pipeline;
pub mod routes;
pub mod state;
pub mod wire;

pub use pipeline::Caller;
pub use state::AppState;

/// Paths under this prefix are Clerk's API: they need a secret key and speak Clerk's errors.
pub const API_PREFIX: &str = "/v1";

/// Whether `path` belongs to Clerk's API rather than the operator surface.
pub fn is_api_path(path: &str) -> bool {
    path.strip_prefix(API_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

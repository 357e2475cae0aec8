//! A local, stateful stand-in for Clerk's Backend API.

mod app;
mod data;
mod domain;
mod error;
pub mod harness;
mod http;
mod store;
mod tenancy;
mod tokens;
mod webhooks;

pub use app::config::{DEFAULT_SECRET_KEY, LogFormat, Settings};
pub use app::openapi::document_json as openapi_json;
pub use app::startup::{Application, SWAGGER_UI_PATH, StartupError};
pub use data::{FixtureError, Fixtures};
pub use domain::ApiVersion;

/// The hot paths, for the micro-benchmarks in `benches/`. Not a stable API.
#[doc(hidden)]
pub mod hot_paths {
    pub use crate::data::seed::{InstanceData, SeedSpec, instance_rng, seed};
    pub use crate::domain::{ApiVersion, Session, SessionId, UserId};
    pub use crate::http::wire::{SessionBody, SessionList};
    pub use crate::store::{ListQuery, ListScope, Page};
    pub use crate::tenancy::faults::FaultPlan;
    pub use crate::tenancy::instance::{Instance, InstanceDefaults, TokenKind};
    pub use crate::tenancy::memory_budget::MemoryBudget;
    pub use crate::tokens::session_claims::{TokenSubject, template_claims};
    pub use crate::tokens::{SigningKey, TokenSettings};
}

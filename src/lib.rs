//! A local, stateful stand-in for Clerk's Backend API Sessions endpoints.

mod config;
mod data;
mod domain;
mod error;
mod faults;
mod http;
mod instance;
mod journal;
mod memory_budget;
mod openapi;
mod registry;
mod startup;
mod store;
mod tls;
mod tokens;

pub use config::{DEFAULT_SECRET_KEY, LogFormat, Settings};
pub use data::{FixtureError, Fixtures};
pub use domain::ApiVersion;
pub use openapi::document_json as openapi_json;
pub use startup::{Application, SWAGGER_UI_PATH, StartupError};

/// The hot paths, for the micro-benchmarks in `benches/`. Not a stable API.
#[doc(hidden)]
pub mod hot_paths {
    pub use crate::data::seed::{InstanceData, SeedSpec, instance_rng, seed};
    pub use crate::domain::{ApiVersion, Session, SessionId, UserId};
    pub use crate::faults::FaultPlan;
    pub use crate::http::wire::{SessionBody, SessionList};
    pub use crate::instance::{Instance, InstanceDefaults, TokenKind};
    pub use crate::memory_budget::MemoryBudget;
    pub use crate::store::{ListQuery, ListScope, Page};
    pub use crate::tokens::session_claims::{TokenSubject, template_claims};
    pub use crate::tokens::{SigningKey, TokenSettings};
}

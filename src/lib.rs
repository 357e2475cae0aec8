//! A local, stateful stand-in for Clerk's Backend API Sessions endpoints.

mod config;
mod dataset;
mod domain;
mod error;
mod faults;
mod fixtures;
mod http;
mod instance;
mod journal;
mod openapi;
mod registry;
mod seed;
mod startup;
mod store;
mod tokens;

pub use config::{DEFAULT_SECRET_KEY, LogFormat, Settings};
pub use domain::ApiVersion;
pub use fixtures::{FixtureError, Fixtures};
pub use openapi::document_json as openapi_json;
pub use startup::{Application, SWAGGER_UI_PATH, StartupError};

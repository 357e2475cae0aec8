//! The wiring: settings (clap, an env twin for each), the application builder, HTTPS, and the
//! OpenAPI document.

pub mod config;
pub mod openapi;
pub mod startup;
pub mod tls;

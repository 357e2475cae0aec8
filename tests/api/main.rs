//! Integration tests: the real server on port 0, spoken to over HTTP.

mod admin;
mod api_version;
mod auth;
mod browser;
mod concurrency;
mod conformance;
mod cors;
mod create;
mod fuzz;
mod get;
mod helpers;
mod jwks;
mod limits;
mod list;
mod openapi;
mod revoke;
mod routing;
mod sdk_js;
mod secrets;
mod shutdown;
mod startup;
mod statuses;
mod tokens;
mod verify;

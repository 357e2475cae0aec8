//! Integration tests: the real server on port 0, spoken to over HTTP.

mod admin;
mod admin_data;
mod api_version;
mod auth;
mod browser;
mod ci_job;
mod concurrency;
mod conformance;
mod cors;
mod create;
mod faults;
mod fuzz;
mod get;
mod helpers;
mod jwks;
mod limits;
mod list;
mod memory;
#[path = "../support/npm.rs"]
mod npm;
mod openapi;
mod refresh;
mod revoke;
mod routing;
mod sdk_express;
mod sdk_js;
mod sdk_python;
mod sdk_rust;
mod secrets;
mod shutdown;
mod startup;
mod statuses;
mod tokens;
mod user_writes;
mod users;
mod verify;

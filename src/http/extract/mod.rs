//! Reading requests: the API version a request selects, bodies (JSON or form), the list's
//! query, path segments, and query strings.

pub mod api_version;
pub mod body;
pub mod list_query;
pub mod path;
pub mod query;

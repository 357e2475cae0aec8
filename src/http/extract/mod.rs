//! Reading requests: the API version a request selects, bodies (JSON or form), the lists'
//! queries, path segments, and query strings.

pub mod api_version;
pub mod body;
pub mod field_reader;
pub mod list_query;
pub mod organization_body;
pub mod organization_query;
pub mod path;
pub mod query;
pub mod query_parts;
pub mod user_body;
pub mod user_query;
pub mod user_schemas;

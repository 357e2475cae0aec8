//! The documented routes, read from the generated OpenAPI document: which methods a path
//! answers, which operation each is, its documented statuses, whether it is deprecated, and the
//! canonical errors its handler declares. Whatever is documented is known here.

use std::sync::Arc;

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::Operation;

use crate::error::ApiError;
use crate::http::canonical::CanonicalErrors;

/// One documented operation.
#[derive(Debug, Clone)]
pub struct OperationInfo {
    pub method: Method,
    pub operation_id: String,
    /// The documented statuses, ascending.
    pub statuses: Vec<u16>,
    pub deprecated: bool,
    /// What its handler declares it answers for each documented error status.
    pub canonical: Option<&'static CanonicalErrors>,
}

impl OperationInfo {
    /// The operation's canonical error for `status`, about `session_id` where it names one.
    pub fn canonical_error(&self, status: u16, session_id: Option<&str>) -> Option<ApiError> {
        self.canonical?.for_status(status, session_id)
    }
}

#[derive(Debug)]
struct Route {
    resource: ResourceDef,
    /// How many `/`-separated segments the path has, so that a request is matched only against
    /// the routes of its own length.
    segments: usize,
    operations: Vec<Arc<OperationInfo>>,
}

/// Every documented path with its operations.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    /// The routes of `openapi`, each operation with the canonical errors `declared` for it.
    pub fn from_openapi(
        openapi: &OpenApi,
        declared: impl Iterator<Item = &'static CanonicalErrors> + Clone,
    ) -> Self {
        let routes = openapi
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let operations: [(Method, &Option<Operation>); 8] = [
                    (Method::GET, &item.get),
                    (Method::PUT, &item.put),
                    (Method::POST, &item.post),
                    (Method::DELETE, &item.delete),
                    (Method::OPTIONS, &item.options),
                    (Method::HEAD, &item.head),
                    (Method::PATCH, &item.patch),
                    (Method::TRACE, &item.trace),
                ];
                let operations = operations
                    .into_iter()
                    .filter_map(|(method, operation)| {
                        let operation = operation.as_ref()?;
                        let mut statuses: Vec<u16> = operation
                            .responses
                            .responses
                            .keys()
                            .filter_map(|status| status.parse().ok())
                            .collect();
                        statuses.sort_unstable();
                        let operation_id = operation.operation_id.clone().unwrap_or_default();
                        Some(Arc::new(OperationInfo {
                            method,
                            canonical: declared
                                .clone()
                                .find(|declared| declared.operation_id == operation_id),
                            operation_id,
                            statuses,
                            deprecated: matches!(
                                operation.deprecated,
                                Some(utoipa::openapi::Deprecated::True)
                            ),
                        }))
                    })
                    .collect();
                Route {
                    resource: ResourceDef::new(path.as_str()),
                    segments: segments(path),
                    operations,
                }
            })
            .collect::<Vec<Route>>();
        Self { routes }
    }

    fn matching(&self, path: &str) -> impl Iterator<Item = &Arc<OperationInfo>> {
        let length = segments(path);
        self.routes
            .iter()
            .filter(move |route| route.segments == length && route.resource.is_match(path))
            .flat_map(|route| route.operations.iter())
    }

    /// The methods `path` answers; empty when no documented path matches.
    pub fn allowed_methods(&self, path: &str) -> Vec<Method> {
        self.matching(path)
            .map(|operation| operation.method.clone())
            .collect()
    }

    /// The operation `method path` is, if it is documented.
    pub fn operation(&self, method: &Method, path: &str) -> Option<&Arc<OperationInfo>> {
        self.matching(path)
            .find(|operation| operation.method == method)
    }

    /// The operation ids of the API (`/v1`), in path order.
    pub fn api_operation_ids(&self) -> Vec<&str> {
        self.routes
            .iter()
            .filter(|route| super::is_api_path(route.resource.pattern().unwrap_or_default()))
            .flat_map(|route| route.operations.iter())
            .map(|operation| operation.operation_id.as_str())
            .collect()
    }
}

/// The number of `/`-separated segments of a path (or path pattern, whose parameters never
/// contain a `/`).
fn segments(path: &str) -> usize {
    path.bytes().filter(|byte| *byte == b'/').count()
}

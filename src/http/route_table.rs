//! The documented routes, read from the generated OpenAPI document: which methods a path
//! answers, which operation each is, its documented statuses, and whether it is deprecated.
//! Whatever is documented is known here.

use std::sync::Arc;

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::Operation;

/// One documented operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    pub method: Method,
    pub operation_id: String,
    /// The documented statuses, ascending.
    pub statuses: Vec<u16>,
    pub deprecated: bool,
}

#[derive(Debug)]
struct Route {
    resource: ResourceDef,
    operations: Vec<Arc<OperationInfo>>,
}

/// Every documented path with its operations.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    pub fn from_openapi(openapi: &OpenApi) -> Self {
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
                        Some(Arc::new(OperationInfo {
                            method,
                            operation_id: operation.operation_id.clone().unwrap_or_default(),
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
                    operations,
                }
            })
            .collect::<Vec<Route>>();
        Self { routes }
    }

    fn matching(&self, path: &str) -> impl Iterator<Item = &Arc<OperationInfo>> {
        self.routes
            .iter()
            .filter(move |route| route.resource.is_match(path))
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

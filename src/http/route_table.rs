//! The documented routes, read from the generated OpenAPI document: which methods a path
//! answers, which operation each is, its documented statuses, whether it is deprecated, and the
//! canonical errors its handler declares. Whatever is documented is known here.

use std::sync::Arc;

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
    /// The path as documented, such as `/v1/sessions/{session_id}`.
    pattern: String,
    /// Its segments: `None` for a parameter, which matches any one non-empty segment.
    segments: Vec<Option<String>>,
    operations: Vec<Arc<OperationInfo>>,
}

impl Route {
    /// Whether `path` is this route: as many segments, equal but for the parameters. The
    /// documented parameters take any segment, as the router's `{name}` does.
    fn matches(&self, path: &str) -> bool {
        let mut given = path.split('/');
        self.segments
            .iter()
            .all(|segment| match (segment, given.next()) {
                (Some(literal), Some(given)) => literal == given,
                (None, Some(given)) => !given.is_empty(),
                (_, None) => false,
            })
            && given.next().is_none()
    }
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
                    pattern: path.clone(),
                    segments: path
                        .split('/')
                        .map(|segment| {
                            let parameter = segment.starts_with('{') && segment.ends_with('}');
                            (!parameter).then(|| segment.to_owned())
                        })
                        .collect(),
                    operations,
                }
            })
            .collect::<Vec<Route>>();
        Self { routes }
    }

    fn matching(&self, path: &str) -> impl Iterator<Item = &Arc<OperationInfo>> {
        // Routes of another length are passed over without looking at their segments.
        let length = path.split('/').count();
        self.routes
            .iter()
            .filter(move |route| route.segments.len() == length && route.matches(path))
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
            .filter(|route| super::is_api_path(&route.pattern))
            .flat_map(|route| route.operations.iter())
            .map(|operation| operation.operation_id.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(pattern: &str) -> Route {
        Route {
            pattern: pattern.to_owned(),
            segments: pattern
                .split('/')
                .map(|segment| (!segment.starts_with('{')).then(|| segment.to_owned()))
                .collect(),
            operations: Vec::new(),
        }
    }

    #[test]
    fn a_route_matches_its_paths_and_no_other() {
        let get = route("/v1/sessions/{session_id}");
        assert!(get.matches("/v1/sessions/sess_123"));
        assert!(!get.matches("/v1/sessions/"));
        assert!(!get.matches("/v1/sessions"));
        assert!(!get.matches("/v1/sessions/sess_123/revoke"));
        assert!(!get.matches("/v2/sessions/sess_123"));
        let list = route("/v1/sessions");
        assert!(list.matches("/v1/sessions"));
        assert!(!list.matches("/v1/sessions/"));
        assert!(!list.matches("/v1"));
    }
}

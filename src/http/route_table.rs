//! The documented routes, read from the generated OpenAPI document: which methods a path
//! answers and which operations are deprecated. Whatever is documented is known here.

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::Operation;

#[derive(Debug)]
struct Route {
    resource: ResourceDef,
    /// The methods of the path, each with whether its operation is deprecated.
    methods: Vec<(Method, bool)>,
}

/// Every documented path with its methods.
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
                let methods = operations
                    .into_iter()
                    .filter_map(|(method, operation)| {
                        let operation = operation.as_ref()?;
                        let deprecated = matches!(
                            operation.deprecated,
                            Some(utoipa::openapi::Deprecated::True)
                        );
                        Some((method, deprecated))
                    })
                    .collect();
                Route {
                    resource: ResourceDef::new(path.as_str()),
                    methods,
                }
            })
            .collect();
        Self { routes }
    }

    fn matching(&self, path: &str) -> impl Iterator<Item = &(Method, bool)> {
        self.routes
            .iter()
            .filter(move |route| route.resource.is_match(path))
            .flat_map(|route| route.methods.iter())
    }

    /// The methods `path` answers; empty when no documented path matches.
    pub fn allowed_methods(&self, path: &str) -> Vec<Method> {
        self.matching(path)
            .map(|(method, _)| method.clone())
            .collect()
    }

    /// Whether `method path` is a deprecated operation.
    pub fn is_deprecated(&self, method: &Method, path: &str) -> bool {
        self.matching(path)
            .any(|(candidate, deprecated)| candidate == method && *deprecated)
    }
}

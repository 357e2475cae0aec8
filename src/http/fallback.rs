//! Requests no route took: a 405 with `Allow` when the path exists under another method, a 404
//! otherwise, both in Clerk's envelope. The paths come from the generated spec, so a new
//! operation is known here as soon as it is documented.

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use actix_web::{HttpRequest, web};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;

/// Every documented path with the methods it answers.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

impl RouteTable {
    pub fn from_openapi(openapi: &OpenApi) -> Self {
        let routes = openapi
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (Method::GET, item.get.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                    (Method::OPTIONS, item.options.is_some()),
                    (Method::HEAD, item.head.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::TRACE, item.trace.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods `path` answers; empty when no documented path matches.
    pub fn allowed_methods(&self, path: &str) -> Vec<Method> {
        self.routes
            .iter()
            .filter(|(resource, _)| resource.is_match(path))
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect()
    }
}

/// The default service: answers whatever no route matched.
pub async fn no_route(
    request: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let allowed = routes.allowed_methods(request.path());
    Err(if allowed.is_empty() {
        ApiError::RouteNotFound {
            method: request.method().to_string(),
            path: request.path().chars().take(200).collect(),
        }
    } else {
        ApiError::MethodNotAllowed {
            allowed: allowed.iter().map(ToString::to_string).collect(),
        }
    })
}

//! The request, resolved once: the API version it selects and whether it carries `Prefer`, then
//! (from the route the router chose) its operation and (from its key) its instance. Later stages
//! and the handlers read this [`RequestContext`] rather than parsing the headers again.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderName;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage as _, HttpRequest, web};

use crate::domain::ApiVersion;
use crate::error::ApiError;
use crate::http::extract::api_version::requested_version;
use crate::http::operation::Operation;
use crate::http::{AppState, is_api_path};
use crate::tenancy::instance::Instance;

/// The `Prefer` header (RFC 7240).
pub const PREFER: HeaderName = HeaderName::from_static("prefer");

/// What an API request is, as resolved when it arrived.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The documented operation, set by its route's stages; `None` when no route takes the
    /// method and path (the answer is then a 404 or 405).
    pub operation: Option<Operation>,
    /// The API version the request selects, or why it selects none. It is an error only for an
    /// operation that runs: an unknown route answers 404 whatever version it names.
    pub version: Result<ApiVersion, ApiError>,
    /// Whether the request has a `Prefer` header at all.
    pub prefers: bool,
    /// The instance the request authenticated as, once the authentication stage found it.
    pub instance: Option<Arc<Instance>>,
}

impl RequestContext {
    /// What `read` finds in the context of `request`; `None` for a request that is not an API
    /// request. The context is lent, not copied.
    pub fn read<T>(request: &HttpRequest, read: impl FnOnce(&Self) -> T) -> Option<T> {
        request.extensions().get::<Self>().map(read)
    }

    /// The instance an API request authenticated as, if it did.
    pub fn instance(request: &HttpRequest) -> Option<Arc<Instance>> {
        Self::read(request, |context| context.instance.clone()).flatten()
    }
}

/// The path as the router sees it: percent-decoded, so that `/%76%31/sessions` is `/v1/sessions`
/// here as it is to the routes.
pub fn routed_path(request: &HttpRequest) -> &str {
    request.match_info().as_str()
}

/// Resolves an API request's context and hands it on with the request.
pub async fn resolve(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let path = routed_path(request.request());
    if is_api_path(path)
        && let Some(state) = request.app_data::<web::Data<AppState>>()
    {
        let context = RequestContext {
            operation: None,
            version: requested_version(request.request(), state.default_version),
            prefers: request.headers().contains_key(PREFER),
            instance: None,
        };
        request.extensions_mut().insert(context);
    }
    next.call(request).await
}

//! The OpenAPI document: its fixed parts (info, tags, security) and the generated whole.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{self, Components};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

/// The fixed parts; the paths and schemas come from the handlers registered in
/// [`crate::startup::configure_routes`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clerk Backend API: Sessions (local mock)",
        description = "A local, stateful stand-in for the Sessions endpoints of Clerk's Backend API. \
Point an official Clerk SDK at this server's origin and authenticate with a secret key it accepts \
(`Authorization: Bearer sk_test_...`). Every secret key is its own instance with its own data. \
Select an API version with the `Clerk-API-Version` header or the `__clerk_api_version` query \
parameter. Every error answers in Clerk's error envelope.",
        license(name = "MIT")
    ),
    tags(
        (name = "Sessions", description = "Sessions of the users of an instance: list, create, retrieve and revoke them, and mint their tokens."),
        (name = "JWKS", description = "The public keys that verify the instance's tokens."),
        (name = "Operator", description = "The server's own surface outside `/v1`: health, readiness and this document. No key needed."),
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Declares the secret key as the bearer scheme, so Swagger UI's Authorize button sends it.
#[derive(Debug)]
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Components::new);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "A Clerk secret key (`sk_test_...`) that this server accepts; each key is its own instance."
                .to_owned(),
        );
        components.add_security_scheme("bearerAuth", SecurityScheme::Http(scheme));
    }
}

/// The whole document, as the running server describes itself.
pub fn document() -> openapi::OpenApi {
    actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::startup::configure_routes)
        .split_for_parts()
        .1
}

/// The document as served: pretty JSON with a final newline, byte-identical on every run.
pub fn document_json() -> String {
    let mut json = serde_json::to_string_pretty(&document())
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
    json.push('\n');
    json
}

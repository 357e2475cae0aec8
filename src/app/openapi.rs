//! The OpenAPI document: its fixed parts (info, tags, security) and the generated whole.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{self, Components, RefOr};

use std::sync::LazyLock;

use crate::http::operation::PathParams;
use crate::http::routes;
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

/// The fixed parts; the paths and schemas come from the handlers registered in
/// [`routes::configure`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clerk Backend API (local mock)",
        description = "A local, stateful stand-in for Clerk's Backend API. \
Point an official Clerk SDK at this server's origin and authenticate with a secret key it accepts \
(`Authorization: Bearer sk_test_...`). Every secret key is its own instance with its own data. \
Select an API version with the `Clerk-API-Version` header or the `__clerk_api_version` query \
parameter. Every error answers in Clerk's error envelope.",
        license(name = "MIT")
    ),
    tags(
        (name = "Sessions", description = "Sessions of the users of an instance: list, create, retrieve and revoke them, and mint their tokens."),
        (name = "Users", description = "The users of an instance: what a backend reads after authenticating one, and the writes that set them up, change them and delete them."),
        (name = "Organizations", description = "The organizations of an instance, by id or slug: what a multi-tenant backend reads and its admin screens change."),
        (name = "Organization Memberships", description = "Who belongs to an organization, in which role."),
        (name = "Testing Tokens", description = "Tokens `@clerk/testing` passes to the Frontend API in e2e tests."),
        (name = "Sign-in Tokens", description = "Tokens that sign a user in once without a password; the admin surface redeems them."),
        (name = "JWKS", description = "The public keys that verify the instance's tokens."),
        (name = "Operator", description = "The server's own surface outside `/v1`: health, readiness and this document. No key needed."),
        (name = "Admin", description = "The test-control surface under `/__admin`: instances on demand, resets, data, the clock, faults, the journal, sessions and their tokens, and sign-in token redemption. Operations on an instance take that instance's secret key."),
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

/// The whole document, as the running server describes itself: a pure function of the code,
/// built once.
pub fn document() -> &'static openapi::OpenApi {
    static DOCUMENT: LazyLock<openapi::OpenApi> = LazyLock::new(build);
    &DOCUMENT
}

fn build() -> openapi::OpenApi {
    let mut document = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts()
        .1;
    add_error_examples(&mut document);
    document
}

/// Shows each documented error response with the body the server answers for it (the same
/// canonical error `Prefer: code=<status>` returns), so Swagger UI displays real examples.
fn add_error_examples(document: &mut openapi::OpenApi) {
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let Some(declared) = routes::operations()
                .find(|declared| Some(declared.id.as_str()) == operation.operation_id.as_deref())
            else {
                continue;
            };
            for (status, response) in &mut operation.responses.responses {
                let (Ok(status), RefOr::T(response)) = (status.parse::<u16>(), response) else {
                    continue;
                };
                let Some(error) = declared.error_for(status, PathParams::EXAMPLE) else {
                    continue;
                };
                let example = serde_json::json!({
                    "errors": error.errors(),
                    "clerk_trace_id": "2c1e6b1c9a0b4d7e8f3a5b6c7d8e9f01",
                });
                if let Some(RefOr::T(content)) = response.content.get_mut("application/json") {
                    content.example = Some(example);
                }
            }
        }
    }
}

/// The document as served: pretty JSON with a final newline, byte-identical on every run.
pub fn document_json() -> String {
    // The document is made of strings, numbers and maps with string keys, which serde_json
    // always writes; should it ever fail, serde writes the error too.
    let mut json = serde_json::to_string_pretty(document())
        .unwrap_or_else(|error| serde_json::json!({ "error": error.to_string() }).to_string());
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::http::extract::list_query::{DEFAULT_LIMIT, MAX_LIMIT};
    use crate::http::extract::user_query::MAX_FILTER_VALUES;
    use crate::tokens::TOKEN_LIFETIME_RANGE;

    /// utoipa takes only literals for a schema's bounds; this holds them to the constants the
    /// server checks, so that each bound is decided in one place.
    #[test]
    fn the_documented_bounds_are_the_ones_the_server_checks() {
        let document: Value = serde_json::from_str(&super::document_json()).expect("JSON");
        let limit = document["paths"]["/v1/sessions"]["get"]["parameters"]
            .as_array()
            .and_then(|parameters| parameters.iter().find(|p| p["name"] == "limit"))
            .map(|parameter| parameter["schema"].clone())
            .expect("the limit parameter");
        assert_eq!(limit["maximum"], MAX_LIMIT);
        assert_eq!(limit["default"], DEFAULT_LIMIT);
        let users = document["paths"]["/v1/users"]["get"]["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let parameter = |name: &str| {
            users
                .iter()
                .find(|parameter| parameter["name"] == name)
                .map(|parameter| parameter["schema"].clone())
                .unwrap_or_else(|| panic!("the user list's {name}"))
        };
        assert_eq!(parameter("limit")["maximum"], MAX_LIMIT);
        assert_eq!(parameter("email_address")["maxItems"], MAX_FILTER_VALUES);
        let lifetime =
            &document["components"]["schemas"]["TokenRequest"]["properties"]["expires_in_seconds"];
        assert_eq!(lifetime["minimum"], *TOKEN_LIFETIME_RANGE.start());
        assert_eq!(lifetime["maximum"], *TOKEN_LIFETIME_RANGE.end());
    }
}

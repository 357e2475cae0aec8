//! The generated OpenAPI document: committed, checked for drift, and faithful to the contract.

use std::path::PathBuf;

use clerk_conformance::Spec;
use serde_json::Value;

use crate::helpers::spawn_app;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/generated.json")
}

/// The served document must equal the committed one byte for byte; `UPDATE_OPENAPI=1` rewrites
/// the committed file instead.
#[tokio::test]
async fn the_served_document_equals_the_committed_one() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .expect("answered");
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let served = response.text().await.expect("text");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(committed_path(), &served).expect("committed spec is written");
        return;
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        served == committed,
        "openapi/generated.json is out of date: run `UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
}

fn document() -> Value {
    serde_json::from_str(&clerk_backend_mock::openapi_json()).expect("document is JSON")
}

#[test]
fn the_document_is_openapi_3_1_with_a_bearer_scheme() {
    let document = document();
    assert_eq!(document["openapi"], "3.1.0");
    let scheme = &document["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
}

/// Operation ids, tags and documented statuses as the contract's table gives them.
#[test]
fn every_operation_matches_the_contract() {
    let spec = Spec::parse(&clerk_backend_mock::openapi_json(), "generated").expect("parses");
    let mut operations = spec.operations();
    operations.sort();
    let api: Vec<_> = operations
        .iter()
        .filter(|(_, path, _, _)| path.starts_with("/v1"))
        .map(|(method, path, id, statuses)| {
            let mut statuses = statuses.clone();
            statuses.sort_unstable();
            (method.as_str(), path.as_str(), id.as_str(), statuses)
        })
        .collect();
    assert_eq!(
        api,
        vec![
            (
                "delete",
                "/v1/organizations/{organization_id}",
                "DeleteOrganization",
                vec![200, 400, 401, 404]
            ),
            (
                "delete",
                "/v1/organizations/{organization_id}/memberships/{user_id}",
                "DeleteOrganizationMembership",
                vec![200, 400, 401, 404, 422]
            ),
            (
                "delete",
                "/v1/users/{user_id}",
                "DeleteUser",
                vec![200, 400, 401, 404]
            ),
            ("get", "/v1/jwks", "GetJWKS", vec![200, 400, 401]),
            (
                "get",
                "/v1/organizations",
                "ListOrganizations",
                vec![200, 400, 401, 403, 422]
            ),
            (
                "get",
                "/v1/organizations/{organization_id}",
                "GetOrganization",
                vec![200, 400, 401, 403, 404, 422]
            ),
            (
                "get",
                "/v1/organizations/{organization_id}/memberships",
                "ListOrganizationMemberships",
                vec![200, 400, 401, 404, 422]
            ),
            (
                "get",
                "/v1/sessions",
                "GetSessionList",
                vec![200, 400, 401, 422]
            ),
            (
                "get",
                "/v1/sessions/{session_id}",
                "GetSession",
                vec![200, 400, 401, 404]
            ),
            ("get", "/v1/users", "GetUserList", vec![200, 400, 401, 422]),
            (
                "get",
                "/v1/users/count",
                "GetUsersCount",
                vec![200, 400, 401, 422]
            ),
            (
                "get",
                "/v1/users/{user_id}",
                "GetUser",
                vec![200, 400, 401, 404]
            ),
            (
                "get",
                "/v1/users/{user_id}/organization_memberships",
                "UsersGetOrganizationMemberships",
                vec![200, 400, 401, 403, 404, 422]
            ),
            (
                "patch",
                "/v1/organizations/{organization_id}",
                "UpdateOrganization",
                vec![200, 400, 401, 402, 403, 404, 422]
            ),
            (
                "patch",
                "/v1/organizations/{organization_id}/memberships/{user_id}",
                "UpdateOrganizationMembership",
                vec![200, 400, 401, 404, 422]
            ),
            (
                "patch",
                "/v1/organizations/{organization_id}/metadata",
                "MergeOrganizationMetadata",
                vec![200, 400, 401, 404, 422]
            ),
            (
                "patch",
                "/v1/users/{user_id}",
                "UpdateUser",
                vec![200, 400, 401, 404, 409, 422]
            ),
            (
                "patch",
                "/v1/users/{user_id}/metadata",
                "UpdateUserMetadata",
                vec![200, 400, 401, 404, 422]
            ),
            (
                "post",
                "/v1/organizations",
                "CreateOrganization",
                vec![200, 400, 401, 402, 403, 422]
            ),
            (
                "post",
                "/v1/organizations/{organization_id}/memberships",
                "CreateOrganizationMembership",
                vec![200, 400, 401, 403, 404, 422]
            ),
            (
                "post",
                "/v1/sessions",
                "createSession",
                vec![200, 400, 401, 403, 404, 422]
            ),
            (
                "post",
                "/v1/sessions/{session_id}/refresh",
                "RefreshSession",
                vec![200, 400, 401, 422]
            ),
            (
                "post",
                "/v1/sessions/{session_id}/revoke",
                "RevokeSession",
                vec![200, 400, 401, 404]
            ),
            (
                "post",
                "/v1/sessions/{session_id}/tokens",
                "CreateSessionToken",
                vec![200, 400, 401, 404, 422]
            ),
            (
                "post",
                "/v1/sessions/{session_id}/tokens/{template_name}",
                "CreateSessionTokenFromTemplate",
                vec![200, 400, 401, 404, 422]
            ),
            (
                "post",
                "/v1/sessions/{session_id}/verify",
                "VerifySession",
                vec![200, 400, 401, 404, 410, 422]
            ),
            (
                "post",
                "/v1/sign_in_tokens",
                "CreateSignInToken",
                vec![200, 400, 401, 403, 404, 422]
            ),
            (
                "post",
                "/v1/sign_in_tokens/{sign_in_token_id}/revoke",
                "RevokeSignInToken",
                vec![200, 400, 401, 404]
            ),
            (
                "post",
                "/v1/testing_tokens",
                "CreateTestingToken",
                vec![200, 400, 401]
            ),
            (
                "post",
                "/v1/users",
                "CreateUser",
                vec![200, 400, 401, 402, 403, 422]
            ),
            (
                "post",
                "/v1/users/{user_id}/ban",
                "BanUser",
                vec![200, 400, 401, 402, 404]
            ),
            (
                "post",
                "/v1/users/{user_id}/lock",
                "LockUser",
                vec![200, 400, 401, 403, 404]
            ),
            (
                "post",
                "/v1/users/{user_id}/unban",
                "UnbanUser",
                vec![200, 400, 401, 402, 404]
            ),
            (
                "post",
                "/v1/users/{user_id}/unlock",
                "UnlockUser",
                vec![200, 400, 401, 403, 404]
            ),
            (
                "put",
                "/v1/organizations/{organization_id}/metadata",
                "ReplaceOrganizationMetadata",
                vec![200, 400, 401, 404, 422]
            ),
            (
                "put",
                "/v1/users/{user_id}/metadata",
                "ReplaceUserMetadata",
                vec![200, 400, 401, 404, 422]
            ),
        ]
    );
    let document = document();
    for (method, path, _, _) in operations
        .iter()
        .filter(|(_, path, _, _)| path.starts_with("/v1"))
    {
        let operation = &document["paths"][path][method];
        let tag = if path == "/v1/jwks" {
            "JWKS"
        } else if path.starts_with("/v1/users") {
            "Users"
        } else if path.starts_with("/v1/testing_tokens") {
            "Testing Tokens"
        } else if path.starts_with("/v1/sign_in_tokens") {
            "Sign-in Tokens"
        } else if path.contains("/memberships") {
            "Organization Memberships"
        } else if path.starts_with("/v1/organizations") {
            "Organizations"
        } else {
            "Sessions"
        };
        assert_eq!(operation["tags"][0], tag, "{method} {path}");
        assert_eq!(
            operation["security"][0]["bearerAuth"],
            serde_json::json!([]),
            "{method} {path}"
        );
        assert!(operation["summary"].is_string() && operation["description"].is_string());
    }
}

#[test]
fn list_parameters_carry_their_bounds_and_defaults() {
    let document = document();
    let parameters = document["paths"]["/v1/sessions"]["get"]["parameters"]
        .as_array()
        .cloned()
        .expect("parameters");
    let find = |name: &str| {
        parameters
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} parameter"))
    };
    let limit = find("limit");
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], 500);
    assert_eq!(limit["schema"]["default"], 10);
    let offset = find("offset");
    assert_eq!(offset["schema"]["minimum"], 0);
    assert_eq!(offset["schema"]["default"], 0);
    let version = find("Clerk-API-Version");
    assert_eq!(version["in"], "header");
    assert_eq!(version["schema"]["enum"].as_array().map(Vec::len), Some(6));
    assert!(
        version["description"]
            .as_str()
            .is_some_and(|d| d.contains("__clerk_api_version"))
    );
    assert!(
        parameters
            .iter()
            .all(|p| p["name"] != "__clerk_api_version"),
        "documented in the header's description only"
    );
    let status = find("status");
    assert_eq!(
        status["schema"]["enum"].as_array().map(Vec::len),
        Some(7),
        "the status filter is inline"
    );
}

#[test]
fn only_verify_is_deprecated() {
    let document = document();
    let verify = &document["paths"]["/v1/sessions/{session_id}/verify"]["post"];
    assert_eq!(verify["deprecated"], true);
    assert!(
        document["paths"]["/v1/sessions"]["get"]
            .get("deprecated")
            .is_none()
    );
}

/// Swagger UI shows an example for every documented response of the API, and each example is
/// valid against its own schema.
#[test]
fn every_documented_response_has_a_valid_example() {
    let document = document();
    let spec = Spec::parse(&clerk_backend_mock::openapi_json(), "generated").expect("parses");
    let paths = document["paths"].as_object().expect("paths");
    for (path, item) in paths.iter().filter(|(path, _)| path.starts_with("/v1")) {
        for (method, operation) in item.as_object().expect("path item") {
            for (status, response) in operation["responses"].as_object().expect("responses") {
                let content = &response["content"]["application/json"];
                let from_schema = content["schema"]["$ref"]
                    .as_str()
                    .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
                    .and_then(|name| document["components"]["schemas"][name].get("example"));
                let example = content.get("example").or(from_schema);
                let name = format!("{method} {path} {status}");
                let example = example.unwrap_or_else(|| panic!("{name} has no example"));
                let schema = spec
                    .response_schema(method, path, status.parse().expect("numeric status"))
                    .expect("schema");
                assert_eq!(schema.violations(example), Vec::<String>::new(), "{name}");
            }
        }
    }
}

//! Every documented status of every operation, reached two ways: naturally, by a request that
//! really is in that situation, and on demand with `Prefer: code=<status>`. docs/behaviour.md's status
//! table lists the same triggers.

use clerk_conformance::Spec;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{
    ACME, ALICE, ALICE_ACTIVE, BOB, CAROL, GLOBEX, TestApp, TestRequest, UNKNOWN_SESSION, spawn_app,
};

/// One cell of the status table: an operation, a status, the Clerk code of the answer (empty for
/// a success) and a request that gets it.
struct Cell {
    operation: &'static str,
    method: &'static str,
    path: &'static str,
    status: u16,
    code: &'static str,
    trigger: for<'a> fn(&'a TestApp, &Known) -> TestRequest<'a>,
}

const NO_USER: &str = "user_2NobodyHasThisId00000000000";

fn session_path(suffix: &str) -> String {
    format!("/v1/sessions/{ALICE_ACTIVE}{suffix}")
}

/// What a trigger may need to know of `ALICE_ACTIVE`: a live session token (for verify and
/// refresh) and its refresh token.
struct Known {
    session_token: String,
    refresh_token: String,
    /// A user created banned.
    banned_user: String,
    /// A pending sign-in token of Alice's, and one already revoked.
    pending_sign_in_token: String,
    revoked_sign_in_token: String,
}

/// The body of a refresh of `ALICE_ACTIVE` that succeeds.
fn refresh_body(known: &Known) -> serde_json::Value {
    json!({
        "expired_token": known.session_token,
        "refresh_token": known.refresh_token,
        "request_origin": "http://localhost:3000",
    })
}

/// The natural trigger of every documented (operation, status).
fn cells() -> Vec<Cell> {
    macro_rules! cell {
        ($operation:literal, $method:literal, $path:literal, $status:literal, $code:literal, $trigger:expr) => {
            Cell {
                operation: $operation,
                method: $method,
                path: $path,
                status: $status,
                code: $code,
                trigger: $trigger,
            }
        };
    }
    vec![
        cell!(
            "GetSessionList",
            "get",
            "/v1/sessions",
            200,
            "",
            |app, _| app.get("/v1/sessions").query("user_id", ALICE)
        ),
        cell!(
            "GetSessionList",
            "get",
            "/v1/sessions",
            400,
            "missing_query_parameter",
            |app, _| app.get("/v1/sessions")
        ),
        cell!(
            "GetSessionList",
            "get",
            "/v1/sessions",
            401,
            "authentication_invalid",
            |app, _| {
                app.get("/v1/sessions")
                    .query("user_id", ALICE)
                    .authorization(None)
            }
        ),
        cell!(
            "GetSessionList",
            "get",
            "/v1/sessions",
            422,
            "form_param_value_invalid",
            |app, _| {
                app.get("/v1/sessions")
                    .query("user_id", ALICE)
                    .query("limit", "0")
            }
        ),
        cell!(
            "createSession",
            "post",
            "/v1/sessions",
            200,
            "",
            |app, _| app.post("/v1/sessions").json(&json!({"user_id": ALICE}))
        ),
        cell!(
            "createSession",
            "post",
            "/v1/sessions",
            400,
            "request_body_invalid",
            |app, _| {
                app.post("/v1/sessions")
                    .body("application/json", b"{".to_vec())
            }
        ),
        cell!(
            "createSession",
            "post",
            "/v1/sessions",
            401,
            "authentication_invalid",
            |app, _| {
                app.post("/v1/sessions")
                    .json(&json!({"user_id": ALICE}))
                    .authorization(None)
            }
        ),
        cell!(
            "createSession",
            "post",
            "/v1/sessions",
            403,
            "user_banned",
            |app, known| {
                app.post("/v1/sessions")
                    .json(&json!({"user_id": known.banned_user}))
            }
        ),
        cell!(
            "createSession",
            "post",
            "/v1/sessions",
            404,
            "resource_not_found",
            |app, _| { app.post("/v1/sessions").json(&json!({"user_id": NO_USER})) }
        ),
        cell!(
            "createSession",
            "post",
            "/v1/sessions",
            422,
            "form_param_missing",
            |app, _| app.post("/v1/sessions").json(&json!({}))
        ),
        cell!(
            "GetSession",
            "get",
            "/v1/sessions/{session_id}",
            200,
            "",
            |app, _| app.get(&session_path(""))
        ),
        cell!(
            "GetSession",
            "get",
            "/v1/sessions/{session_id}",
            400,
            "api_version_invalid",
            |app, _| { app.get(&session_path("")).version("1999-01-01") }
        ),
        cell!(
            "GetSession",
            "get",
            "/v1/sessions/{session_id}",
            401,
            "authentication_invalid",
            |app, _| { app.get(&session_path("")).authorization(None) }
        ),
        cell!(
            "GetSession",
            "get",
            "/v1/sessions/{session_id}",
            404,
            "resource_not_found",
            |app, _| { app.get(&format!("/v1/sessions/{UNKNOWN_SESSION}")) }
        ),
        cell!(
            "RevokeSession",
            "post",
            "/v1/sessions/{session_id}/revoke",
            200,
            "",
            |app, _| app.post(&session_path("/revoke"))
        ),
        cell!(
            "RevokeSession",
            "post",
            "/v1/sessions/{session_id}/revoke",
            400,
            "api_version_invalid",
            |app, _| { app.post(&session_path("/revoke")).version("1999-01-01") }
        ),
        cell!(
            "RevokeSession",
            "post",
            "/v1/sessions/{session_id}/revoke",
            401,
            "authentication_invalid",
            |app, _| { app.post(&session_path("/revoke")).authorization(None) }
        ),
        cell!(
            "RevokeSession",
            "post",
            "/v1/sessions/{session_id}/revoke",
            404,
            "resource_not_found",
            |app, _| { app.post(&format!("/v1/sessions/{UNKNOWN_SESSION}/revoke")) }
        ),
        cell!(
            "RefreshSession",
            "post",
            "/v1/sessions/{session_id}/refresh",
            200,
            "",
            |app, known| app
                .post(&session_path("/refresh"))
                .json(&refresh_body(known))
        ),
        cell!(
            "RefreshSession",
            "post",
            "/v1/sessions/{session_id}/refresh",
            400,
            "request_body_invalid",
            |app, _| {
                app.post(&session_path("/refresh"))
                    .body("application/json", b"{not json".to_vec())
            }
        ),
        cell!(
            "RefreshSession",
            "post",
            "/v1/sessions/{session_id}/refresh",
            401,
            "authentication_invalid",
            |app, known| {
                let mut body = refresh_body(known);
                body["refresh_token"] = json!("not-this-sessions-refresh-token");
                app.post(&session_path("/refresh")).json(&body)
            }
        ),
        cell!(
            "RefreshSession",
            "post",
            "/v1/sessions/{session_id}/refresh",
            422,
            "form_param_missing",
            |app, known| {
                let mut body = refresh_body(known);
                body.as_object_mut()
                    .map(|body| body.remove("refresh_token"));
                app.post(&session_path("/refresh")).json(&body)
            }
        ),
        cell!(
            "VerifySession",
            "post",
            "/v1/sessions/{session_id}/verify",
            200,
            "",
            |app, known| {
                app.post(&session_path("/verify"))
                    .json(&json!({"token": known.session_token}))
            }
        ),
        cell!(
            "VerifySession",
            "post",
            "/v1/sessions/{session_id}/verify",
            400,
            "invalid_session_token",
            |app, _| {
                app.post(&session_path("/verify"))
                    .json(&json!({"token": "not.a.jwt"}))
            }
        ),
        cell!(
            "VerifySession",
            "post",
            "/v1/sessions/{session_id}/verify",
            401,
            "authentication_invalid",
            |app, known| {
                app.post(&session_path("/verify"))
                    .json(&json!({"token": known.session_token}))
                    .authorization(None)
            }
        ),
        cell!(
            "VerifySession",
            "post",
            "/v1/sessions/{session_id}/verify",
            404,
            "resource_not_found",
            |app, known| {
                app.post(&format!("/v1/sessions/{UNKNOWN_SESSION}/verify"))
                    .json(&json!({"token": known.session_token}))
            }
        ),
        cell!(
            "VerifySession",
            "post",
            "/v1/sessions/{session_id}/verify",
            410,
            "operation_deprecated",
            |app, known| {
                app.post(&session_path("/verify"))
                    .json(&json!({"token": known.session_token}))
                    .version("2025-04-10")
            }
        ),
        cell!(
            "VerifySession",
            "post",
            "/v1/sessions/{session_id}/verify",
            422,
            "form_param_missing",
            |app, _| { app.post(&session_path("/verify")).json(&json!({})) }
        ),
        cell!(
            "CreateSessionToken",
            "post",
            "/v1/sessions/{session_id}/tokens",
            200,
            "",
            |app, _| app.post(&session_path("/tokens"))
        ),
        cell!(
            "CreateSessionToken",
            "post",
            "/v1/sessions/{session_id}/tokens",
            400,
            "request_body_invalid",
            |app, _| {
                app.post(&session_path("/tokens"))
                    .body("application/json", b"{".to_vec())
            }
        ),
        cell!(
            "CreateSessionToken",
            "post",
            "/v1/sessions/{session_id}/tokens",
            401,
            "authentication_invalid",
            |app, _| { app.post(&session_path("/tokens")).authorization(None) }
        ),
        cell!(
            "CreateSessionToken",
            "post",
            "/v1/sessions/{session_id}/tokens",
            404,
            "resource_not_found",
            |app, _| { app.post(&format!("/v1/sessions/{UNKNOWN_SESSION}/tokens")) }
        ),
        cell!(
            "CreateSessionToken",
            "post",
            "/v1/sessions/{session_id}/tokens",
            422,
            "form_param_value_invalid",
            |app, _| {
                app.post(&session_path("/tokens"))
                    .json(&json!({"expires_in_seconds": 10}))
            }
        ),
        cell!(
            "CreateSessionTokenFromTemplate",
            "post",
            "/v1/sessions/{session_id}/tokens/{template_name}",
            200,
            "",
            |app, _| { app.post(&session_path("/tokens/test")) }
        ),
        cell!(
            "CreateSessionTokenFromTemplate",
            "post",
            "/v1/sessions/{session_id}/tokens/{template_name}",
            400,
            "request_body_invalid",
            |app, _| {
                app.post(&session_path("/tokens/test"))
                    .body("application/json", b"{".to_vec())
            }
        ),
        cell!(
            "CreateSessionTokenFromTemplate",
            "post",
            "/v1/sessions/{session_id}/tokens/{template_name}",
            401,
            "authentication_invalid",
            |app, _| { app.post(&session_path("/tokens/test")).authorization(None) }
        ),
        cell!(
            "CreateSessionTokenFromTemplate",
            "post",
            "/v1/sessions/{session_id}/tokens/{template_name}",
            404,
            "resource_not_found",
            |app, _| { app.post(&session_path("/tokens/no_such_template")) }
        ),
        cell!(
            "CreateSessionTokenFromTemplate",
            "post",
            "/v1/sessions/{session_id}/tokens/{template_name}",
            422,
            "form_param_value_invalid",
            |app, _| {
                app.post(&session_path("/tokens/test"))
                    .json(&json!({"expires_in_seconds": 10}))
            }
        ),
        cell!("GetUserList", "get", "/v1/users", 200, "", |app, _| app
            .get("/v1/users")),
        cell!(
            "GetUserList",
            "get",
            "/v1/users",
            400,
            "api_version_invalid",
            |app, _| app.get("/v1/users").version("1999-01-01")
        ),
        cell!(
            "GetUserList",
            "get",
            "/v1/users",
            401,
            "authentication_invalid",
            |app, _| app.get("/v1/users").authorization(None)
        ),
        cell!(
            "GetUserList",
            "get",
            "/v1/users",
            422,
            "form_param_value_invalid",
            |app, _| app.get("/v1/users").query("limit", "0")
        ),
        cell!(
            "GetUsersCount",
            "get",
            "/v1/users/count",
            200,
            "",
            |app, _| app.get("/v1/users/count")
        ),
        cell!(
            "GetUsersCount",
            "get",
            "/v1/users/count",
            400,
            "api_version_invalid",
            |app, _| app.get("/v1/users/count").version("1999-01-01")
        ),
        cell!(
            "GetUsersCount",
            "get",
            "/v1/users/count",
            401,
            "authentication_invalid",
            |app, _| app.get("/v1/users/count").authorization(None)
        ),
        cell!(
            "GetUsersCount",
            "get",
            "/v1/users/count",
            422,
            "form_param_value_invalid",
            |app, _| app.get("/v1/users/count").query("email_address", "")
        ),
        cell!(
            "GetUser",
            "get",
            "/v1/users/{user_id}",
            200,
            "",
            |app, _| app.get(&format!("/v1/users/{ALICE}"))
        ),
        cell!(
            "GetUser",
            "get",
            "/v1/users/{user_id}",
            400,
            "api_version_invalid",
            |app, _| app.get(&format!("/v1/users/{ALICE}")).version("1999-01-01")
        ),
        cell!(
            "GetUser",
            "get",
            "/v1/users/{user_id}",
            401,
            "authentication_invalid",
            |app, _| app.get(&format!("/v1/users/{ALICE}")).authorization(None)
        ),
        cell!(
            "GetUser",
            "get",
            "/v1/users/{user_id}",
            404,
            "resource_not_found",
            |app, _| app.get(&format!("/v1/users/{NO_USER}"))
        ),
        cell!("CreateUser", "post", "/v1/users", 200, "", |app, _| app
            .post("/v1/users")
            .json(&json!({"email_address": ["new.person@example.com"]}))),
        cell!(
            "CreateUser",
            "post",
            "/v1/users",
            400,
            "request_body_invalid",
            |app, _| app
                .post("/v1/users")
                .body("application/json", b"{".to_vec())
        ),
        cell!(
            "CreateUser",
            "post",
            "/v1/users",
            401,
            "authentication_invalid",
            |app, _| app.post("/v1/users").json(&json!({})).authorization(None)
        ),
        cell!(
            "CreateUser",
            "post",
            "/v1/users",
            422,
            "form_identifier_exists",
            |app, _| app
                .post("/v1/users")
                .json(&json!({"email_address": ["alice@example.com"]}))
        ),
        cell!(
            "UpdateUser",
            "patch",
            "/v1/users/{user_id}",
            200,
            "",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/users/{ALICE}"))
                .json(&json!({"first_name": "Alicia"}))
        ),
        cell!(
            "UpdateUser",
            "patch",
            "/v1/users/{user_id}",
            400,
            "request_body_invalid",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/users/{ALICE}"))
                .body("application/json", b"{".to_vec())
        ),
        cell!(
            "UpdateUser",
            "patch",
            "/v1/users/{user_id}",
            401,
            "authentication_invalid",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/users/{ALICE}"))
                .authorization(None)
        ),
        cell!(
            "UpdateUser",
            "patch",
            "/v1/users/{user_id}",
            404,
            "resource_not_found",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/users/{NO_USER}"))
                .json(&json!({}))
        ),
        cell!(
            "UpdateUser",
            "patch",
            "/v1/users/{user_id}",
            422,
            "form_param_unknown",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/users/{ALICE}"))
                .version("2026-05-12")
                .json(&json!({"public_metadata": {"plan": "pro"}}))
        ),
        cell!(
            "DeleteUser",
            "delete",
            "/v1/users/{user_id}",
            200,
            "",
            |app, _| app.request(Method::DELETE, &format!("/v1/users/{ALICE}"))
        ),
        cell!(
            "DeleteUser",
            "delete",
            "/v1/users/{user_id}",
            400,
            "api_version_invalid",
            |app, _| app
                .request(Method::DELETE, &format!("/v1/users/{ALICE}"))
                .version("1999-01-01")
        ),
        cell!(
            "DeleteUser",
            "delete",
            "/v1/users/{user_id}",
            401,
            "authentication_invalid",
            |app, _| app
                .request(Method::DELETE, &format!("/v1/users/{ALICE}"))
                .authorization(None)
        ),
        cell!(
            "DeleteUser",
            "delete",
            "/v1/users/{user_id}",
            404,
            "resource_not_found",
            |app, _| app.request(Method::DELETE, &format!("/v1/users/{NO_USER}"))
        ),
        cell!(
            "UpdateUserMetadata",
            "patch",
            "/v1/users/{user_id}/metadata",
            200,
            "",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/users/{ALICE}/metadata"))
                .json(&json!({"public_metadata": {"plan": "pro"}}))
        ),
        cell!(
            "UpdateUserMetadata",
            "patch",
            "/v1/users/{user_id}/metadata",
            400,
            "request_body_invalid",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/users/{ALICE}/metadata"))
                .body("application/json", b"{".to_vec())
        ),
        cell!(
            "UpdateUserMetadata",
            "patch",
            "/v1/users/{user_id}/metadata",
            401,
            "authentication_invalid",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/users/{ALICE}/metadata"))
                .authorization(None)
        ),
        cell!(
            "UpdateUserMetadata",
            "patch",
            "/v1/users/{user_id}/metadata",
            404,
            "resource_not_found",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/users/{NO_USER}/metadata"))
                .json(&json!({}))
        ),
        cell!(
            "UpdateUserMetadata",
            "patch",
            "/v1/users/{user_id}/metadata",
            422,
            "form_param_value_invalid",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/users/{ALICE}/metadata"))
                .json(&json!({"public_metadata": []}))
        ),
        cell!(
            "ReplaceUserMetadata",
            "put",
            "/v1/users/{user_id}/metadata",
            200,
            "",
            |app, _| app
                .request(Method::PUT, &format!("/v1/users/{ALICE}/metadata"))
                .json(&json!({"public_metadata": {"plan": "pro"}}))
        ),
        cell!(
            "ReplaceUserMetadata",
            "put",
            "/v1/users/{user_id}/metadata",
            400,
            "request_body_invalid",
            |app, _| app
                .request(Method::PUT, &format!("/v1/users/{ALICE}/metadata"))
                .body("application/json", b"{".to_vec())
        ),
        cell!(
            "ReplaceUserMetadata",
            "put",
            "/v1/users/{user_id}/metadata",
            401,
            "authentication_invalid",
            |app, _| app
                .request(Method::PUT, &format!("/v1/users/{ALICE}/metadata"))
                .authorization(None)
        ),
        cell!(
            "ReplaceUserMetadata",
            "put",
            "/v1/users/{user_id}/metadata",
            404,
            "resource_not_found",
            |app, _| app
                .request(Method::PUT, &format!("/v1/users/{NO_USER}/metadata"))
                .json(&json!({}))
        ),
        cell!(
            "ReplaceUserMetadata",
            "put",
            "/v1/users/{user_id}/metadata",
            422,
            "form_param_value_invalid",
            |app, _| app
                .request(Method::PUT, &format!("/v1/users/{ALICE}/metadata"))
                .json(&json!({"public_metadata": []}))
        ),
        cell!(
            "BanUser",
            "post",
            "/v1/users/{user_id}/ban",
            200,
            "",
            |app, _| app.post(&format!("/v1/users/{ALICE}/ban"))
        ),
        cell!(
            "BanUser",
            "post",
            "/v1/users/{user_id}/ban",
            400,
            "api_version_invalid",
            |app, _| app
                .post(&format!("/v1/users/{ALICE}/ban"))
                .version("1999-01-01")
        ),
        cell!(
            "BanUser",
            "post",
            "/v1/users/{user_id}/ban",
            401,
            "authentication_invalid",
            |app, _| app
                .post(&format!("/v1/users/{ALICE}/ban"))
                .authorization(None)
        ),
        cell!(
            "BanUser",
            "post",
            "/v1/users/{user_id}/ban",
            404,
            "resource_not_found",
            |app, _| app.post(&format!("/v1/users/{NO_USER}/ban"))
        ),
        cell!(
            "UnbanUser",
            "post",
            "/v1/users/{user_id}/unban",
            200,
            "",
            |app, _| app.post(&format!("/v1/users/{ALICE}/unban"))
        ),
        cell!(
            "UnbanUser",
            "post",
            "/v1/users/{user_id}/unban",
            400,
            "api_version_invalid",
            |app, _| app
                .post(&format!("/v1/users/{ALICE}/unban"))
                .version("1999-01-01")
        ),
        cell!(
            "UnbanUser",
            "post",
            "/v1/users/{user_id}/unban",
            401,
            "authentication_invalid",
            |app, _| app
                .post(&format!("/v1/users/{ALICE}/unban"))
                .authorization(None)
        ),
        cell!(
            "UnbanUser",
            "post",
            "/v1/users/{user_id}/unban",
            404,
            "resource_not_found",
            |app, _| app.post(&format!("/v1/users/{NO_USER}/unban"))
        ),
        cell!(
            "LockUser",
            "post",
            "/v1/users/{user_id}/lock",
            200,
            "",
            |app, _| app.post(&format!("/v1/users/{ALICE}/lock"))
        ),
        cell!(
            "LockUser",
            "post",
            "/v1/users/{user_id}/lock",
            400,
            "api_version_invalid",
            |app, _| app
                .post(&format!("/v1/users/{ALICE}/lock"))
                .version("1999-01-01")
        ),
        cell!(
            "LockUser",
            "post",
            "/v1/users/{user_id}/lock",
            401,
            "authentication_invalid",
            |app, _| app
                .post(&format!("/v1/users/{ALICE}/lock"))
                .authorization(None)
        ),
        cell!(
            "LockUser",
            "post",
            "/v1/users/{user_id}/lock",
            404,
            "resource_not_found",
            |app, _| app.post(&format!("/v1/users/{NO_USER}/lock"))
        ),
        cell!(
            "UnlockUser",
            "post",
            "/v1/users/{user_id}/unlock",
            200,
            "",
            |app, _| app.post(&format!("/v1/users/{ALICE}/unlock"))
        ),
        cell!(
            "UnlockUser",
            "post",
            "/v1/users/{user_id}/unlock",
            400,
            "api_version_invalid",
            |app, _| app
                .post(&format!("/v1/users/{ALICE}/unlock"))
                .version("1999-01-01")
        ),
        cell!(
            "UnlockUser",
            "post",
            "/v1/users/{user_id}/unlock",
            401,
            "authentication_invalid",
            |app, _| app
                .post(&format!("/v1/users/{ALICE}/unlock"))
                .authorization(None)
        ),
        cell!(
            "UnlockUser",
            "post",
            "/v1/users/{user_id}/unlock",
            404,
            "resource_not_found",
            |app, _| app.post(&format!("/v1/users/{NO_USER}/unlock"))
        ),
        cell!(
            "CreateTestingToken",
            "post",
            "/v1/testing_tokens",
            200,
            "",
            |app, _| app.post("/v1/testing_tokens")
        ),
        cell!(
            "CreateTestingToken",
            "post",
            "/v1/testing_tokens",
            400,
            "api_version_invalid",
            |app, _| app.post("/v1/testing_tokens").version("1999-01-01")
        ),
        cell!(
            "CreateTestingToken",
            "post",
            "/v1/testing_tokens",
            401,
            "authentication_invalid",
            |app, _| app.post("/v1/testing_tokens").authorization(None)
        ),
        cell!(
            "CreateSignInToken",
            "post",
            "/v1/sign_in_tokens",
            200,
            "",
            |app, _| app
                .post("/v1/sign_in_tokens")
                .json(&json!({"user_id": ALICE}))
        ),
        cell!(
            "CreateSignInToken",
            "post",
            "/v1/sign_in_tokens",
            400,
            "request_body_invalid",
            |app, _| app
                .post("/v1/sign_in_tokens")
                .body("application/json", b"{".to_vec())
        ),
        cell!(
            "CreateSignInToken",
            "post",
            "/v1/sign_in_tokens",
            401,
            "authentication_invalid",
            |app, _| app
                .post("/v1/sign_in_tokens")
                .json(&json!({"user_id": ALICE}))
                .authorization(None)
        ),
        cell!(
            "CreateSignInToken",
            "post",
            "/v1/sign_in_tokens",
            403,
            "not_a_member_in_organization",
            |app, _| app
                .post("/v1/sign_in_tokens")
                .json(&json!({"user_id": BOB, "org_id": GLOBEX}))
        ),
        cell!(
            "CreateSignInToken",
            "post",
            "/v1/sign_in_tokens",
            404,
            "resource_not_found",
            |app, _| app
                .post("/v1/sign_in_tokens")
                .json(&json!({"user_id": NO_USER}))
        ),
        cell!(
            "CreateSignInToken",
            "post",
            "/v1/sign_in_tokens",
            422,
            "form_param_value_invalid",
            |app, _| app
                .post("/v1/sign_in_tokens")
                .json(&json!({"user_id": ALICE, "expires_in_seconds": 0}))
        ),
        cell!(
            "RevokeSignInToken",
            "post",
            "/v1/sign_in_tokens/{sign_in_token_id}/revoke",
            200,
            "",
            |app, known| app.post(&format!(
                "/v1/sign_in_tokens/{}/revoke",
                known.pending_sign_in_token
            ))
        ),
        cell!(
            "RevokeSignInToken",
            "post",
            "/v1/sign_in_tokens/{sign_in_token_id}/revoke",
            400,
            "sign_in_token_cannot_be_revoked_code",
            |app, known| app.post(&format!(
                "/v1/sign_in_tokens/{}/revoke",
                known.revoked_sign_in_token
            ))
        ),
        cell!(
            "RevokeSignInToken",
            "post",
            "/v1/sign_in_tokens/{sign_in_token_id}/revoke",
            401,
            "authentication_invalid",
            |app, known| app
                .post(&format!(
                    "/v1/sign_in_tokens/{}/revoke",
                    known.pending_sign_in_token
                ))
                .authorization(None)
        ),
        cell!(
            "RevokeSignInToken",
            "post",
            "/v1/sign_in_tokens/{sign_in_token_id}/revoke",
            404,
            "resource_not_found",
            |app, _| app.post("/v1/sign_in_tokens/sit_2NoSuchSignInToken000000000/revoke")
        ),
        cell!(
            "ListOrganizations",
            "get",
            "/v1/organizations",
            200,
            "",
            |app, _| app.get("/v1/organizations")
        ),
        cell!(
            "ListOrganizations",
            "get",
            "/v1/organizations",
            400,
            "api_version_invalid",
            |app, _| app.get("/v1/organizations").version("1999-01-01")
        ),
        cell!(
            "ListOrganizations",
            "get",
            "/v1/organizations",
            401,
            "authentication_invalid",
            |app, _| app.get("/v1/organizations").authorization(None)
        ),
        cell!(
            "ListOrganizations",
            "get",
            "/v1/organizations",
            422,
            "form_param_value_invalid",
            |app, _| app.get("/v1/organizations").query("limit", "0")
        ),
        cell!(
            "CreateOrganization",
            "post",
            "/v1/organizations",
            200,
            "",
            |app, _| app
                .post("/v1/organizations")
                .json(&json!({"name": "Initech"}))
        ),
        cell!(
            "CreateOrganization",
            "post",
            "/v1/organizations",
            400,
            "organization_creator_not_found",
            |app, _| app
                .post("/v1/organizations")
                .json(&json!({"name": "Initech", "created_by": NO_USER}))
        ),
        cell!(
            "CreateOrganization",
            "post",
            "/v1/organizations",
            401,
            "authentication_invalid",
            |app, _| app
                .post("/v1/organizations")
                .json(&json!({"name": "Initech"}))
                .authorization(None)
        ),
        cell!(
            "CreateOrganization",
            "post",
            "/v1/organizations",
            422,
            "form_identifier_exists",
            |app, _| app
                .post("/v1/organizations")
                .json(&json!({"name": "Acme again", "slug": "acme"}))
        ),
        cell!(
            "GetOrganization",
            "get",
            "/v1/organizations/{organization_id}",
            200,
            "",
            |app, _| app.get("/v1/organizations/acme")
        ),
        cell!(
            "GetOrganization",
            "get",
            "/v1/organizations/{organization_id}",
            400,
            "api_version_invalid",
            |app, _| app.get("/v1/organizations/acme").version("1999-01-01")
        ),
        cell!(
            "GetOrganization",
            "get",
            "/v1/organizations/{organization_id}",
            401,
            "authentication_invalid",
            |app, _| app.get("/v1/organizations/acme").authorization(None)
        ),
        cell!(
            "GetOrganization",
            "get",
            "/v1/organizations/{organization_id}",
            422,
            "form_param_value_invalid",
            |app, _| app
                .get("/v1/organizations/acme")
                .query("include_members_count", "yes")
        ),
        cell!(
            "GetOrganization",
            "get",
            "/v1/organizations/{organization_id}",
            404,
            "resource_not_found",
            |app, _| app.get("/v1/organizations/no-such-slug")
        ),
        cell!(
            "UpdateOrganization",
            "patch",
            "/v1/organizations/{organization_id}",
            200,
            "",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/organizations/{ACME}"))
                .json(&json!({"name": "Acme Inc"}))
        ),
        cell!(
            "UpdateOrganization",
            "patch",
            "/v1/organizations/{organization_id}",
            400,
            "request_body_invalid",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/organizations/{ACME}"))
                .body("application/json", b"{{".to_vec())
        ),
        cell!(
            "UpdateOrganization",
            "patch",
            "/v1/organizations/{organization_id}",
            401,
            "authentication_invalid",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/organizations/{ACME}"))
                .authorization(None)
        ),
        cell!(
            "UpdateOrganization",
            "patch",
            "/v1/organizations/{organization_id}",
            404,
            "resource_not_found",
            |app, _| app
                .request(Method::PATCH, "/v1/organizations/no-such-slug")
                .json(&json!({}))
        ),
        cell!(
            "UpdateOrganization",
            "patch",
            "/v1/organizations/{organization_id}",
            422,
            "form_identifier_exists",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/organizations/{ACME}"))
                .json(&json!({"slug": "globex"}))
        ),
        cell!(
            "DeleteOrganization",
            "delete",
            "/v1/organizations/{organization_id}",
            200,
            "",
            |app, _| app.request(Method::DELETE, &format!("/v1/organizations/{ACME}"))
        ),
        cell!(
            "DeleteOrganization",
            "delete",
            "/v1/organizations/{organization_id}",
            400,
            "api_version_invalid",
            |app, _| app
                .request(Method::DELETE, &format!("/v1/organizations/{ACME}"))
                .version("1999-01-01")
        ),
        cell!(
            "DeleteOrganization",
            "delete",
            "/v1/organizations/{organization_id}",
            401,
            "authentication_invalid",
            |app, _| app
                .request(Method::DELETE, &format!("/v1/organizations/{ACME}"))
                .authorization(None)
        ),
        cell!(
            "DeleteOrganization",
            "delete",
            "/v1/organizations/{organization_id}",
            404,
            "resource_not_found",
            |app, _| app.request(Method::DELETE, "/v1/organizations/no-such-slug")
        ),
        cell!(
            "MergeOrganizationMetadata",
            "patch",
            "/v1/organizations/{organization_id}/metadata",
            200,
            "",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/organizations/{ACME}/metadata"))
                .json(&json!({"public_metadata": {"plan": "team"}}))
        ),
        cell!(
            "MergeOrganizationMetadata",
            "patch",
            "/v1/organizations/{organization_id}/metadata",
            400,
            "request_body_invalid",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/organizations/{ACME}/metadata"))
                .body("application/json", b"{{".to_vec())
        ),
        cell!(
            "MergeOrganizationMetadata",
            "patch",
            "/v1/organizations/{organization_id}/metadata",
            401,
            "authentication_invalid",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/organizations/{ACME}/metadata"))
                .authorization(None)
        ),
        cell!(
            "MergeOrganizationMetadata",
            "patch",
            "/v1/organizations/{organization_id}/metadata",
            404,
            "resource_not_found",
            |app, _| app
                .request(Method::PATCH, "/v1/organizations/no-such-slug/metadata")
                .json(&json!({}))
        ),
        cell!(
            "MergeOrganizationMetadata",
            "patch",
            "/v1/organizations/{organization_id}/metadata",
            422,
            "form_param_value_invalid",
            |app, _| app
                .request(Method::PATCH, &format!("/v1/organizations/{ACME}/metadata"))
                .json(&json!({"public_metadata": []}))
        ),
        cell!(
            "ReplaceOrganizationMetadata",
            "put",
            "/v1/organizations/{organization_id}/metadata",
            200,
            "",
            |app, _| app
                .request(Method::PUT, &format!("/v1/organizations/{ACME}/metadata"))
                .json(&json!({"public_metadata": {"plan": "team"}}))
        ),
        cell!(
            "ReplaceOrganizationMetadata",
            "put",
            "/v1/organizations/{organization_id}/metadata",
            400,
            "request_body_invalid",
            |app, _| app
                .request(Method::PUT, &format!("/v1/organizations/{ACME}/metadata"))
                .body("application/json", b"{{".to_vec())
        ),
        cell!(
            "ReplaceOrganizationMetadata",
            "put",
            "/v1/organizations/{organization_id}/metadata",
            401,
            "authentication_invalid",
            |app, _| app
                .request(Method::PUT, &format!("/v1/organizations/{ACME}/metadata"))
                .authorization(None)
        ),
        cell!(
            "ReplaceOrganizationMetadata",
            "put",
            "/v1/organizations/{organization_id}/metadata",
            404,
            "resource_not_found",
            |app, _| app
                .request(Method::PUT, "/v1/organizations/no-such-slug/metadata")
                .json(&json!({}))
        ),
        cell!(
            "ReplaceOrganizationMetadata",
            "put",
            "/v1/organizations/{organization_id}/metadata",
            422,
            "form_param_value_invalid",
            |app, _| app
                .request(Method::PUT, &format!("/v1/organizations/{ACME}/metadata"))
                .json(&json!({"public_metadata": []}))
        ),
        cell!(
            "ListOrganizationMemberships",
            "get",
            "/v1/organizations/{organization_id}/memberships",
            200,
            "",
            |app, _| app.get(&format!("/v1/organizations/{ACME}/memberships"))
        ),
        cell!(
            "ListOrganizationMemberships",
            "get",
            "/v1/organizations/{organization_id}/memberships",
            400,
            "api_version_invalid",
            |app, _| app
                .get(&format!("/v1/organizations/{ACME}/memberships"))
                .version("1999-01-01")
        ),
        cell!(
            "ListOrganizationMemberships",
            "get",
            "/v1/organizations/{organization_id}/memberships",
            401,
            "authentication_invalid",
            |app, _| app
                .get(&format!("/v1/organizations/{ACME}/memberships"))
                .authorization(None)
        ),
        cell!(
            "ListOrganizationMemberships",
            "get",
            "/v1/organizations/{organization_id}/memberships",
            404,
            "resource_not_found",
            |app, _| app.get("/v1/organizations/no-such-slug/memberships")
        ),
        cell!(
            "ListOrganizationMemberships",
            "get",
            "/v1/organizations/{organization_id}/memberships",
            422,
            "form_param_value_invalid",
            |app, _| app
                .get(&format!("/v1/organizations/{ACME}/memberships"))
                .query("limit", "0")
        ),
        cell!(
            "CreateOrganizationMembership",
            "post",
            "/v1/organizations/{organization_id}/memberships",
            200,
            "",
            |app, _| app
                .post(&format!("/v1/organizations/{ACME}/memberships"))
                .json(&json!({"user_id": CAROL, "role": "org:member"}))
        ),
        cell!(
            "CreateOrganizationMembership",
            "post",
            "/v1/organizations/{organization_id}/memberships",
            400,
            "already_a_member_in_organization",
            |app, _| app
                .post(&format!("/v1/organizations/{ACME}/memberships"))
                .json(&json!({"user_id": ALICE, "role": "org:member"}))
        ),
        cell!(
            "CreateOrganizationMembership",
            "post",
            "/v1/organizations/{organization_id}/memberships",
            401,
            "authentication_invalid",
            |app, _| app
                .post(&format!("/v1/organizations/{ACME}/memberships"))
                .json(&json!({"user_id": CAROL, "role": "org:member"}))
                .authorization(None)
        ),
        cell!(
            "CreateOrganizationMembership",
            "post",
            "/v1/organizations/{organization_id}/memberships",
            403,
            "organization_membership_quota_exceeded",
            |app, _| app
                .post(&format!("/v1/organizations/{GLOBEX}/memberships"))
                .json(&json!({"user_id": CAROL, "role": "org:member"}))
        ),
        cell!(
            "CreateOrganizationMembership",
            "post",
            "/v1/organizations/{organization_id}/memberships",
            404,
            "resource_not_found",
            |app, _| app
                .post("/v1/organizations/no-such-slug/memberships")
                .json(&json!({"user_id": CAROL, "role": "org:member"}))
        ),
        cell!(
            "CreateOrganizationMembership",
            "post",
            "/v1/organizations/{organization_id}/memberships",
            422,
            "form_param_missing",
            |app, _| app
                .post(&format!("/v1/organizations/{ACME}/memberships"))
                .json(&json!({"user_id": CAROL}))
        ),
        cell!(
            "UpdateOrganizationMembership",
            "patch",
            "/v1/organizations/{organization_id}/memberships/{user_id}",
            200,
            "",
            |app, _| app
                .request(
                    Method::PATCH,
                    &format!("/v1/organizations/{ACME}/memberships/{BOB}")
                )
                .json(&json!({"role": "org:admin"}))
        ),
        cell!(
            "UpdateOrganizationMembership",
            "patch",
            "/v1/organizations/{organization_id}/memberships/{user_id}",
            400,
            "request_body_invalid",
            |app, _| app
                .request(
                    Method::PATCH,
                    &format!("/v1/organizations/{ACME}/memberships/{BOB}")
                )
                .body("application/json", b"{{".to_vec())
        ),
        cell!(
            "UpdateOrganizationMembership",
            "patch",
            "/v1/organizations/{organization_id}/memberships/{user_id}",
            401,
            "authentication_invalid",
            |app, _| app
                .request(
                    Method::PATCH,
                    &format!("/v1/organizations/{ACME}/memberships/{BOB}")
                )
                .json(&json!({"role": "org:admin"}))
                .authorization(None)
        ),
        cell!(
            "UpdateOrganizationMembership",
            "patch",
            "/v1/organizations/{organization_id}/memberships/{user_id}",
            404,
            "resource_not_found",
            |app, _| app
                .request(
                    Method::PATCH,
                    &format!("/v1/organizations/{ACME}/memberships/{CAROL}")
                )
                .json(&json!({"role": "org:admin"}))
        ),
        cell!(
            "UpdateOrganizationMembership",
            "patch",
            "/v1/organizations/{organization_id}/memberships/{user_id}",
            422,
            "form_param_missing",
            |app, _| app
                .request(
                    Method::PATCH,
                    &format!("/v1/organizations/{ACME}/memberships/{BOB}")
                )
                .json(&json!({}))
        ),
        cell!(
            "DeleteOrganizationMembership",
            "delete",
            "/v1/organizations/{organization_id}/memberships/{user_id}",
            200,
            "",
            |app, _| app.request(
                Method::DELETE,
                &format!("/v1/organizations/{ACME}/memberships/{BOB}")
            )
        ),
        cell!(
            "DeleteOrganizationMembership",
            "delete",
            "/v1/organizations/{organization_id}/memberships/{user_id}",
            400,
            "api_version_invalid",
            |app, _| app
                .request(
                    Method::DELETE,
                    &format!("/v1/organizations/{ACME}/memberships/{BOB}")
                )
                .version("1999-01-01")
        ),
        cell!(
            "DeleteOrganizationMembership",
            "delete",
            "/v1/organizations/{organization_id}/memberships/{user_id}",
            401,
            "authentication_invalid",
            |app, _| app
                .request(
                    Method::DELETE,
                    &format!("/v1/organizations/{ACME}/memberships/{BOB}")
                )
                .authorization(None)
        ),
        cell!(
            "DeleteOrganizationMembership",
            "delete",
            "/v1/organizations/{organization_id}/memberships/{user_id}",
            404,
            "resource_not_found",
            |app, _| app.request(
                Method::DELETE,
                &format!("/v1/organizations/{ACME}/memberships/{CAROL}")
            )
        ),
        cell!(
            "UsersGetOrganizationMemberships",
            "get",
            "/v1/users/{user_id}/organization_memberships",
            200,
            "",
            |app, _| app.get(&format!("/v1/users/{ALICE}/organization_memberships"))
        ),
        cell!(
            "UsersGetOrganizationMemberships",
            "get",
            "/v1/users/{user_id}/organization_memberships",
            400,
            "api_version_invalid",
            |app, _| app
                .get(&format!("/v1/users/{ALICE}/organization_memberships"))
                .version("1999-01-01")
        ),
        cell!(
            "UsersGetOrganizationMemberships",
            "get",
            "/v1/users/{user_id}/organization_memberships",
            401,
            "authentication_invalid",
            |app, _| app
                .get(&format!("/v1/users/{ALICE}/organization_memberships"))
                .authorization(None)
        ),
        cell!(
            "UsersGetOrganizationMemberships",
            "get",
            "/v1/users/{user_id}/organization_memberships",
            404,
            "resource_not_found",
            |app, _| app.get(&format!("/v1/users/{NO_USER}/organization_memberships"))
        ),
        cell!(
            "UsersGetOrganizationMemberships",
            "get",
            "/v1/users/{user_id}/organization_memberships",
            422,
            "form_param_value_invalid",
            |app, _| app
                .get(&format!("/v1/users/{ALICE}/organization_memberships"))
                .query("limit", "0")
        ),
        cell!("GetJWKS", "get", "/v1/jwks", 200, "", |app, _| app
            .get("/v1/jwks")),
        cell!(
            "GetJWKS",
            "get",
            "/v1/jwks",
            400,
            "api_version_invalid",
            |app, _| app.get("/v1/jwks").version("1999-01-01")
        ),
        cell!(
            "GetJWKS",
            "get",
            "/v1/jwks",
            401,
            "authentication_invalid",
            |app, _| app.get("/v1/jwks").authorization(None)
        ),
    ]
}

/// A documented status the server answers only on demand (`Prefer: code=`), or naturally only
/// on a server set up for it elsewhere, and why.
struct OnDemand {
    operation: &'static str,
    method: &'static str,
    path: &'static str,
    status: u16,
    code: &'static str,
    why: &'static str,
}

/// Statuses Clerk documents for situations the mock has no data for, and the memory bound,
/// which takes a server with a small `--instance-memory-mib` (`tests/api/user_writes.rs`).
const ON_DEMAND: &[OnDemand] = &[
    OnDemand {
        operation: "CreateUser",
        method: "post",
        path: "/v1/users",
        status: 402,
        code: "instance_memory_exhausted",
        why: "the memory bound; reached naturally in user_writes.rs",
    },
    OnDemand {
        operation: "CreateUser",
        method: "post",
        path: "/v1/users",
        status: 403,
        code: "authorization_invalid",
        why: "Clerk's instance settings that forbid creating users; the mock has none",
    },
    OnDemand {
        operation: "UpdateUser",
        method: "patch",
        path: "/v1/users/{user_id}",
        status: 409,
        code: "instance_memory_exhausted",
        why: "the memory bound; reached naturally in user_writes.rs",
    },
    OnDemand {
        operation: "BanUser",
        method: "post",
        path: "/v1/users/{user_id}/ban",
        status: 402,
        code: "payment_required",
        why: "a plan without the feature; every mock instance has every feature",
    },
    OnDemand {
        operation: "UnbanUser",
        method: "post",
        path: "/v1/users/{user_id}/unban",
        status: 402,
        code: "payment_required",
        why: "a plan without the feature; every mock instance has every feature",
    },
    OnDemand {
        operation: "LockUser",
        method: "post",
        path: "/v1/users/{user_id}/lock",
        status: 403,
        code: "authorization_invalid",
        why: "lockout disabled in the instance's settings; the mock's lockout is always on",
    },
    OnDemand {
        operation: "UnlockUser",
        method: "post",
        path: "/v1/users/{user_id}/unlock",
        status: 403,
        code: "authorization_invalid",
        why: "lockout disabled in the instance's settings; the mock's lockout is always on",
    },
    OnDemand {
        operation: "ListOrganizations",
        method: "get",
        path: "/v1/organizations",
        status: 403,
        code: "authorization_invalid",
        why: "organizations turned off in the instance's settings; the mock's are always on",
    },
    OnDemand {
        operation: "CreateOrganization",
        method: "post",
        path: "/v1/organizations",
        status: 402,
        code: "instance_memory_exhausted",
        why: "the memory bound; reached naturally in organizations.rs",
    },
    OnDemand {
        operation: "CreateOrganization",
        method: "post",
        path: "/v1/organizations",
        status: 403,
        code: "authorization_invalid",
        why: "organizations turned off in the instance's settings; the mock's are always on",
    },
    OnDemand {
        operation: "GetOrganization",
        method: "get",
        path: "/v1/organizations/{organization_id}",
        status: 403,
        code: "authorization_invalid",
        why: "organizations turned off in the instance's settings; the mock's are always on",
    },
    OnDemand {
        operation: "UpdateOrganization",
        method: "patch",
        path: "/v1/organizations/{organization_id}",
        status: 402,
        code: "payment_required",
        why: "a plan limit; every mock instance has every feature",
    },
    OnDemand {
        operation: "UpdateOrganization",
        method: "patch",
        path: "/v1/organizations/{organization_id}",
        status: 403,
        code: "authorization_invalid",
        why: "organizations turned off in the instance's settings; the mock's are always on",
    },
    OnDemand {
        operation: "DeleteOrganizationMembership",
        method: "delete",
        path: "/v1/organizations/{organization_id}/memberships/{user_id}",
        status: 422,
        code: "form_param_missing",
        why: "Clerk documents a 422 for a request with no body to be wrong in",
    },
    OnDemand {
        operation: "UsersGetOrganizationMemberships",
        method: "get",
        path: "/v1/users/{user_id}/organization_memberships",
        status: 403,
        code: "authorization_invalid",
        why: "organizations turned off in the instance's settings; the mock's are always on",
    },
];

fn generated_spec() -> Spec {
    Spec::parse(&clerk_backend_mock::openapi_json(), "generated").expect("parses")
}

/// A fresh server and what the triggers need to know of `ALICE_ACTIVE` on it.
async fn app_and_token() -> (TestApp, Known) {
    let app = spawn_app().await;
    let minted = app.mint(ALICE_ACTIVE, None, None).await;
    let session_token = minted.body["jwt"].as_str().expect("jwt").to_owned();
    let refresh_token = app.refresh_token(ALICE_ACTIVE).await;
    let banned = app
        .post("/v1/users")
        .json(&json!({"banned": true}))
        .send()
        .await;
    let banned_user = banned.body["id"].as_str().expect("a user").to_owned();
    let mut sign_in_tokens = Vec::new();
    for _ in 0..2 {
        let created = app
            .post("/v1/sign_in_tokens")
            .json(&json!({"user_id": ALICE}))
            .send()
            .await;
        sign_in_tokens.push(created.body["id"].as_str().expect("a token").to_owned());
    }
    app.post(&format!("/v1/sign_in_tokens/{}/revoke", sign_in_tokens[1]))
        .send()
        .await
        .assert_status(200);
    let revoked_sign_in_token = sign_in_tokens.remove(1);
    // Globex (Alice alone) takes no more members, for the quota's 403.
    app.request(Method::PATCH, &format!("/v1/organizations/{GLOBEX}"))
        .json(&json!({"max_allowed_memberships": 1}))
        .send()
        .await
        .assert_status(200);
    (
        app,
        Known {
            session_token,
            refresh_token,
            banned_user,
            pending_sign_in_token: sign_in_tokens.remove(0),
            revoked_sign_in_token,
        },
    )
}

#[test]
fn every_documented_status_has_a_natural_trigger_and_no_trigger_is_stale() {
    let mut documented: Vec<(String, u16)> = generated_spec()
        .operations()
        .into_iter()
        .filter(|(_, path, _, _)| path.starts_with("/v1"))
        .flat_map(|(_, _, id, statuses)| {
            statuses.into_iter().map(move |status| (id.clone(), status))
        })
        .collect();
    let mut covered: Vec<(String, u16)> = cells()
        .iter()
        .map(|cell| (cell.operation.to_owned(), cell.status))
        .chain(ON_DEMAND.iter().map(|entry| {
            assert!(!entry.why.is_empty());
            (entry.operation.to_owned(), entry.status)
        }))
        .collect();
    documented.sort();
    covered.sort();
    assert_eq!(covered, documented);
}

#[tokio::test]
async fn every_documented_status_is_reachable_naturally() {
    for cell in cells() {
        let (app, known) = app_and_token().await;
        let answer = (cell.trigger)(&app, &known).send().await;
        let name = format!("{} {} (natural)", cell.operation, cell.status);
        assert_eq!(answer.status, cell.status, "{name}: {:#}", answer.body);
        if !cell.code.is_empty() {
            assert_eq!(answer.body["errors"][0]["code"], cell.code, "{name}");
        }
    }
}

#[tokio::test]
async fn every_documented_status_can_be_forced_with_prefer() {
    let spec = generated_spec();
    let on_demand = ON_DEMAND.iter().map(|entry| Cell {
        operation: entry.operation,
        method: entry.method,
        path: entry.path,
        status: entry.status,
        code: entry.code,
        trigger: |app, _| app.get("/unused"),
    });
    for cell in cells().into_iter().chain(on_demand) {
        let (app, known) = app_and_token().await;
        let success = cells()
            .into_iter()
            .find(|other| other.operation == cell.operation && other.status == 200)
            .expect("every operation documents 200");
        let answer = (success.trigger)(&app, &known)
            .header("Prefer", &format!("code={}", cell.status))
            .send()
            .await;
        let name = format!("{} {} (forced)", cell.operation, cell.status);
        assert_eq!(answer.status, cell.status, "{name}: {:#}", answer.body);
        if !cell.code.is_empty() {
            assert_eq!(answer.body["errors"][0]["code"], cell.code, "{name}");
            assert_eq!(
                answer.header("preference-applied"),
                Some(format!("code={}", cell.status).as_str())
            );
        }
        let schema = spec
            .response_schema(cell.method, cell.path, cell.status)
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(
            schema.violations(&answer.body),
            Vec::<String>::new(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn forcing_an_undocumented_status_is_400_naming_the_documented_ones() {
    let app = spawn_app().await;
    for code in ["418", "500", "abc"] {
        let answer = app
            .get(&session_path(""))
            .header("Prefer", &format!("code={code}"))
            .send()
            .await;
        let error = answer.assert_error(400, "prefer_code_invalid");
        assert!(
            error["long_message"]
                .as_str()
                .is_some_and(|m| m.contains("200, 400, 401, 404")),
            "{error:#}"
        );
    }
}

#[tokio::test]
async fn authentication_comes_before_a_forced_status_except_401() {
    let app = spawn_app().await;
    app.get(&session_path(""))
        .authorization(None)
        .header("Prefer", "code=404")
        .send()
        .await
        .assert_error(401, "authentication_invalid");
    app.get(&session_path(""))
        .key("sk_test_not_accepted")
        .header("Prefer", "code=401")
        .send()
        .await
        .assert_error(401, "authentication_invalid");
}

#[tokio::test]
async fn code_200_and_other_preferences_behave_normally() {
    let app = spawn_app().await;
    for prefer in [
        "code=200",
        "respond-async",
        "wait=5, code=200",
        "return=minimal",
    ] {
        let answer = app
            .get(&session_path(""))
            .header("Prefer", prefer)
            .send()
            .await;
        answer.assert_status(200);
        assert_eq!(answer.body["id"], ALICE_ACTIVE, "{prefer}");
    }
}

#[tokio::test]
async fn a_forced_status_changes_nothing() {
    let app = spawn_app().await;
    app.post(&session_path("/revoke"))
        .header("Prefer", "code=404")
        .send()
        .await
        .assert_error(404, "resource_not_found");
    assert_eq!(app.get_session(ALICE_ACTIVE).await.body["status"], "active");
}

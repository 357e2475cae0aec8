//! `POST /v1/testing_tokens`: what `@clerk/testing`'s `clerkSetup()` asks for before an e2e
//! suite runs.

use actix_web::{HttpResponse, post};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{answers, json_ok};
use crate::error::ApiError;
use crate::http::Caller;
use crate::http::operation::{Operation, OperationId, unknown_api_version};
use crate::http::wire::sign_in_tokens::TestingTokenBody;

pub const OPERATIONS: &[Operation] = &[CREATE_TESTING_TOKEN];

pub const CREATE_TESTING_TOKEN: Operation = Operation {
    id: OperationId::CreateTestingToken,
    canonical_error: |status, _| match status {
        400 => Some(unknown_api_version()),
        401 => Some(ApiError::MissingAuthorization),
        _ => None,
    },
};

pub fn configure(config: &mut ServiceConfig) {
    config.service(create_testing_token);
}

/// Retrieve a new testing token
///
/// A testing token, which `@clerk/testing` passes to the Frontend API as
/// `__clerk_testing_token` to get past its bot protection in e2e tests. The token is
/// `<issued at, Unix seconds>-c_<41 random characters>`, new on every call, and `expires_at` is
/// an hour later in Unix **seconds** (every other time of the API is in milliseconds), both on
/// the instance's clock. Nothing in the mock checks a testing token: it exists so that
/// `clerkSetup()` finishes as it does against Clerk. Takes no body.
#[utoipa::path(
    operation_id = CREATE_TESTING_TOKEN.id.as_str(),
    tag = "Testing Tokens",
    params(Caller),
    responses(
        (status = 200, description = "Success", body = TestingTokenBody),
        answers::BadRequest,
        answers::Unauthorized,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/testing_tokens", wrap = "CREATE_TESTING_TOKEN.stages()")]
pub async fn create_testing_token(caller: Caller) -> Result<HttpResponse, ApiError> {
    let (token, expires_at) = caller.instance.testing_token();
    Ok(json_ok(&TestingTokenBody::new(token, expires_at)))
}

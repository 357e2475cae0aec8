//! `/v1/sign_in_tokens`: tokens that sign a user in without a password, as `@clerk/testing`'s
//! `signIn` and backends' magic links make them.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{answers, json_ok};
use crate::domain::sign_in_token::{
    DEFAULT_SIGN_IN_TOKEN_SECS, MAX_SIGN_IN_TOKEN_SECS, SignInTokenId,
};
use crate::error::{ApiError, ParamProblem};
use crate::http::Caller;
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::operation::{Operation, OperationId, malformed_body};
use crate::http::wire::sign_in_tokens::SignInTokenBody;
use crate::tenancy::instance::{CreateSessionError, NewSignInToken, RevokeSignInTokenError};

pub const OPERATIONS: &[Operation] = &[CREATE_SIGN_IN_TOKEN, REVOKE_SIGN_IN_TOKEN];

pub const CREATE_SIGN_IN_TOKEN: Operation = Operation {
    id: OperationId::CreateSignInToken,
    canonical_error: |status, _| match status {
        400 => Some(malformed_body()),
        401 => Some(ApiError::MissingAuthorization),
        403 => Some(ApiError::NotAMember),
        404 => Some(ApiError::NotFound {
            resource: "User",
            id: "user_2NobodyHasThisId00000000000".to_owned(),
        }),
        422 => Some(ApiError::param(ParamProblem::invalid_value(
            "expires_in_seconds",
            format!("must be between 1 and {MAX_SIGN_IN_TOKEN_SECS}"),
        ))),
        _ => None,
    },
};

pub const REVOKE_SIGN_IN_TOKEN: Operation = Operation {
    id: OperationId::RevokeSignInToken,
    canonical_error: |status, params| match status {
        400 => Some(ApiError::SignInTokenNotRevocable("accepted")),
        401 => Some(ApiError::MissingAuthorization),
        404 => Some(sign_in_token_not_found(
            &params.get_or("sign_in_token_id", "sit_2NoSuchSignInToken000000000"),
        )),
        _ => None,
    },
};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_sign_in_token)
        .service(revoke_sign_in_token);
}

/// The body of `POST /v1/sign_in_tokens`. Fields it does not list are ignored, as Clerk's open
/// schema allows.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = CreateSignInTokenRequest)]
pub struct CreateSignInTokenRequest {
    /// The user the token signs in.
    #[schema(example = "user_2AlicexBGaRy7HSnjHcaZabMn26", min_length = 1)]
    pub user_id: String,
    /// An organization of the user's, active in the session the token makes.
    #[schema(example = "org_2Acmet3kU1slpIuojlEroXRG9xb")]
    pub org_id: Option<String>,
    /// How long the token can be redeemed: 1 to 315360000 seconds, 2592000 (30 days) when
    /// absent or `null`.
    #[schema(example = 300, minimum = 1, maximum = 315_360_000, default = 2_592_000)]
    pub expires_in_seconds: Option<i64>,
}

impl FromBody for CreateSignInTokenRequest {
    /// `user_id` is required and not empty; each bad field is reported.
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let mut problems = Vec::new();
        let user_id = match fields.string("user_id") {
            Ok(Some("")) => Err(ParamProblem::invalid_value("user_id", "must not be empty")),
            Ok(user_id) => user_id.ok_or_else(|| ParamProblem::missing("user_id")),
            Err(problem) => Err(problem),
        }
        .map_err(|problem| problems.push(problem))
        .ok();
        let org_id = fields
            .string("org_id")
            .map_err(|problem| problems.push(problem))
            .ok()
            .flatten();
        let expires_in_seconds = match fields.integer("expires_in_seconds") {
            Ok(Some(secs)) if !(1..=MAX_SIGN_IN_TOKEN_SECS).contains(&secs) => {
                problems.push(ParamProblem::invalid_value(
                    "expires_in_seconds",
                    format!("must be between 1 and {MAX_SIGN_IN_TOKEN_SECS}"),
                ));
                None
            }
            Ok(secs) => secs,
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        match user_id {
            Some(user_id) if problems.is_empty() => Ok(Self {
                user_id: user_id.to_owned(),
                org_id: org_id.map(str::to_owned),
                expires_in_seconds,
            }),
            _ => Err(ApiError::InvalidParams(problems)),
        }
    }
}

/// Create sign-in token
///
/// A pending sign-in token for the user, which signs the user in once, without a password,
/// until it expires (30 days unless `expires_in_seconds` says otherwise). Its secret `token` is
/// in this answer only. Clerk redeems it through the Frontend API (`ticket`); the mock has no
/// Frontend API, so `POST /__admin/instance/sign_in_tokens/redeem` redeems it into a session.
///
/// An unknown user or `org_id` is a 404; an `org_id` the user does not belong to is a 403
/// `not_a_member_in_organization`; `expires_in_seconds` out of 1..=315360000 is a 422
/// `form_param_value_invalid`, not an integer a 422 `form_param_type_invalid`.
#[utoipa::path(
    operation_id = CREATE_SIGN_IN_TOKEN.id.as_str(),
    tag = "Sign-in Tokens",
    params(Caller),
    request_body(content = CreateSignInTokenRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = SignInTokenBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 403, description = "The user is not a member of `org_id`", body = crate::error::ClerkErrors),
        answers::NotFound,
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/v1/sign_in_tokens", wrap = "CREATE_SIGN_IN_TOKEN.stages()")]
pub async fn create_sign_in_token(
    caller: Caller,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let wanted = CreateSignInTokenRequest::from_body(&request, &body)?;
    let token = caller
        .instance
        .create_sign_in_token(NewSignInToken {
            user: &wanted.user_id,
            organization: wanted.org_id.as_deref(),
            lifetime_secs: wanted
                .expires_in_seconds
                .unwrap_or(DEFAULT_SIGN_IN_TOKEN_SECS),
        })
        .map_err(|error| match error {
            CreateSessionError::NotAMember(_) => ApiError::NotAMember,
            other => other.into(),
        })?;
    Ok(json_ok(&SignInTokenBody::new(&token, true)))
}

/// Revoke the given sign-in token
///
/// Revokes a pending sign-in token (an expired one reads pending, and can be revoked); it can
/// no longer be redeemed. A token already accepted or revoked is a 400
/// `sign_in_token_cannot_be_revoked_code`; an unknown id is a 404.
#[utoipa::path(
    operation_id = REVOKE_SIGN_IN_TOKEN.id.as_str(),
    tag = "Sign-in Tokens",
    params(
        ("sign_in_token_id" = String, Path, description = "The ID of the sign-in token to be revoked", example = "sit_2Conformancex3TfRqLm8Kp2Wz9Y"),
        Caller,
    ),
    responses(
        (status = 200, description = "Success", body = SignInTokenBody),
        (status = 400, description = "The token is not pending (`sign_in_token_cannot_be_revoked_code`), or the API version is unknown", body = crate::error::ClerkErrors),
        answers::Unauthorized,
        answers::NotFound,
    ),
    security(("bearerAuth" = []))
)]
#[post(
    "/v1/sign_in_tokens/{sign_in_token_id}/revoke",
    wrap = "REVOKE_SIGN_IN_TOKEN.stages()"
)]
pub async fn revoke_sign_in_token(
    caller: Caller,
    sign_in_token_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = SignInTokenId::parse(&sign_in_token_id)
        .ok_or_else(|| sign_in_token_not_found(&sign_in_token_id))?;
    let token = caller
        .instance
        .revoke_sign_in_token(id)
        .map_err(|error| match error {
            RevokeSignInTokenError::Unknown => sign_in_token_not_found(&sign_in_token_id),
            RevokeSignInTokenError::NotPending(status) => ApiError::SignInTokenNotRevocable(status),
        })?;
    Ok(json_ok(&SignInTokenBody::new(&token, false)))
}

/// The 404 for a sign-in token id.
fn sign_in_token_not_found(id: &str) -> ApiError {
    ApiError::not_found("Sign in token", id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ParamProblemKind, param_problems};

    fn read(json: serde_json::Value) -> Result<CreateSignInTokenRequest, ApiError> {
        CreateSignInTokenRequest::from_fields(
            &BodyFields::parse_json(json.to_string().as_bytes()).expect("json"),
        )
    }

    #[test]
    fn the_lifetime_is_bounded_and_user_id_required() {
        let problems = param_problems(read(serde_json::json!({"expires_in_seconds": 0})));
        let names: Vec<&str> = problems.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["user_id", "expires_in_seconds"]);
        assert!(matches!(
            param_problems(read(
                serde_json::json!({"user_id": "u", "expires_in_seconds": "x"})
            ))[0]
                .1,
            ParamProblemKind::InvalidType(_)
        ));
        let fine =
            read(serde_json::json!({"user_id": "u", "expires_in_seconds": null, "extra": 1}))
                .expect("unknown fields are ignored");
        assert_eq!(fine.expires_in_seconds, None);
    }
}

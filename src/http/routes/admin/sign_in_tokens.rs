//! Redeeming sign-in tokens: what the Frontend API's ticket sign-in does, which an e2e test of a
//! backend needs without a browser.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::InstanceOwner;
use super::sessions::AdminSessionBody;
use crate::error::{ApiError, ParamProblem};
use crate::http::AppState;
use crate::http::extract::body::{BodyFields, FromBody};
use crate::http::routes::{answers, json_ok};
use crate::tenancy::instance::RedeemError;

/// The body of a redemption.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RedeemRequest {
    /// The sign-in token's secret, as `POST /v1/sign_in_tokens` answered it in `token`.
    #[schema(example = "Q0n5yVbF3r1kZt8WmXc2pLh7GdJ4sNa9eRuT6oYi0KwBxEfHqMvPzSgDlCjA1I2")]
    pub token: String,
}

impl FromBody for RedeemRequest {
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        match fields.string("token") {
            Ok(Some(token)) if !token.is_empty() => Ok(Self {
                token: token.to_owned(),
            }),
            Ok(_) => Err(ApiError::param(ParamProblem::missing("token"))),
            Err(problem) => Err(ApiError::param(problem)),
        }
    }
}

/// Redeem a sign-in token
///
/// Signs the token's user in as the Frontend API does when a browser presents the token as a
/// `ticket`: a new active session for the user (in the token's organization, when it names
/// one), answered as `POST /__admin/instance/sessions` answers, with its refresh token; the
/// token becomes `accepted`. A token that is revoked, already accepted or past its expiry is a
/// 422 `sign_in_token_not_redeemable` saying which; an unknown token is a 404; a banned or
/// locked user is a 403.
#[utoipa::path(
    operation_id = super::REDEEM_INSTANCE_SIGN_IN_TOKEN.id.as_str(),
    tag = "Admin",
    request_body(content = RedeemRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The new session", body = AdminSessionBody),
        answers::BadRequest,
        answers::Unauthorized,
        (status = 403, description = "The user is banned (`user_banned`) or locked (`user_locked`)", body = crate::error::ClerkErrors),
        answers::NotFound,
        (status = 409, description = "The session would take the instance past its memory bound (`--instance-memory-mib`)", body = crate::error::ClerkErrors),
        answers::Unprocessable,
    ),
    security(("bearerAuth" = []))
)]
#[post("/instance/sign_in_tokens/redeem")]
pub async fn redeem(
    owner: InstanceOwner,
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let wanted = RedeemRequest::from_body(&request, &body)?;
    let session =
        owner
            .instance
            .redeem_sign_in_token(&wanted.token)
            .map_err(|error| match error {
                RedeemError::Unknown => ApiError::NotFound {
                    resource: "Sign in token",
                    id: "with this secret".to_owned(),
                },
                RedeemError::NotPending(status) => {
                    ApiError::SignInTokenNotRedeemable(format!("it is {status}"))
                }
                RedeemError::Expired => {
                    ApiError::SignInTokenNotRedeemable("it has expired".to_owned())
                }
                RedeemError::Session(error) => error.into(),
            })?;
    Ok(json_ok(&AdminSessionBody::new(&owner, &state, &session)))
}

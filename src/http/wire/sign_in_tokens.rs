//! The JSON shapes of sign-in tokens and testing tokens, as Clerk's `SignInToken` and
//! `TestingToken` have them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::sign_in_token::SignInToken;

/// A sign-in token: its secret `token` only in the answer that created it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SignInToken, example = json!({
    "object": "sign_in_token",
    "id": "sit_2Conformancex3TfRqLm8Kp2Wz9Y",
    "user_id": "user_2AlicexBGaRy7HSnjHcaZabMn26",
    "token": "Q0n5yVbF3r1kZt8WmXc2pLh7GdJ4sNa9eRuT6oYi0KwBxEfHqMvPzSgDlCjA1I2",
    "status": "pending",
    "url": null,
    "created_at": 1764052800000_i64,
    "updated_at": 1764052800000_i64
}))]
pub struct SignInTokenBody {
    #[schema(example = "sign_in_token")]
    object: &'static str,
    id: String,
    user_id: String,
    /// The secret a sign-in presents (the Frontend API's `ticket`; here
    /// `POST /__admin/instance/sign_in_tokens/redeem`): shown once, when created.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// `pending`, `accepted` or `revoked`; an expired token still reads `pending`.
    #[schema(example = "pending")]
    status: &'static str,
    /// A sign-in URL of the Frontend API: the mock has none.
    url: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl SignInTokenBody {
    /// `token` as the API shows it; `with_secret` only in the answer that creates it.
    pub fn new(token: &SignInToken, with_secret: bool) -> Self {
        Self {
            object: "sign_in_token",
            id: token.id.to_string(),
            user_id: token.user_id.to_string(),
            token: with_secret.then(|| token.secret.to_string()),
            status: token.status.as_str(),
            url: None,
            created_at: token.created_at,
            updated_at: token.updated_at,
        }
    }
}

/// A testing token, for the Frontend API's bot protection (`__clerk_testing_token`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TestingToken, example = json!({
    "object": "testing_token",
    "token": "1713877200-c_2J2MvPu9PnXcuhbPZNao0LOXqK9A7YrnBn0HmIWxy",
    "expires_at": 1713880800
}))]
pub struct TestingTokenBody {
    #[schema(example = "testing_token")]
    object: &'static str,
    token: String,
    /// Unix **seconds** (unlike every other time of the API), an hour after it was made.
    expires_at: i64,
}

impl TestingTokenBody {
    pub fn new(token: String, expires_at: i64) -> Self {
        Self {
            object: "testing_token",
            token,
            expires_at,
        }
    }
}

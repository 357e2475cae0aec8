//! An instance's sign-in tokens and testing tokens: created through the API, revoked, and
//! redeemed by the admin API, which stands in for the Frontend API's ticket sign-in.

use std::sync::Arc;

use super::sessions::member_of;
use super::{CreateSessionError, Held, Instance, NewSession};
use crate::domain::Session;
use crate::domain::sign_in_token::{
    SIGN_IN_TOKEN_CHARS, SignInToken, SignInTokenId, SignInTokenStatus, TESTING_TOKEN_SECS,
};
use clerk_mock_document::ids::random_base62;

/// Why a sign-in token was not revoked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevokeSignInTokenError {
    #[error("no such sign-in token")]
    Unknown,
    #[error("the token is {0}, and only pending tokens can be revoked")]
    NotPending(&'static str),
}

/// Why a sign-in token was not redeemed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedeemError {
    #[error("no sign-in token has this secret")]
    Unknown,
    #[error("the sign-in token is {0}")]
    NotPending(&'static str),
    #[error("the sign-in token has expired")]
    Expired,
    #[error(transparent)]
    Session(#[from] CreateSessionError),
}

/// A sign-in token to create.
#[derive(Debug, Clone, Copy)]
pub struct NewSignInToken<'a> {
    pub user: &'a str,
    pub organization: Option<&'a str>,
    pub lifetime_secs: i64,
}

impl Instance {
    /// A testing token, as `clerkSetup()` asks for one: `<iat seconds>-c_<random>`, and when it
    /// expires, in Unix **seconds**, both on the instance's clock. Nothing keeps it: nothing in
    /// the mock checks one.
    pub fn testing_token(&self) -> (String, i64) {
        let issued = self.now_ms().div_euclid(1000);
        let token = format!("{issued}-c_{}", random_base62(&mut rand::rng(), 41));
        (token, issued + TESTING_TOKEN_SECS)
    }

    /// Creates a pending sign-in token for a user (and, when given, an organization the user
    /// belongs to), with a random secret.
    pub fn create_sign_in_token(
        &self,
        wanted: NewSignInToken<'_>,
    ) -> Result<SignInToken, CreateSessionError> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        let Held { data, ids } = &mut *held;
        let (user, organization_id) = member_of(data, wanted.user, wanted.organization)?;
        let mut drawing = ids.clone();
        let token = SignInToken {
            id: SignInTokenId::random(&mut drawing),
            user_id: user.id,
            organization_id,
            secret: Arc::from(random_base62(&mut rand::rng(), SIGN_IN_TOKEN_CHARS)),
            status: SignInTokenStatus::Pending,
            created_at: now_ms,
            updated_at: now_ms,
            expires_at: now_ms.saturating_add(wanted.lifetime_secs.saturating_mul(1000)),
        };
        let before = data.bytes();
        self.budget
            .change(before, before.saturating_add(token.footprint()))
            .map_err(CreateSessionError::OverBudget)?;
        *ids = drawing;
        data.sign_in_tokens.insert(token.clone());
        Ok(token)
    }

    /// Revokes a pending sign-in token (an expired one too: it still reads pending).
    pub fn revoke_sign_in_token(
        &self,
        id: SignInTokenId,
    ) -> Result<SignInToken, RevokeSignInTokenError> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        held.data
            .sign_in_tokens
            .update(id, |token| {
                if token.status != SignInTokenStatus::Pending {
                    return Err(RevokeSignInTokenError::NotPending(token.status.as_str()));
                }
                token.status = SignInTokenStatus::Revoked;
                token.updated_at = token.updated_at.max(now_ms);
                Ok(token.clone())
            })
            .ok_or(RevokeSignInTokenError::Unknown)?
    }

    /// Redeems a sign-in token by its secret, as the Frontend API's ticket sign-in does: a new
    /// session for its user (in its organization, if it names one), and the token `accepted`.
    /// A token that is not pending, or has expired, is refused, and so is a banned or locked
    /// user.
    pub fn redeem_sign_in_token(&self, secret: &str) -> Result<Session, RedeemError> {
        let now_ms = self.now_ms();
        let token = self
            .held
            .read()
            .data
            .sign_in_tokens
            .by_secret(secret)
            .cloned()
            .ok_or(RedeemError::Unknown)?;
        if token.status != SignInTokenStatus::Pending {
            return Err(RedeemError::NotPending(token.status.as_str()));
        }
        if token.expires_at <= now_ms {
            return Err(RedeemError::Expired);
        }
        let (user, organization) = (
            token.user_id.to_string(),
            token.organization_id.map(|id| id.to_string()),
        );
        // Accepted first, so that two redemptions racing make one session.
        let accepted = self
            .held
            .write()
            .data
            .sign_in_tokens
            .update(token.id, |token| {
                let was_pending = token.status == SignInTokenStatus::Pending;
                if was_pending {
                    token.status = SignInTokenStatus::Accepted;
                    token.updated_at = token.updated_at.max(now_ms);
                }
                was_pending
            });
        if accepted != Some(true) {
            return Err(RedeemError::NotPending("accepted"));
        }
        let session = self.create_session(NewSession {
            user: &user,
            organization: organization.as_deref(),
            actor: None,
        });
        if session.is_err() {
            // The session was refused (a banned user): the token stays usable once it is not.
            self.held
                .write()
                .data
                .sign_in_tokens
                .update(token.id, |token| {
                    token.status = SignInTokenStatus::Pending;
                });
        }
        Ok(session?)
    }
}

//! Sign-in tokens: what `@clerk/testing` and backends create to sign a user in without a
//! password, and the testing tokens `clerkSetup()` asks for.

use std::sync::Arc;

use super::{OrganizationId, UserId};
pub use clerk_mock_document::ids::SignInTokenId;

/// How long a sign-in token lasts when the request does not say (Clerk's default, 30 days).
pub const DEFAULT_SIGN_IN_TOKEN_SECS: i64 = 2_592_000;
/// The longest a sign-in token may last: the bound the session tokens' lifetime has.
pub const MAX_SIGN_IN_TOKEN_SECS: i64 = 315_360_000;
/// How many base62 characters a sign-in token's secret has.
pub const SIGN_IN_TOKEN_CHARS: usize = 64;
/// How long a testing token lasts, in seconds.
pub const TESTING_TOKEN_SECS: i64 = 3_600;

/// A sign-in token of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInToken {
    pub id: SignInTokenId,
    pub user_id: UserId,
    /// The organization the session it makes starts in.
    pub organization_id: Option<OrganizationId>,
    /// The opaque secret a redemption presents; answered only when the token is created.
    pub secret: Arc<str>,
    pub status: SignInTokenStatus,
    pub created_at: i64,
    pub updated_at: i64,
    /// When a pending token can no longer be redeemed (Unix milliseconds); it still reads
    /// `pending`, as Clerk's tokens do, whose schema has no `expired`.
    pub expires_at: i64,
}

/// Where a sign-in token stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInTokenStatus {
    Pending,
    Accepted,
    Revoked,
}

impl SignInTokenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
        }
    }
}

impl SignInToken {
    /// What a token takes in memory, with its entry in the store's index by secret.
    pub fn footprint(&self) -> usize {
        2 * size_of::<Self>() + 2 * self.secret.len() + 64
    }
}

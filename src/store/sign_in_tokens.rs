//! An instance's sign-in tokens, by id and by the secret a redemption presents.

use std::collections::HashMap;
use std::sync::Arc;

use crate::domain::UserId;
use crate::domain::sign_in_token::{SignInToken, SignInTokenId};

/// Every sign-in token of an instance, and what they take in memory.
#[derive(Debug, Default)]
pub struct SignInTokenStore {
    tokens: HashMap<SignInTokenId, SignInToken>,
    by_secret: HashMap<Arc<str>, SignInTokenId>,
    bytes: usize,
}

impl SignInTokenStore {
    pub fn get(&self, id: SignInTokenId) -> Option<&SignInToken> {
        self.tokens.get(&id)
    }

    /// The token whose secret is `secret`.
    pub fn by_secret(&self, secret: &str) -> Option<&SignInToken> {
        self.by_secret
            .get(secret)
            .and_then(|id| self.tokens.get(id))
    }

    pub fn insert(&mut self, token: SignInToken) {
        self.bytes = self.bytes.saturating_add(token.footprint());
        self.by_secret.insert(Arc::clone(&token.secret), token.id);
        if let Some(previous) = self.tokens.insert(token.id, token) {
            self.bytes = self.bytes.saturating_sub(previous.footprint());
        }
    }

    /// Changes the token of `id` with `change`; `None` if there is no such token.
    pub fn update<T>(
        &mut self,
        id: SignInTokenId,
        change: impl FnOnce(&mut SignInToken) -> T,
    ) -> Option<T> {
        self.tokens.get_mut(&id).map(change)
    }

    /// Applies `change` to every token of `user`.
    pub fn update_of_user(&mut self, user: UserId, mut change: impl FnMut(&mut SignInToken)) {
        for token in self
            .tokens
            .values_mut()
            .filter(|token| token.user_id == user)
        {
            change(token);
        }
    }

    /// What the tokens take in memory.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

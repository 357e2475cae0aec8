//! An instance's tokens: session and template tokens minted for a live session, refreshed from
//! an expired one, verified (the deprecated verify), and the keys that check them.

use super::Instance;
use crate::domain::clock::wall_clock_ms;
use crate::domain::{Session, SessionId};
use crate::tokens::session_claims::{self, SessionClaims, TokenSubject};
use crate::tokens::signing::{InvalidToken, Jwk};
use crate::tokens::{PublishableKey, TokenSettings};

/// Why a token could not be minted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MintError {
    #[error("no session")]
    UnknownSession,
    #[error("the session is not active")]
    SessionNotActive,
    #[error("no JWT template named {0}")]
    UnknownTemplate(String),
    #[error("signing failed: {0}")]
    Signing(String),
}

/// Why a session was not verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("no session")]
    UnknownSession,
    #[error("{0}")]
    InvalidToken(String),
}

/// Why a session was not refreshed. Each is a 401 to the caller, which the SDKs read as "fall
/// back to the handshake".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefreshError {
    #[error("the expired token was not issued by this instance: {0}")]
    ForeignToken(String),
    #[error("the expired token belongs to another session")]
    OtherSession,
    #[error("no session has this id")]
    UnknownSession,
    #[error("the refresh token is not this session's")]
    WrongRefreshToken,
    #[error("the session is {0} and can no longer be refreshed")]
    Ended(&'static str),
    #[error("signing failed: {0}")]
    Signing(String),
}

/// What a refresh presents: the session's expired token, its refresh token, and the origin the
/// new token is for (its `azp`).
#[derive(Debug, Clone, Copy)]
pub struct RefreshProof<'a> {
    pub expired_token: &'a str,
    pub refresh_token: &'a str,
    pub origin: &'a str,
}

/// Which token to mint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind<'a> {
    /// A session token; its lifetime defaults to 60 s.
    Session,
    /// A token from the named JWT template; its lifetime defaults to the template's.
    Template(&'a str),
}

impl Instance {
    /// Mints a token for a live session; minting counts as activity on the session.
    /// `lifetime_secs` overrides the default lifetime of the kind of token.
    pub fn mint_token(
        &self,
        id: SessionId,
        kind: TokenKind<'_>,
        lifetime_secs: Option<u64>,
    ) -> Result<String, MintError> {
        self.mint(id, kind, lifetime_secs, &self.tokens)
    }

    /// Like [`Instance::mint_token`], with `authorized_party` as the token's `azp` whatever the
    /// server's `--authorized-party`: the token of a request from that origin.
    pub fn mint_token_for(
        &self,
        id: SessionId,
        kind: TokenKind<'_>,
        lifetime_secs: Option<u64>,
        authorized_party: &str,
    ) -> Result<String, MintError> {
        let tokens = TokenSettings {
            issuer: self.tokens.issuer.clone(),
            authorized_party: Some(authorized_party.to_owned()),
        };
        self.mint(id, kind, lifetime_secs, &tokens)
    }

    /// The refresh token of a session of this instance, whatever its status.
    pub fn refresh_token(&self, id: SessionId) -> Option<String> {
        self.held
            .read()
            .data
            .sessions
            .get(id)
            .map(|_| self.refresh_tokens.token_for(id))
    }

    /// A new session token for a live session, given its expired token and its refresh token;
    /// the token's `azp` is the origin the refresh is for.
    pub fn refresh_session(
        &self,
        id: SessionId,
        proof: RefreshProof<'_>,
    ) -> Result<String, RefreshError> {
        /// All a refresh reads of the expired token.
        #[derive(serde::Deserialize)]
        struct Names {
            sid: String,
        }
        let claims: Names = self
            .signing
            .verify_signature(proof.expired_token)
            .map_err(|InvalidToken(reason)| RefreshError::ForeignToken(reason))?;
        if claims.sid != id.to_string() {
            return Err(RefreshError::OtherSession);
        }
        let session = self.session(id).ok_or(RefreshError::UnknownSession)?;
        if !self.refresh_tokens.is_token_for(proof.refresh_token, id) {
            return Err(RefreshError::WrongRefreshToken);
        }
        let status = session.status_at(self.now_ms());
        if !status.is_live() {
            return Err(RefreshError::Ended(status.as_str()));
        }
        let tokens = TokenSettings {
            issuer: self.tokens.issuer.clone(),
            authorized_party: Some(proof.origin.to_owned()),
        };
        self.mint(id, TokenKind::Session, None, &tokens)
            .map_err(|error| match error {
                MintError::Signing(reason) => RefreshError::Signing(reason),
                // The session ended, or went, between the check and the mint.
                MintError::UnknownSession
                | MintError::SessionNotActive
                | MintError::UnknownTemplate(_) => RefreshError::Ended("no longer active"),
            })
    }

    fn mint(
        &self,
        id: SessionId,
        kind: TokenKind<'_>,
        lifetime_secs: Option<u64>,
        tokens: &TokenSettings,
    ) -> Result<String, MintError> {
        let now_ms = self.now_ms();
        let (session, user, organization, template) = {
            let mut held = self.held.write();
            let data = &mut held.data;
            let template = match kind {
                TokenKind::Session => None,
                TokenKind::Template(name) => Some(
                    data.templates
                        .get(name)
                        .cloned()
                        .ok_or_else(|| MintError::UnknownTemplate(name.to_owned()))?,
                ),
            };
            let session = data
                .sessions
                .update(id, |session| {
                    if !session.status_at(now_ms).is_live() {
                        return Err(MintError::SessionNotActive);
                    }
                    session.last_active_at = session.last_active_at.max(now_ms);
                    session.updated_at = session.updated_at.max(now_ms);
                    Ok(session.clone())
                })
                .ok_or(MintError::UnknownSession)??;
            let user = data
                .users
                .get(&session.user_id)
                .cloned()
                .ok_or(MintError::UnknownSession)?;
            let organization = session.last_active_organization_id.and_then(|org| {
                let role = user.role_in(org)?.to_owned();
                Some((data.organizations.get(&org)?.clone(), role))
            });
            (session, user, organization, template)
        };

        // Token times follow the wall clock, which is what verifiers compare them with.
        let subject = TokenSubject {
            session: &session,
            user: &user,
            organization: organization
                .as_ref()
                .map(|(org, role)| (org, role.as_str())),
            now_secs: wall_clock_ms().div_euclid(1000),
        };
        let signed = match &template {
            None => {
                let lifetime =
                    lifetime_secs.unwrap_or(crate::tokens::DEFAULT_SESSION_TOKEN_LIFETIME_SECS);
                let claims = session_claims::session_claims(subject, tokens, seconds(lifetime));
                self.signing.sign(&claims)
            }
            Some(template) => {
                let lifetime = lifetime_secs.unwrap_or(template.lifetime_secs);
                let claims =
                    session_claims::template_claims(subject, template, tokens, seconds(lifetime));
                self.signing.sign(&claims)
            }
        };
        signed.map_err(|error| MintError::Signing(error.to_string()))
    }

    /// The session, if `token` is a live session token of this instance for it.
    pub fn verify_session(&self, id: SessionId, token: &str) -> Result<Session, VerifyError> {
        let session = self.session(id).ok_or(VerifyError::UnknownSession)?;
        let claims: SessionClaims = self
            .signing
            .verify(token, crate::tokens::SESSION_TOKEN_CLOCK_SKEW_SECS)
            .map_err(|InvalidToken(reason)| VerifyError::InvalidToken(reason))?;
        if claims.sid != id.to_string() {
            return Err(VerifyError::InvalidToken(
                "the token belongs to another session".to_owned(),
            ));
        }
        if !session.status_at(self.now_ms()).is_live() {
            return Err(VerifyError::InvalidToken(
                "the session is no longer active".to_owned(),
            ));
        }
        Ok(session)
    }

    /// The instance's public signing key as a JWK.
    pub fn jwk(&self) -> Jwk {
        self.signing.jwk()
    }

    /// The publishable key that goes with the instance's tokens.
    pub fn publishable_key(&self) -> PublishableKey {
        self.tokens.publishable_key()
    }

    /// The instance's public signing key in PEM form.
    pub fn public_key_pem(&self) -> &str {
        self.signing.public_pem()
    }
}

fn seconds(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

//! An instance's sessions: list, read, create and revoke.

use std::sync::Arc;

use super::changes::session_change;
use super::{Held, Instance};
use crate::data::seed;
use crate::data::seed::InstanceData;
use crate::domain::{OrganizationId, Session, SessionId, User, UserId};
use crate::store::{ListQuery, Page};
use crate::tenancy::memory_budget::OverBudget;
use crate::webhooks::event::EventType;

/// Why a session, or a sign-in token that makes one, could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateSessionError {
    #[error("no user {0}")]
    UnknownUser(String),
    #[error("no organization {0}")]
    UnknownOrganization(String),
    #[error("the user is not a member of organization {0}")]
    NotAMember(String),
    #[error("the user is banned")]
    UserBanned,
    #[error("the user is locked")]
    UserLocked,
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
}

/// The user `user` names and the organization `organization` names, which the user must
/// belong to: what a session, or a sign-in token that makes one, starts from.
pub(super) fn member_of<'a>(
    data: &'a InstanceData,
    user: &str,
    organization: Option<&str>,
) -> Result<(&'a User, Option<OrganizationId>), CreateSessionError> {
    let user_record = UserId::parse(user)
        .and_then(|id| data.users.get(&id))
        .ok_or_else(|| CreateSessionError::UnknownUser(user.to_owned()))?;
    let organization = organization
        .map(|text| {
            let id = OrganizationId::parse(text)
                .filter(|id| data.organizations.contains_key(id))
                .ok_or_else(|| CreateSessionError::UnknownOrganization(text.to_owned()))?;
            user_record
                .role_in(id)
                .map(|_| id)
                .ok_or_else(|| CreateSessionError::NotAMember(text.to_owned()))
        })
        .transpose()?;
    Ok((user_record, organization))
}

/// A session to create: its user, and optionally an active organization and an impersonator.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession<'a> {
    pub user: &'a str,
    pub organization: Option<&'a str>,
    /// The `actor` of an impersonated session, such as `{"sub": "user_..."}`.
    pub actor: Option<serde_json::Value>,
}

impl Instance {
    /// Presents a page of sessions while the instance is read, so that they are lent rather than
    /// copied; the query's `now_ms` should come from [`Instance::now_ms`].
    pub fn list_sessions<R>(&self, query: &ListQuery, present: impl FnOnce(Page<'_>) -> R) -> R {
        present(self.held.read().data.sessions.list(query))
    }

    pub fn session(&self, id: SessionId) -> Option<Session> {
        self.held.read().data.sessions.get(id).cloned()
    }

    /// Presents a session while the instance is read, so that it is lent rather than copied.
    pub fn present_session<R>(
        &self,
        id: SessionId,
        present: impl FnOnce(&Session) -> R,
    ) -> Option<R> {
        self.held.read().data.sessions.get(id).map(present)
    }

    /// Creates an active session for a user, optionally with an active organization and an
    /// impersonator.
    pub fn create_session(&self, wanted: NewSession<'_>) -> Result<Session, CreateSessionError> {
        let NewSession {
            user,
            organization,
            actor,
        } = wanted;
        let mut held = self.held.write();
        let Held { data, ids } = &mut *held;
        let (user_record, organization) = member_of(data, user, organization)?;
        if user_record.banned {
            return Err(CreateSessionError::UserBanned);
        }
        if user_record.is_locked(self.now_ms()) {
            return Err(CreateSessionError::UserLocked);
        }
        // Without an organization asked for, the one the user last created or joined through the
        // API, while the user still belongs to it.
        let remembered = data
            .next_session_organization
            .get(&user_record.id)
            .copied()
            .filter(|id| user_record.role_in(*id).is_some());
        let organization = organization.or(remembered);
        // The ids are drawn from a copy of the generator, kept only if the session is: a refused
        // create leaves the sequence of ids as it was.
        let mut drawing = ids.clone();
        let mut session =
            seed::new_session(user_record.id, organization, &mut drawing, self.now_ms());
        session.actor = actor.map(Arc::new);
        let before = data.bytes();
        let after = before.saturating_add_signed(data.sessions.bytes_added_by(&session));
        self.budget
            .change(before, after)
            .map_err(CreateSessionError::OverBudget)?;
        *ids = drawing;
        data.sessions.insert(session.clone());
        drop(held);
        self.tell(|data| vec![session_change(data, EventType::SessionCreated, &session)]);
        Ok(session)
    }

    /// Revokes a session and returns it as it now is; `None` if there is no such session.
    pub fn revoke_session(&self, id: SessionId) -> Option<Session> {
        let now_ms = self.now_ms();
        let (revoked, session) = self
            .held
            .write()
            .data
            .sessions
            .update(id, |session| (session.revoke(now_ms), session.clone()))?;
        if revoked {
            self.tell_revoked(&[id]);
        }
        Some(session)
    }
}

//! An instance (a tenant, one per secret key): its users, sessions and clock.

use parking_lot::{Mutex, RwLock};
use rand_chacha::ChaCha8Rng;

use crate::domain::{Clock, InstanceId, OrganizationId, Session, SessionId, UserId};
use crate::fixtures::Fixtures;
use crate::seed::{self, InstanceData, SeedSpec};
use crate::store::{ListQuery, Page};

/// Why a session could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateSessionError {
    #[error("no user {0}")]
    UnknownUser(String),
    #[error("no organization {0}")]
    UnknownOrganization(String),
    #[error("the user is not a member of organization {0}")]
    NotAMember(String),
}

/// One tenant. All of its state sits behind one lock; reads take it shared.
#[derive(Debug)]
pub struct Instance {
    id: InstanceId,
    clock: Clock,
    data: RwLock<InstanceData>,
    /// Draws the ids of sessions created later, so they too follow from the seed.
    rng: Mutex<ChaCha8Rng>,
}

impl Instance {
    /// Seeds a new instance for the key whose SHA-256 digest is `key_digest`.
    pub fn seeded(fixtures: &Fixtures, spec: SeedSpec, key_digest: &[u8], clock: Clock) -> Self {
        let mut rng = seed::instance_rng(spec.seed, key_digest);
        let data = seed::seed(fixtures, spec, &mut rng, clock.now_ms());
        Self {
            id: InstanceId::from_digest(key_digest),
            clock,
            data: RwLock::new(data),
            rng: Mutex::new(rng),
        }
    }

    pub fn id(&self) -> InstanceId {
        self.id
    }

    /// Now on this instance's clock, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn session_count(&self) -> usize {
        self.data.read().sessions.len()
    }

    /// A page of sessions; the query's `now_ms` should come from [`Instance::now_ms`].
    pub fn list_sessions(&self, query: &ListQuery) -> Page {
        self.data.read().sessions.list(query)
    }

    pub fn session(&self, id: SessionId) -> Option<Session> {
        self.data.read().sessions.get(id).cloned()
    }

    /// Creates an active session for `user`, optionally with an active organization.
    pub fn create_session(
        &self,
        user: &str,
        organization: Option<&str>,
    ) -> Result<Session, CreateSessionError> {
        let mut data = self.data.write();
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
        let session = seed::new_session(
            user_record.id,
            organization,
            &mut self.rng.lock(),
            self.now_ms(),
        );
        data.sessions.insert(session.clone());
        Ok(session)
    }

    /// Revokes a session and returns it as it now is; `None` if there is no such session.
    pub fn revoke_session(&self, id: SessionId) -> Option<Session> {
        let now_ms = self.now_ms();
        let mut data = self.data.write();
        data.sessions.update(id, |session| {
            session.revoke(now_ms);
            session.clone()
        })
    }
}

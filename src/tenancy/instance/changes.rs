//! What an instance tells its webhooks: the snapshot of each change, taken after the write and
//! only when an endpoint listens, so that an instance without endpoints pays nothing.

use super::Instance;
use crate::data::seed::InstanceData;
use crate::domain::user::UserActivity;
use crate::domain::{Session, SessionId, User};
use crate::webhooks::event::{Change, EventType};

impl Instance {
    /// Sends the changes `describe` reads from the data, if an endpoint listens. Called after
    /// the write's lock is released: the snapshot takes the lock shared.
    pub(super) fn tell(&self, describe: impl FnOnce(&InstanceData) -> Vec<Change>) {
        if !self.webhooks.is_listening() {
            return;
        }
        let changes = describe(&self.held.read().data);
        self.webhooks.send(changes);
    }

    /// Tells of sessions that were just revoked.
    pub(super) fn tell_revoked(&self, sessions: &[SessionId]) {
        self.tell(|data| {
            sessions
                .iter()
                .filter_map(|id| data.sessions.get(*id))
                .map(|session| session_change(data, EventType::SessionRevoked, session))
                .collect()
        });
    }
}

/// A session event: the session, with its user as the instance holds it now (none once
/// deleted).
pub fn session_change(data: &InstanceData, event: EventType, session: &Session) -> Change {
    let user = data
        .users
        .get(&session.user_id)
        .map(|user| (user, activity(data, user)));
    Change::session(event, session, user)
}

/// A user event: the user, with what its sessions say of its activity.
pub fn user_change(data: &InstanceData, event: EventType, user: &User) -> Change {
    Change::user(event, user, activity(data, user))
}

fn activity(data: &InstanceData, user: &User) -> UserActivity {
    UserActivity::of(data.sessions.of_user(user.id))
}

impl Instance {
    /// A change of type `event` about an object the instance holds (the one with the smallest
    /// id of its kind), for a test event; `None` when it holds no such object.
    pub fn sample_change(&self, event: EventType) -> Option<Change> {
        let held = self.held.read();
        let data = &held.data;
        let first_user = || data.users.values().min_by_key(|user| user.id);
        Some(match event {
            EventType::UserCreated | EventType::UserUpdated => {
                user_change(data, event, first_user()?)
            }
            EventType::UserDeleted => Change::user_deleted(first_user()?),
            EventType::SessionCreated
            | EventType::SessionPending
            | EventType::SessionRevoked
            | EventType::SessionEnded
            | EventType::SessionRemoved => {
                let session = data.sessions.iter().min_by_key(|session| session.id)?;
                session_change(data, event, session)
            }
            EventType::OrganizationCreated | EventType::OrganizationUpdated => {
                Change::organization(event, data.organizations.values().min_by_key(|o| o.id)?)
            }
            EventType::OrganizationDeleted => {
                Change::organization_deleted(data.organizations.values().min_by_key(|o| o.id)?)
            }
            EventType::MembershipCreated
            | EventType::MembershipUpdated
            | EventType::MembershipDeleted => {
                let (user, membership) = data
                    .users
                    .values()
                    .flat_map(|user| user.memberships.iter().map(move |m| (user, m)))
                    .min_by_key(|(user, membership)| (user.id, membership.organization_id))?;
                let organization = data.organizations.get(&membership.organization_id)?;
                Change::membership(event, membership, organization, user)
            }
        })
    }
}

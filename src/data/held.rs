//! What an instance holds once its data is in place: users, organizations, sessions, templates,
//! and what they take in memory.

use std::collections::HashMap;

use crate::domain::footprint::json_bytes;
use crate::domain::{Organization, OrganizationId, User, UserId};
use crate::store::{OrganizationStore, SessionStore, SignInTokenStore, UserStore};
use crate::tokens::JwtTemplate;

/// An instance's data: who exists, which sessions they have, and the JWT templates.
///
/// Users, organizations and templates change only through [`InstanceData::new`], loads and
/// [`InstanceData::put_user`]/[`InstanceData::remove_user`], which keep [`InstanceData::bytes`]
/// true; sessions keep their own count in the store.
#[derive(Debug)]
pub struct InstanceData {
    pub users: UserStore,
    pub organizations: OrganizationStore,
    pub sessions: SessionStore,
    pub templates: HashMap<String, JwtTemplate>,
    /// Created through the API; never part of a data document.
    pub sign_in_tokens: SignInTokenStore,
    /// The organization each user's new sessions start in, when an organization it created or
    /// joined through the API says so (Clerk: "this organization will be the user's active
    /// organization the next time they create a session"); not part of a data document.
    pub next_session_organization: HashMap<UserId, OrganizationId>,
    /// What the users, organizations and templates take in memory.
    pub(super) records_bytes: usize,
}

impl InstanceData {
    pub fn new(
        users: HashMap<UserId, User>,
        organizations: HashMap<OrganizationId, Organization>,
        sessions: SessionStore,
        templates: HashMap<String, JwtTemplate>,
    ) -> Self {
        let records_bytes = users.values().map(User::footprint).sum::<usize>()
            + organizations
                .values()
                .map(Organization::footprint)
                .sum::<usize>()
            + templates.values().map(template_footprint).sum::<usize>();
        Self {
            users: UserStore::from_users(users.into_values()),
            organizations: OrganizationStore::from_organizations(organizations.into_values()),
            sessions,
            templates,
            sign_in_tokens: SignInTokenStore::default(),
            next_session_organization: HashMap::new(),
            records_bytes,
        }
    }

    /// No users, organizations, sessions or templates.
    pub fn empty(list_all: bool) -> Self {
        Self::new(
            HashMap::new(),
            HashMap::new(),
            SessionStore::from_sessions([], list_all),
            HashMap::new(),
        )
    }

    /// What storing `user` (in place of the user of its id, if any) would add to
    /// [`InstanceData::bytes`]; negative when it takes less than the user it replaces.
    pub fn bytes_added_by(&self, user: &User) -> isize {
        let before = self.users.get(&user.id).map_or(0, User::footprint);
        signed(user.footprint()) - signed(before)
    }

    /// Stores `user`, in place of the user of its id, if any.
    pub fn put_user(&mut self, user: User) {
        let added = user.footprint();
        if let Some(previous) = self.users.insert(user) {
            self.records_bytes = self.records_bytes.saturating_sub(previous.footprint());
        }
        self.records_bytes = self.records_bytes.saturating_add(added);
    }

    /// Removes the user of `id`, and what it took.
    pub fn remove_user(&mut self, id: UserId) -> Option<User> {
        let removed = self.users.remove(&id)?;
        self.records_bytes = self.records_bytes.saturating_sub(removed.footprint());
        Some(removed)
    }

    /// Stores `organization`, in place of the organization of its id, if any.
    pub fn put_organization(&mut self, organization: Organization) {
        let added = organization.footprint();
        if let Some(previous) = self.organizations.insert(organization) {
            self.records_bytes = self.records_bytes.saturating_sub(previous.footprint());
        }
        self.records_bytes = self.records_bytes.saturating_add(added);
    }

    /// Removes the organization of `id`, and what it took.
    pub fn remove_organization(&mut self, id: OrganizationId) -> Option<Organization> {
        let removed = self.organizations.remove(&id)?;
        self.records_bytes = self.records_bytes.saturating_sub(removed.footprint());
        Some(removed)
    }

    /// What everything the instance holds takes in memory.
    pub fn bytes(&self) -> usize {
        self.sessions.bytes() + self.records_bytes + self.sign_in_tokens.bytes()
    }
}

fn signed(bytes: usize) -> isize {
    isize::try_from(bytes).unwrap_or(isize::MAX)
}

pub fn template_footprint(template: &JwtTemplate) -> usize {
    size_of::<JwtTemplate>() + template.name.len() + json_bytes(&template.claims)
}

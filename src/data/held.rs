//! What an instance holds once its data is in place: users, organizations, sessions, templates,
//! and what they take in memory.

use std::collections::HashMap;

use crate::domain::footprint::json_bytes;
use crate::domain::{Organization, OrganizationId, User, UserId};
use crate::store::{SessionStore, UserStore};
use crate::tokens::JwtTemplate;

/// An instance's data: who exists, which sessions they have, and the JWT templates.
///
/// Users, organizations and templates change only through [`InstanceData::new`] and loads,
/// which keep [`InstanceData::bytes`] true; sessions keep their own count in the store.
#[derive(Debug)]
pub struct InstanceData {
    pub users: UserStore,
    pub organizations: HashMap<OrganizationId, Organization>,
    pub sessions: SessionStore,
    pub templates: HashMap<String, JwtTemplate>,
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
            organizations,
            sessions,
            templates,
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

    /// What everything the instance holds takes in memory.
    pub fn bytes(&self) -> usize {
        self.sessions.bytes() + self.records_bytes
    }
}

pub fn template_footprint(template: &JwtTemplate) -> usize {
    size_of::<JwtTemplate>() + template.name.len() + json_bytes(&template.claims)
}

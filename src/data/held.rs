//! What an instance holds once its data is in place: users, organizations, sessions, templates.

use std::collections::HashMap;

use crate::domain::{Organization, OrganizationId, User, UserId};
use crate::store::SessionStore;
use crate::tokens::JwtTemplate;

/// An instance's data: who exists, which sessions they have, and the JWT templates.
#[derive(Debug)]
pub struct InstanceData {
    pub users: HashMap<UserId, User>,
    pub organizations: HashMap<OrganizationId, Organization>,
    pub sessions: SessionStore,
    pub templates: HashMap<String, JwtTemplate>,
}

impl InstanceData {
    /// No users, organizations, sessions or templates.
    pub fn empty(list_all: bool) -> Self {
        Self {
            users: HashMap::new(),
            organizations: HashMap::new(),
            sessions: SessionStore::from_sessions([], list_all),
            templates: HashMap::new(),
        }
    }
}

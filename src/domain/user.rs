//! Users and organizations: the people sessions belong to, and what token templates read.

use std::sync::Arc;

use super::{OrganizationId, UserId};

/// A user of an instance.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: UserId,
    pub first_name: Option<Arc<str>>,
    pub last_name: Option<Arc<str>>,
    pub username: Option<Arc<str>>,
    pub primary_email_address: Option<Arc<str>>,
    pub email_verified: bool,
    pub primary_phone_number: Option<Arc<str>>,
    pub phone_number_verified: bool,
    pub image_url: Arc<str>,
    pub public_metadata: serde_json::Value,
    pub unsafe_metadata: serde_json::Value,
    /// The organizations the user belongs to, with the role held in each.
    pub memberships: Vec<Membership>,
    pub created_at: i64,
}

impl User {
    /// "First Last", either part alone, or `None` when the user has neither.
    pub fn full_name(&self) -> Option<String> {
        match (self.first_name.as_deref(), self.last_name.as_deref()) {
            (Some(first), Some(last)) => Some(format!("{first} {last}")),
            (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
            (None, None) => None,
        }
    }

    /// The role the user holds in `organization`, if a member.
    pub fn role_in(&self, organization: OrganizationId) -> Option<&str> {
        self.memberships
            .iter()
            .find(|membership| membership.organization_id == organization)
            .map(|membership| &*membership.role)
    }
}

/// A user's membership of an organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub organization_id: OrganizationId,
    /// Clerk's role key, such as `org:admin`.
    pub role: Arc<str>,
}

/// An organization of an instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: Arc<str>,
    pub slug: Arc<str>,
}

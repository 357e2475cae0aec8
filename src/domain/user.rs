//! Users and organizations: the people sessions belong to, and what token templates read.

use std::sync::Arc;

use super::{IdentificationId, IdentificationKind, OrganizationId, Session, UserId};

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

    /// The user's email address, with its id.
    pub fn email_address(&self) -> Option<Identification<'_>> {
        let value = self.primary_email_address.as_deref()?;
        Some(Identification {
            id: IdentificationId::for_user(self.id, IdentificationKind::EmailAddress, 0),
            value,
            verified: self.email_verified,
        })
    }

    /// The user's phone number, with its id.
    pub fn phone_number(&self) -> Option<Identification<'_>> {
        let value = self.primary_phone_number.as_deref()?;
        Some(Identification {
            id: IdentificationId::for_user(self.id, IdentificationKind::PhoneNumber, 0),
            value,
            verified: self.phone_number_verified,
        })
    }

    /// The role the user holds in `organization`, if a member.
    pub fn role_in(&self, organization: OrganizationId) -> Option<&str> {
        self.memberships
            .iter()
            .find(|membership| membership.organization_id == organization)
            .map(|membership| &*membership.role)
    }
}

/// One of a user's identifications: an email address or a phone number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identification<'a> {
    pub id: IdentificationId,
    pub value: &'a str,
    pub verified: bool,
}

/// What a user's sessions say of the user: when the newest started, and when any was last
/// active (Unix milliseconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UserActivity {
    pub last_sign_in_at: Option<i64>,
    pub last_active_at: Option<i64>,
}

/// A day in milliseconds.
const DAY_MS: i64 = 86_400_000;

impl UserActivity {
    /// `last_active_at` as Clerk serves it, "with day precision": 00:00 UTC of that day.
    pub fn last_active_day(self) -> Option<i64> {
        self.last_active_at.map(|at| at - at.rem_euclid(DAY_MS))
    }

    /// The activity of a user whose sessions are `sessions`, newest first.
    pub fn of<'a>(sessions: impl IntoIterator<Item = &'a Session>) -> Self {
        let mut sessions = sessions.into_iter();
        let Some(newest) = sessions.next() else {
            return Self::default();
        };
        let last_active_at = sessions
            .map(|session| session.last_active_at)
            .fold(newest.last_active_at, i64::max);
        Self {
            last_sign_in_at: Some(newest.created_at),
            last_active_at: Some(last_active_at),
        }
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

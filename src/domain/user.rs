//! Users and organizations: the people sessions belong to, and what token templates read.

use std::sync::Arc;

use super::{
    IdentificationId, IdentificationKind, OrganizationId, OrganizationMembershipId, Session, UserId,
};

/// How long a lock lasts (Clerk's default lockout): the user is unlocked when it has passed on
/// the instance's clock.
pub const LOCKOUT_MS: i64 = 3_600_000;

/// A user of an instance.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: UserId,
    /// The user's id in the backend's own system.
    pub external_id: Option<Arc<str>>,
    pub first_name: Option<Arc<str>>,
    pub last_name: Option<Arc<str>>,
    /// Stored lower-case.
    pub username: Option<Arc<str>>,
    pub locale: Option<Arc<str>>,
    /// In the order they were added; each one's id follows from its position.
    pub email_addresses: Vec<Identifier>,
    pub phone_numbers: Vec<Identifier>,
    /// The positions of the primary email address and phone number.
    pub primary_email_address: Option<usize>,
    pub primary_phone_number: Option<usize>,
    pub image_url: Arc<str>,
    pub public_metadata: serde_json::Value,
    /// For the backend only: never in a token.
    pub private_metadata: serde_json::Value,
    pub unsafe_metadata: serde_json::Value,
    /// The organizations the user belongs to, with the role held in each.
    pub memberships: Vec<Membership>,
    /// Whether the user has a password; the password itself is never kept.
    pub password_enabled: bool,
    pub totp_enabled: bool,
    pub backup_code_enabled: bool,
    pub banned: bool,
    /// When the user's lock ends (Unix milliseconds on the instance's clock), if locked.
    pub locked_until: Option<i64>,
    pub delete_self_enabled: bool,
    pub create_organization_enabled: bool,
    pub create_organizations_limit: Option<i64>,
    pub legal_accepted_at: Option<i64>,
    pub bypass_client_trust: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One email address or phone number of a user, as it is held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identifier {
    pub value: Arc<str>,
    pub status: IdentifierStatus,
}

/// Where an identifier stands: verified (by the admin, as the Backend API creates them), not
/// verified yet, or reserved (held for the user, with no verification).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentifierStatus {
    Verified,
    Unverified,
    Reserved,
}

impl Identifier {
    pub fn new(value: impl Into<Arc<str>>, status: IdentifierStatus) -> Self {
        Self {
            value: value.into(),
            status,
        }
    }
}

impl User {
    /// A user with nothing but its id and creation time: no names or identifiers, empty
    /// metadata, and the flags Clerk gives a new user. Every user starts here.
    pub fn new(id: UserId, image_url: Arc<str>, created_at: i64) -> Self {
        let empty = empty_object;
        Self {
            id,
            external_id: None,
            first_name: None,
            last_name: None,
            username: None,
            locale: None,
            email_addresses: Vec::new(),
            phone_numbers: Vec::new(),
            primary_email_address: None,
            primary_phone_number: None,
            image_url,
            public_metadata: empty(),
            private_metadata: empty(),
            unsafe_metadata: empty(),
            memberships: Vec::new(),
            password_enabled: false,
            totp_enabled: false,
            backup_code_enabled: false,
            banned: false,
            locked_until: None,
            delete_self_enabled: true,
            create_organization_enabled: true,
            create_organizations_limit: None,
            legal_accepted_at: None,
            bypass_client_trust: false,
            created_at,
            updated_at: created_at,
        }
    }

    /// The same user with `email` as its only, primary, email address.
    pub fn with_email(mut self, email: impl Into<Arc<str>>, status: IdentifierStatus) -> Self {
        self.email_addresses = vec![Identifier::new(email, status)];
        self.primary_email_address = Some(0);
        self
    }

    /// The same user with `phone` as its only, primary, phone number.
    pub fn with_phone(mut self, phone: impl Into<Arc<str>>, status: IdentifierStatus) -> Self {
        self.phone_numbers = vec![Identifier::new(phone, status)];
        self.primary_phone_number = Some(0);
        self
    }

    /// "First Last", either part alone, or `None` when the user has neither.
    pub fn full_name(&self) -> Option<String> {
        match (self.first_name.as_deref(), self.last_name.as_deref()) {
            (Some(first), Some(last)) => Some(format!("{first} {last}")),
            (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
            (None, None) => None,
        }
    }

    /// Every email address of the user, with its id, in the order they were added.
    pub fn email_addresses(&self) -> impl Iterator<Item = Identification<'_>> {
        identifications(
            self.id,
            IdentificationKind::EmailAddress,
            &self.email_addresses,
        )
    }

    /// Every phone number of the user, with its id, in the order they were added.
    pub fn phone_numbers(&self) -> impl Iterator<Item = Identification<'_>> {
        identifications(
            self.id,
            IdentificationKind::PhoneNumber,
            &self.phone_numbers,
        )
    }

    /// The user's primary email address, with its id.
    pub fn email_address(&self) -> Option<Identification<'_>> {
        self.email_addresses().nth(self.primary_email_address?)
    }

    /// The user's primary phone number, with its id.
    pub fn phone_number(&self) -> Option<Identification<'_>> {
        self.phone_numbers().nth(self.primary_phone_number?)
    }

    /// Whether the user is locked at `now_ms` (a lock ends by itself after [`LOCKOUT_MS`]).
    pub fn is_locked(&self, now_ms: i64) -> bool {
        self.locked_until.is_some_and(|until| until > now_ms)
    }

    /// The role the user holds in `organization`, if a member.
    pub fn role_in(&self, organization: OrganizationId) -> Option<&str> {
        self.memberships
            .iter()
            .find(|membership| membership.organization_id == organization)
            .map(|membership| &*membership.role)
    }
}

fn identifications(
    user: UserId,
    kind: IdentificationKind,
    identifiers: &[Identifier],
) -> impl Iterator<Item = Identification<'_>> {
    identifiers
        .iter()
        .enumerate()
        .map(move |(index, identifier)| Identification {
            id: IdentificationId::for_user(user, kind, u8::try_from(index).unwrap_or(u8::MAX)),
            value: &identifier.value,
            status: identifier.status,
        })
}

/// One of a user's identifications, with its id: an email address or a phone number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identification<'a> {
    pub id: IdentificationId,
    pub value: &'a str,
    pub status: IdentifierStatus,
}

impl Identification<'_> {
    pub fn verified(&self) -> bool {
        self.status == IdentifierStatus::Verified
    }
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
    pub public_metadata: serde_json::Value,
    pub private_metadata: serde_json::Value,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Membership {
    /// A membership of `organization` in `role` from `created_at`, with empty metadata.
    pub fn new(
        organization_id: OrganizationId,
        role: impl Into<Arc<str>>,
        created_at: i64,
    ) -> Self {
        Self {
            organization_id,
            role: role.into(),
            public_metadata: empty_object(),
            private_metadata: empty_object(),
            created_at,
            updated_at: created_at,
        }
    }

    /// The membership's id, which follows from the organization and `user`.
    pub fn id(&self, user: UserId) -> OrganizationMembershipId {
        OrganizationMembershipId::for_member(self.organization_id, user)
    }
}

/// An organization of an instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: Arc<str>,
    /// Lower-case letters, digits and dashes; one organization's only.
    pub slug: Arc<str>,
    pub image_url: Arc<str>,
    pub public_metadata: serde_json::Value,
    pub private_metadata: serde_json::Value,
    /// How many members it may have; 0 is no limit.
    pub max_allowed_memberships: i64,
    pub admin_delete_enabled: bool,
    /// The user who created it through the API, if one did.
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Organization {
    /// An organization with its name and slug and nothing else: no limit on members, empty
    /// metadata, a placeholder image. Every organization starts here.
    pub fn new(
        id: OrganizationId,
        name: impl Into<Arc<str>>,
        slug: impl Into<Arc<str>>,
        created_at: i64,
    ) -> Self {
        Self {
            id,
            name: name.into(),
            slug: slug.into(),
            image_url: Arc::from(format!("https://img.clerk.com/mock/{id}.png")),
            public_metadata: empty_object(),
            private_metadata: empty_object(),
            max_allowed_memberships: 0,
            admin_delete_enabled: true,
            created_by: None,
            created_at,
            updated_at: created_at,
        }
    }
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

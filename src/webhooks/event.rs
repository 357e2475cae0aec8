//! What happened in an instance, as webhooks tell it: the event types Clerk names, and each
//! change with the snapshot of the object its payload shows.

use crate::domain::user::{Membership, Organization, UserActivity};
use crate::domain::{OrganizationId, Session, User, UserId};

/// Declares [`EventType`] with each type's name on the wire.
macro_rules! event_types {
    ($($variant:ident = $name:literal,)*) => {
        /// An event type, as Clerk names it in `type` and endpoints filter by it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $($variant,)*
        }

        impl EventType {
            /// Every type the mock sends, in the order the documentation lists them.
            pub const ALL: &[Self] = &[$(Self::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }
        }
    };
}

event_types! {
    UserCreated = "user.created",
    UserUpdated = "user.updated",
    UserDeleted = "user.deleted",
    SessionCreated = "session.created",
    SessionPending = "session.pending",
    SessionRevoked = "session.revoked",
    SessionEnded = "session.ended",
    SessionRemoved = "session.removed",
    OrganizationCreated = "organization.created",
    OrganizationUpdated = "organization.updated",
    OrganizationDeleted = "organization.deleted",
    MembershipCreated = "organizationMembership.created",
    MembershipUpdated = "organizationMembership.updated",
    MembershipDeleted = "organizationMembership.deleted",
}

impl EventType {
    /// The type `name` names, as `events` and the test event take it.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|kind| kind.as_str() == name)
    }
}

/// One change, with what its payload's `data` shows, taken when it happened.
#[derive(Debug, Clone)]
pub struct Change {
    pub event: EventType,
    pub subject: Subject,
}

/// The object a change is about, as it was right after the change.
#[derive(Debug, Clone)]
pub enum Subject {
    User(Box<User>, UserActivity),
    DeletedUser {
        id: UserId,
        external_id: Option<String>,
    },
    /// A session, with its user as Clerk's session events carry it.
    Session(Box<Session>, Option<(Box<User>, UserActivity)>),
    Organization(Box<Organization>),
    DeletedOrganization {
        id: OrganizationId,
        slug: String,
    },
    Membership {
        membership: Box<Membership>,
        organization: Box<Organization>,
        user: Box<User>,
    },
}

impl Change {
    pub fn user(event: EventType, user: &User, activity: UserActivity) -> Self {
        Self {
            event,
            subject: Subject::User(Box::new(user.clone()), activity),
        }
    }

    pub fn user_deleted(user: &User) -> Self {
        Self {
            event: EventType::UserDeleted,
            subject: Subject::DeletedUser {
                id: user.id,
                external_id: user.external_id.as_deref().map(str::to_owned),
            },
        }
    }

    pub fn session(
        event: EventType,
        session: &Session,
        user: Option<(&User, UserActivity)>,
    ) -> Self {
        Self {
            event,
            subject: Subject::Session(
                Box::new(session.clone()),
                user.map(|(user, activity)| (Box::new(user.clone()), activity)),
            ),
        }
    }

    pub fn organization(event: EventType, organization: &Organization) -> Self {
        Self {
            event,
            subject: Subject::Organization(Box::new(organization.clone())),
        }
    }

    pub fn organization_deleted(organization: &Organization) -> Self {
        Self {
            event: EventType::OrganizationDeleted,
            subject: Subject::DeletedOrganization {
                id: organization.id,
                slug: organization.slug.to_string(),
            },
        }
    }

    pub fn membership(
        event: EventType,
        membership: &Membership,
        organization: &Organization,
        user: &User,
    ) -> Self {
        Self {
            event,
            subject: Subject::Membership {
                membership: Box::new(membership.clone()),
                organization: Box::new(organization.clone()),
                user: Box::new(user.clone()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_back_from_its_name() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(EventType::parse("user.exploded"), None);
    }
}

//! A session and its lifecycle: statuses, the activity that created it, and how time ends it.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[cfg(doc)]
use super::ActivityId;
use super::clock::duration_ms;
use super::{ClientId, OrganizationId, SessionId, UserId};

/// How long a session lives before it expires (Clerk's default maximum lifetime).
pub const SESSION_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long after creation a session is abandoned.
pub const SESSION_ABANDON_AFTER: Duration = Duration::from_secs(30 * 24 * 3600);

pub use clerk_mock_document::SessionStatus;

/// The statuses the list operation filters by: every status but `pending`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    Abandoned,
    Active,
    Ended,
    Expired,
    Removed,
    Replaced,
    Revoked,
}

impl StatusFilter {
    /// Parses a query value exactly as the API spells it (lower case).
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }

    /// The status a session must present to match this filter.
    pub fn status(self) -> SessionStatus {
        match self {
            Self::Abandoned => SessionStatus::Abandoned,
            Self::Active => SessionStatus::Active,
            Self::Ended => SessionStatus::Ended,
            Self::Expired => SessionStatus::Expired,
            Self::Removed => SessionStatus::Removed,
            Self::Replaced => SessionStatus::Replaced,
            Self::Revoked => SessionStatus::Revoked,
        }
    }
}

/// Where and on what a session was last active (`latest_activity`). Sessions of one client
/// share one record; the activity's id follows from the session's ([`ActivityId::for_session`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionActivity {
    pub device_type: Arc<str>,
    pub is_mobile: bool,
    pub browser_name: Arc<str>,
    pub browser_version: Arc<str>,
    pub ip_address: Arc<str>,
    pub city: Arc<str>,
    pub country: Arc<str>,
}

/// A pending session's outstanding task, such as choosing an organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionTask {
    #[schema(value_type = String, example = "choose-organization")]
    pub key: Arc<str>,
}

/// A session as the store keeps it; times are Unix milliseconds. Equality compares shared parts
/// by pointer first, so that comparing a session with its own copy is cheap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub client_id: ClientId,
    /// The status as last written; [`Session::status_at`] adds what time has done since.
    pub status: SessionStatus,
    pub actor: Option<Arc<serde_json::Value>>,
    pub last_active_organization_id: Option<OrganizationId>,
    pub latest_activity: Option<Arc<SessionActivity>>,
    pub tasks: Arc<[SessionTask]>,
    pub last_active_at: i64,
    pub expire_at: i64,
    pub abandon_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Session {
    /// An active session of `user_id` on `client_id`, started at `created_at` (Unix ms): no actor,
    /// organization, activity or tasks, last active when it started, and ending by time after
    /// Clerk's lifetimes. Every session starts here; callers change what differs with struct
    /// update syntax, so a new field needs a default in this one place.
    pub fn new(id: SessionId, user_id: UserId, client_id: ClientId, created_at: i64) -> Self {
        Self {
            id,
            user_id,
            client_id,
            status: SessionStatus::Active,
            actor: None,
            last_active_organization_id: None,
            latest_activity: None,
            tasks: Arc::new([]),
            last_active_at: created_at,
            expire_at: created_at.saturating_add(duration_ms(SESSION_LIFETIME)),
            abandon_at: created_at.saturating_add(duration_ms(SESSION_ABANDON_AFTER)),
            created_at,
            updated_at: created_at,
        }
    }

    /// The status at `now_ms`: a live session whose `expire_at` or `abandon_at` has passed has
    /// ended by time, as whichever of the two came first.
    pub fn status_at(&self, now_ms: i64) -> SessionStatus {
        if !self.status.is_live() {
            return self.status;
        }
        let deadline = self.expire_at.min(self.abandon_at);
        if now_ms < deadline {
            self.status
        } else if self.expire_at <= self.abandon_at {
            SessionStatus::Expired
        } else {
            SessionStatus::Abandoned
        }
    }

    /// Until when the status stays what it is at `now_ms` (as far as time alone goes): the end
    /// of a live session's life, or forever for one that has ended.
    pub fn status_holds_until(&self, now_ms: i64) -> i64 {
        let deadline = self.expire_at.min(self.abandon_at);
        if self.status.is_live() && now_ms < deadline {
            deadline
        } else {
            i64::MAX
        }
    }

    /// Revokes a live session at `now_ms`; an ended one stays as it is. Returns whether it changed.
    pub fn revoke(&mut self, now_ms: i64) -> bool {
        if !self.status_at(now_ms).is_live() {
            return false;
        }
        self.status = SessionStatus::Revoked;
        self.updated_at = self.updated_at.max(now_ms);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn active_session() -> Session {
        crate::domain::testing::session(1)
    }

    #[test]
    fn a_live_session_reads_as_expired_after_expire_at() {
        let session = active_session();
        assert_eq!(session.status_at(9_999), SessionStatus::Active);
        assert_eq!(session.status_at(10_000), SessionStatus::Expired);
    }

    #[test]
    fn a_session_abandoned_before_it_expires_reads_as_abandoned() {
        let session = Session {
            abandon_at: 5_000,
            ..active_session()
        };
        assert_eq!(session.status_at(6_000), SessionStatus::Abandoned);
    }

    #[test]
    fn revoking_moves_updated_at_and_leaves_ended_sessions_alone() {
        let mut session = active_session();
        assert!(session.revoke(2_000));
        assert_eq!(
            (session.status, session.updated_at),
            (SessionStatus::Revoked, 2_000)
        );
        assert!(!session.revoke(3_000));
        assert_eq!(session.updated_at, 2_000);
    }

    #[test]
    fn a_status_is_spelled_as_serde_writes_it() {
        for status in SessionStatus::ALL {
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::Value::from(status.as_str()))
            );
        }
    }
}

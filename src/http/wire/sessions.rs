//! The JSON shapes of sessions, and how a session is presented to each API version.

use std::sync::Arc;

use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use crate::domain::session::SessionTask;
use crate::domain::{
    ActivityId, ApiVersion, ClientId, OrganizationId, Session, SessionActivity, SessionId,
    SessionStatus, UserId,
};

/// What a session looks like on the wire: the example of the `Session` schema, Alice's
/// fixture session written by [`SessionBody`] itself, so that the example cannot drift from
/// what the server answers.
pub fn session_example() -> serde_json::Value {
    let alice = || {
        let created_at = 1_764_052_800_000;
        let started = Session::new(
            SessionId::parse("sess_2AliceActiveZICgVFaEP1MWWEP")?,
            UserId::parse("user_2AlicexBGaRy7HSnjHcaZabMn26")?,
            ClientId::parse("client_2AliceLaptopQnpx7G6EtpIb7Vz")?,
            created_at,
        );
        Some(Session {
            last_active_at: created_at + 7_200_000,
            updated_at: created_at + 7_200_000,
            latest_activity: Some(Arc::new(SessionActivity {
                device_type: Arc::from("Macintosh"),
                is_mobile: false,
                browser_name: Arc::from("Chrome"),
                browser_version: Arc::from("131.0.0.0"),
                ip_address: Arc::from("203.0.113.10"),
                city: Arc::from("Berlin"),
                country: Arc::from("DE"),
            })),
            ..started
        })
    };
    alice()
        .map(|session| SessionBody::new(&session, ApiVersion::V2021_02_05, session.created_at))
        .and_then(|body| serde_json::to_value(body).ok())
        .unwrap_or_default()
}

/// The example of the list answer: a page with its total.
pub fn session_list_example() -> serde_json::Value {
    serde_json::json!({ "data": [session_example()], "total_count": 9 })
}

/// The `object` discriminator of a session.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionObject {
    Session,
}

/// `tasks` as a version sees it: absent before 2025-03-12, `null` or a list after.
#[derive(Debug, Clone, PartialEq)]
pub enum Tasks {
    Omitted,
    None,
    Some(Arc<[SessionTask]>),
}

impl Tasks {
    fn is_omitted(&self) -> bool {
        matches!(self, Self::Omitted)
    }
}

impl Serialize for Tasks {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Omitted | Self::None => serializer.serialize_none(),
            Self::Some(tasks) => tasks.serialize(serializer),
        }
    }
}

/// A session. Times are Unix milliseconds. `tasks` and the `pending` status exist from API
/// version 2025-03-12 on; older versions see a pending session as `active`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Session, example = session_example)]
pub struct SessionBody {
    object: SessionObject,
    #[schema(value_type = String, example = "sess_2AliceActiveZICgVFaEP1MWWEP")]
    id: SessionId,
    #[schema(value_type = String, example = "user_2AlicexBGaRy7HSnjHcaZabMn26")]
    user_id: UserId,
    #[schema(value_type = String, example = "client_2AliceLaptopQnpx7G6EtpIb7Vz")]
    client_id: ClientId,
    /// Who is impersonating the user, for an impersonated session (`{"sub": "user_..."}`).
    #[schema(value_type = Option<Object>)]
    actor: Option<Arc<serde_json::Value>>,
    status: SessionStatus,
    #[schema(value_type = Option<String>)]
    last_active_organization_id: Option<OrganizationId>,
    last_active_at: i64,
    #[schema(value_type = Option<SessionActivityBody>)]
    latest_activity: Option<SessionActivityBody>,
    /// Unix timestamp of expiration, in milliseconds.
    expire_at: i64,
    /// Unix timestamp of abandonment, in milliseconds.
    abandon_at: i64,
    /// Unix timestamp of last update, in milliseconds.
    updated_at: i64,
    /// Unix timestamp of creation, in milliseconds.
    created_at: i64,
    /// Tasks the user must complete before a pending session becomes active
    /// (API version 2025-03-12 and later only).
    #[serde(skip_serializing_if = "Tasks::is_omitted")]
    #[schema(value_type = Option<Vec<SessionTask>>)]
    tasks: Tasks,
}

/// The activity object of a session: where and on what it was last active.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SessionActivity)]
pub struct SessionActivityBody {
    #[schema(example = "session_activity")]
    object: &'static str,
    #[schema(value_type = String, example = "sess_activity_2xT3mYQ1bU8v0dLkN4rJ7pWc9sA")]
    id: ActivityId,
    #[schema(value_type = String, example = "Macintosh")]
    device_type: Arc<str>,
    is_mobile: bool,
    #[schema(value_type = String, example = "Chrome")]
    browser_name: Arc<str>,
    #[schema(value_type = String, example = "131.0.0.0")]
    browser_version: Arc<str>,
    #[schema(value_type = String, example = "203.0.113.7")]
    ip_address: Arc<str>,
    #[schema(value_type = String, example = "Berlin")]
    city: Arc<str>,
    #[schema(value_type = String, example = "DE")]
    country: Arc<str>,
}

impl SessionActivityBody {
    fn new(session: SessionId, activity: &SessionActivity) -> Self {
        Self {
            object: "session_activity",
            id: ActivityId::for_session(session),
            device_type: Arc::clone(&activity.device_type),
            is_mobile: activity.is_mobile,
            browser_name: Arc::clone(&activity.browser_name),
            browser_version: Arc::clone(&activity.browser_version),
            ip_address: Arc::clone(&activity.ip_address),
            city: Arc::clone(&activity.city),
            country: Arc::clone(&activity.country),
        }
    }
}

impl SessionBody {
    /// `session` as `version` presents it at `now_ms`.
    pub fn new(session: &Session, version: ApiVersion, now_ms: i64) -> Self {
        let status = version.presents(session.status_at(now_ms));
        let tasks = if !version.has_session_tasks() {
            Tasks::Omitted
        } else if status == SessionStatus::Pending && !session.tasks.is_empty() {
            Tasks::Some(Arc::clone(&session.tasks))
        } else {
            Tasks::None
        };
        Self {
            object: SessionObject::Session,
            id: session.id,
            user_id: session.user_id,
            client_id: session.client_id,
            actor: session.actor.clone(),
            status,
            last_active_organization_id: session.last_active_organization_id,
            last_active_at: session.last_active_at,
            latest_activity: session
                .latest_activity
                .as_ref()
                .map(|activity| SessionActivityBody::new(session.id, activity)),
            expire_at: session.expire_at,
            abandon_at: session.abandon_at,
            updated_at: session.updated_at,
            created_at: session.created_at,
            tasks,
        }
    }
}

/// A page of sessions with the number of all matches (`paginated=true`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaginatedSessions {
    pub data: Vec<SessionBody>,
    /// How many sessions match the filters across all pages.
    pub total_count: u64,
}

/// The list answer: a bare array, or a page with its total when `paginated=true`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = session_list_example)]
#[serde(untagged)]
pub enum SessionList {
    Array(Vec<SessionBody>),
    Paginated(PaginatedSessions),
}

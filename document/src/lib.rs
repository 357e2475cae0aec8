//! The data document: what the mock loads (`--data FILE`, `POST /__admin/instance/data`),
//! exports (`GET /__admin/instance/data`) and holds in its fixture files, and what
//! `clerk-conformance watch --record` writes. One definition for the mock and the suite's
//! recorder, so that an entry's new field is a compile error in the recorder until it records it.
//!
//! Entries are the document as people write it; the mock checks what ties them together
//! (references, bounds) when it loads a document, naming the entry. The ids and statuses they
//! use are Clerk's: [`ids`] and [`SessionStatus`]. The conformance suite's checks do not use
//! these: they judge other servers with rules of their own.

pub mod ids;
mod moment;

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use ids::{ClientId, OrganizationId, SessionId, UserId};
pub use moment::Moment;

/// The sections a document may have, each a list of entries.
pub const SECTIONS: [&str; 4] = ["organizations", "users", "sessions", "jwt_templates"];

/// A whole document: organizations, users, sessions and JWT templates.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organizations": [{"id": "org_2Initechq3VxkTzWk9bRfPm1nA8", "name": "Initech", "slug": "initech"}],
    "users": [{
        "id": "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7", "first_name": "Dave",
        "email_address": "dave@example.com", "email_verified": true,
        "memberships": [{"organization_id": "org_2Initechq3VxkTzWk9bRfPm1nA8", "role": "org:admin"}]
    }],
    "sessions": [{
        "id": "sess_2DaveLaptopqT7mWz3Kc9Xv1Lpw", "user_id": "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7",
        "status": "active", "active_organization_id": "org_2Initechq3VxkTzWk9bRfPm1nA8"
    }],
    "jwt_templates": [{"name": "supabase", "claims": {"role": "authenticated"}, "lifetime": 3600}]
}))]
pub struct Document {
    #[serde(default)]
    pub organizations: Vec<OrganizationEntry>,
    #[serde(default)]
    pub users: Vec<UserEntry>,
    #[serde(default)]
    pub sessions: Vec<SessionEntry>,
    #[serde(default)]
    pub jwt_templates: Vec<TemplateEntry>,
}

/// A session's status as Clerk names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Active,
    Revoked,
    Ended,
    Expired,
    Removed,
    Abandoned,
    Replaced,
    /// Signed in, with tasks left to complete (API version 2025-03-12 and later).
    Pending,
}

impl SessionStatus {
    /// Every status.
    pub const ALL: [Self; 8] = [
        Self::Active,
        Self::Revoked,
        Self::Ended,
        Self::Expired,
        Self::Removed,
        Self::Abandoned,
        Self::Replaced,
        Self::Pending,
    ];

    /// The status as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
            Self::Ended => "ended",
            Self::Expired => "expired",
            Self::Removed => "removed",
            Self::Abandoned => "abandoned",
            Self::Replaced => "replaced",
            Self::Pending => "pending",
        }
    }

    /// Statuses in which the session still authenticates its user.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Active | Self::Pending)
    }
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

fn active() -> SessionStatus {
    SessionStatus::Active
}

/// An organization. `id`, `name` and `slug` are required.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationEntry {
    #[schema(value_type = String, example = "org_2Acmet3kU1slpIuojlEroXRG9xb")]
    pub id: OrganizationId,
    pub name: String,
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// A JSON object (default `{}`).
    #[schema(value_type = Object)]
    #[serde(default = "empty_object")]
    pub public_metadata: Value,
    /// A JSON object (default `{}`): for the backend only.
    #[schema(value_type = Object)]
    #[serde(default = "empty_object")]
    pub private_metadata: Value,
    /// How many members it may have; 0 (the default) is no limit.
    #[serde(default)]
    pub max_allowed_memberships: i64,
    #[serde(default = "yes")]
    pub admin_delete_enabled: bool,
    #[schema(value_type = Option<String>)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<UserId>,
    /// Default: now on the instance's clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Moment>,
}

impl OrganizationEntry {
    /// An organization with its name and slug and the defaults for the rest.
    pub fn new(id: OrganizationId, name: String, slug: String) -> Self {
        Self {
            id,
            name,
            slug,
            image_url: None,
            public_metadata: empty_object(),
            private_metadata: empty_object(),
            max_allowed_memberships: 0,
            admin_delete_enabled: true,
            created_by: None,
            created_at: None,
        }
    }
}

fn yes() -> bool {
    true
}

/// A user. Only `id` is required.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    #[schema(value_type = String, example = "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7")]
    pub id: UserId,
    /// The user's id in the backend's own system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    /// The primary email address.
    pub email_address: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    /// The primary phone number.
    pub phone_number: Option<String>,
    #[serde(default)]
    pub phone_number_verified: bool,
    /// More email addresses, after the primary one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_email_addresses: Vec<IdentifierEntry>,
    /// More phone numbers, after the primary one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_phone_numbers: Vec<IdentifierEntry>,
    pub image_url: Option<String>,
    /// A JSON object (default `{}`).
    #[schema(value_type = Object)]
    #[serde(default = "empty_object")]
    pub public_metadata: Value,
    /// A JSON object (default `{}`): for the backend only, never in a token.
    #[schema(value_type = Object)]
    #[serde(default = "empty_object")]
    pub private_metadata: Value,
    /// A JSON object (default `{}`).
    #[schema(value_type = Object)]
    #[serde(default = "empty_object")]
    pub unsafe_metadata: Value,
    /// Whether the user has a password (the password itself is never kept).
    #[serde(default)]
    pub password_enabled: bool,
    /// A banned user cannot get a new session.
    #[serde(default)]
    pub banned: bool,
    #[serde(default)]
    pub memberships: Vec<MembershipEntry>,
    /// Default: now on the instance's clock.
    pub created_at: Option<Moment>,
}

impl UserEntry {
    /// A user with nothing but its id: no names, identifiers or memberships, empty metadata,
    /// created when loaded.
    pub fn new(id: UserId) -> Self {
        Self {
            id,
            external_id: None,
            first_name: None,
            last_name: None,
            username: None,
            email_address: None,
            email_verified: false,
            phone_number: None,
            phone_number_verified: false,
            other_email_addresses: Vec::new(),
            other_phone_numbers: Vec::new(),
            image_url: None,
            public_metadata: empty_object(),
            private_metadata: empty_object(),
            unsafe_metadata: empty_object(),
            password_enabled: false,
            banned: false,
            memberships: Vec::new(),
            created_at: None,
        }
    }
}

/// An email address or phone number beyond a user's primary one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifierEntry {
    /// The email address or phone number.
    pub value: String,
    #[serde(default)]
    pub verified: bool,
}

/// A user's membership of an organization.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipEntry {
    #[schema(value_type = String, example = "org_2Acmet3kU1slpIuojlEroXRG9xb")]
    pub organization_id: OrganizationId,
    /// Clerk's role key, such as `org:admin`.
    pub role: String,
    /// A JSON object (default `{}`).
    #[schema(value_type = Object)]
    #[serde(default = "empty_object", skip_serializing_if = "is_empty_object")]
    pub public_metadata: Value,
    /// A JSON object (default `{}`).
    #[schema(value_type = Object)]
    #[serde(default = "empty_object", skip_serializing_if = "is_empty_object")]
    pub private_metadata: Value,
    /// Default: when the user or the organization was created, whichever is later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Moment>,
}

impl MembershipEntry {
    /// A membership in `role`, with empty metadata.
    pub fn new(organization_id: OrganizationId, role: String) -> Self {
        Self {
            organization_id,
            role,
            public_metadata: empty_object(),
            private_metadata: empty_object(),
            created_at: None,
        }
    }
}

fn is_empty_object(value: &Value) -> bool {
    value.as_object().is_some_and(serde_json::Map::is_empty)
}

/// A session. Only `user_id` is required: the id and client are drawn from the instance's seed
/// when absent, the status is `active`, and the times start now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionEntry {
    #[schema(value_type = Option<String>, example = "sess_2DaveLaptopqT7mWz3Kc9Xv1Lpw")]
    pub id: Option<SessionId>,
    #[schema(value_type = String, example = "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7")]
    pub user_id: UserId,
    #[schema(value_type = Option<String>)]
    pub client_id: Option<ClientId>,
    /// The status as written; time still ends a live session past `expire_at` or `abandon_at`.
    #[serde(default = "active")]
    pub status: SessionStatus,
    /// The impersonator of an impersonated session: an object with a string `sub`.
    #[schema(value_type = Option<Object>)]
    pub actor: Option<serde_json::Map<String, Value>>,
    /// An organization the user is a member of (the `o` claim of its tokens).
    #[schema(value_type = Option<String>)]
    pub active_organization_id: Option<OrganizationId>,
    /// The keys of a pending session's tasks, such as `choose-organization`.
    #[serde(default)]
    pub tasks: Vec<String>,
    pub activity: Option<ActivityEntry>,
    /// Default: now on the instance's clock.
    pub created_at: Option<Moment>,
    /// Default: `created_at`.
    pub last_active_at: Option<Moment>,
    /// Default: `last_active_at`.
    pub updated_at: Option<Moment>,
    /// Default: `created_at` plus seven days.
    pub expire_at: Option<Moment>,
    /// Default: `created_at` plus thirty days.
    pub abandon_at: Option<Moment>,
}

/// Where and on what a session was last active.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityEntry {
    pub device_type: String,
    pub is_mobile: bool,
    pub browser_name: String,
    pub browser_version: String,
    #[schema(value_type = String, example = "203.0.113.10")]
    pub ip_address: IpAddr,
    pub city: String,
    pub country: String,
}

/// A JWT template: claims with shortcodes, a lifetime and a clock skew.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateEntry {
    /// Letters, digits, `_` and `-`.
    pub name: String,
    /// A JSON object; strings may hold shortcodes such as `{{user.id}}`.
    #[schema(value_type = Object)]
    pub claims: Value,
    /// Token lifetime in seconds.
    #[serde(default = "default_template_lifetime")]
    pub lifetime: i64,
    /// How far `nbf` lies before `iat`, in seconds.
    #[serde(default = "default_clock_skew")]
    pub allowed_clock_skew: i64,
}

impl TemplateEntry {
    /// A template of `claims` with the default lifetime and clock skew.
    pub fn new(name: &str, claims: Value) -> Self {
        Self {
            name: name.to_owned(),
            claims,
            lifetime: default_template_lifetime(),
            allowed_clock_skew: default_clock_skew(),
        }
    }
}

fn default_template_lifetime() -> i64 {
    60
}

fn default_clock_skew() -> i64 {
    5
}

//! The entries people write: one type per object, shared by the fixture files and by data
//! documents, with what each becomes in the domain and what the domain exports back.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::clock::duration_ms;
use crate::domain::session::SessionTask;
use crate::domain::user::Membership;
use crate::domain::{
    ClientId, Organization, OrganizationId, Session, SessionActivity, SessionId, SessionStatus,
    User, UserId, free_form,
};
use crate::tokens::{JwtTemplate, TOKEN_LIFETIME_RANGE, shortcodes};

/// The image a user without `image_url` gets.
const DEFAULT_IMAGE_URL: &str = "https://img.clerk.com/mock/default.png";

/// The most a template may shift `nbf` before `iat`.
const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// A time: Unix milliseconds, or how long before the instance's clock (`"2h ago"`), which keeps
/// hand-written data fresh whenever it is loaded. Exports always give milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// Unix milliseconds.
    At(i64),
    /// This long before the instance's clock.
    Ago(Duration),
}

impl Moment {
    /// The moment in Unix milliseconds, with the instance's clock at `now_ms`.
    pub fn at(self, now_ms: i64) -> i64 {
        match self {
            Self::At(ms) => ms,
            Self::Ago(ago) => now_ms.saturating_sub(duration_ms(ago)),
        }
    }
}

/// In the OpenAPI document, a time is an integer or a string.
impl utoipa::PartialSchema for Moment {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .description(Some("Unix milliseconds")),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(" ago$"))
                    .description(Some("How long before the instance's clock"))
                    .examples(["3d 4h ago"]),
            )
            .into()
    }
}

impl ToSchema for Moment {}

impl Serialize for Moment {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::At(ms) => serializer.serialize_i64(*ms),
            Self::Ago(ago) => {
                serializer.collect_str(&format_args!("{} ago", humantime::format_duration(*ago)))
            }
        }
    }
}

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Ms(i64),
            Text(String),
        }
        let expected = || {
            serde::de::Error::custom(
                "a time is Unix milliseconds or how long ago, such as \"3d 4h ago\"",
            )
        };
        match Written::deserialize(deserializer).map_err(|_: D::Error| expected())? {
            Written::Ms(ms) => Ok(Self::At(ms)),
            Written::Text(text) => text
                .strip_suffix(" ago")
                .and_then(|ago| humantime::parse_duration(ago.trim()).ok())
                .map(Self::Ago)
                .ok_or_else(expected),
        }
    }
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

fn active() -> SessionStatus {
    SessionStatus::Active
}

/// An organization.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationEntry {
    #[schema(value_type = String, example = "org_2Acmet3kU1slpIuojlEroXRG9xb")]
    pub id: OrganizationId,
    pub name: String,
    pub slug: String,
}

/// A user. Only `id` is required.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    #[schema(value_type = String, example = "user_2DaveLoadedxYz8Kp3Wq1Rt5Nm7")]
    pub id: UserId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub email_address: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    pub phone_number: Option<String>,
    #[serde(default)]
    pub phone_number_verified: bool,
    pub image_url: Option<String>,
    /// A JSON object (default `{}`).
    #[schema(value_type = Object)]
    #[serde(default = "empty_object")]
    pub public_metadata: Value,
    /// A JSON object (default `{}`).
    #[schema(value_type = Object)]
    #[serde(default = "empty_object")]
    pub unsafe_metadata: Value,
    #[serde(default)]
    pub memberships: Vec<MembershipEntry>,
    /// Default: now on the instance's clock.
    pub created_at: Option<Moment>,
}

/// A user's membership of an organization.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipEntry {
    #[schema(value_type = String, example = "org_2Acmet3kU1slpIuojlEroXRG9xb")]
    pub organization_id: OrganizationId,
    /// Clerk's role key, such as `org:admin`.
    pub role: String,
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

fn default_template_lifetime() -> i64 {
    60
}

fn default_clock_skew() -> i64 {
    5
}

impl OrganizationEntry {
    pub fn to_organization(&self) -> Organization {
        Organization {
            id: self.id,
            name: Arc::from(self.name.as_str()),
            slug: Arc::from(self.slug.as_str()),
        }
    }

    pub fn of(organization: &Organization) -> Self {
        Self {
            id: organization.id,
            name: organization.name.to_string(),
            slug: organization.slug.to_string(),
        }
    }
}

impl UserEntry {
    /// The user, with the instance's clock at `now_ms`.
    pub fn to_user(&self, now_ms: i64) -> User {
        let text = |value: &Option<String>| value.as_deref().map(Arc::from);
        User {
            id: self.id,
            first_name: text(&self.first_name),
            last_name: text(&self.last_name),
            username: text(&self.username),
            primary_email_address: text(&self.email_address),
            email_verified: self.email_verified,
            primary_phone_number: text(&self.phone_number),
            phone_number_verified: self.phone_number_verified,
            image_url: Arc::from(self.image_url.as_deref().unwrap_or(DEFAULT_IMAGE_URL)),
            public_metadata: self.public_metadata.clone(),
            unsafe_metadata: self.unsafe_metadata.clone(),
            memberships: self
                .memberships
                .iter()
                .map(|membership| Membership {
                    organization_id: membership.organization_id,
                    role: Arc::from(membership.role.as_str()),
                })
                .collect(),
            created_at: self.created_at.map_or(now_ms, |at| at.at(now_ms)),
        }
    }

    pub fn of(user: &User) -> Self {
        let text = |value: &Option<Arc<str>>| value.as_deref().map(str::to_owned);
        Self {
            id: user.id,
            first_name: text(&user.first_name),
            last_name: text(&user.last_name),
            username: text(&user.username),
            email_address: text(&user.primary_email_address),
            email_verified: user.email_verified,
            phone_number: text(&user.primary_phone_number),
            phone_number_verified: user.phone_number_verified,
            image_url: Some(user.image_url.to_string()),
            public_metadata: user.public_metadata.clone(),
            unsafe_metadata: user.unsafe_metadata.clone(),
            memberships: user
                .memberships
                .iter()
                .map(|membership| MembershipEntry {
                    organization_id: membership.organization_id,
                    role: membership.role.to_string(),
                })
                .collect(),
            created_at: Some(Moment::At(user.created_at)),
        }
    }
}

impl SessionEntry {
    /// The session, with the instance's clock at `now_ms`; a missing id or client is drawn from
    /// `rng`.
    pub fn to_session(&self, rng: &mut ChaCha8Rng, now_ms: i64) -> Session {
        let at = |moment: Option<Moment>| moment.map(|moment| moment.at(now_ms));
        let created_at = at(self.created_at).unwrap_or(now_ms);
        let last_active_at = at(self.last_active_at).unwrap_or(created_at);
        let id = self.id.unwrap_or_else(|| SessionId::random(rng));
        let client_id = self.client_id.unwrap_or_else(|| ClientId::random(rng));
        let started = Session::new(id, self.user_id, client_id, created_at);
        Session {
            status: self.status,
            actor: self
                .actor
                .clone()
                .map(|actor| Arc::new(Value::Object(actor))),
            last_active_organization_id: self.active_organization_id,
            latest_activity: self
                .activity
                .as_ref()
                .map(|activity| Arc::new(activity.to_activity())),
            tasks: self
                .tasks
                .iter()
                .map(|key| SessionTask {
                    key: Arc::from(key.as_str()),
                })
                .collect(),
            last_active_at,
            expire_at: at(self.expire_at).unwrap_or(started.expire_at),
            abandon_at: at(self.abandon_at).unwrap_or(started.abandon_at),
            updated_at: at(self.updated_at).unwrap_or(last_active_at),
            ..started
        }
    }

    pub fn of(session: &Session) -> Self {
        Self {
            id: Some(session.id),
            user_id: session.user_id,
            client_id: Some(session.client_id),
            status: session.status,
            actor: session.actor.as_deref().and_then(Value::as_object).cloned(),
            active_organization_id: session.last_active_organization_id,
            tasks: session
                .tasks
                .iter()
                .map(|task| task.key.to_string())
                .collect(),
            activity: session.latest_activity.as_deref().map(ActivityEntry::of),
            created_at: Some(Moment::At(session.created_at)),
            last_active_at: Some(Moment::At(session.last_active_at)),
            updated_at: Some(Moment::At(session.updated_at)),
            expire_at: Some(Moment::At(session.expire_at)),
            abandon_at: Some(Moment::At(session.abandon_at)),
        }
    }
}

impl ActivityEntry {
    pub fn to_activity(&self) -> SessionActivity {
        SessionActivity {
            device_type: Arc::from(self.device_type.as_str()),
            is_mobile: self.is_mobile,
            browser_name: Arc::from(self.browser_name.as_str()),
            browser_version: Arc::from(self.browser_version.as_str()),
            ip_address: Arc::from(self.ip_address.to_string()),
            city: Arc::from(self.city.as_str()),
            country: Arc::from(self.country.as_str()),
        }
    }

    pub fn of(activity: &SessionActivity) -> Self {
        Self {
            device_type: activity.device_type.to_string(),
            is_mobile: activity.is_mobile,
            browser_name: activity.browser_name.to_string(),
            browser_version: activity.browser_version.to_string(),
            // Every stored address was parsed from an `IpAddr` or generated as one.
            ip_address: activity
                .ip_address
                .parse()
                .unwrap_or(IpAddr::from([0, 0, 0, 0])),
            city: activity.city.to_string(),
            country: activity.country.to_string(),
        }
    }
}

impl TemplateEntry {
    /// Checks the template (its name, claims, shortcodes, lifetime and skew) and turns it into a
    /// [`JwtTemplate`].
    pub fn to_template(&self) -> Result<JwtTemplate, String> {
        let name_ok = !self.name.is_empty()
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !name_ok {
            return Err("a name is letters, digits, `_` and `-`".into());
        }
        if !self.claims.is_object() {
            return Err("claims must be a JSON object".into());
        }
        if let Some(problem) = free_form::too_large("claims", &self.claims) {
            return Err(problem);
        }
        shortcodes::check(&self.claims)?;
        if !TOKEN_LIFETIME_RANGE.contains(&self.lifetime) {
            return Err(format!(
                "lifetime must be between {} and {} seconds",
                TOKEN_LIFETIME_RANGE.start(),
                TOKEN_LIFETIME_RANGE.end()
            ));
        }
        let skew = u64::try_from(self.allowed_clock_skew)
            .ok()
            .filter(|skew| *skew <= MAX_CLOCK_SKEW_SECS.unsigned_abs())
            .ok_or_else(|| {
                format!("allowed_clock_skew must be between 0 and {MAX_CLOCK_SKEW_SECS} seconds")
            })?;
        Ok(JwtTemplate {
            name: self.name.clone(),
            claims: self.claims.clone(),
            lifetime_secs: self.lifetime.unsigned_abs(),
            allowed_clock_skew_secs: skew,
        })
    }

    pub fn of(template: &JwtTemplate) -> Self {
        Self {
            name: template.name.clone(),
            claims: template.claims.clone(),
            lifetime: i64::try_from(template.lifetime_secs).unwrap_or(i64::MAX),
            allowed_clock_skew: i64::try_from(template.allowed_clock_skew_secs).unwrap_or(i64::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_is_milliseconds_or_how_long_ago() {
        let read = |json: &str| serde_json::from_str::<Moment>(json);
        assert_eq!(
            read("1700000000000").ok(),
            Some(Moment::At(1_700_000_000_000))
        );
        let ago = read(r#""3d 4h ago""#).expect("a relative time");
        assert_eq!(ago.at(100 * 3_600_000), 24 * 3_600_000);
        for bad in [r#""3d 4h""#, r#""soon ago""#, "true", "1.5"] {
            let error = read(bad).expect_err(bad).to_string();
            assert!(
                error.contains("Unix milliseconds or how long ago"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_relative_moment_writes_back_as_it_reads() {
        let moment = Moment::Ago(Duration::from_secs(90 * 60));
        let json = serde_json::to_string(&moment).expect("serialises");
        assert_eq!(json, r#""1h 30m ago""#);
        assert_eq!(
            serde_json::from_str::<Moment>(&json).expect("reads back"),
            moment
        );
    }
}

//! An instance's data as one JSON document: what a test loads on top of the seeded data, and
//! what an export gives back. Loading an export into another instance reproduces the data.
//!
//! Times are Unix milliseconds. When loading, every time may be left out: it then follows from
//! the instance's clock (a session created now, expiring after its lifetime).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use rand_chacha::ChaCha8Rng;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::free_form;
use crate::domain::session::SessionTask;
use crate::domain::user::Membership;
use crate::domain::{
    ClientId, Organization, OrganizationId, Session, SessionActivity, SessionId, SessionStatus,
    User, UserId,
};
use crate::fixtures::{
    FixtureActivity, FixtureMembership, FixtureOrganization, FixtureTemplate,
    SESSION_ABANDON_AFTER, SESSION_LIFETIME, check_template, duration_ms,
};
use crate::seed::InstanceData;
use crate::store::SessionStore;
use crate::tokens::JwtTemplate;

/// The image a loaded user without `image_url` gets.
const DEFAULT_IMAGE_URL: &str = "https://img.clerk.com/mock/default.png";

/// At most this many problems are reported for one document; fixing them shows the rest.
const MAX_PROBLEMS: usize = 50;

/// Users, organizations, sessions and JWT templates of an instance.
#[derive(Debug, Default, Serialize, ToSchema)]
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
pub struct Dataset {
    pub organizations: Vec<FixtureOrganization>,
    pub users: Vec<UserEntry>,
    pub sessions: Vec<SessionEntry>,
    pub jwt_templates: Vec<FixtureTemplate>,
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
    pub memberships: Vec<FixtureMembership>,
    /// Default: now on the instance's clock.
    pub created_at: Option<i64>,
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
    pub activity: Option<FixtureActivity>,
    /// Default: now on the instance's clock.
    pub created_at: Option<i64>,
    /// Default: `created_at`.
    pub last_active_at: Option<i64>,
    /// Default: `last_active_at`.
    pub updated_at: Option<i64>,
    /// Default: `created_at` plus seven days.
    pub expire_at: Option<i64>,
    /// Default: `created_at` plus thirty days.
    pub abandon_at: Option<i64>,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

fn active() -> SessionStatus {
    SessionStatus::Active
}

/// A checked document, ready to take the place of what it was checked against.
#[derive(Debug)]
pub struct Loaded {
    counts: DatasetCounts,
    organizations: Vec<Organization>,
    users: Vec<User>,
    sessions: LoadedSessions,
    templates: Vec<JwtTemplate>,
}

/// The sessions of a load, as they are cheapest to put in place.
#[derive(Debug)]
enum LoadedSessions {
    /// A few, against the instance's many: inserted one by one, each in O(log n).
    Inserted(Vec<Session>),
    /// Many: the whole store after the load, built in bulk in O(n log n) while the instance
    /// was only read.
    Rebuilt(SessionStore),
}

/// A document with more sessions than this share of the instance's rebuilds the store in bulk
/// rather than inserting them one by one.
const REBUILD_SHARE: usize = 8;

impl Loaded {
    /// Puts the loaded data into `data`, the data it was prepared against: a short step.
    pub fn apply(self, data: &mut InstanceData) -> DatasetCounts {
        for organization in self.organizations {
            data.organizations.insert(organization.id, organization);
        }
        for user in self.users {
            data.users.insert(user.id, user);
        }
        for template in self.templates {
            data.templates.insert(template.name.clone(), template);
        }
        match self.sessions {
            LoadedSessions::Inserted(sessions) => {
                for session in sessions {
                    data.sessions.insert(session);
                }
            }
            LoadedSessions::Rebuilt(store) => data.sessions = store,
        }
        self.counts
    }
}

/// One thing wrong with a document, named by where it is (`sessions[3]`) and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryProblem {
    /// `section[index]`, or the section alone for a problem with the whole section.
    pub at: String,
    pub problem: String,
}

/// How many entries of each kind a load brought, or an instance holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct DatasetCounts {
    pub organizations: usize,
    pub users: usize,
    pub sessions: usize,
    pub jwt_templates: usize,
}

const SECTIONS: [&str; 4] = ["organizations", "users", "sessions", "jwt_templates"];

impl Dataset {
    /// Reads a document (a JSON object) entry by entry, so that every problem names its entry.
    pub fn from_document(
        document: &serde_json::Map<String, Value>,
    ) -> Result<Self, Vec<EntryProblem>> {
        let mut problems: Vec<EntryProblem> = document
            .keys()
            .filter(|key| !SECTIONS.contains(&key.as_str()))
            .map(|key| EntryProblem {
                at: key.clone(),
                problem: format!("is not a section; sections are {}", SECTIONS.join(", ")),
            })
            .collect();
        let dataset = Self {
            organizations: section(document, "organizations", &mut problems),
            users: section(document, "users", &mut problems),
            sessions: section(document, "sessions", &mut problems),
            jwt_templates: section(document, "jwt_templates", &mut problems),
        };
        if problems.is_empty() {
            Ok(dataset)
        } else {
            problems.truncate(MAX_PROBLEMS);
            Err(problems)
        }
    }

    /// How many entries of each kind the document holds.
    pub fn counts(&self) -> DatasetCounts {
        DatasetCounts {
            organizations: self.organizations.len(),
            users: self.users.len(),
            sessions: self.sessions.len(),
            jwt_templates: self.jwt_templates.len(),
        }
    }

    /// Everything `data` holds, in a stable order (by id, templates by name, sessions oldest
    /// first).
    pub fn export(data: &InstanceData) -> Self {
        let mut organizations: Vec<_> = data
            .organizations
            .values()
            .map(|organization| FixtureOrganization {
                id: organization.id,
                name: organization.name.to_string(),
                slug: organization.slug.to_string(),
            })
            .collect();
        organizations.sort_by_key(|organization| organization.id);
        let mut users: Vec<_> = data.users.values().map(user_entry).collect();
        users.sort_by_key(|user| user.id);
        let mut sessions: Vec<&Session> = data.sessions.iter().collect();
        sessions.sort_by_key(|session| (session.created_at, session.id));
        let mut jwt_templates: Vec<_> = data
            .templates
            .values()
            .map(|template| FixtureTemplate {
                name: template.name.clone(),
                claims: template.claims.clone(),
                lifetime: i64::try_from(template.lifetime_secs).unwrap_or(i64::MAX),
                allowed_clock_skew: i64::try_from(template.allowed_clock_skew_secs)
                    .unwrap_or(i64::MAX),
            })
            .collect();
        jwt_templates.sort_by(|a, b| a.name.cmp(&b.name));
        Self {
            organizations,
            users,
            sessions: sessions.into_iter().map(session_entry).collect(),
            jwt_templates,
        }
    }

    /// Checks the document against `data` and builds what loading it makes of `data`, without
    /// changing it: the caller reads `data` meanwhile, and swaps the result in with [`Loaded::apply`].
    /// Nothing is built unless every entry is valid.
    pub fn prepare(
        self,
        data: &InstanceData,
        rng: &mut ChaCha8Rng,
        now_ms: i64,
    ) -> Result<Loaded, Vec<EntryProblem>> {
        let counts = self.counts();
        let templates = self.check(data)?;
        let organizations = self
            .organizations
            .into_iter()
            .map(|organization| Organization {
                id: organization.id,
                name: Arc::from(organization.name),
                slug: Arc::from(organization.slug),
            })
            .collect();
        let users = self
            .users
            .into_iter()
            .map(|user| user_of(user, now_ms))
            .collect();
        let sessions: Vec<Session> = self
            .sessions
            .into_iter()
            .map(|session| session_of(session, rng, now_ms))
            .collect();
        let few = sessions.len().saturating_mul(REBUILD_SHARE) < data.sessions.session_count();
        let sessions = if few {
            LoadedSessions::Inserted(sessions)
        } else {
            LoadedSessions::Rebuilt(data.sessions.with(sessions))
        };
        Ok(Loaded {
            counts,
            organizations,
            users,
            sessions,
            templates,
        })
    }

    /// Every problem of the document (up to [`MAX_PROBLEMS`]), and its templates once checked.
    fn check(&self, data: &InstanceData) -> Result<Vec<JwtTemplate>, Vec<EntryProblem>> {
        let mut problems = Vec::new();
        let mut fail = |section: &str, index: usize, name: &dyn std::fmt::Display, problem| {
            problems.push(EntryProblem {
                at: format!("{section}[{index}]"),
                problem: format!("{name}: {problem}"),
            });
        };

        let mut organization_ids = HashSet::new();
        for (index, organization) in self.organizations.iter().enumerate() {
            if !organization_ids.insert(organization.id) {
                fail(
                    "organizations",
                    index,
                    &organization.id,
                    "duplicate id".into(),
                );
            }
        }
        let organization_exists = |id: &OrganizationId| {
            organization_ids.contains(id) || data.organizations.contains_key(id)
        };

        let mut users: HashMap<UserId, &UserEntry> = HashMap::new();
        for (index, user) in self.users.iter().enumerate() {
            if users.insert(user.id, user).is_some() {
                fail("users", index, &user.id, "duplicate id".into());
            }
            if let Some(membership) = user
                .memberships
                .iter()
                .find(|membership| !organization_exists(&membership.organization_id))
            {
                fail(
                    "users",
                    index,
                    &user.id,
                    format!(
                        "membership of unknown organization `{}`",
                        membership.organization_id
                    ),
                );
            }
            if !user.public_metadata.is_object() || !user.unsafe_metadata.is_object() {
                fail(
                    "users",
                    index,
                    &user.id,
                    "metadata must be a JSON object".into(),
                );
            }
            for (name, metadata) in [
                ("public_metadata", &user.public_metadata),
                ("unsafe_metadata", &user.unsafe_metadata),
            ] {
                if let Some(problem) = free_form::too_large(name, metadata) {
                    fail("users", index, &user.id, problem);
                }
            }
        }
        let is_member = |user: UserId, organization: OrganizationId| match users.get(&user) {
            Some(entry) => entry
                .memberships
                .iter()
                .any(|membership| membership.organization_id == organization),
            None => data
                .users
                .get(&user)
                .is_some_and(|user| user.role_in(organization).is_some()),
        };

        let mut session_ids = HashSet::new();
        for (index, session) in self.sessions.iter().enumerate() {
            let name: &dyn std::fmt::Display = match &session.id {
                Some(id) => id,
                None => &"(new session)",
            };
            if let Some(id) = session.id
                && !session_ids.insert(id)
            {
                fail("sessions", index, name, "duplicate id".into());
            }
            if !users.contains_key(&session.user_id) && !data.users.contains_key(&session.user_id) {
                fail(
                    "sessions",
                    index,
                    name,
                    format!("unknown user `{}`", session.user_id),
                );
            } else if let Some(organization) = session.active_organization_id
                && !is_member(session.user_id, organization)
            {
                fail(
                    "sessions",
                    index,
                    name,
                    format!(
                        "user `{}` is not a member of organization `{organization}`",
                        session.user_id
                    ),
                );
            }
            if let Some(actor) = &session.actor {
                if !actor.get("sub").is_some_and(Value::is_string) {
                    fail(
                        "sessions",
                        index,
                        name,
                        "actor must have a string `sub`".into(),
                    );
                }
                if let Some(problem) = free_form::too_large("actor", &Value::Object(actor.clone()))
                {
                    fail("sessions", index, name, problem);
                }
            }
            if !session.tasks.is_empty() && session.status != SessionStatus::Pending {
                fail(
                    "sessions",
                    index,
                    name,
                    "only a pending session has tasks".into(),
                );
            }
            if let (Some(created), Some(active)) = (session.created_at, session.last_active_at)
                && active < created
            {
                fail(
                    "sessions",
                    index,
                    name,
                    "last_active_at is before created_at".into(),
                );
            }
        }

        let mut names = HashSet::new();
        let mut templates = Vec::with_capacity(self.jwt_templates.len());
        for (index, template) in self.jwt_templates.iter().enumerate() {
            if !names.insert(template.name.as_str()) {
                fail(
                    "jwt_templates",
                    index,
                    &template.name,
                    "duplicate name".into(),
                );
            }
            match check_template(template.clone()) {
                Ok(template) => templates.push(template),
                Err(problem) => fail("jwt_templates", index, &template.name, problem),
            }
        }

        if problems.is_empty() {
            Ok(templates)
        } else {
            problems.truncate(MAX_PROBLEMS);
            Err(problems)
        }
    }
}

/// The entries of one section, each parsed on its own; the problems name the entries.
fn section<T: DeserializeOwned>(
    document: &serde_json::Map<String, Value>,
    name: &str,
    problems: &mut Vec<EntryProblem>,
) -> Vec<T> {
    let entries = match document.get(name) {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(entries)) => entries,
        Some(_) => {
            problems.push(EntryProblem {
                at: name.to_owned(),
                problem: "must be an array".to_owned(),
            });
            return Vec::new();
        }
    };
    entries
        .iter()
        .enumerate()
        .filter_map(|(index, entry)| {
            T::deserialize(entry)
                .map_err(|error| {
                    let label = entry
                        .get("id")
                        .or_else(|| entry.get("name"))
                        .and_then(Value::as_str)
                        .unwrap_or("(no id)");
                    problems.push(EntryProblem {
                        at: format!("{name}[{index}]"),
                        problem: format!("{label}: {error}"),
                    });
                })
                .ok()
        })
        .collect()
}

fn user_entry(user: &User) -> UserEntry {
    let text = |value: &Option<Arc<str>>| value.as_deref().map(str::to_owned);
    UserEntry {
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
            .map(|membership| FixtureMembership {
                organization_id: membership.organization_id,
                role: membership.role.to_string(),
            })
            .collect(),
        created_at: Some(user.created_at),
    }
}

fn user_of(entry: UserEntry, now_ms: i64) -> User {
    let text = |value: Option<String>| value.map(Arc::from);
    User {
        id: entry.id,
        first_name: text(entry.first_name),
        last_name: text(entry.last_name),
        username: text(entry.username),
        primary_email_address: text(entry.email_address),
        email_verified: entry.email_verified,
        primary_phone_number: text(entry.phone_number),
        phone_number_verified: entry.phone_number_verified,
        image_url: Arc::from(entry.image_url.as_deref().unwrap_or(DEFAULT_IMAGE_URL)),
        public_metadata: entry.public_metadata,
        unsafe_metadata: entry.unsafe_metadata,
        memberships: entry
            .memberships
            .into_iter()
            .map(|membership| Membership {
                organization_id: membership.organization_id,
                role: Arc::from(membership.role),
            })
            .collect(),
        created_at: entry.created_at.unwrap_or(now_ms),
    }
}

fn session_entry(session: &Session) -> SessionEntry {
    SessionEntry {
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
        activity: session.latest_activity.as_deref().map(activity_entry),
        created_at: Some(session.created_at),
        last_active_at: Some(session.last_active_at),
        updated_at: Some(session.updated_at),
        expire_at: Some(session.expire_at),
        abandon_at: Some(session.abandon_at),
    }
}

fn activity_entry(activity: &SessionActivity) -> FixtureActivity {
    FixtureActivity {
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

fn session_of(entry: SessionEntry, rng: &mut ChaCha8Rng, now_ms: i64) -> Session {
    let created_at = entry.created_at.unwrap_or(now_ms);
    let last_active_at = entry.last_active_at.unwrap_or(created_at);
    Session {
        id: entry.id.unwrap_or_else(|| SessionId::random(rng)),
        user_id: entry.user_id,
        client_id: entry.client_id.unwrap_or_else(|| ClientId::random(rng)),
        status: entry.status,
        actor: entry.actor.map(|actor| Arc::new(Value::Object(actor))),
        last_active_organization_id: entry.active_organization_id,
        latest_activity: entry
            .activity
            .as_ref()
            .map(|activity| Arc::new(crate::seed::fixture_activity(activity))),
        tasks: entry
            .tasks
            .into_iter()
            .map(|key| SessionTask {
                key: Arc::from(key),
            })
            .collect(),
        last_active_at,
        expire_at: entry
            .expire_at
            .unwrap_or_else(|| created_at.saturating_add(duration_ms(SESSION_LIFETIME))),
        abandon_at: entry
            .abandon_at
            .unwrap_or_else(|| created_at.saturating_add(duration_ms(SESSION_ABANDON_AFTER))),
        created_at,
        updated_at: entry.updated_at.unwrap_or(last_active_at),
    }
}

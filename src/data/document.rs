//! An instance's data as one JSON document: what a test loads on top of the seeded data, what an
//! export gives back, and what the fixture files hold. Loading an export into another instance
//! reproduces the data. Every document, fixtures included, passes the same [`check`]. The
//! document's shape is `clerk_mock_document`'s; this module reads, checks, loads and exports it.
//!
//! When loading, every time may be left out: it then follows from the instance's clock (a
//! session created now, expiring after its lifetime).

use std::collections::{HashMap, HashSet};
use std::fmt;

use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::ToSchema;

use clerk_mock_document::{Document, SECTIONS, UserEntry};

use super::entries;
use super::held::{InstanceData, template_footprint};
use crate::domain::identifiers::MAX_IDENTIFIERS;
use crate::domain::{
    Organization, OrganizationId, Session, SessionId, SessionStatus, User, UserId, free_form,
};
use crate::store::SessionStore;
use crate::tokens::JwtTemplate;

/// At most this many problems are reported for one document; fixing them shows the rest.
const MAX_PROBLEMS: usize = 50;

/// A checked document, ready to take the place of what it was checked against.
#[derive(Debug)]
pub struct Loaded {
    counts: DocumentCounts,
    /// What the instance will take in memory once the load is in place.
    bytes_after: usize,
    organizations: Vec<Organization>,
    users: Vec<User>,
    sessions: LoadedSessions,
    templates: Vec<JwtTemplate>,
}

/// The entries of a load whose ids the instance did not hold: what it creates rather than
/// replaces.
#[derive(Debug, Clone, Default)]
pub struct Created {
    pub organizations: Vec<OrganizationId>,
    pub users: Vec<UserId>,
    pub sessions: Vec<SessionId>,
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
    /// What the instance will take in memory once the load is in place.
    pub fn bytes_after(&self) -> usize {
        self.bytes_after
    }

    /// The entries the load creates rather than replaces in `data`, the data it was prepared
    /// against. Worked out only when asked: a load that tells nobody pays nothing for it.
    pub fn created(&self, data: &InstanceData) -> Created {
        let new_session = |session: &&Session| data.sessions.get(session.id).is_none();
        Created {
            organizations: self
                .organizations
                .iter()
                .map(|organization| organization.id)
                .filter(|id| !data.organizations.contains_key(id))
                .collect(),
            users: self
                .users
                .iter()
                .map(|user| user.id)
                .filter(|id| !data.users.contains_key(id))
                .collect(),
            sessions: match &self.sessions {
                LoadedSessions::Inserted(sessions) => sessions
                    .iter()
                    .filter(new_session)
                    .map(|session| session.id)
                    .collect(),
                LoadedSessions::Rebuilt(store) => store
                    .iter()
                    .filter(new_session)
                    .map(|session| session.id)
                    .collect(),
            },
        }
    }

    /// Puts the loaded data into `data`, the data it was prepared against: a short step.
    pub fn apply(self, data: &mut InstanceData) -> DocumentCounts {
        let mut records = data.records_bytes;
        for organization in self.organizations {
            records += organization.footprint();
            if let Some(previous) = data.organizations.insert(organization) {
                records = records.saturating_sub(previous.footprint());
            }
        }
        for user in self.users {
            records += user.footprint();
            if let Some(previous) = data.users.insert(user) {
                records = records.saturating_sub(previous.footprint());
            }
        }
        for template in self.templates {
            records += template_footprint(&template);
            if let Some(previous) = data.templates.insert(template.name.clone(), template) {
                records = records.saturating_sub(template_footprint(&previous));
            }
        }
        data.records_bytes = records;
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

/// One thing wrong with a document, named by where it is (`sessions[3]`), which entry it is
/// about (its id or name) and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryProblem {
    /// The section (`sessions`), or an unknown key of the document.
    pub section: String,
    /// The entry's place in its section; none for a problem with the whole section.
    pub index: Option<usize>,
    /// The entry's id or name, as written.
    pub name: String,
    pub problem: String,
}

impl EntryProblem {
    /// Where the problem is: `sessions[3]`, or the section alone.
    pub fn at(&self) -> String {
        match self.index {
            Some(index) => format!("{}[{index}]", self.section),
            None => self.section.clone(),
        }
    }

    /// The entry and the problem: `sess_...: unknown user ...`, or the problem alone.
    pub fn message(&self) -> String {
        if self.name.is_empty() {
            self.problem.clone()
        } else {
            format!("{}: {}", self.name, self.problem)
        }
    }

    fn of_section(section: &str, problem: &str) -> Self {
        Self {
            section: section.to_owned(),
            index: None,
            name: String::new(),
            problem: problem.to_owned(),
        }
    }
}

/// Every problem of a document on one line, as a start-up message gives them.
pub fn one_line(problems: &[EntryProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at(), self.message())
    }
}

/// How many entries of each kind a load brought, or an instance holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct DocumentCounts {
    pub organizations: usize,
    pub users: usize,
    pub sessions: usize,
    pub jwt_templates: usize,
}

/// Reads a document (a JSON object) entry by entry, so that every problem names its entry.
pub fn read(json: &serde_json::Map<String, Value>) -> Result<Document, Vec<EntryProblem>> {
    let mut problems: Vec<EntryProblem> = json
        .keys()
        .filter(|key| !SECTIONS.contains(&key.as_str()))
        .map(|key| {
            EntryProblem::of_section(
                key,
                &format!("is not a section; sections are {}", SECTIONS.join(", ")),
            )
        })
        .collect();
    let document = Document {
        organizations: section(json, "organizations", &mut problems),
        users: section(json, "users", &mut problems),
        sessions: section(json, "sessions", &mut problems),
        jwt_templates: section(json, "jwt_templates", &mut problems),
    };
    if problems.is_empty() {
        Ok(document)
    } else {
        problems.truncate(MAX_PROBLEMS);
        Err(problems)
    }
}

/// How many entries of each kind the document holds.
pub fn counts(document: &Document) -> DocumentCounts {
    DocumentCounts {
        organizations: document.organizations.len(),
        users: document.users.len(),
        sessions: document.sessions.len(),
        jwt_templates: document.jwt_templates.len(),
    }
}

/// Everything `data` holds, in a stable order (by id, templates by name, sessions oldest
/// first).
pub fn export(data: &InstanceData) -> Document {
    let mut organizations: Vec<_> = data
        .organizations
        .values()
        .map(entries::organization_entry)
        .collect();
    organizations.sort_by_key(|organization| organization.id);
    let mut users: Vec<_> = data.users.values().map(entries::user_entry).collect();
    users.sort_by_key(|user| user.id);
    // A deleted user's sessions stay readable by id, but a document holds only sessions of
    // users it holds.
    let mut sessions: Vec<&Session> = data
        .sessions
        .iter()
        .filter(|session| data.users.contains_key(&session.user_id))
        .collect();
    sessions.sort_by_key(|session| (session.created_at, session.id));
    let mut jwt_templates: Vec<_> = data
        .templates
        .values()
        .map(entries::template_entry)
        .collect();
    jwt_templates.sort_by(|a, b| a.name.cmp(&b.name));
    Document {
        organizations,
        users,
        sessions: sessions.into_iter().map(entries::session_entry).collect(),
        jwt_templates,
    }
}

/// Checks the document against `data` and builds what loading it makes of `data`, without
/// changing it: the caller reads `data` meanwhile, and swaps the result in with [`Loaded::apply`].
/// Nothing is built unless every entry is valid.
pub fn prepare(
    document: &Document,
    data: &InstanceData,
    rng: &mut ChaCha8Rng,
    now_ms: i64,
) -> Result<Loaded, Vec<EntryProblem>> {
    let counts = counts(document);
    let templates = check(document, data, now_ms)?;
    let organizations: Vec<Organization> = document
        .organizations
        .iter()
        .map(|organization| entries::organization(organization, now_ms))
        .collect();
    let users: Vec<User> = document
        .users
        .iter()
        .map(|user| entries::user(user, now_ms))
        .collect();
    let sessions: Vec<Session> = document
        .sessions
        .iter()
        .map(|session| entries::session(session, rng, now_ms))
        .collect();
    let few = sessions.len().saturating_mul(REBUILD_SHARE) < data.sessions.session_count();
    let (sessions, session_bytes) = if few {
        let added: isize = sessions
            .iter()
            .map(|session| data.sessions.bytes_added_by(session))
            .sum();
        let bytes = data.sessions.bytes().saturating_add_signed(added);
        (LoadedSessions::Inserted(sessions), bytes)
    } else {
        let store = data.sessions.with(sessions);
        let bytes = store.bytes();
        (LoadedSessions::Rebuilt(store), bytes)
    };
    let records_bytes = records_after(data, &organizations, &users, &templates);
    Ok(Loaded {
        counts,
        bytes_after: session_bytes.saturating_add(records_bytes),
        organizations,
        users,
        sessions,
        templates,
    })
}

/// Every problem of the document (up to [`MAX_PROBLEMS`]) as an addition to `data` with the
/// instance's clock at `now_ms`, and its templates once checked. The fixtures are checked as
/// an addition to nothing. Each section is checked on its own, against what the sections
/// before it hold.
pub fn check(
    document: &Document,
    data: &InstanceData,
    now_ms: i64,
) -> Result<Vec<JwtTemplate>, Vec<EntryProblem>> {
    let mut problems = Problems::default();
    let organizations = check_organizations(document, &mut problems);
    let organization_exists =
        |id| organizations.contains(&id) || data.organizations.contains_key(&id);
    let users = check_users(document, &organization_exists, &mut problems);
    let known = Known { data, users };
    check_sessions(document, &known, now_ms, &mut problems);
    let templates = check_templates(document, &mut problems);
    problems.or(templates)
}

/// The organizations' ids, each once.
fn check_organizations(document: &Document, problems: &mut Problems) -> HashSet<OrganizationId> {
    let mut ids = HashSet::new();
    for (index, organization) in document.organizations.iter().enumerate() {
        if !ids.insert(organization.id) {
            problems.add(
                "organizations",
                index,
                &organization.id,
                "duplicate id".into(),
            );
        }
    }
    ids
}

/// The users by id, each once, members of organizations that exist, with metadata that is a
/// JSON object within its bound.
fn check_users<'a>(
    document: &'a Document,
    organization_exists: &dyn Fn(OrganizationId) -> bool,
    problems: &mut Problems,
) -> HashMap<UserId, &'a UserEntry> {
    let mut users = HashMap::new();
    for (index, user) in document.users.iter().enumerate() {
        if users.insert(user.id, user).is_some() {
            problems.add("users", index, &user.id, "duplicate id".into());
        }
        if let Some(membership) = user
            .memberships
            .iter()
            .find(|membership| !organization_exists(membership.organization_id))
        {
            problems.add(
                "users",
                index,
                &user.id,
                format!(
                    "membership of unknown organization `{}`",
                    membership.organization_id
                ),
            );
        }
        let metadata = [
            ("public_metadata", &user.public_metadata),
            ("private_metadata", &user.private_metadata),
            ("unsafe_metadata", &user.unsafe_metadata),
        ];
        if metadata.iter().any(|(_, value)| !value.is_object()) {
            problems.add(
                "users",
                index,
                &user.id,
                "metadata must be a JSON object".into(),
            );
        }
        for (name, value) in metadata {
            if let Some(problem) = free_form::too_large(name, value) {
                problems.add("users", index, &user.id, problem);
            }
        }
        for (name, primary, others) in [
            (
                "email addresses",
                &user.email_address,
                &user.other_email_addresses,
            ),
            (
                "phone numbers",
                &user.phone_number,
                &user.other_phone_numbers,
            ),
        ] {
            let count = usize::from(primary.is_some()) + others.len();
            if count > MAX_IDENTIFIERS || (primary.is_none() && !others.is_empty()) {
                problems.add(
                    "users",
                    index,
                    &user.id,
                    format!(
                        "at most {MAX_IDENTIFIERS} {name}, the others only beside a primary one"
                    ),
                );
            }
        }
    }
    users
}

/// Sessions of known users, in organizations they belong to, with well-formed actors,
/// tasks only when pending, and times in order.
fn check_sessions(document: &Document, known: &Known<'_>, now_ms: i64, problems: &mut Problems) {
    let mut session_ids = HashSet::new();
    for (index, session) in document.sessions.iter().enumerate() {
        let name: &dyn fmt::Display = match &session.id {
            Some(id) => id,
            None => &"(new session)",
        };
        let mut fail = |problem: String| problems.add("sessions", index, name, problem);
        if let Some(id) = session.id
            && !session_ids.insert(id)
        {
            fail("duplicate id".into());
        }
        if !known.user_exists(session.user_id) {
            fail(format!("unknown user `{}`", session.user_id));
        } else if let Some(organization) = session.active_organization_id
            && !known.is_member(session.user_id, organization)
        {
            fail(format!(
                "user `{}` is not a member of organization `{organization}`",
                session.user_id
            ));
        }
        if let Some(actor) = &session.actor {
            if !actor.get("sub").is_some_and(Value::is_string) {
                fail("actor must have a string `sub`".into());
            }
            if let Some(problem) = free_form::too_large("actor", &Value::Object(actor.clone())) {
                fail(problem);
            }
        }
        if !session.tasks.is_empty() && session.status != SessionStatus::Pending {
            fail("only a pending session has tasks".into());
        }
        if let (Some(created), Some(active)) = (session.created_at, session.last_active_at)
            && active.at(now_ms) < created.at(now_ms)
        {
            fail("last_active_at is before created_at".into());
        }
    }
}

/// The templates, each name once, each one a template.
fn check_templates(document: &Document, problems: &mut Problems) -> Vec<JwtTemplate> {
    let mut names = HashSet::new();
    let mut templates = Vec::with_capacity(document.jwt_templates.len());
    for (index, template) in document.jwt_templates.iter().enumerate() {
        if !names.insert(template.name.as_str()) {
            problems.add(
                "jwt_templates",
                index,
                &template.name,
                "duplicate name".into(),
            );
        }
        match entries::template(template) {
            Ok(template) => templates.push(template),
            Err(problem) => problems.add("jwt_templates", index, &template.name, problem),
        }
    }
    templates
}

/// What a document's sessions may refer to: its own users, and the data it is added to.
struct Known<'a> {
    data: &'a InstanceData,
    users: HashMap<UserId, &'a UserEntry>,
}

impl Known<'_> {
    fn user_exists(&self, id: UserId) -> bool {
        self.users.contains_key(&id) || self.data.users.contains_key(&id)
    }

    /// Whether `user` belongs to `organization`, as the document says, else as the data does.
    fn is_member(&self, user: UserId, organization: OrganizationId) -> bool {
        match self.users.get(&user) {
            Some(entry) => entry
                .memberships
                .iter()
                .any(|membership| membership.organization_id == organization),
            None => self
                .data
                .users
                .get(&user)
                .is_some_and(|user| user.role_in(organization).is_some()),
        }
    }
}

/// The problems a check finds, each naming its entry.
#[derive(Debug, Default)]
struct Problems(Vec<EntryProblem>);

impl Problems {
    fn add(&mut self, section: &str, index: usize, name: &dyn fmt::Display, problem: String) {
        self.0.push(EntryProblem {
            section: section.to_owned(),
            index: Some(index),
            name: name.to_string(),
            problem,
        });
    }

    /// `value` if nothing was found, else the problems (up to [`MAX_PROBLEMS`]).
    fn or<T>(mut self, value: T) -> Result<T, Vec<EntryProblem>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            self.0.truncate(MAX_PROBLEMS);
            Err(self.0)
        }
    }
}

/// What `data`'s users, organizations and templates will take once these take their places.
fn records_after(
    data: &InstanceData,
    organizations: &[Organization],
    users: &[User],
    templates: &[JwtTemplate],
) -> usize {
    let added = organizations
        .iter()
        .map(Organization::footprint)
        .chain(users.iter().map(User::footprint))
        .chain(templates.iter().map(template_footprint))
        .sum::<usize>();
    let replaced = organizations
        .iter()
        .filter_map(|organization| data.organizations.get(&organization.id))
        .map(Organization::footprint)
        .chain(
            users
                .iter()
                .filter_map(|user| data.users.get(&user.id))
                .map(User::footprint),
        )
        .chain(
            templates
                .iter()
                .filter_map(|template| data.templates.get(&template.name))
                .map(template_footprint),
        )
        .sum::<usize>();
    (data.records_bytes + added).saturating_sub(replaced)
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
            problems.push(EntryProblem::of_section(name, "must be an array"));
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
                        section: name.to_owned(),
                        index: Some(index),
                        name: label.to_owned(),
                        problem: error.to_string(),
                    });
                })
                .ok()
        })
        .collect()
}

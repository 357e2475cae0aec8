//! Recording: what the upstream showed (sessions, the users their answers and tokens name, and
//! the users that user answers show), as a data document clerk-backend-mock loads
//! (`POST /__admin/instance/data`, or `--data FILE` at start-up), written with the document's
//! own types (`clerk_mock_document`), so that a field the mock's entries gain must be recorded
//! here before this compiles. Nothing secret is kept: no token, no key, no refresh token.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clerk_mock_document::ids::{ClientId, OrganizationId, SessionId, UserId};
use clerk_mock_document::{
    ActivityEntry, Document, IdentifierEntry, MembershipEntry, Moment, OrganizationEntry,
    SessionEntry, SessionStatus, TemplateEntry, UserEntry,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::exchange::{Exchange, memberships_in, organizations_in, sessions_in, users_in};

/// What the upstream has shown so far.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Each session as last seen, as a data document's entry.
    sessions: BTreeMap<String, SessionEntry>,
    /// Each user seen, with the organizations tokens showed them in (id to role).
    users: BTreeMap<String, BTreeMap<String, String>>,
    /// Each user a user answer showed, as last seen (memberships come from `users`).
    user_answers: BTreeMap<String, UserEntry>,
    /// Each organization seen, with its slug when a token showed it.
    organizations: BTreeMap<String, Option<String>>,
    /// Each organization an answer showed whole, as last seen.
    organization_answers: BTreeMap<String, OrganizationEntry>,
    templates: BTreeSet<String>,
}

impl Recorder {
    pub fn observe(&mut self, exchange: &Exchange) {
        let Some(path) = exchange.api_path() else {
            return;
        };
        let Some(body) = exchange.json().filter(|_| exchange.is_success()) else {
            return;
        };
        for session in sessions_in(&body) {
            self.session(session);
        }
        for user in users_in(&body) {
            self.user(user);
        }
        for organization in organizations_in(&body) {
            self.organization(organization);
        }
        for membership in memberships_in(&body) {
            self.membership(membership);
        }
        let parts: Vec<&str> = path.split('/').collect();
        if exchange.method == "POST" && parts.get(3) == Some(&"tokens") {
            if let Some(template) = parts.get(4) {
                self.templates.insert((*template).to_owned());
            }
            if let Some(claims) = body["jwt"].as_str().and_then(unverified_claims) {
                self.token_claims(&claims);
            }
        }
    }

    fn session(&mut self, session: &Value) {
        let Ok(seen) = serde_json::from_value::<SeenSession>(session.clone()) else {
            return;
        };
        self.users.entry(seen.user_id.to_string()).or_default();
        if let Some(organization) = seen.last_active_organization_id {
            self.organizations
                .entry(organization.to_string())
                .or_default();
            self.users
                .entry(seen.user_id.to_string())
                .or_default()
                .entry(organization.to_string())
                .or_insert_with(|| "org:member".to_owned());
        }
        let entry = SessionEntry {
            id: Some(seen.id),
            user_id: seen.user_id,
            client_id: Some(seen.client_id),
            status: seen.status,
            actor: seen.actor,
            active_organization_id: seen.last_active_organization_id,
            tasks: seen.tasks.into_iter().map(|task| task.key).collect(),
            activity: seen.latest_activity.map(|activity| ActivityEntry {
                device_type: activity.device_type,
                is_mobile: activity.is_mobile,
                browser_name: activity.browser_name,
                browser_version: activity.browser_version,
                ip_address: activity.ip_address,
                city: activity.city,
                country: activity.country,
            }),
            created_at: Some(Moment::At(seen.created_at)),
            last_active_at: Some(Moment::At(seen.last_active_at)),
            updated_at: Some(Moment::At(seen.updated_at)),
            expire_at: Some(Moment::At(seen.expire_at)),
            abandon_at: Some(Moment::At(seen.abandon_at)),
        };
        self.sessions.insert(seen.id.to_string(), entry);
    }

    fn user(&mut self, user: &Value) {
        let Ok(seen) = serde_json::from_value::<SeenUser>(user.clone()) else {
            return;
        };
        let primary = |list: &[SeenIdentification], primary: &Option<String>| {
            list.iter()
                .find(|identification| identification.id.is_some() && identification.id == *primary)
                .cloned()
        };
        let email = primary(&seen.email_addresses, &seen.primary_email_address_id);
        let phone = primary(&seen.phone_numbers, &seen.primary_phone_number_id);
        let is_verified = |identification: &SeenIdentification| {
            identification
                .verification
                .as_ref()
                .is_some_and(|verification| verification.status == "verified")
        };
        let verified = |identification: &Option<SeenIdentification>| {
            identification.as_ref().is_some_and(is_verified)
        };
        // The identifications other than the primary one, in the order the answer gave them.
        let others = |list: &[SeenIdentification],
                      primary: &Option<SeenIdentification>,
                      value: fn(&SeenIdentification) -> Option<String>| {
            list.iter()
                .filter(|identification| {
                    primary
                        .as_ref()
                        .is_none_or(|primary| primary.id != identification.id)
                })
                .filter_map(|identification| {
                    Some(IdentifierEntry {
                        value: value(identification)?,
                        verified: is_verified(identification),
                    })
                })
                .collect::<Vec<_>>()
        };
        let other_email_addresses = if email.is_some() {
            others(&seen.email_addresses, &email, |seen| {
                seen.email_address.clone()
            })
        } else {
            Vec::new()
        };
        let other_phone_numbers = if phone.is_some() {
            others(&seen.phone_numbers, &phone, |seen| {
                seen.phone_number.clone()
            })
        } else {
            Vec::new()
        };
        self.users.entry(seen.id.to_string()).or_default();
        let entry = UserEntry {
            id: seen.id,
            external_id: seen.external_id,
            first_name: seen.first_name,
            last_name: seen.last_name,
            username: seen.username,
            email_verified: verified(&email),
            email_address: email.and_then(|email| email.email_address),
            phone_number_verified: verified(&phone),
            phone_number: phone.and_then(|phone| phone.phone_number),
            other_email_addresses,
            other_phone_numbers,
            image_url: seen.image_url,
            public_metadata: seen.public_metadata.unwrap_or_else(|| json!({})),
            private_metadata: seen
                .private_metadata
                .filter(Value::is_object)
                .unwrap_or_else(|| json!({})),
            unsafe_metadata: seen.unsafe_metadata.unwrap_or_else(|| json!({})),
            password_enabled: seen.password_enabled,
            banned: seen.banned,
            memberships: Vec::new(),
            created_at: Some(Moment::At(seen.created_at)),
        };
        self.user_answers.insert(seen.id.to_string(), entry);
    }

    fn organization(&mut self, organization: &Value) {
        let Ok(seen) = serde_json::from_value::<SeenOrganization>(organization.clone()) else {
            return;
        };
        let entry = OrganizationEntry {
            public_metadata: seen.public_metadata.unwrap_or_else(|| json!({})),
            private_metadata: seen
                .private_metadata
                .filter(Value::is_object)
                .unwrap_or_else(|| json!({})),
            max_allowed_memberships: seen.max_allowed_memberships.unwrap_or(0),
            created_at: seen.created_at.map(Moment::At),
            ..OrganizationEntry::new(seen.id, seen.name, seen.slug)
        };
        self.organization_answers.insert(seen.id.to_string(), entry);
    }

    /// A membership shows its organization whole, and its member's role there.
    fn membership(&mut self, membership: &Value) {
        self.organization(&membership["organization"]);
        let (Some(organization), Some(user), Some(role)) = (
            membership["organization"]["id"].as_str(),
            membership["public_user_data"]["user_id"].as_str(),
            membership["role"].as_str(),
        ) else {
            return;
        };
        self.organizations
            .entry(organization.to_owned())
            .or_default();
        self.users
            .entry(user.to_owned())
            .or_default()
            .insert(organization.to_owned(), role.to_owned());
    }

    /// A token's `o` claim names the organization's slug and the user's role in it.
    fn token_claims(&mut self, claims: &Value) {
        let (Some(user), Some(organization)) = (claims["sub"].as_str(), claims["o"]["id"].as_str())
        else {
            return;
        };
        if let Some(slug) = claims["o"]["slg"].as_str() {
            self.organizations
                .insert(organization.to_owned(), Some(slug.to_owned()));
        }
        if let Some(role) = claims["o"]["rol"].as_str() {
            self.users
                .entry(user.to_owned())
                .or_default()
                .insert(organization.to_owned(), format!("org:{role}"));
        }
    }

    /// The recording as a data document.
    pub fn document(&self) -> Document {
        let organizations = self
            .organizations
            .keys()
            .chain(self.organization_answers.keys())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|id| {
                if let Some(answered) = self.organization_answers.get(id) {
                    return Some(answered.clone());
                }
                let slug = self
                    .organizations
                    .get(id)
                    .cloned()
                    .flatten()
                    .unwrap_or_else(|| id.to_lowercase());
                Some(OrganizationEntry::new(
                    OrganizationId::parse(id)?,
                    slug.clone(),
                    slug,
                ))
            })
            .collect();
        let users = self
            .users
            .iter()
            .filter_map(|(id, memberships)| {
                let answered = self.user_answers.get(id).cloned();
                Some(UserEntry {
                    memberships: memberships
                        .iter()
                        .filter_map(|(organization, role)| {
                            Some(MembershipEntry::new(
                                OrganizationId::parse(organization)?,
                                role.clone(),
                            ))
                        })
                        .collect(),
                    ..answered.map_or_else(|| UserId::parse(id).map(UserEntry::new), Some)?
                })
            })
            .collect();
        let jwt_templates = self
            .templates
            .iter()
            .map(|name| TemplateEntry::new(name, json!({})))
            .collect();
        Document {
            organizations,
            users,
            sessions: self.sessions.values().cloned().collect(),
            jwt_templates,
        }
    }
}

/// A session as the upstream answered it: the fields a recording keeps, read with the
/// document's own id and status types (a session the mock could not load is not recorded).
#[derive(Deserialize)]
struct SeenSession {
    id: SessionId,
    user_id: UserId,
    client_id: ClientId,
    status: SessionStatus,
    actor: Option<Map<String, Value>>,
    last_active_organization_id: Option<OrganizationId>,
    latest_activity: Option<SeenActivity>,
    #[serde(default, deserialize_with = "null_as_empty")]
    tasks: Vec<SeenTask>,
    created_at: i64,
    last_active_at: i64,
    updated_at: i64,
    expire_at: i64,
    abandon_at: i64,
}

/// An organization as the upstream answered it: what a recording keeps of it.
#[derive(Deserialize)]
struct SeenOrganization {
    id: OrganizationId,
    name: String,
    slug: String,
    public_metadata: Option<Value>,
    private_metadata: Option<Value>,
    max_allowed_memberships: Option<i64>,
    created_at: Option<i64>,
}

/// A user as the upstream answered it: what a recording keeps of it.
#[derive(Deserialize)]
struct SeenUser {
    id: UserId,
    external_id: Option<String>,
    private_metadata: Option<Value>,
    #[serde(default)]
    password_enabled: bool,
    #[serde(default)]
    banned: bool,
    first_name: Option<String>,
    last_name: Option<String>,
    username: Option<String>,
    image_url: Option<String>,
    public_metadata: Option<Value>,
    unsafe_metadata: Option<Value>,
    primary_email_address_id: Option<String>,
    primary_phone_number_id: Option<String>,
    #[serde(default)]
    email_addresses: Vec<SeenIdentification>,
    #[serde(default)]
    phone_numbers: Vec<SeenIdentification>,
    created_at: i64,
}

/// An email address or a phone number of a user answer.
#[derive(Clone, Deserialize)]
struct SeenIdentification {
    id: Option<String>,
    email_address: Option<String>,
    phone_number: Option<String>,
    verification: Option<SeenVerification>,
}

#[derive(Clone, Deserialize)]
struct SeenVerification {
    status: String,
}

#[derive(Deserialize)]
struct SeenActivity {
    device_type: String,
    is_mobile: bool,
    browser_name: String,
    browser_version: String,
    ip_address: std::net::IpAddr,
    city: String,
    country: String,
}

#[derive(Deserialize)]
struct SeenTask {
    key: String,
}

/// `tasks` is absent before API version 2025-03-12 and may be `null` after.
fn null_as_empty<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<SeenTask>, D::Error> {
    Ok(Option::<Vec<SeenTask>>::deserialize(deserializer)?.unwrap_or_default())
}

/// A JWT's claims, read without checking the signature (the recording keeps no token).
fn unverified_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

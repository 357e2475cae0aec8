//! What the entries of a data document (fixtures, loads, exports) become in the domain, and
//! what the domain exports back. The entries themselves are `clerk_mock_document`'s, shared
//! with the conformance suite's recorder.

use std::net::IpAddr;
use std::sync::Arc;

use clerk_mock_document::{
    ActivityEntry, IdentifierEntry, MembershipEntry, Moment, OrganizationEntry, SessionEntry,
    TemplateEntry, UserEntry,
};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::domain::session::SessionTask;
use crate::domain::user::{Identifier, IdentifierStatus, Membership};
use crate::domain::{ClientId, Organization, Session, SessionActivity, SessionId, User, free_form};
use crate::tokens::{JwtTemplate, TOKEN_LIFETIME_RANGE, shortcodes};

/// The image a user without `image_url` gets.
const DEFAULT_IMAGE_URL: &str = "https://img.clerk.com/mock/default.png";

/// The most a template may shift `nbf` before `iat`.
const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// The organization an entry writes, with the instance's clock at `now_ms`.
pub fn organization(entry: &OrganizationEntry, now_ms: i64) -> Organization {
    let created_at = entry.created_at.map_or(now_ms, |at| at.at(now_ms));
    let base = Organization::new(
        entry.id,
        entry.name.as_str(),
        entry.slug.as_str(),
        created_at,
    );
    Organization {
        image_url: entry
            .image_url
            .as_deref()
            .map_or(base.image_url.clone(), Arc::from),
        public_metadata: entry.public_metadata.clone(),
        private_metadata: entry.private_metadata.clone(),
        max_allowed_memberships: entry.max_allowed_memberships,
        admin_delete_enabled: entry.admin_delete_enabled,
        created_by: entry.created_by,
        ..base
    }
}

/// An organization as a document writes it.
pub fn organization_entry(organization: &Organization) -> OrganizationEntry {
    OrganizationEntry {
        image_url: Some(organization.image_url.to_string()),
        public_metadata: organization.public_metadata.clone(),
        private_metadata: organization.private_metadata.clone(),
        max_allowed_memberships: organization.max_allowed_memberships,
        admin_delete_enabled: organization.admin_delete_enabled,
        created_by: organization.created_by,
        created_at: Some(Moment::At(organization.created_at)),
        ..OrganizationEntry::new(
            organization.id,
            organization.name.to_string(),
            organization.slug.to_string(),
        )
    }
}

/// The user an entry writes, with the instance's clock at `now_ms`. The primary email address
/// and phone number come first, so their ids are the first ones.
pub fn user(entry: &UserEntry, now_ms: i64) -> User {
    let text = |value: &Option<String>| value.as_deref().map(Arc::from);
    let status = |verified: bool| {
        if verified {
            IdentifierStatus::Verified
        } else {
            IdentifierStatus::Unverified
        }
    };
    let identifiers = |primary: &Option<String>, verified: bool, others: &[IdentifierEntry]| {
        primary
            .iter()
            .map(|value| Identifier::new(value.as_str(), status(verified)))
            .chain(
                others
                    .iter()
                    .map(|other| Identifier::new(other.value.as_str(), status(other.verified))),
            )
            .collect::<Vec<_>>()
    };
    let created_at = entry.created_at.map_or(now_ms, |at| at.at(now_ms));
    let image_url = Arc::from(entry.image_url.as_deref().unwrap_or(DEFAULT_IMAGE_URL));
    let email_addresses = identifiers(
        &entry.email_address,
        entry.email_verified,
        &entry.other_email_addresses,
    );
    let phone_numbers = identifiers(
        &entry.phone_number,
        entry.phone_number_verified,
        &entry.other_phone_numbers,
    );
    User {
        external_id: text(&entry.external_id),
        first_name: text(&entry.first_name),
        last_name: text(&entry.last_name),
        username: text(&entry.username),
        primary_email_address: (!email_addresses.is_empty()).then_some(0),
        primary_phone_number: (!phone_numbers.is_empty()).then_some(0),
        email_addresses,
        phone_numbers,
        public_metadata: entry.public_metadata.clone(),
        private_metadata: entry.private_metadata.clone(),
        unsafe_metadata: entry.unsafe_metadata.clone(),
        password_enabled: entry.password_enabled,
        banned: entry.banned,
        memberships: entry
            .memberships
            .iter()
            .map(|membership| Membership {
                public_metadata: membership.public_metadata.clone(),
                private_metadata: membership.private_metadata.clone(),
                ..Membership::new(
                    membership.organization_id,
                    membership.role.as_str(),
                    membership.created_at.map_or(created_at, |at| at.at(now_ms)),
                )
            })
            .collect(),
        ..User::new(entry.id, image_url, created_at)
    }
}

/// A user as a document writes it: the primary email address and phone number as
/// `email_address` and `phone_number`, the others after them in their order. Reserved
/// identifiers are written as not verified.
pub fn user_entry(user: &User) -> UserEntry {
    let text = |value: &Option<Arc<str>>| value.as_deref().map(str::to_owned);
    let split = |identifiers: &[Identifier], primary: Option<usize>| {
        let primary_one = primary.and_then(|index| identifiers.get(index));
        let others = identifiers
            .iter()
            .enumerate()
            .filter(|(index, _)| Some(*index) != primary)
            .map(|(_, other)| IdentifierEntry {
                value: other.value.to_string(),
                verified: other.status == IdentifierStatus::Verified,
            })
            .collect();
        (
            primary_one.map(|one| one.value.to_string()),
            primary_one.is_some_and(|one| one.status == IdentifierStatus::Verified),
            others,
        )
    };
    let (email_address, email_verified, other_email_addresses) =
        split(&user.email_addresses, user.primary_email_address);
    let (phone_number, phone_number_verified, other_phone_numbers) =
        split(&user.phone_numbers, user.primary_phone_number);
    UserEntry {
        id: user.id,
        external_id: text(&user.external_id),
        first_name: text(&user.first_name),
        last_name: text(&user.last_name),
        username: text(&user.username),
        email_address,
        email_verified,
        phone_number,
        phone_number_verified,
        other_email_addresses,
        other_phone_numbers,
        image_url: Some(user.image_url.to_string()),
        public_metadata: user.public_metadata.clone(),
        private_metadata: user.private_metadata.clone(),
        unsafe_metadata: user.unsafe_metadata.clone(),
        password_enabled: user.password_enabled,
        banned: user.banned,
        memberships: user
            .memberships
            .iter()
            .map(|membership| MembershipEntry {
                public_metadata: membership.public_metadata.clone(),
                private_metadata: membership.private_metadata.clone(),
                created_at: Some(Moment::At(membership.created_at)),
                ..MembershipEntry::new(membership.organization_id, membership.role.to_string())
            })
            .collect(),
        created_at: Some(Moment::At(user.created_at)),
    }
}

/// The session an entry writes, with the instance's clock at `now_ms`; a missing id or client is
/// drawn from `rng`.
pub fn session(entry: &SessionEntry, rng: &mut ChaCha8Rng, now_ms: i64) -> Session {
    let at = |moment: Option<Moment>| moment.map(|moment| moment.at(now_ms));
    let created_at = at(entry.created_at).unwrap_or(now_ms);
    let last_active_at = at(entry.last_active_at).unwrap_or(created_at);
    let id = entry.id.unwrap_or_else(|| SessionId::random(rng));
    let client_id = entry.client_id.unwrap_or_else(|| ClientId::random(rng));
    let started = Session::new(id, entry.user_id, client_id, created_at);
    Session {
        status: entry.status,
        actor: entry
            .actor
            .clone()
            .map(|actor| Arc::new(Value::Object(actor))),
        last_active_organization_id: entry.active_organization_id,
        latest_activity: entry
            .activity
            .as_ref()
            .map(|entry| Arc::new(activity(entry))),
        tasks: entry
            .tasks
            .iter()
            .map(|key| SessionTask {
                key: Arc::from(key.as_str()),
            })
            .collect(),
        last_active_at,
        expire_at: at(entry.expire_at).unwrap_or(started.expire_at),
        abandon_at: at(entry.abandon_at).unwrap_or(started.abandon_at),
        updated_at: at(entry.updated_at).unwrap_or(last_active_at),
        ..started
    }
}

/// A session as a document writes it.
pub fn session_entry(session: &Session) -> SessionEntry {
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
        created_at: Some(Moment::At(session.created_at)),
        last_active_at: Some(Moment::At(session.last_active_at)),
        updated_at: Some(Moment::At(session.updated_at)),
        expire_at: Some(Moment::At(session.expire_at)),
        abandon_at: Some(Moment::At(session.abandon_at)),
    }
}

fn activity(entry: &ActivityEntry) -> SessionActivity {
    SessionActivity {
        device_type: Arc::from(entry.device_type.as_str()),
        is_mobile: entry.is_mobile,
        browser_name: Arc::from(entry.browser_name.as_str()),
        browser_version: Arc::from(entry.browser_version.as_str()),
        ip_address: Arc::from(entry.ip_address.to_string()),
        city: Arc::from(entry.city.as_str()),
        country: Arc::from(entry.country.as_str()),
    }
}

fn activity_entry(activity: &SessionActivity) -> ActivityEntry {
    ActivityEntry {
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

/// Checks a template entry (its name, claims, shortcodes, lifetime and skew) and turns it into a
/// [`JwtTemplate`].
pub fn template(entry: &TemplateEntry) -> Result<JwtTemplate, String> {
    let name_ok = !entry.name.is_empty()
        && entry
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !name_ok {
        return Err("a name is letters, digits, `_` and `-`".into());
    }
    if !entry.claims.is_object() {
        return Err("claims must be a JSON object".into());
    }
    if let Some(problem) = free_form::too_large("claims", &entry.claims) {
        return Err(problem);
    }
    shortcodes::check(&entry.claims)?;
    if !TOKEN_LIFETIME_RANGE.contains(&entry.lifetime) {
        return Err(format!(
            "lifetime must be between {} and {} seconds",
            TOKEN_LIFETIME_RANGE.start(),
            TOKEN_LIFETIME_RANGE.end()
        ));
    }
    let skew = u64::try_from(entry.allowed_clock_skew)
        .ok()
        .filter(|skew| *skew <= MAX_CLOCK_SKEW_SECS.unsigned_abs())
        .ok_or_else(|| {
            format!("allowed_clock_skew must be between 0 and {MAX_CLOCK_SKEW_SECS} seconds")
        })?;
    Ok(JwtTemplate {
        name: entry.name.clone(),
        claims: entry.claims.clone(),
        lifetime_secs: entry.lifetime.unsigned_abs(),
        allowed_clock_skew_secs: skew,
    })
}

/// A template as a document writes it.
pub fn template_entry(template: &JwtTemplate) -> TemplateEntry {
    TemplateEntry {
        name: template.name.clone(),
        claims: template.claims.clone(),
        lifetime: i64::try_from(template.lifetime_secs).unwrap_or(i64::MAX),
        allowed_clock_skew: i64::try_from(template.allowed_clock_skew_secs).unwrap_or(i64::MAX),
    }
}

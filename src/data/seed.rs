//! Seeding: an instance's starting data as a pure function of (fixtures, seed, key, counts, now).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use fake::Fake;
use fake::faker::company::en::CompanyName;
use fake::faker::name::en::{FirstName, LastName};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

use super::entries;
use super::fixtures::Fixtures;
pub use super::held::InstanceData;
use crate::domain::clock::duration_ms;
use crate::domain::identifiers::slugify;
use crate::domain::roles;
use crate::domain::session::{SESSION_ABANDON_AFTER, SESSION_LIFETIME};
use crate::domain::user::{IdentifierStatus, Membership};
use crate::domain::{
    ClientId, Organization, OrganizationId, Session, SessionActivity, SessionId, SessionStatus,
    User, UserId,
};
use crate::store::SessionStore;

/// How much to generate on top of the fixtures, and from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSpec {
    pub seed: u64,
    pub users: usize,
    /// Organizations generated besides the fixtures'.
    pub organizations: usize,
    pub sessions: usize,
    /// Keep an index of every session, for lists without a filter (lenient mode).
    pub list_all: bool,
}

/// The random generator for an instance: a function of the seed and the instance's key digest.
pub fn instance_rng(seed: u64, key_digest: &[u8]) -> ChaCha8Rng {
    let mut hasher = Sha256::new();
    hasher.update(seed.to_le_bytes());
    hasher.update(key_digest);
    ChaCha8Rng::from_seed(hasher.finalize().into())
}

/// How many generated sessions pass between two progress reports.
pub const PROGRESS_EVERY: usize = 100_000;

/// Builds an instance's starting data. The same arguments give the same data, byte for byte.
/// `progress` hears (sessions generated, sessions to generate) every [`PROGRESS_EVERY`].
pub fn seed(
    fixtures: &Fixtures,
    spec: SeedSpec,
    rng: &mut ChaCha8Rng,
    now_ms: i64,
    progress: &mut dyn FnMut(usize, usize),
) -> InstanceData {
    let mut organizations: HashMap<_, _> = fixtures
        .data
        .organizations
        .iter()
        .map(|organization| (organization.id, entries::organization(organization, now_ms)))
        .collect();
    // Drawn before the users, and nothing is drawn without them, so that the default (none)
    // keeps the users a seed always made.
    let mut slugs: std::collections::HashSet<String> = organizations
        .values()
        .map(|organization| organization.slug.to_string())
        .collect();
    for _ in 0..spec.organizations {
        let organization = generated_organization(rng, &mut slugs, now_ms);
        organizations.insert(organization.id, organization);
    }

    let mut users: HashMap<_, _> = fixtures
        .data
        .users
        .iter()
        .map(|user| (user.id, entries::user(user, now_ms)))
        .collect();

    let mut sessions: Vec<Session> = fixtures
        .data
        .sessions
        .iter()
        .map(|session| entries::session(session, rng, now_ms))
        .collect();

    let catalog = Catalog::new();
    let mut organization_ids: Vec<_> = organizations.keys().copied().collect();
    // In a fixed order: the map's own order changes from run to run.
    organization_ids.sort();
    let generated_users: Vec<User> = (0..spec.users)
        .map(|n| generated_user(n, rng, &organization_ids, now_ms))
        .collect();
    if !generated_users.is_empty() {
        // Each generated user gets a few devices (clients) that their sessions come from; the
        // sessions of one client share its activity record.
        let clients: Vec<Vec<(ClientId, Arc<SessionActivity>)>> = generated_users
            .iter()
            .map(|_| {
                (0..rng.random_range(1..=3))
                    .map(|_| {
                        let client = ClientId::random(rng);
                        let device = rng.random_range(0..catalog.devices.len());
                        (client, Arc::new(catalog.activity(device, rng)))
                    })
                    .collect()
            })
            .collect();
        sessions.reserve(spec.sessions);
        for generated in 0..spec.sessions {
            if generated > 0 && generated % PROGRESS_EVERY == 0 {
                progress(generated, spec.sessions);
            }
            let owner = rng.random_range(0..generated_users.len());
            let user_clients = &clients[owner];
            let (client_id, activity) = &user_clients[rng.random_range(0..user_clients.len())];
            sessions.push(generated_session(
                &generated_users[owner],
                *client_id,
                Arc::clone(activity),
                rng,
                now_ms,
            ));
        }
    }
    users.extend(generated_users.into_iter().map(|user| (user.id, user)));

    InstanceData::new(
        users,
        organizations,
        SessionStore::from_sessions(sessions, spec.list_all),
        fixtures
            .templates
            .iter()
            .map(|template| (template.name.clone(), template.clone()))
            .collect(),
    )
}

/// A new active session for `user`, as `POST /v1/sessions` creates it.
pub fn new_session(
    user: UserId,
    active_organization: Option<OrganizationId>,
    rng: &mut ChaCha8Rng,
    now_ms: i64,
) -> Session {
    let id = SessionId::random(rng);
    Session {
        last_active_organization_id: active_organization,
        ..Session::new(id, user, ClientId::random(rng), now_ms)
    }
}

/// A generated organization: a company name, the slug it makes (with a number while taken), a
/// creation time in the past year.
fn generated_organization(
    rng: &mut ChaCha8Rng,
    slugs: &mut std::collections::HashSet<String>,
    now_ms: i64,
) -> Organization {
    let name: String = CompanyName().fake_with_rng(rng);
    let base = slugify(&name);
    let slug = (1_u64..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|slug| !slugs.contains(slug))
        .unwrap_or(base);
    slugs.insert(slug.clone());
    let created_at = now_ms - rng.random_range(0..duration_ms(Duration::from_secs(365 * 86_400)));
    Organization::new(OrganizationId::random(rng), name, slug, created_at)
}

fn generated_user(
    n: usize,
    rng: &mut ChaCha8Rng,
    organizations: &[OrganizationId],
    now_ms: i64,
) -> User {
    let first: String = FirstName().fake_with_rng(rng);
    let last: String = LastName().fake_with_rng(rng);
    let handle = format!("{}.{}{n}", first.to_lowercase(), last.to_lowercase())
        .replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "");
    let id = UserId::random(rng);
    let plan = ["free", "pro", "team"][rng.random_range(0..3)];
    let membership_of = if !organizations.is_empty() && rng.random_bool(0.2) {
        Some(organizations[rng.random_range(0..organizations.len())])
    } else {
        None
    };
    // The number follows from the user's place, so that no two users (nor a fixture, nor the
    // `+1555...` numbers tests create) share one; the draw stays, so that a seed still makes the
    // same users otherwise.
    let phone_number = rng.random_bool(0.5).then(|| {
        let _ = rng.random_range(0..10_000);
        Arc::from(format!("+1556{n:07}"))
    });
    let status = |verified: bool| {
        if verified {
            IdentifierStatus::Verified
        } else {
            IdentifierStatus::Unverified
        }
    };
    // Drawn in the order generated users always drew them, so that a seed still makes the
    // same users.
    let email_status = status(rng.random_bool(0.9));
    let phone_status = status(phone_number.is_some() && rng.random_bool(0.7));
    let created_at = now_ms - rng.random_range(0..duration_ms(Duration::from_secs(365 * 86_400)));
    let mut user = User {
        first_name: Some(Arc::from(first)),
        last_name: Some(Arc::from(last)),
        username: Some(Arc::from(handle.as_str())),
        public_metadata: serde_json::json!({ "plan": plan }),
        memberships: membership_of
            .map(|organization| Membership::new(organization, roles::MEMBER, created_at))
            .into_iter()
            .collect(),
        ..User::new(
            id,
            Arc::from(format!("https://img.clerk.com/mock/{id}.png")),
            created_at,
        )
        .with_email(format!("{handle}@example.com"), email_status)
    };
    if let Some(phone) = phone_number {
        user = user.with_phone(phone, phone_status);
    }
    user
}

/// A generated session whose status fits its age, as Clerk's would after that long.
fn generated_session(
    user: &User,
    client_id: ClientId,
    activity: Arc<SessionActivity>,
    rng: &mut ChaCha8Rng,
    now_ms: i64,
) -> Session {
    let lifetime = duration_ms(SESSION_LIFETIME);
    let abandon_after = duration_ms(SESSION_ABANDON_AFTER);
    let age = rng.random_range(0..duration_ms(Duration::from_secs(45 * 86_400)));
    let created_at = now_ms - age;
    let expire_at = created_at + lifetime;
    let abandon_at = created_at + abandon_after;
    let roll = rng.random_range(0..100);
    let status = if age < lifetime {
        match roll {
            0..70 => SessionStatus::Active,
            70..78 => SessionStatus::Revoked,
            78..90 => SessionStatus::Ended,
            90..94 => SessionStatus::Removed,
            94..98 => SessionStatus::Replaced,
            _ => SessionStatus::Pending,
        }
    } else if age < abandon_after {
        match roll {
            0..60 => SessionStatus::Expired,
            60..80 => SessionStatus::Ended,
            80..90 => SessionStatus::Revoked,
            90..95 => SessionStatus::Removed,
            _ => SessionStatus::Replaced,
        }
    } else {
        match roll {
            0..30 => SessionStatus::Abandoned,
            30..70 => SessionStatus::Expired,
            70..90 => SessionStatus::Ended,
            _ => SessionStatus::Revoked,
        }
    };
    let active_span = age.min(lifetime).max(1);
    let last_active_at = created_at + rng.random_range(0..active_span);
    let updated_at = match status {
        SessionStatus::Active | SessionStatus::Pending => last_active_at,
        SessionStatus::Expired => expire_at,
        SessionStatus::Abandoned => abandon_at,
        _ => last_active_at + rng.random_range(0..(now_ms - last_active_at).max(1)),
    };
    let organization = user
        .memberships
        .first()
        .filter(|_| rng.random_bool(0.5))
        .map(|membership| membership.organization_id);
    let tasks: Arc<[_]> = if status == SessionStatus::Pending {
        Arc::new([crate::domain::session::SessionTask {
            key: Arc::from("choose-organization"),
        }])
    } else {
        Arc::new([])
    };
    Session {
        status,
        last_active_organization_id: organization,
        latest_activity: Some(activity),
        tasks,
        last_active_at,
        expire_at,
        abandon_at,
        updated_at,
        ..Session::new(SessionId::random(rng), user.id, client_id, created_at)
    }
}

/// A kind of device: its type, whether it is mobile, its browser and the browser's version.
type Device = (Arc<str>, bool, Arc<str>, Arc<str>);

/// The devices, browsers and places generated activity is drawn from.
struct Catalog {
    devices: Vec<Device>,
    places: Vec<(Arc<str>, Arc<str>)>,
}

impl Catalog {
    fn new() -> Self {
        let devices = [
            ("Macintosh", false, "Chrome", "131.0.0.0"),
            ("Macintosh", false, "Safari", "18.1"),
            ("Windows", false, "Edge", "131.0.0.0"),
            ("Windows", false, "Chrome", "130.0.0.0"),
            ("Linux", false, "Firefox", "133.0"),
            ("iPhone", true, "Safari", "18.1"),
            ("Android", true, "Chrome Mobile", "131.0.0.0"),
            ("iPad", true, "Safari", "17.6"),
        ];
        let places = [
            ("Berlin", "DE"),
            ("San Francisco", "US"),
            ("New York", "US"),
            ("London", "GB"),
            ("Paris", "FR"),
            ("Tokyo", "JP"),
            ("São Paulo", "BR"),
            ("Sydney", "AU"),
            ("Toronto", "CA"),
            ("Bengaluru", "IN"),
        ];
        Self {
            devices: devices
                .into_iter()
                .map(|(device, mobile, browser, version)| {
                    (
                        Arc::from(device),
                        mobile,
                        Arc::from(browser),
                        Arc::from(version),
                    )
                })
                .collect(),
            places: places
                .into_iter()
                .map(|(city, country)| (Arc::from(city), Arc::from(country)))
                .collect(),
        }
    }

    fn activity(&self, device: usize, rng: &mut ChaCha8Rng) -> SessionActivity {
        let (device_type, is_mobile, browser_name, browser_version) = &self.devices[device];
        let (city, country) = &self.places[rng.random_range(0..self.places.len())];
        // Addresses come from the documentation ranges (RFC 5737), never a real host.
        let networks = [[192, 0, 2], [198, 51, 100], [203, 0, 113]];
        let [a, b, c] = networks[rng.random_range(0..networks.len())];
        let ip = IpAddr::V4(Ipv4Addr::new(a, b, c, rng.random_range(1..255)));
        SessionActivity {
            device_type: device_type.clone(),
            is_mobile: *is_mobile,
            browser_name: browser_name.clone(),
            browser_version: browser_version.clone(),
            ip_address: Arc::from(ip.to_string()),
            city: city.clone(),
            country: country.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{ListQuery, ListScope};

    use super::*;
    use crate::domain::ApiVersion;

    const NOW: i64 = 1_764_000_000_000;
    const SPEC: SeedSpec = SeedSpec {
        seed: 42,
        users: 20,
        organizations: 0,
        sessions: 300,
        list_all: true,
    };

    fn all_sessions(data: &InstanceData) -> Vec<Session> {
        data.sessions
            .list(&ListQuery {
                scope: ListScope::All,
                status: None,
                version: ApiVersion::V2026_05_12,
                now_ms: NOW,
                limit: usize::MAX,
                offset: 0,
            })
            .sessions
            .into_iter()
            .cloned()
            .collect()
    }

    fn seeded(key: &[u8]) -> InstanceData {
        let fixtures = Fixtures::embedded().expect("embedded fixtures");
        seed(
            &fixtures,
            SPEC,
            &mut instance_rng(SPEC.seed, key),
            NOW,
            &mut |_, _| {},
        )
    }

    #[test]
    fn the_same_seed_and_key_give_the_same_data() {
        assert_eq!(all_sessions(&seeded(b"key")), all_sessions(&seeded(b"key")));
    }

    #[test]
    fn another_key_gives_other_generated_data_but_the_same_fixtures() {
        let first = all_sessions(&seeded(b"one"));
        let second = all_sessions(&seeded(b"two"));
        assert_ne!(first, second);
        let fixtures = Fixtures::embedded().expect("embedded fixtures");
        for fixture in &fixtures.data.sessions {
            assert!(first.iter().any(|session| Some(session.id) == fixture.id));
            assert!(second.iter().any(|session| Some(session.id) == fixture.id));
        }
    }

    /// The fixtures and `users` and `sessions` generated ones.
    fn generated(users: usize, sessions: usize) -> InstanceData {
        let spec = SeedSpec {
            seed: 1,
            users,
            organizations: 0,
            sessions,
            list_all: false,
        };
        let fixtures = Fixtures::embedded().expect("embedded fixtures");
        seed(
            &fixtures,
            spec,
            &mut instance_rng(1, b"k"),
            NOW,
            &mut |_, _| {},
        )
    }

    #[test]
    fn no_two_users_share_an_identifier() {
        let data = generated(5_000, 0);
        let mut seen = std::collections::HashSet::new();
        for user in data.users.values() {
            for email in user.email_addresses() {
                assert!(seen.insert(email.value.to_string()), "{}", email.value);
            }
            for phone in user.phone_numbers() {
                assert!(seen.insert(phone.value.to_string()), "{}", phone.value);
            }
            if let Some(username) = &user.username {
                assert!(seen.insert(username.to_string()), "{username}");
            }
        }
    }

    #[test]
    fn the_data_is_charged_about_what_it_takes() {
        // A server seeded with a million sessions grows by about 626 bytes of RSS per session
        // (bench/README.md); the charge should be of that order, and not much less.
        let per_session = generated(1_000, 10_000).bytes() / 10_000;
        assert!((550..1_200).contains(&per_session), "{per_session} B");
    }

    #[test]
    fn generated_organizations_have_free_slugs_and_take_members() {
        let fixtures = Fixtures::embedded().expect("embedded fixtures");
        let spec = SeedSpec {
            organizations: 30,
            ..SPEC
        };
        let data = seed(
            &fixtures,
            spec,
            &mut instance_rng(1, b"k"),
            NOW,
            &mut |_, _| {},
        );
        assert_eq!(data.organizations.len(), 32);
        let mut slugs: Vec<_> = data
            .organizations
            .values()
            .map(|o| o.slug.clone())
            .collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), 32, "every slug is one organization's");
        assert!(
            slugs
                .iter()
                .all(|slug| crate::domain::identifiers::slug_problem(slug).is_none())
        );
        let without = seed(
            &fixtures,
            SPEC,
            &mut instance_rng(1, b"k"),
            NOW,
            &mut |_, _| {},
        );
        assert_eq!(without.organizations.len(), 2);
    }

    #[test]
    fn users_are_charged_about_what_they_take() {
        // A server seeded with half a million users grows by about 2.3 KB of RSS per user,
        // what generating them leaves in the allocator included (bench/README.md): the charge
        // should be of that order, and not much less.
        let per_user = generated(10_000, 0).bytes() / 10_000;
        assert!((1_500..4_000).contains(&per_user), "{per_user} B");
    }

    #[test]
    fn generated_sessions_read_with_the_status_they_were_given() {
        let data = seeded(b"key");
        let sessions = all_sessions(&data);
        assert_eq!(
            sessions.len(),
            SPEC.sessions + Fixtures::embedded().map_or(0, |f| f.data.sessions.len())
        );
        for session in &sessions {
            assert_eq!(session.status_at(NOW), session.status, "{session:?}");
            assert!(session.created_at <= session.updated_at, "{session:?}");
            assert!(data.users.contains_key(&session.user_id));
        }
    }
}

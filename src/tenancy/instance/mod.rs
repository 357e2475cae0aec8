//! An instance (a tenant, one per secret key): its users, sessions, templates, clock and key.
//! Its operations live beside this module by concern: [`sessions`], [`users`], [`tokens`], and
//! [`data`] (load, export, reset).

mod changes;
mod data;
mod organizations;
mod sessions;
mod sign_in_tokens;
mod tokens;
mod users;

use std::sync::Arc;

use parking_lot::RwLock;
use rand_chacha::ChaCha8Rng;

use crate::data::Fixtures;
use crate::data::seed::{self, InstanceData, SeedSpec};
use clerk_mock_document::Document;

use crate::data::EntryProblem;
use crate::data::document;
use crate::domain::{Clock, InstanceId};
use crate::tenancy::faults::{FaultPlan, Faults};
use crate::tenancy::journal::Journal;
use crate::tenancy::memory_budget::{MemoryBudget, OverBudget};
use crate::tokens::{KeyMaterial, RefreshTokens, SigningKey, TokenSettings};
use crate::webhooks::{WebhookSettings, Webhooks};

pub use data::{LoadError, LoadOutcome, RestoreError, SavedEndpoint, SavedInstance};
pub use organizations::{MemberSort, NewOrganization, OrganizationWriteError, SetActiveError};
pub use sessions::{CreateSessionError, NewSession};
pub use sign_in_tokens::{NewSignInToken, RedeemError, RevokeSignInTokenError};
pub use tokens::{MintError, RefreshError, RefreshProof, TokenKind, VerifyError};
pub use users::{Restriction, UserWriteError};

/// What every instance of a server is made from.
#[derive(Debug, Clone)]
pub struct InstanceDefaults {
    pub fixtures: Arc<Fixtures>,
    pub spec: SeedSpec,
    pub tokens: Arc<TokenSettings>,
    /// How many requests each instance's journal keeps.
    pub journal_size: usize,
    /// The faults every instance starts with.
    pub faults: Arc<FaultPlan>,
    /// Data documents loaded on top of the seeded data (`--data`), in order.
    pub documents: Arc<[StartDocument]>,
    /// How the instance's webhooks are written and retried, and the endpoint it starts with.
    pub webhooks: Arc<WebhookSettings>,
}

/// A data document an instance starts with, and the file it came from.
#[derive(Debug, Clone)]
pub struct StartDocument {
    pub name: String,
    pub document: Document,
}

/// Why an instance could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
    #[error("{name}: {}", crate::data::document::one_line(problems))]
    Document {
        name: String,
        problems: Vec<EntryProblem>,
    },
}

/// One tenant. All of its data sits behind one lock; reads take it shared.
#[derive(Debug)]
pub struct Instance {
    id: InstanceId,
    /// What the instance was seeded from, so that it can be reset to that state.
    fixtures: Arc<Fixtures>,
    spec: SeedSpec,
    documents: Arc<[StartDocument]>,
    /// What the instance's id, generated data and refresh tokens derive from.
    secret: [u8; 32],
    /// Shared with the webhooks' delivery tasks, whose retries it drives.
    clock: Arc<Clock>,
    signing: SigningKey,
    tokens: Arc<TokenSettings>,
    refresh_tokens: RefreshTokens,
    held: RwLock<Held>,
    journal: Journal,
    faults: Faults,
    /// What the instance's data is charged to; every write that grows it is charged first.
    budget: Arc<MemoryBudget>,
    /// The endpoints told of its changes.
    webhooks: Webhooks,
}

/// What the instance's lock guards: its data, and the generator that draws the ids of what is
/// created later (so that they too follow from the seed). One lock for both keeps them in step:
/// a reset or a load replaces them together, so no create can draw from the old generator into
/// the new data, an id the new generator would draw again and silently replace.
#[derive(Debug)]
struct Held {
    data: InstanceData,
    ids: ChaCha8Rng,
}

impl Instance {
    /// Seeds a new instance whose key's secret (made of the key by the registry) is `secret`,
    /// charging its data to `budget`; refused when the seeded data alone does not fit.
    pub fn seeded(
        defaults: &InstanceDefaults,
        secret: [u8; 32],
        key_material: Arc<KeyMaterial>,
        budget: Arc<MemoryBudget>,
    ) -> Result<Self, SeedError> {
        let id = InstanceId::from_digest(&derived(&secret, b"instance id"));
        let clock = Arc::new(Clock::system());
        let sources = (&*defaults.fixtures, defaults.spec, &*defaults.documents);
        let (data, rng) = Self::seed_data(id, sources, &secret, &clock)?;
        budget.change(0, data.bytes())?;
        Ok(Self {
            id,
            fixtures: Arc::clone(&defaults.fixtures),
            spec: defaults.spec,
            documents: Arc::clone(&defaults.documents),
            secret,
            clock: Arc::clone(&clock),
            signing: SigningKey::new(id, key_material),
            tokens: Arc::clone(&defaults.tokens),
            refresh_tokens: RefreshTokens::new(&derived(&secret, b"refresh tokens")),
            held: RwLock::new(Held { data, ids: rng }),
            journal: Journal::new(defaults.journal_size, Arc::clone(&budget)),
            faults: Faults::new(Arc::clone(&defaults.faults)),
            budget,
            webhooks: Webhooks::new(id, clock, Arc::clone(&defaults.webhooks)),
        })
    }

    /// The fixtures, the generated data, then the start documents on top.
    fn seed_data(
        id: InstanceId,
        (fixtures, spec, documents): (&Fixtures, SeedSpec, &[StartDocument]),
        secret: &[u8; 32],
        clock: &Clock,
    ) -> Result<(InstanceData, ChaCha8Rng), SeedError> {
        let mut rng = seed::instance_rng(spec.seed, &derived(secret, b"generated data"));
        let mut progress = |generated: usize, total: usize| {
            tracing::info!(instance = %id, generated, total, "seeding sessions");
        };
        let now_ms = clock.now_ms();
        let mut data = seed::seed(fixtures, spec, &mut rng, now_ms, &mut progress);
        for start in documents {
            document::prepare(&start.document, &data, &mut rng, now_ms)
                .map_err(|problems| SeedError::Document {
                    name: start.name.clone(),
                    problems,
                })?
                .apply(&mut data);
        }
        Ok((data, rng))
    }

    pub fn id(&self) -> InstanceId {
        self.id
    }

    /// The latency, failures and rate limit the instance's requests meet.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The last requests the instance answered.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The endpoints told of the instance's changes.
    pub fn webhooks(&self) -> &Webhooks {
        &self.webhooks
    }

    /// The instance's clock, which tests may freeze, set or advance.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Now on this instance's clock, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// A value for one `purpose` derived from an instance's secret, which reveals nothing of the
/// secret or of the values for other purposes.
fn derived(secret: &[u8; 32], purpose: &[u8]) -> [u8; 32] {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    let mut value = [0; 32];
    value.copy_from_slice(aws_lc_rs::hmac::sign(&key, purpose).as_ref());
    value
}

/// An instance that goes gives its data's memory back to its budget.
impl Drop for Instance {
    fn drop(&mut self) {
        self.budget.force(self.held.get_mut().data.bytes(), 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_instance() -> Instance {
        let fixtures = Arc::new(Fixtures::embedded().expect("embedded fixtures"));
        let defaults = InstanceDefaults {
            fixtures: Arc::clone(&fixtures),
            spec: SeedSpec {
                seed: 1,
                users: 2,
                organizations: 0,
                sessions: 5,
                list_all: false,
            },
            tokens: Arc::new(TokenSettings {
                issuer: "http://127.0.0.1".to_owned(),
                authorized_party: None,
            }),
            journal_size: 0,
            faults: Arc::default(),
            documents: Arc::new([]),
            webhooks: Arc::default(),
        };
        let budget = Arc::new(MemoryBudget::new(usize::MAX));
        Instance::seeded(
            &defaults,
            [7; 32],
            Arc::clone(&fixtures.signing_key),
            budget,
        )
        .expect("seeded")
    }

    fn session_count(instance: &Instance) -> usize {
        instance.held.read().data.sessions.session_count()
    }

    fn first_user(instance: &Instance) -> String {
        instance
            .held
            .read()
            .data
            .users
            .keys()
            .next()
            .expect("a seeded user")
            .to_string()
    }

    fn create(instance: &Instance, user: &str) {
        instance
            .create_session(NewSession {
                user,
                organization: None,
                actor: None,
            })
            .expect("created");
    }

    #[test]
    fn ids_a_load_drew_are_never_drawn_again_by_a_create() {
        let instance = small_instance();
        let user = first_user(&instance);
        for replace in [false, true] {
            let sessions: Vec<serde_json::Value> = (0..5)
                .map(|_| serde_json::json!({ "user_id": user }))
                .collect();
            let serde_json::Value::Object(json) = serde_json::json!({
                "users": [{ "id": user }],
                "sessions": sessions,
            }) else {
                unreachable!("a JSON object")
            };
            let loaded = document::read(&json).expect("a valid document");
            instance.load(&loaded, replace, false).expect("loaded");
            for _ in 0..5 {
                let before = session_count(&instance);
                create(&instance, &user);
                assert_eq!(session_count(&instance), before + 1, "replace={replace}");
            }
        }
    }

    #[test]
    fn creates_racing_a_reset_never_leave_an_id_the_generator_draws_again() {
        const CREATES_PER_ROUND: usize = 20;
        let instance = small_instance();
        let user = first_user(&instance);
        for round in 0..300 {
            std::thread::scope(|scope| {
                scope.spawn(|| {
                    for _ in 0..CREATES_PER_ROUND {
                        create(&instance, &user);
                    }
                });
                scope.spawn(|| instance.reset());
            });
            // Whatever the interleaving was, the ids drawn next are new to the data: a create
            // that drew from the old generator into the new data would be replaced by one of
            // these.
            for _ in 0..=CREATES_PER_ROUND {
                let before = session_count(&instance);
                create(&instance, &user);
                assert_eq!(
                    session_count(&instance),
                    before + 1,
                    "round {round}: a create replaced a session of the same id"
                );
            }
        }
    }
}

//! The instances the server knows, found by secret key.
//!
//! Keys are looked up by a 128-bit SipHash under a key drawn at start-up, so finding an instance
//! takes the same time however much of a guessed key is right, and the registry keeps no key in
//! clear. What is public about an instance (its id, the tokens' `kid`; its generated ids) derives
//! from a secret made of the key by PBKDF2, salted with `--id-secret` or else the fixtures'
//! signing key: the same from run to run, so tokens keep verifying across restarts, and costly
//! to invert, so a token tells nothing cheap about the key that made it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use std::num::NonZeroU32;

use aws_lc_rs::pbkdf2;
use parking_lot::RwLock;
use sha2::{Digest, Sha256};
use siphasher::sip128::SipHasher13;

use crate::domain::InstanceId;
use crate::tenancy::instance::{
    Instance, InstanceDefaults, LoadError, RestoreError, SeedError, StartDocument,
};
use crate::tenancy::memory_budget::{MemoryBudget, OverBudget};
use crate::tenancy::state_file::{Saved, StateFile, StateFileError};
use crate::tokens::KeyMaterial;
use crate::tokens::signing::KeyError;

/// The prefix of the keys that "accept any test key" mode takes.
pub const TEST_KEY_PREFIX: &str = "sk_test_";

/// What an instance's public identifiers and generated data derive from.
type InstanceSecret = [u8; 32];

/// PBKDF2 rounds per key: a few milliseconds once per instance, and as much per guess for
/// anyone testing guesses of a key against a token.
const KEY_DERIVATION_ROUNDS: NonZeroU32 = NonZeroU32::new(20_000).expect("not zero");

/// The secret of `key`'s instance, salted with `salt`.
fn instance_secret(key: &str, salt: &[u8; 32]) -> InstanceSecret {
    let mut secret = [0; 32];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        KEY_DERIVATION_ROUNDS,
        salt,
        key.as_bytes(),
        &mut secret,
    );
    secret
}

/// What an instance is found by: its key's SipHash under the registry's own random key. A
/// collision between two keys is as unlikely as guessing 128 random bits, and nobody without the
/// registry's key can aim for one. SHA-256 costs twenty times more, and is paid on every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct LookupKey(u128);

/// Hashes a [`LookupKey`] for the map: it is already a keyed hash, so its low bits are used as
/// they are.
#[derive(Debug, Default)]
struct LookupKeyHasher(u64);

impl Hasher for LookupKeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u128(&mut self, value: u128) {
        // The low 64 bits, which are as random as the rest.
        self.0 = value as u64;
    }
}

type Instances = HashMap<LookupKey, Registered, BuildHasherDefault<LookupKeyHasher>>;

/// How the registry decides which keys it accepts and what their instances hold.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    pub defaults: InstanceDefaults,
    /// Accept any well-formed `sk_test_` key, seeding its instance on first use.
    pub accept_any_test_key: bool,
    /// Give each instance a freshly generated signing key instead of the fixture key.
    pub generate_signing_keys: bool,
    /// How many instances may be created on demand (`POST /__admin/instances`) at once.
    pub max_on_demand: usize,
    /// How much data each configured instance, and the instances created on demand together,
    /// may hold.
    pub memory_bytes: usize,
    /// Salts the derivation of instance secrets; the fixtures' signing key does when absent.
    pub id_secret: Option<String>,
    /// Data documents the configured instances start with (`--data`); instances on demand
    /// start without them.
    pub start_documents: Arc<[StartDocument]>,
    /// Where the instances' data is kept across restarts (`--state`): each instance made starts
    /// from its saved state when the file holds one.
    pub state: Option<Arc<StateFile>>,
}

/// An instance and how it came to be.
#[derive(Debug, Clone)]
struct Registered {
    instance: Arc<Instance>,
    /// Created through the admin API (and deletable), rather than configured or accepted.
    on_demand: bool,
}

/// Why an instance could not be created or deleted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("no more than {0} instances may be created on demand")]
    LimitReached(usize),
    #[error("instances created on demand may take no more than {0} MiB")]
    MemoryBudget(usize),
    #[error("only instances created on demand can be deleted")]
    NotDeletable,
    #[error("{0}")]
    Key(String),
}

/// Why the configured instances could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SeedingError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(
        "the seeded data of an instance takes more than {} MiB; raise --instance-memory-mib or seed less (--sessions, --users)",
        .0.limit_mib
    )]
    OverBudget(#[from] OverBudget),
    #[error("--data {0}")]
    Document(String),
    #[error("{0}")]
    State(String),
}

impl From<SeedError> for SeedingError {
    fn from(error: SeedError) -> Self {
        match error {
            SeedError::OverBudget(over) => Self::OverBudget(over),
            document @ SeedError::Document { .. } => Self::Document(document.to_string()),
        }
    }
}

/// Every instance, by its secret key's [`LookupKey`].
#[derive(Debug)]
pub struct Registry {
    config: RegistryConfig,
    /// What every instance secret is salted with.
    salt: [u8; 32],
    /// What the instances created on demand hold together.
    on_demand_budget: Arc<MemoryBudget>,
    hasher: SipHasher13,
    instances: RwLock<Instances>,
    /// The instance of the first configured key, which operator pages show by default.
    primary: Option<InstanceId>,
}

/// What a secret key names.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// The key's instance.
    Found(Arc<Instance>),
    /// A key accepted on first use whose instance does not exist yet.
    OnDemand,
    /// A key the server does not accept.
    Refused,
}

impl Registry {
    /// A registry with one seeded instance per configured key.
    pub fn new(config: RegistryConfig, keys: &[String]) -> Result<Self, SeedingError> {
        let hasher = SipHasher13::new_with_key(&rand::random());
        let salt: [u8; 32] = match &config.id_secret {
            Some(secret) => Sha256::digest(secret.as_bytes()).into(),
            None => config.defaults.fixtures.signing_key_digest,
        };
        let mut instances = Instances::default();
        let mut primary = None;
        for key in keys {
            let budget = Arc::new(MemoryBudget::new(config.memory_bytes));
            let defaults = InstanceDefaults {
                documents: Arc::clone(&config.start_documents),
                ..config.defaults.clone()
            };
            let instance =
                Self::seed_instance(&config, &defaults, instance_secret(key, &salt), budget)?;
            restore_saved(&config, &instance).map_err(SeedingError::State)?;
            primary.get_or_insert(instance.id());
            let instance = Arc::new(instance);
            instances.insert(
                LookupKey(hasher.hash(key.as_bytes()).as_u128()),
                Registered {
                    instance,
                    on_demand: false,
                },
            );
        }
        Ok(Self {
            salt,
            on_demand_budget: Arc::new(MemoryBudget::new(config.memory_bytes)),
            config,
            hasher,
            instances: RwLock::new(instances),
            primary,
        })
    }

    fn seed_instance(
        config: &RegistryConfig,
        defaults: &InstanceDefaults,
        secret: InstanceSecret,
        budget: Arc<MemoryBudget>,
    ) -> Result<Instance, SeedingError> {
        let key_material = if config.generate_signing_keys {
            Arc::new(KeyMaterial::generate()?)
        } else {
            Arc::clone(&config.defaults.fixtures.signing_key)
        };
        Ok(Instance::seeded(defaults, secret, key_material, budget)?)
    }

    fn lookup_key(&self, key: &str) -> LookupKey {
        LookupKey(self.hasher.hash(key.as_bytes()).as_u128())
    }

    /// What `key` names, without seeding anything: its instance, an instance to create on demand
    /// (with `--accept-any-test-key`, a new `sk_test_` key), or nothing the server accepts.
    pub fn lookup(&self, key: &str) -> Lookup {
        if let Some(registered) = self.instances.read().get(&self.lookup_key(key)) {
            return Lookup::Found(Arc::clone(&registered.instance));
        }
        if self.config.accept_any_test_key && is_test_key(key) {
            Lookup::OnDemand
        } else {
            Lookup::Refused
        }
    }

    /// Whether `key` is one the server was configured with (`--secret-key`), rather than one
    /// accepted on first use or created on demand.
    pub fn is_configured(&self, key: &str) -> bool {
        self.instances
            .read()
            .get(&self.lookup_key(key))
            .is_some_and(|registered| !registered.on_demand)
    }

    /// The instance of `key`, seeding it on this thread if it is a new key accepted on first
    /// use; `Ok(None)` if the server does not accept the key.
    #[cfg(test)]
    fn instance(&self, key: &str) -> Result<Option<Arc<Instance>>, RegistryError> {
        match self.lookup(key) {
            Lookup::Found(instance) => Ok(Some(instance)),
            Lookup::OnDemand => self.create_on_demand_for(key).map(Some),
            Lookup::Refused => Ok(None),
        }
    }

    /// Creates an instance with a fresh random `sk_test_` key; returns the key and the instance.
    pub fn create_on_demand(&self) -> Result<(String, Arc<Instance>), RegistryError> {
        let key = format!("{TEST_KEY_PREFIX}{}", random_key_body());
        let instance = self.create_on_demand_for(&key)?;
        Ok((key, instance))
    }

    /// The instance of `key`, seeded on demand within the bounds of instances created on demand
    /// (their number and their memory). Seeding, the slow part, happens outside the registry's
    /// lock; a key whose instance appeared meanwhile gets that one. This blocks: the HTTP side
    /// calls it on the [`Seeder`](crate::tenancy::seeder::Seeder)'s thread.
    pub fn create_on_demand_for(&self, key: &str) -> Result<Arc<Instance>, RegistryError> {
        if let Some(registered) = self.instances.read().get(&self.lookup_key(key)) {
            return Ok(Arc::clone(&registered.instance));
        }
        let within_count = |instances: &Instances| {
            if instances.values().filter(|r| r.on_demand).count() >= self.config.max_on_demand {
                Err(RegistryError::LimitReached(self.config.max_on_demand))
            } else {
                Ok(())
            }
        };
        within_count(&self.instances.read())?;
        let instance = Arc::new(
            Self::seed_instance(
                &self.config,
                &self.config.defaults,
                instance_secret(key, &self.salt),
                Arc::clone(&self.on_demand_budget),
            )
            .map_err(|error| match error {
                SeedingError::OverBudget(over) => RegistryError::MemoryBudget(over.limit_mib),
                SeedingError::Key(error) => RegistryError::Key(error.to_string()),
                // Instances on demand start without the start documents.
                SeedingError::Document(problem) | SeedingError::State(problem) => {
                    RegistryError::Key(problem)
                }
            })?,
        );
        restore_saved(&self.config, &instance).map_err(RegistryError::Key)?;
        let lookup_key = self.lookup_key(key);
        let mut instances = self.instances.write();
        if let Some(registered) = instances.get(&lookup_key) {
            return Ok(Arc::clone(&registered.instance));
        }
        // Checked again under the write lock: creations may race.
        within_count(&instances)?;
        instances.insert(
            lookup_key,
            Registered {
                instance: Arc::clone(&instance),
                on_demand: true,
            },
        );
        Ok(instance)
    }

    /// Deletes the instance of `key`, if it was created on demand.
    pub fn delete(&self, key: &str) -> Result<InstanceId, RegistryError> {
        let lookup_key = self.lookup_key(key);
        let mut instances = self.instances.write();
        match instances.get(&lookup_key) {
            Some(registered) if registered.on_demand => {
                let id = registered.instance.id();
                instances.remove(&lookup_key);
                if let Some(state) = &self.config.state {
                    state.forget(id);
                }
                Ok(id)
            }
            _ => Err(RegistryError::NotDeletable),
        }
    }

    /// The instance with this id, or the primary one when `id` is `None`.
    pub fn instance_by_id(&self, id: Option<&str>) -> Option<Arc<Instance>> {
        let wanted = match id {
            Some(text) => InstanceId::parse(text)?,
            None => self.primary?,
        };
        self.instances
            .read()
            .values()
            .find(|registered| registered.instance.id() == wanted)
            .map(|registered| Arc::clone(&registered.instance))
    }

    pub fn instance_count(&self) -> usize {
        self.instances.read().len()
    }

    /// The state file (`--state`), if there is one.
    pub fn state_path(&self) -> Option<String> {
        self.config
            .state
            .as_ref()
            .map(|state| state.path().display().to_string())
    }

    /// Writes every instance to the state file (`--state`); `Ok(None)` when there is none.
    pub fn save_state(&self) -> Result<Option<Saved>, StateFileError> {
        let Some(state) = &self.config.state else {
            return Ok(None);
        };
        // The snapshots are taken outside the registry's lock, one instance at a time.
        let instances: Vec<Arc<Instance>> = self
            .instances
            .read()
            .values()
            .map(|registered| Arc::clone(&registered.instance))
            .collect();
        let live = instances
            .iter()
            .map(|instance| (instance.id(), instance.snapshot()));
        state.save(live).map(Some)
    }
}

/// Puts back the state file's saved state of `instance`, if it has one; a saved state that does
/// not load is put back for a later save to keep, and the reason is returned.
fn restore_saved(config: &RegistryConfig, instance: &Instance) -> Result<(), String> {
    let Some(state) = &config.state else {
        return Ok(());
    };
    let Some(saved) = state.take(instance.id()) else {
        return Ok(());
    };
    if let Err(error) = instance.restore(&saved) {
        state.put_back(instance.id(), saved);
        let problem = match error {
            RestoreError::Load(LoadError::Invalid(problems)) => {
                crate::data::document::one_line(&problems)
            }
            other => other.to_string(),
        };
        return Err(format!(
            "--state {}: instance {} does not load: {problem}",
            state.path().display(),
            instance.id()
        ));
    }
    tracing::info!(instance = %instance.id(), "restored from the state file");
    Ok(())
}

/// 32 random letters and digits, from the operating system's randomness.
fn random_key_body() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// `sk_test_` followed by 1 to 200 letters, digits, `_` or `-`.
pub fn is_test_key(key: &str) -> bool {
    key.strip_prefix(TEST_KEY_PREFIX).is_some_and(|rest| {
        (1..=200).contains(&rest.len())
            && rest
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Fixtures, SeedSpec};
    use crate::tokens::TokenSettings;

    fn config(accept_any_test_key: bool) -> RegistryConfig {
        RegistryConfig {
            defaults: InstanceDefaults {
                fixtures: Arc::new(Fixtures::embedded().expect("embedded fixtures")),
                spec: SeedSpec {
                    seed: 1,
                    users: 2,
                    organizations: 0,
                    sessions: 5,
                    list_all: false,
                },
                journal_size: 10,
                faults: Arc::default(),
                documents: Arc::new([]),
                webhooks: Arc::default(),
                tokens: Arc::new(TokenSettings {
                    issuer: "http://127.0.0.1".to_owned(),
                    authorized_party: None,
                }),
            },
            accept_any_test_key,
            generate_signing_keys: false,
            max_on_demand: 2,
            memory_bytes: usize::MAX,
            id_secret: None,
            start_documents: Arc::new([]),
            state: None,
        }
    }

    #[test]
    fn only_configured_keys_are_accepted_by_default() {
        let registry = Registry::new(config(false), &["sk_test_one".to_owned()]).expect("registry");
        assert!(
            registry
                .instance("sk_test_one")
                .expect("within bounds")
                .is_some()
        );
        assert!(
            registry
                .instance("sk_test_two")
                .expect("within bounds")
                .is_none()
        );
    }

    #[test]
    fn any_test_key_gets_its_own_stable_instance_when_enabled() {
        let registry = Registry::new(config(true), &[]).expect("registry");
        let accepted = |key: &str| registry.instance(key).ok().flatten().expect("accepted");
        let first = accepted("sk_test_ci_job_1");
        let again = accepted("sk_test_ci_job_1");
        let other = accepted("sk_test_ci_job_2");
        assert!(Arc::ptr_eq(&first, &again));
        assert_ne!(first.id(), other.id());
        for refused in ["sk_live_abc", "sk_test_", "sk_test_has space"] {
            assert!(
                registry
                    .instance(refused)
                    .expect("no bound involved")
                    .is_none()
            );
        }
    }

    #[test]
    fn instances_on_demand_are_bounded_and_only_they_can_be_deleted() {
        let registry = Registry::new(config(false), &["sk_test_one".to_owned()]).expect("registry");
        let (first, _) = registry.create_on_demand().expect("created");
        let (second, _) = registry.create_on_demand().expect("created");
        assert_ne!(first, second);
        assert!(registry.instance(&first).expect("within bounds").is_some());
        assert_eq!(
            registry.create_on_demand().err(),
            Some(RegistryError::LimitReached(2))
        );
        assert_eq!(
            registry.delete("sk_test_one"),
            Err(RegistryError::NotDeletable)
        );
        assert!(registry.delete(&first).is_ok());
        assert!(registry.instance(&first).expect("within bounds").is_none());
        assert!(registry.create_on_demand().is_ok());
    }

    #[test]
    fn instances_are_found_by_id_and_the_first_key_is_primary() {
        let keys = ["sk_test_one".to_owned(), "sk_test_two".to_owned()];
        let registry = Registry::new(config(false), &keys).expect("registry");
        let one = registry
            .instance("sk_test_one")
            .ok()
            .flatten()
            .expect("accepted");
        let two = registry
            .instance("sk_test_two")
            .ok()
            .flatten()
            .expect("accepted");
        assert_eq!(
            registry.instance_by_id(None).map(|i| i.id()),
            Some(one.id())
        );
        let by_id = registry.instance_by_id(Some(&two.id().to_string()));
        assert_eq!(by_id.map(|i| i.id()), Some(two.id()));
        assert!(registry.instance_by_id(Some("ins_nope")).is_none());
    }
}

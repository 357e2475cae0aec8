//! The instances the server knows, found by secret key.
//!
//! Keys are looked up by their SHA-256 digest, so finding an instance takes the same time
//! however much of a guessed key is right, and no key is kept in memory in clear.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;
use sha2::{Digest, Sha256};

use crate::domain::Clock;
use crate::fixtures::Fixtures;
use crate::instance::Instance;
use crate::seed::SeedSpec;

/// The prefix of the keys that "accept any test key" mode takes.
pub const TEST_KEY_PREFIX: &str = "sk_test_";

type KeyDigest = [u8; 32];

fn digest(key: &str) -> KeyDigest {
    Sha256::digest(key.as_bytes()).into()
}

/// How the registry decides which keys it accepts and what their instances hold.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    pub fixtures: Arc<Fixtures>,
    pub spec: SeedSpec,
    pub clock: Clock,
    /// Accept any well-formed `sk_test_` key, seeding its instance on first use.
    pub accept_any_test_key: bool,
}

/// Every instance, by the digest of its secret key.
#[derive(Debug)]
pub struct Registry {
    config: RegistryConfig,
    instances: RwLock<HashMap<KeyDigest, Arc<Instance>>>,
}

impl Registry {
    /// A registry with one seeded instance per configured key.
    pub fn new(config: RegistryConfig, keys: &[String]) -> Self {
        let instances = keys
            .iter()
            .map(|key| {
                let key_digest = digest(key);
                let instance =
                    Instance::seeded(&config.fixtures, config.spec, &key_digest, config.clock);
                (key_digest, Arc::new(instance))
            })
            .collect();
        Self {
            config,
            instances: RwLock::new(instances),
        }
    }

    /// The instance of `key`, if the server accepts it.
    pub fn instance(&self, key: &str) -> Option<Arc<Instance>> {
        let key_digest = digest(key);
        if let Some(instance) = self.instances.read().get(&key_digest) {
            return Some(Arc::clone(instance));
        }
        if !(self.config.accept_any_test_key && is_test_key(key)) {
            return None;
        }
        let mut instances = self.instances.write();
        let instance = instances.entry(key_digest).or_insert_with(|| {
            Arc::new(Instance::seeded(
                &self.config.fixtures,
                self.config.spec,
                &key_digest,
                self.config.clock,
            ))
        });
        Some(Arc::clone(instance))
    }

    pub fn instance_count(&self) -> usize {
        self.instances.read().len()
    }
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

    fn config(accept_any_test_key: bool) -> RegistryConfig {
        RegistryConfig {
            fixtures: Arc::new(Fixtures::embedded().expect("embedded fixtures")),
            spec: SeedSpec {
                seed: 1,
                users: 2,
                sessions: 5,
            },
            clock: Clock::Fixed(1_764_000_000_000),
            accept_any_test_key,
        }
    }

    #[test]
    fn only_configured_keys_are_accepted_by_default() {
        let registry = Registry::new(config(false), &["sk_test_one".to_owned()]);
        assert!(registry.instance("sk_test_one").is_some());
        assert!(registry.instance("sk_test_two").is_none());
    }

    #[test]
    fn any_test_key_gets_its_own_stable_instance_when_enabled() {
        let registry = Registry::new(config(true), &[]);
        let first = registry.instance("sk_test_ci_job_1").expect("accepted");
        let again = registry.instance("sk_test_ci_job_1").expect("accepted");
        let other = registry.instance("sk_test_ci_job_2").expect("accepted");
        assert!(Arc::ptr_eq(&first, &again));
        assert_ne!(first.id(), other.id());
        assert!(registry.instance("sk_live_abc").is_none());
        assert!(registry.instance("sk_test_").is_none());
        assert!(registry.instance("sk_test_has space").is_none());
    }
}

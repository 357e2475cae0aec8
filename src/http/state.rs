//! What every handler shares: the instances (once seeded) and the server-wide settings.

use std::sync::{Arc, OnceLock};

use crate::domain::ApiVersion;
use crate::error::ApiError;
use crate::tenancy::registry::Registry;
use crate::tenancy::seeder::Seeder;
use crate::tenancy::unauthenticated::UnauthenticatedJournal;

/// Shared by all workers.
#[derive(Debug)]
pub struct AppState {
    /// Set once seeding has finished; until then the API answers 503.
    registry: OnceLock<Arc<Registry>>,
    /// The version used when a request names none.
    pub default_version: ApiVersion,
    /// List all sessions when neither `user_id` nor `client_id` is given, instead of a 400.
    pub lenient_list: bool,
    /// Answer verify with 410 whatever the API version.
    pub retire_verify: bool,
    /// Where instances created on demand are seeded.
    pub seeder: Seeder,
    /// The requests that belonged to no instance.
    pub unauthenticated: UnauthenticatedJournal,
}

impl AppState {
    pub fn new(
        default_version: ApiVersion,
        lenient_list: bool,
        retire_verify: bool,
        seeder: Seeder,
    ) -> Self {
        Self {
            registry: OnceLock::new(),
            default_version,
            lenient_list,
            retire_verify,
            seeder,
            unauthenticated: UnauthenticatedJournal::default(),
        }
    }

    /// Publishes the seeded instances; the first call wins.
    pub fn set_registry(&self, registry: Arc<Registry>) {
        // A second call can only come from a second seeding, whose result is the same.
        let _ = self.registry.set(registry);
    }

    /// The instances, or a 503 while they are still being seeded.
    pub fn registry(&self) -> Result<&Arc<Registry>, ApiError> {
        // Not `ok_or`, which would build and drop the error on every request.
        match self.registry.get() {
            Some(registry) => Ok(registry),
            None => Err(ApiError::NotReady),
        }
    }
}

//! Loading a data document into an instance, exporting what it holds, and resetting it to its
//! seeded state.

use parking_lot::RwLockUpgradableReadGuard;

use super::{Held, Instance};
use crate::data::seed::InstanceData;
use clerk_mock_document::Document;

use super::changes::{session_change, user_change};
use crate::data::document::{self, Created, DocumentCounts, EntryProblem};
use crate::domain::ClockSetting;
use crate::domain::SessionStatus;
use crate::tenancy::memory_budget::OverBudget;
use crate::webhooks::KeptEndpoint;
use crate::webhooks::event::{Change, EventType};
use aws_lc_rs::aead;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// What a state file keeps of an instance (`--state`): its data as a document, how far its
/// sequence of ids has gone (so that no id drawn before a restart is drawn again), its clock, and
/// the webhook endpoints registered through the admin API.
#[derive(Debug, Clone)]
pub struct SavedInstance {
    pub data: Document,
    pub ids_drawn: u128,
    pub clock: ClockSetting,
    pub webhooks: Vec<SavedEndpoint>,
}

/// A webhook endpoint as a state file keeps it: its signing secret sealed (AES-256-GCM) with a
/// key derived from the instance's secret key, which the file does not hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedEndpoint {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub events: Option<Vec<String>>,
    pub sealed_secret: String,
    pub created_at: i64,
}

/// Why a saved instance was not put back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("the secret of webhook endpoint {0} was sealed with another key")]
    Sealed(String),
    #[error("a webhook endpoint: {0}")]
    Webhook(String),
}

/// Why a document was not loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("the document has problems")]
    Invalid(Vec<EntryProblem>),
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
}

impl Instance {
    /// Puts the instance back in its seeded state: what was created goes, what was changed
    /// comes back, ids are drawn again from the start of the seed's sequence, the clock is the
    /// wall clock again and the faults are the server's configured ones.
    pub fn reset(&self) -> usize {
        self.clock.reset();
        self.faults.restore();
        let sources = (&*self.fixtures, self.spec, &*self.documents);
        let (data, rng) = match Self::seed_data(self.id, sources, &self.secret, &self.clock) {
            Ok(seeded) => seeded,
            // The same documents on the same seeded data were accepted when the instance was made.
            Err(error) => {
                tracing::error!(instance = %self.id, %error, "reset could not load its documents");
                return self.held.read().data.sessions.session_count();
            }
        };
        let sessions = data.sessions.session_count();
        let mut current = self.held.write();
        // The seeded data was admitted when the instance was made; it is admitted again.
        self.budget.force(current.data.bytes(), data.bytes());
        *current = Held { data, ids: rng };
        sessions
    }

    /// Adds a document's data (replacing what was there first when `replace` is set); nothing
    /// changes unless every entry is valid. With `announce`, the webhooks are told of the
    /// organizations, users and sessions it creates (entries whose id was new).
    ///
    /// The document is checked and the new data built while the instance is only read, so that
    /// gets and lists go on answering from the old data; writes wait, so that none is lost.
    /// Then the new data takes the old one's place in one short step.
    pub fn load(
        &self,
        loaded: &Document,
        replace: bool,
        announce: bool,
    ) -> Result<LoadOutcome, LoadError> {
        let announce = announce && self.webhooks.is_listening();
        let now_ms = self.now_ms();
        // Writes wait for this load, so none is lost and no create draws an id meanwhile; the
        // ids the load draws come from a copy of the generator, kept only if the load is.
        let current = self.held.upgradable_read();
        let mut ids = current.ids.clone();
        let created;
        let (held, loaded) = if replace {
            let mut fresh = InstanceData::empty(self.spec.list_all);
            let prepared =
                document::prepare(loaded, &fresh, &mut ids, now_ms).map_err(LoadError::Invalid)?;
            self.budget
                .change(current.data.bytes(), prepared.bytes_after())?;
            created = announce.then(|| prepared.created(&fresh));
            let loaded = prepared.apply(&mut fresh);
            let mut held = RwLockUpgradableReadGuard::upgrade(current);
            *held = Held { data: fresh, ids };
            (held, loaded)
        } else {
            let prepared = document::prepare(loaded, &current.data, &mut ids, now_ms)
                .map_err(LoadError::Invalid)?;
            self.budget
                .change(current.data.bytes(), prepared.bytes_after())?;
            created = announce.then(|| prepared.created(&current.data));
            let mut held = RwLockUpgradableReadGuard::upgrade(current);
            let loaded = prepared.apply(&mut held.data);
            held.ids = ids;
            (held, loaded)
        };
        let outcome = LoadOutcome {
            loaded,
            total: counts_of(&held.data),
        };
        drop(held);
        if let Some(created) = created {
            self.tell(|data| creations(data, &created));
        }
        Ok(outcome)
    }

    /// Everything the instance holds now, as a document [`Instance::load`] takes back.
    pub fn export(&self) -> Document {
        document::export(&self.held.read().data)
    }

    /// What a state file keeps of the instance now.
    pub fn snapshot(&self) -> SavedInstance {
        let held = self.held.read();
        let webhooks = self
            .webhooks
            .kept()
            .into_iter()
            .map(|endpoint| SavedEndpoint {
                sealed_secret: self.seal(endpoint.secret.as_bytes()),
                id: endpoint.id,
                url: endpoint.url,
                events: endpoint.events,
                created_at: endpoint.created_at,
            })
            .collect();
        SavedInstance {
            data: document::export(&held.data),
            ids_drawn: held.ids.get_word_pos(),
            clock: self.clock.setting(),
            webhooks,
        }
    }

    /// Puts back what a state file kept: the clock, then the data in place of the seeded data,
    /// then the sequence of ids where it stood, then the webhook endpoints.
    pub fn restore(&self, saved: &SavedInstance) -> Result<(), RestoreError> {
        self.clock.apply(saved.clock);
        self.load(&saved.data, true, false)?;
        self.held.write().ids.set_word_pos(saved.ids_drawn);
        let endpoints = saved
            .webhooks
            .iter()
            .map(|endpoint| {
                let secret = self
                    .unseal(&endpoint.sealed_secret)
                    .ok_or_else(|| RestoreError::Sealed(endpoint.id.clone()))?;
                Ok(KeptEndpoint {
                    id: endpoint.id.clone(),
                    url: endpoint.url.clone(),
                    events: endpoint.events.clone(),
                    secret,
                    created_at: endpoint.created_at,
                })
            })
            .collect::<Result<Vec<_>, RestoreError>>()?;
        self.webhooks
            .restore(&endpoints)
            .map_err(|error| RestoreError::Webhook(error.to_string()))
    }

    /// `secret` sealed with the instance's own key: base64 of a random nonce, then the
    /// ciphertext and its tag.
    fn seal(&self, secret: &[u8]) -> String {
        let key = self.sealing_key();
        let nonce_bytes: [u8; aead::NONCE_LEN] = rand::random();
        let mut sealed = secret.to_vec();
        // Sealing with a 32-byte key and a fresh nonce cannot fail.
        let _ = key.seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(nonce_bytes),
            aead::Aad::empty(),
            &mut sealed,
        );
        let mut written = nonce_bytes.to_vec();
        written.extend_from_slice(&sealed);
        STANDARD.encode(written)
    }

    /// What [`Instance::seal`] sealed, if this instance's key sealed it.
    fn unseal(&self, sealed: &str) -> Option<String> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < aead::NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(aead::NONCE_LEN);
        let mut opened = ciphertext.to_vec();
        let plain = self
            .sealing_key()
            .open_in_place(
                aead::Nonce::try_assume_unique_for_key(nonce).ok()?,
                aead::Aad::empty(),
                &mut opened,
            )
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }

    fn sealing_key(&self) -> aead::LessSafeKey {
        let key = super::derived(&self.secret, b"state file seal");
        aead::LessSafeKey::new(
            aead::UnboundKey::new(&aead::AES_256_GCM, &key)
                .expect("a 32-byte key is what AES-256-GCM takes"),
        )
    }
}

/// What a load added, and what the instance holds after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOutcome {
    pub loaded: DocumentCounts,
    pub total: DocumentCounts,
}

/// What a load created, in the order webhooks are told: organizations, users, then sessions (a
/// pending session also as `session.pending`).
fn creations(data: &InstanceData, created: &Created) -> Vec<Change> {
    let organizations = created
        .organizations
        .iter()
        .filter_map(|id| data.organizations.get(id))
        .map(|organization| Change::organization(EventType::OrganizationCreated, organization));
    let users = created
        .users
        .iter()
        .filter_map(|id| data.users.get(id))
        .map(|user| user_change(data, EventType::UserCreated, user));
    let sessions = created
        .sessions
        .iter()
        .filter_map(|id| data.sessions.get(*id))
        .flat_map(|session| {
            let pending = (session.status == SessionStatus::Pending)
                .then(|| session_change(data, EventType::SessionPending, session));
            std::iter::once(session_change(data, EventType::SessionCreated, session)).chain(pending)
        });
    organizations.chain(users).chain(sessions).collect()
}

fn counts_of(data: &InstanceData) -> DocumentCounts {
    DocumentCounts {
        organizations: data.organizations.len(),
        users: data.users.len(),
        sessions: data.sessions.session_count(),
        jwt_templates: data.templates.len(),
    }
}

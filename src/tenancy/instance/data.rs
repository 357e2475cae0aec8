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
use crate::webhooks::event::{Change, EventType};

/// What a state file keeps of an instance (`--state`): its data as a document, how far its
/// sequence of ids has gone (so that no id drawn before a restart is drawn again), and its clock.
#[derive(Debug, Clone)]
pub struct SavedInstance {
    pub data: Document,
    pub ids_drawn: u128,
    pub clock: ClockSetting,
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
            created = announce.then(|| prepared.created().clone());
            let loaded = prepared.apply(&mut fresh);
            let mut held = RwLockUpgradableReadGuard::upgrade(current);
            *held = Held { data: fresh, ids };
            (held, loaded)
        } else {
            let prepared = document::prepare(loaded, &current.data, &mut ids, now_ms)
                .map_err(LoadError::Invalid)?;
            self.budget
                .change(current.data.bytes(), prepared.bytes_after())?;
            created = announce.then(|| prepared.created().clone());
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
        SavedInstance {
            data: document::export(&held.data),
            ids_drawn: held.ids.get_word_pos(),
            clock: self.clock.setting(),
        }
    }

    /// Puts back what a state file kept: the clock, then the data in place of the seeded data,
    /// then the sequence of ids where it stood.
    pub fn restore(&self, saved: &SavedInstance) -> Result<(), LoadError> {
        self.clock.apply(saved.clock);
        self.load(&saved.data, true, false)?;
        self.held.write().ids.set_word_pos(saved.ids_drawn);
        Ok(())
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

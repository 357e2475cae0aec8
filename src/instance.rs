//! An instance (a tenant, one per secret key): its users, sessions, templates, clock and key.

use std::sync::Arc;

use parking_lot::{RwLock, RwLockUpgradableReadGuard};
use rand_chacha::ChaCha8Rng;

use crate::data::Fixtures;
use crate::data::seed::{self, InstanceData, SeedSpec};
use crate::data::{Dataset, DatasetCounts, EntryProblem};
use crate::domain::clock::wall_clock_ms;
use crate::domain::{Clock, InstanceId, OrganizationId, Session, SessionId, UserId};
use crate::faults::{FaultPlan, Faults};
use crate::journal::Journal;
use crate::memory_budget::{MemoryBudget, OverBudget};
use crate::store::{ListQuery, Page};
use crate::tokens::session_claims::{self, SessionClaims, TokenSubject};
use crate::tokens::signing::{InvalidToken, Jwk};
use crate::tokens::{KeyMaterial, PublishableKey, RefreshTokens, SigningKey, TokenSettings};

/// Why a session could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateSessionError {
    #[error("no user {0}")]
    UnknownUser(String),
    #[error("no organization {0}")]
    UnknownOrganization(String),
    #[error("the user is not a member of organization {0}")]
    NotAMember(String),
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
}

/// Why a document was not loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("the document has problems")]
    Invalid(Vec<EntryProblem>),
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
}

/// A session to create: its user, and optionally an active organization and an impersonator.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession<'a> {
    pub user: &'a str,
    pub organization: Option<&'a str>,
    /// The `actor` of an impersonated session, such as `{"sub": "user_..."}`.
    pub actor: Option<serde_json::Value>,
}

/// Why a token could not be minted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MintError {
    #[error("no session")]
    UnknownSession,
    #[error("the session is not active")]
    SessionNotActive,
    #[error("no JWT template named {0}")]
    UnknownTemplate(String),
    #[error("signing failed: {0}")]
    Signing(String),
}

/// Why a session was not verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("no session")]
    UnknownSession,
    #[error("{0}")]
    InvalidToken(String),
}

/// Why a session was not refreshed. Each is a 401 to the caller, which the SDKs read as "fall
/// back to the handshake".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefreshError {
    #[error("the expired token was not issued by this instance: {0}")]
    ForeignToken(String),
    #[error("the expired token belongs to another session")]
    OtherSession,
    #[error("no session has this id")]
    UnknownSession,
    #[error("the refresh token is not this session's")]
    WrongRefreshToken,
    #[error("the session is {0} and can no longer be refreshed")]
    Ended(&'static str),
    #[error("signing failed: {0}")]
    Signing(String),
}

/// What a refresh presents: the session's expired token, its refresh token, and the origin the
/// new token is for (its `azp`).
#[derive(Debug, Clone, Copy)]
pub struct RefreshProof<'a> {
    pub expired_token: &'a str,
    pub refresh_token: &'a str,
    pub origin: &'a str,
}

/// Which token to mint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind<'a> {
    /// A session token; its lifetime defaults to 60 s.
    Session,
    /// A token from the named JWT template; its lifetime defaults to the template's.
    Template(&'a str),
}

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
}

/// A data document an instance starts with, and the file it came from.
#[derive(Debug, Clone)]
pub struct StartDocument {
    pub name: String,
    pub dataset: Dataset,
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
    clock: Clock,
    signing: SigningKey,
    tokens: Arc<TokenSettings>,
    refresh_tokens: RefreshTokens,
    held: RwLock<Held>,
    journal: Journal,
    faults: Faults,
    /// What the instance's data is charged to; every write that grows it is charged first.
    budget: Arc<MemoryBudget>,
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
        let clock = Clock::system();
        let sources = (&*defaults.fixtures, defaults.spec, &*defaults.documents);
        let (data, rng) = Self::seed_data(id, sources, &secret, &clock)?;
        budget.change(0, data.bytes())?;
        Ok(Self {
            id,
            fixtures: Arc::clone(&defaults.fixtures),
            spec: defaults.spec,
            documents: Arc::clone(&defaults.documents),
            secret,
            clock,
            signing: SigningKey::new(id, key_material),
            tokens: Arc::clone(&defaults.tokens),
            refresh_tokens: RefreshTokens::new(&derived(&secret, b"refresh tokens")),
            held: RwLock::new(Held { data, ids: rng }),
            journal: Journal::new(defaults.journal_size),
            faults: Faults::new(Arc::clone(&defaults.faults)),
            budget,
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
        for document in documents {
            document
                .dataset
                .prepare(&data, &mut rng, now_ms)
                .map_err(|problems| SeedError::Document {
                    name: document.name.clone(),
                    problems,
                })?
                .apply(&mut data);
        }
        Ok((data, rng))
    }

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
    /// changes unless every entry is valid.
    ///
    /// The document is checked and the new data built while the instance is only read, so that
    /// gets and lists go on answering from the old data; writes wait, so that none is lost.
    /// Then the new data takes the old one's place in one short step.
    pub fn load(&self, dataset: Dataset, replace: bool) -> Result<LoadOutcome, LoadError> {
        let now_ms = self.now_ms();
        // Writes wait for this load, so none is lost and no create draws an id meanwhile; the
        // ids the load draws come from a copy of the generator, kept only if the load is.
        let current = self.held.upgradable_read();
        let mut ids = current.ids.clone();
        let (held, loaded) = if replace {
            let mut fresh = InstanceData::empty(self.spec.list_all);
            let prepared = dataset
                .prepare(&fresh, &mut ids, now_ms)
                .map_err(LoadError::Invalid)?;
            self.budget
                .change(current.data.bytes(), prepared.bytes_after())?;
            let loaded = prepared.apply(&mut fresh);
            let mut held = RwLockUpgradableReadGuard::upgrade(current);
            *held = Held { data: fresh, ids };
            (held, loaded)
        } else {
            let prepared = dataset
                .prepare(&current.data, &mut ids, now_ms)
                .map_err(LoadError::Invalid)?;
            self.budget
                .change(current.data.bytes(), prepared.bytes_after())?;
            let mut held = RwLockUpgradableReadGuard::upgrade(current);
            let loaded = prepared.apply(&mut held.data);
            held.ids = ids;
            (held, loaded)
        };
        Ok(LoadOutcome {
            loaded,
            total: counts_of(&held.data),
        })
    }

    /// Everything the instance holds now, as a document [`Instance::load`] takes back.
    pub fn export(&self) -> Dataset {
        Dataset::export(&self.held.read().data)
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

    /// The instance's clock, which tests may freeze, set or advance.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Now on this instance's clock, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Presents a page of sessions while the instance is read, so that they are lent rather than
    /// copied; the query's `now_ms` should come from [`Instance::now_ms`].
    pub fn list_sessions<R>(&self, query: &ListQuery, present: impl FnOnce(Page<'_>) -> R) -> R {
        present(self.held.read().data.sessions.list(query))
    }

    pub fn session(&self, id: SessionId) -> Option<Session> {
        self.held.read().data.sessions.get(id).cloned()
    }

    /// Presents a session while the instance is read, so that it is lent rather than copied.
    pub fn present_session<R>(
        &self,
        id: SessionId,
        present: impl FnOnce(&Session) -> R,
    ) -> Option<R> {
        self.held.read().data.sessions.get(id).map(present)
    }

    /// Creates an active session for a user, optionally with an active organization and an
    /// impersonator.
    pub fn create_session(&self, wanted: NewSession<'_>) -> Result<Session, CreateSessionError> {
        let NewSession {
            user,
            organization,
            actor,
        } = wanted;
        let mut held = self.held.write();
        let Held { data, ids } = &mut *held;
        let user_record = UserId::parse(user)
            .and_then(|id| data.users.get(&id))
            .ok_or_else(|| CreateSessionError::UnknownUser(user.to_owned()))?;
        let organization = organization
            .map(|text| {
                let id = OrganizationId::parse(text)
                    .filter(|id| data.organizations.contains_key(id))
                    .ok_or_else(|| CreateSessionError::UnknownOrganization(text.to_owned()))?;
                user_record
                    .role_in(id)
                    .map(|_| id)
                    .ok_or_else(|| CreateSessionError::NotAMember(text.to_owned()))
            })
            .transpose()?;
        // The ids are drawn from a copy of the generator, kept only if the session is: a refused
        // create leaves the sequence of ids as it was.
        let mut drawing = ids.clone();
        let mut session =
            seed::new_session(user_record.id, organization, &mut drawing, self.now_ms());
        session.actor = actor.map(Arc::new);
        let before = data.bytes();
        let after = before.saturating_add_signed(data.sessions.bytes_added_by(&session));
        self.budget
            .change(before, after)
            .map_err(CreateSessionError::OverBudget)?;
        *ids = drawing;
        data.sessions.insert(session.clone());
        Ok(session)
    }

    /// Revokes a session and returns it as it now is; `None` if there is no such session.
    pub fn revoke_session(&self, id: SessionId) -> Option<Session> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        held.data.sessions.update(id, |session| {
            session.revoke(now_ms);
            session.clone()
        })
    }

    /// Mints a token for a live session; minting counts as activity on the session.
    /// `lifetime_secs` overrides the default lifetime of the kind of token.
    pub fn mint_token(
        &self,
        id: SessionId,
        kind: TokenKind<'_>,
        lifetime_secs: Option<u64>,
    ) -> Result<String, MintError> {
        self.mint(id, kind, lifetime_secs, &self.tokens)
    }

    /// The refresh token of a session of this instance, whatever its status.
    pub fn refresh_token(&self, id: SessionId) -> Option<String> {
        self.held
            .read()
            .data
            .sessions
            .get(id)
            .map(|_| self.refresh_tokens.token_for(id))
    }

    /// A new session token for a live session, given its expired token and its refresh token;
    /// the token's `azp` is the origin the refresh is for.
    pub fn refresh_session(
        &self,
        id: SessionId,
        proof: RefreshProof<'_>,
    ) -> Result<String, RefreshError> {
        /// All a refresh reads of the expired token.
        #[derive(serde::Deserialize)]
        struct Names {
            sid: String,
        }
        let claims: Names = self
            .signing
            .verify_signature(proof.expired_token)
            .map_err(|InvalidToken(reason)| RefreshError::ForeignToken(reason))?;
        if claims.sid != id.to_string() {
            return Err(RefreshError::OtherSession);
        }
        let session = self.session(id).ok_or(RefreshError::UnknownSession)?;
        if !self.refresh_tokens.is_token_for(proof.refresh_token, id) {
            return Err(RefreshError::WrongRefreshToken);
        }
        let status = session.status_at(self.now_ms());
        if !status.is_live() {
            return Err(RefreshError::Ended(status.as_str()));
        }
        let tokens = TokenSettings {
            issuer: self.tokens.issuer.clone(),
            authorized_party: Some(proof.origin.to_owned()),
        };
        self.mint(id, TokenKind::Session, None, &tokens)
            .map_err(|error| match error {
                MintError::Signing(reason) => RefreshError::Signing(reason),
                // The session ended, or went, between the check and the mint.
                MintError::UnknownSession
                | MintError::SessionNotActive
                | MintError::UnknownTemplate(_) => RefreshError::Ended("no longer active"),
            })
    }

    fn mint(
        &self,
        id: SessionId,
        kind: TokenKind<'_>,
        lifetime_secs: Option<u64>,
        tokens: &TokenSettings,
    ) -> Result<String, MintError> {
        let now_ms = self.now_ms();
        let (session, user, organization, template) = {
            let mut held = self.held.write();
            let data = &mut held.data;
            let template = match kind {
                TokenKind::Session => None,
                TokenKind::Template(name) => Some(
                    data.templates
                        .get(name)
                        .cloned()
                        .ok_or_else(|| MintError::UnknownTemplate(name.to_owned()))?,
                ),
            };
            let session = data
                .sessions
                .update(id, |session| {
                    if !session.status_at(now_ms).is_live() {
                        return Err(MintError::SessionNotActive);
                    }
                    session.last_active_at = session.last_active_at.max(now_ms);
                    session.updated_at = session.updated_at.max(now_ms);
                    Ok(session.clone())
                })
                .ok_or(MintError::UnknownSession)??;
            let user = data
                .users
                .get(&session.user_id)
                .cloned()
                .ok_or(MintError::UnknownSession)?;
            let organization = session.last_active_organization_id.and_then(|org| {
                let role = user.role_in(org)?.to_owned();
                Some((data.organizations.get(&org)?.clone(), role))
            });
            (session, user, organization, template)
        };

        // Token times follow the wall clock, which is what verifiers compare them with.
        let subject = TokenSubject {
            session: &session,
            user: &user,
            organization: organization
                .as_ref()
                .map(|(org, role)| (org, role.as_str())),
            now_secs: wall_clock_ms().div_euclid(1000),
        };
        let signed = match &template {
            None => {
                let lifetime =
                    lifetime_secs.unwrap_or(crate::tokens::DEFAULT_SESSION_TOKEN_LIFETIME_SECS);
                let claims = session_claims::session_claims(subject, tokens, seconds(lifetime));
                self.signing.sign(&claims)
            }
            Some(template) => {
                let lifetime = lifetime_secs.unwrap_or(template.lifetime_secs);
                let claims =
                    session_claims::template_claims(subject, template, tokens, seconds(lifetime));
                self.signing.sign(&claims)
            }
        };
        signed.map_err(|error| MintError::Signing(error.to_string()))
    }

    /// The session, if `token` is a live session token of this instance for it.
    pub fn verify_session(&self, id: SessionId, token: &str) -> Result<Session, VerifyError> {
        let session = self.session(id).ok_or(VerifyError::UnknownSession)?;
        let claims: SessionClaims = self
            .signing
            .verify(token, crate::tokens::SESSION_TOKEN_CLOCK_SKEW_SECS)
            .map_err(|InvalidToken(reason)| VerifyError::InvalidToken(reason))?;
        if claims.sid != id.to_string() {
            return Err(VerifyError::InvalidToken(
                "the token belongs to another session".to_owned(),
            ));
        }
        if !session.status_at(self.now_ms()).is_live() {
            return Err(VerifyError::InvalidToken(
                "the session is no longer active".to_owned(),
            ));
        }
        Ok(session)
    }

    /// The instance's public signing key as a JWK.
    pub fn jwk(&self) -> Jwk {
        self.signing.jwk()
    }

    /// The publishable key that goes with the instance's tokens.
    pub fn publishable_key(&self) -> PublishableKey {
        self.tokens.publishable_key()
    }

    /// The instance's public signing key in PEM form.
    pub fn public_key_pem(&self) -> &str {
        self.signing.public_pem()
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

/// What a load added, and what the instance holds after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOutcome {
    pub loaded: DatasetCounts,
    pub total: DatasetCounts,
}

fn counts_of(data: &InstanceData) -> DatasetCounts {
    DatasetCounts {
        organizations: data.organizations.len(),
        users: data.users.len(),
        sessions: data.sessions.session_count(),
        jwt_templates: data.templates.len(),
    }
}

fn seconds(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
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
            let serde_json::Value::Object(document) = serde_json::json!({
                "users": [{ "id": user }],
                "sessions": sessions,
            }) else {
                unreachable!("a JSON object")
            };
            let dataset = Dataset::from_document(&document).expect("a valid document");
            instance.load(dataset, replace).expect("loaded");
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

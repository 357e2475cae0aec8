//! An instance's sessions and the indexes that answer filtered, newest-first lists.

use std::collections::HashMap;

use crate::domain::{ApiVersion, ClientId, Session, SessionId, SessionStatus, UserId};

/// Sort key of the list order, kept ascending and read backwards: newest first by
/// `created_at`, ties broken by id, both descending.
type Key = (i64, SessionId);

fn sort_key(session: &Session) -> Key {
    (session.created_at, session.id)
}

/// Session keys in ascending order. A sorted vector rather than a tree: most users and clients
/// have a handful of sessions, where a vector costs its keys and a tree node costs eleven, and
/// new sessions, the newest, append at the end.
#[derive(Debug, Default, Clone)]
struct Index(Vec<Key>);

impl Index {
    fn insert(&mut self, key: Key) {
        let at = self.0.partition_point(|existing| *existing < key);
        self.0.insert(at, key);
    }

    fn remove(&mut self, key: &Key) {
        if let Ok(at) = self.0.binary_search(key) {
            self.0.remove(at);
        }
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn newest_first(&self) -> impl Iterator<Item = SessionId> + '_ {
        self.0.iter().rev().map(|(_, id)| *id)
    }

    /// Sorts keys pushed in any order, and gives back unused capacity.
    fn finish(&mut self) {
        self.0.sort_unstable();
        self.0.dedup();
        self.0.shrink_to_fit();
    }
}

/// Which sessions a list covers before the status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope {
    /// Every session of the instance (lenient mode without `user_id` or `client_id`).
    All,
    User(UserId),
    Client(ClientId),
    UserAndClient(UserId, ClientId),
    /// A filter that no session can match, such as an id that is not well formed.
    Nothing,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub scope: ListScope,
    /// Keep sessions that present this status to `version` at `now_ms`.
    pub status: Option<SessionStatus>,
    pub version: ApiVersion,
    pub now_ms: i64,
    pub limit: usize,
    pub offset: usize,
}

/// A page of sessions, lent by the store, and the number of sessions matching the filters
/// overall.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<'a> {
    pub sessions: Vec<&'a Session>,
    pub total_count: usize,
}

/// The sessions of one instance, indexed by user, by client and overall, newest first.
///
/// Sessions sit in one vector, found by id through a map to their slot: a map of small slots
/// costs a fraction of a map holding whole sessions, whose power-of-two table can be nearly half
/// empty.
#[derive(Debug, Default)]
pub struct SessionStore {
    slots: Vec<Session>,
    by_id: IdMap<SessionId, u32>,
    by_user: IdMap<UserId, Index>,
    by_client: IdMap<ClientId, Index>,
    /// Every session, for lenient lists; kept only when the server lists without a filter.
    all: Option<Index>,
    /// What the sessions and their index entries take in memory.
    bytes: usize,
}

/// What a session costs the store besides the session itself: its slot in the id map, and its
/// key in the user's, the client's and (in lenient mode) the all-sessions index, with the
/// room those collections keep spare.
const ENTRY_BYTES: usize = 2 * (size_of::<(SessionId, u32)>() + 1) + 3 * 2 * size_of::<Key>();

/// A map by id. Every request looks sessions up by id, and foldhash hashes an id several times
/// faster than the standard library's SipHash; its seed is still random per process.
type IdMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

static NO_SESSIONS: Index = Index(Vec::new());

impl SessionStore {
    /// A store holding `sessions`; a later session with an id already present replaces it.
    /// `list_all` keeps the index that lists every session (lenient mode).
    pub fn from_sessions(sessions: impl IntoIterator<Item = Session>, list_all: bool) -> Self {
        let mut store = Self::default();
        for session in sessions {
            store.put(session);
        }
        store.slots.shrink_to_fit();
        // Size every index first, so each is allocated once at its final size.
        let mut per_user: HashMap<UserId, usize> = HashMap::new();
        let mut per_client: HashMap<ClientId, usize> = HashMap::new();
        for session in &store.slots {
            *per_user.entry(session.user_id).or_default() += 1;
            *per_client.entry(session.client_id).or_default() += 1;
        }
        store.by_user = per_user
            .into_iter()
            .map(|(user, count)| (user, Index(Vec::with_capacity(count))))
            .collect();
        store.by_client = per_client
            .into_iter()
            .map(|(client, count)| (client, Index(Vec::with_capacity(count))))
            .collect();
        let mut all = list_all.then(|| Index(Vec::with_capacity(store.slots.len())));
        for session in &store.slots {
            let key = sort_key(session);
            for index in [
                store.by_user.get_mut(&session.user_id),
                store.by_client.get_mut(&session.client_id),
                all.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                index.0.push(key);
            }
        }
        // One sort per index instead of an ordered insert per session.
        for index in store
            .by_user
            .values_mut()
            .chain(store.by_client.values_mut())
            .chain(all.as_mut())
        {
            index.finish();
        }
        store.all = all;
        store
    }

    /// Whether the store keeps the index that lists every session (lenient mode).
    pub fn lists_all(&self) -> bool {
        self.all.is_some()
    }

    /// A new store holding this one's sessions and then `more`, a later one replacing an earlier
    /// with its id: built in bulk, one sort per index, so that adding many sessions costs
    /// O(n log n) rather than an ordered insert each.
    pub fn with(&self, more: impl IntoIterator<Item = Session>) -> Self {
        Self::from_sessions(self.slots.iter().cloned().chain(more), self.lists_all())
    }

    /// Stores `session` in its slot (a new one, or the one of an earlier session with its id,
    /// which is returned).
    fn put(&mut self, session: Session) -> Option<Session> {
        let bytes = session.footprint();
        if let Some(slot) = self
            .by_id
            .get(&session.id)
            .and_then(|slot| self.slots.get_mut(*slot as usize))
        {
            let previous = std::mem::replace(slot, session);
            self.bytes = (self.bytes + bytes).saturating_sub(previous.footprint());
            return Some(previous);
        }
        // Beyond four billion sessions the map would need wider slots; no instance gets there.
        let slot = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.by_id.insert(session.id, slot);
        self.slots.push(session);
        self.bytes += bytes + ENTRY_BYTES;
        None
    }

    /// What the sessions take in memory, with their index entries.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// What storing `session` would add (a session with an id already stored replaces it).
    pub fn bytes_added_by(&self, session: &Session) -> isize {
        let added = session.footprint() as isize;
        match self.get(session.id) {
            Some(previous) => added - previous.footprint() as isize,
            None => added + ENTRY_BYTES as isize,
        }
    }

    /// Every session, in the order they were stored.
    pub fn iter(&self) -> impl Iterator<Item = &Session> {
        self.slots.iter()
    }

    pub fn session_count(&self) -> usize {
        self.slots.len()
    }

    pub fn get(&self, id: SessionId) -> Option<&Session> {
        self.by_id
            .get(&id)
            .and_then(|slot| self.slots.get(*slot as usize))
    }

    fn get_mut(&mut self, id: SessionId) -> Option<&mut Session> {
        let slot = *self.by_id.get(&id)?;
        self.slots.get_mut(slot as usize)
    }

    /// Adds a session, replacing (and unindexing) any earlier one with the same id.
    pub fn insert(&mut self, session: Session) {
        let key = sort_key(&session);
        let (user, client) = (session.user_id, session.client_id);
        if let Some(previous) = self.put(session) {
            self.unindex(&previous);
        }
        self.by_user.entry(user).or_default().insert(key);
        self.by_client.entry(client).or_default().insert(key);
        if let Some(all) = &mut self.all {
            all.insert(key);
        }
    }

    fn unindex(&mut self, session: &Session) {
        let key = sort_key(session);
        if let Some(index) = self.by_user.get_mut(&session.user_id) {
            index.remove(&key);
        }
        if let Some(index) = self.by_client.get_mut(&session.client_id) {
            index.remove(&key);
        }
        if let Some(all) = &mut self.all {
            all.remove(&key);
        }
    }

    /// The sessions of `user`, newest first.
    pub fn of_user(&self, user: UserId) -> impl Iterator<Item = &Session> {
        self.user_index(user)
            .newest_first()
            .filter_map(|id| self.get(id))
    }

    /// Applies `change` to a session in place. The change must not touch the fields the
    /// indexes sort or group by (`id`, `created_at`, `user_id`, `client_id`).
    pub fn update<T>(
        &mut self,
        id: SessionId,
        change: impl FnOnce(&mut Session) -> T,
    ) -> Option<T> {
        let session = self.get_mut(id)?;
        let before = (
            session.id,
            session.created_at,
            session.user_id,
            session.client_id,
        );
        let outcome = change(session);
        debug_assert_eq!(
            before,
            (
                session.id,
                session.created_at,
                session.user_id,
                session.client_id
            ),
            "an update moved an indexed field"
        );
        Some(outcome)
    }

    /// Answers a list from the narrowest index for its scope: the cost grows with the sessions
    /// of that user or client, never with the whole instance (except in [`ListScope::All`]).
    pub fn list(&self, query: &ListQuery) -> Page<'_> {
        let (index, other_filter): (&Index, Option<Filter>) = match query.scope {
            ListScope::Nothing => (&NO_SESSIONS, None),
            ListScope::All => (self.all.as_ref().unwrap_or(&NO_SESSIONS), None),
            ListScope::User(user) => (self.user_index(user), None),
            ListScope::Client(client) => (self.client_index(client), None),
            ListScope::UserAndClient(user, client) => {
                let by_user = self.user_index(user);
                let by_client = self.client_index(client);
                if by_user.len() <= by_client.len() {
                    (by_user, Some(Filter::Client(client)))
                } else {
                    (by_client, Some(Filter::User(user)))
                }
            }
        };

        if other_filter.is_none() && query.status.is_none() {
            let mut sessions =
                Vec::with_capacity(query.limit.min(index.len().saturating_sub(query.offset)));
            sessions.extend(
                index
                    .newest_first()
                    .skip(query.offset)
                    .take(query.limit)
                    .filter_map(|id| self.get(id)),
            );
            return Page {
                sessions,
                total_count: index.len(),
            };
        }

        let mut total_count = 0;
        let mut sessions = Vec::with_capacity(query.limit.min(index.len()));
        let matching = index
            .newest_first()
            .filter_map(|id| self.get(id))
            .filter(|session| other_filter.is_none_or(|filter| filter.matches(session)))
            .filter(|session| {
                query.status.is_none_or(|wanted| {
                    query.version.presents(session.status_at(query.now_ms)) == wanted
                })
            });
        for session in matching {
            if total_count >= query.offset && sessions.len() < query.limit {
                sessions.push(session);
            }
            total_count += 1;
        }
        Page {
            sessions,
            total_count,
        }
    }

    fn user_index(&self, user: UserId) -> &Index {
        self.by_user.get(&user).unwrap_or(&NO_SESSIONS)
    }

    fn client_index(&self, client: ClientId) -> &Index {
        self.by_client.get(&client).unwrap_or(&NO_SESSIONS)
    }
}

#[derive(Debug, Clone, Copy)]
enum Filter {
    User(UserId),
    Client(ClientId),
}

impl Filter {
    fn matches(self, session: &Session) -> bool {
        match self {
            Self::User(user) => session.user_id == user,
            Self::Client(client) => session.client_id == client,
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    struct Fixture {
        store: SessionStore,
        users: [UserId; 2],
        clients: [ClientId; 2],
    }

    /// Ten sessions: users alternate, clients change every five, statuses cycle.
    fn fixture() -> Fixture {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let users = [UserId::random(&mut rng), UserId::random(&mut rng)];
        let clients = [ClientId::random(&mut rng), ClientId::random(&mut rng)];
        let statuses = [
            SessionStatus::Active,
            SessionStatus::Revoked,
            SessionStatus::Ended,
        ];
        let sessions = (0..10i64).map(|n| Session {
            id: SessionId::random(&mut rng),
            user_id: users[usize::try_from(n % 2).unwrap_or_default()],
            client_id: clients[usize::try_from(n / 5).unwrap_or_default()],
            status: statuses[usize::try_from(n % 3).unwrap_or_default()],
            last_active_at: n,
            expire_at: 1_000_000,
            abandon_at: 2_000_000,
            // Two sessions share each creation time, so ties are exercised.
            created_at: n / 2,
            updated_at: n / 2,
            ..crate::domain::testing::session(0)
        });
        Fixture {
            store: SessionStore::from_sessions(sessions, true),
            users,
            clients,
        }
    }

    fn query(scope: ListScope) -> ListQuery {
        ListQuery {
            scope,
            status: None,
            version: ApiVersion::V2021_02_05,
            now_ms: 0,
            limit: 500,
            offset: 0,
        }
    }

    fn is_newest_first(sessions: &[&Session]) -> bool {
        sessions
            .windows(2)
            .all(|pair| (pair[0].created_at, pair[0].id) > (pair[1].created_at, pair[1].id))
    }

    #[test]
    fn lists_everything_newest_first_with_ties_broken_by_id() {
        let Fixture { store, .. } = fixture();
        let page = store.list(&query(ListScope::All));
        assert_eq!(page.total_count, 10);
        assert!(is_newest_first(&page.sessions));
    }

    #[test]
    fn filters_intersect_and_count_every_match() {
        let Fixture {
            store,
            users,
            clients,
        } = fixture();
        let page = store.list(&ListQuery {
            status: Some(SessionStatus::Active),
            ..query(ListScope::UserAndClient(users[0], clients[1]))
        });
        let expected = store
            .list(&query(ListScope::All))
            .sessions
            .into_iter()
            .filter(|s| {
                s.user_id == users[0]
                    && s.client_id == clients[1]
                    && s.status == SessionStatus::Active
            })
            .collect::<Vec<_>>();
        assert_eq!(page.sessions, expected);
        assert_eq!(page.total_count, expected.len());
    }

    #[test]
    fn pages_concatenate_to_the_whole_list() {
        let Fixture { store, users, .. } = fixture();
        let whole = store.list(&query(ListScope::User(users[1]))).sessions;
        let pages = (0..whole.len())
            .step_by(2)
            .flat_map(|offset| {
                store
                    .list(&ListQuery {
                        limit: 2,
                        offset,
                        ..query(ListScope::User(users[1]))
                    })
                    .sessions
            })
            .collect::<Vec<_>>();
        assert_eq!(pages, whole);
    }

    #[test]
    fn an_update_is_seen_by_every_later_list() {
        let Fixture {
            mut store, users, ..
        } = fixture();
        let first = store
            .list(&ListQuery {
                status: Some(SessionStatus::Active),
                ..query(ListScope::User(users[0]))
            })
            .sessions[0]
            .id;
        store.update(first, |session| session.revoke(10));
        let revoked = store.list(&ListQuery {
            status: Some(SessionStatus::Revoked),
            ..query(ListScope::User(users[0]))
        });
        assert!(revoked.sessions.iter().any(|session| session.id == first));
    }

    #[test]
    fn a_scope_that_matches_nothing_is_an_empty_page() {
        let Fixture { store, .. } = fixture();
        let page = store.list(&query(ListScope::Nothing));
        assert_eq!((page.sessions.len(), page.total_count), (0, 0));
    }
}

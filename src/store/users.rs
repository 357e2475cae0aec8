//! An instance's users and the indexes their lists and counts read: by email address, phone
//! number, username and external id, by organization, and by creation time for the default
//! order. The identifier indexes also say who already holds an identifier, which writes check.
//!
//! A filter on identifiers (emails, phones, usernames, user ids) starts from those indexes, so
//! its cost is the matches', not the instance's; an organization filter starts from its members;
//! a list in the default order (newest first) with no filter reads a page of the creation index.
//! What no index answers (`query` and the `*_query` substrings, time ranges, another order) is a
//! pass over the users the indexes left.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap, HashSet};

use crate::domain::user::{Identifier, UserActivity};
use crate::domain::{OrganizationId, User, UserId};

/// Every user of an instance, with its indexes.
#[derive(Debug, Default)]
pub struct UserStore {
    users: HashMap<UserId, User>,
    by_created: BTreeSet<(i64, UserId)>,
    /// Lower-cased email addresses.
    by_email: HashMap<String, Vec<UserId>>,
    by_phone: HashMap<String, Vec<UserId>>,
    by_username: HashMap<String, Vec<UserId>>,
    by_external_id: HashMap<String, Vec<UserId>>,
    by_organization: HashMap<OrganizationId, BTreeSet<UserId>>,
}

/// Values to keep and values to drop (Clerk's `+`/`-` prefixes); `include: None` keeps everyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<T> {
    pub include: Option<Vec<T>>,
    pub exclude: Vec<T>,
}

impl<T> Default for Signed<T> {
    fn default() -> Self {
        Self {
            include: None,
            exclude: Vec::new(),
        }
    }
}

/// Unix milliseconds after which and before which a time must lie (both exclusive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub after: Option<i64>,
    pub before: Option<i64>,
}

impl TimeRange {
    fn is_empty(self) -> bool {
        self.after.is_none() && self.before.is_none()
    }

    /// Whether `time` lies in the range; a user without the time lies in no bounded range.
    fn holds(self, time: Option<i64>) -> bool {
        self.is_empty()
            || time.is_some_and(|time| {
                self.after.is_none_or(|after| time > after)
                    && self.before.is_none_or(|before| time < before)
            })
    }
}

/// What users a list or a count keeps: values of one filter are alternatives, filters apply
/// together. Texts are compared lower-cased where Clerk compares without case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub email_addresses: Option<Vec<String>>,
    pub phone_numbers: Option<Vec<String>>,
    pub usernames: Option<Vec<String>>,
    /// Web3 wallets: the mock's users have none, so a list of them keeps no one.
    pub web3_wallets: Option<Vec<String>>,
    pub external_ids: Signed<String>,
    /// Ids at an OAuth provider: the mock's users have no external accounts either.
    pub provider_user_ids: Option<Vec<String>>,
    /// Ids that are not well formed keep no one.
    pub user_ids: Signed<Option<UserId>>,
    pub organization_ids: Signed<Option<OrganizationId>>,
    pub query: Option<String>,
    pub email_address_query: Option<String>,
    pub phone_number_query: Option<String>,
    pub username_query: Option<String>,
    pub name_query: Option<String>,
    pub banned: Option<bool>,
    pub created: TimeRange,
    pub last_active: TimeRange,
    pub last_sign_in: TimeRange,
}

impl UserFilter {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn needs_activity(&self) -> bool {
        !(self.last_active.is_empty() && self.last_sign_in.is_empty())
    }
}

/// What users are sorted by (`order_by`), ascending unless `descending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserOrder {
    pub field: UserOrderField,
    pub descending: bool,
}

impl Default for UserOrder {
    /// Newest first, as Clerk lists users.
    fn default() -> Self {
        Self {
            field: UserOrderField::CreatedAt,
            descending: true,
        }
    }
}

/// The fields users can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserOrderField {
    CreatedAt,
    UpdatedAt,
    EmailAddress,
    Web3Wallet,
    FirstName,
    LastName,
    PhoneNumber,
    Username,
    LastActiveAt,
    LastSignInAt,
}

impl UserOrderField {
    /// Every field, as `order_by` names it.
    pub const ALL: [(&'static str, Self); 10] = [
        ("created_at", Self::CreatedAt),
        ("updated_at", Self::UpdatedAt),
        ("email_address", Self::EmailAddress),
        ("web3wallet", Self::Web3Wallet),
        ("first_name", Self::FirstName),
        ("last_name", Self::LastName),
        ("phone_number", Self::PhoneNumber),
        ("username", Self::Username),
        ("last_active_at", Self::LastActiveAt),
        ("last_sign_in_at", Self::LastSignInAt),
    ];
}

/// Where a page starts: after skipping some users, or right after a given one (Clerk's
/// `starting_after`, the last user of the previous page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Offset(usize),
    After(UserId),
}

/// A sort key: a time, or a lower-cased text; `None` sorts last ascending, first descending.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Time(Option<i64>),
    Text(Option<String>),
}

fn lower(text: Option<&str>) -> Option<String> {
    text.map(str::to_lowercase)
}

impl UserStore {
    pub fn from_users(users: impl IntoIterator<Item = User>) -> Self {
        let mut store = Self::default();
        for user in users {
            store.insert(user);
        }
        store
    }

    pub fn get(&self, id: &UserId) -> Option<&User> {
        self.users.get(id)
    }

    pub fn contains_key(&self, id: &UserId) -> bool {
        self.users.contains_key(id)
    }

    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn values(&self) -> impl Iterator<Item = &User> {
        self.users.values()
    }

    pub fn keys(&self) -> impl Iterator<Item = &UserId> {
        self.users.keys()
    }

    /// Adds `user`, or replaces the user of its id, whose indexes go with it.
    pub fn insert(&mut self, user: User) -> Option<User> {
        let previous = self.users.remove(&user.id);
        if let Some(previous) = &previous {
            self.unindex(previous);
        }
        self.index(&user);
        self.users.insert(user.id, user);
        previous
    }

    /// Every identifier of `user` the indexes hold, with its index: email addresses
    /// lower-cased.
    fn identifiers(user: &User) -> impl Iterator<Item = (String, IdentifierIndex)> + '_ {
        let emails = user
            .email_addresses
            .iter()
            .map(|email| (email.value.to_lowercase(), IdentifierIndex::Email));
        let phones = user
            .phone_numbers
            .iter()
            .map(|phone| (phone.value.to_string(), IdentifierIndex::Phone));
        let others = [
            (&user.username, IdentifierIndex::Username),
            (&user.external_id, IdentifierIndex::ExternalId),
        ]
        .into_iter()
        .filter_map(|(value, which)| Some((value.as_deref()?.to_owned(), which)));
        emails.chain(phones).chain(others)
    }

    fn index_of(&mut self, which: IdentifierIndex) -> &mut HashMap<String, Vec<UserId>> {
        match which {
            IdentifierIndex::Email => &mut self.by_email,
            IdentifierIndex::Phone => &mut self.by_phone,
            IdentifierIndex::Username => &mut self.by_username,
            IdentifierIndex::ExternalId => &mut self.by_external_id,
        }
    }

    /// Whether a user other than `except` holds `value` (an email address whatever its case, a
    /// phone number, a username or an external id): what a write checks before it gives a user
    /// an identifier.
    pub fn held_by_another(&self, which: IdentifierIndex, value: &str, except: UserId) -> bool {
        let index = match which {
            IdentifierIndex::Email => &self.by_email,
            IdentifierIndex::Phone => &self.by_phone,
            IdentifierIndex::Username => &self.by_username,
            IdentifierIndex::ExternalId => &self.by_external_id,
        };
        let key = match which {
            IdentifierIndex::Email => value.to_lowercase(),
            _ => value.to_owned(),
        };
        index
            .get(&key)
            .is_some_and(|ids| ids.iter().any(|id| *id != except))
    }

    /// The members of `organization`, in no particular order.
    pub fn members_of(&self, organization: OrganizationId) -> impl Iterator<Item = &User> {
        self.by_organization
            .get(&organization)
            .into_iter()
            .flatten()
            .filter_map(|id| self.users.get(id))
    }

    /// How many members `organization` has.
    pub fn member_count(&self, organization: OrganizationId) -> usize {
        self.by_organization
            .get(&organization)
            .map_or(0, BTreeSet::len)
    }

    /// Removes the user of `id`, and its entries in the indexes.
    pub fn remove(&mut self, id: &UserId) -> Option<User> {
        let removed = self.users.remove(id)?;
        self.unindex(&removed);
        Some(removed)
    }

    fn index(&mut self, user: &User) {
        self.by_created.insert((user.created_at, user.id));
        for (value, which) in Self::identifiers(user) {
            self.index_of(which).entry(value).or_default().push(user.id);
        }
        for membership in &user.memberships {
            self.by_organization
                .entry(membership.organization_id)
                .or_default()
                .insert(user.id);
        }
    }

    fn unindex(&mut self, user: &User) {
        self.by_created.remove(&(user.created_at, user.id));
        for (value, which) in Self::identifiers(user) {
            let index = self.index_of(which);
            if let Some(ids) = index.get_mut(&value) {
                ids.retain(|id| *id != user.id);
                if ids.is_empty() {
                    index.remove(&value);
                }
            }
        }
        for membership in &user.memberships {
            if let Some(members) = self.by_organization.get_mut(&membership.organization_id) {
                members.remove(&user.id);
            }
        }
    }

    /// How many users `filter` keeps; `activity` says what a user's sessions say of it.
    pub fn count(&self, filter: &UserFilter, activity: impl Fn(UserId) -> UserActivity) -> usize {
        if filter.is_empty() {
            return self.users.len();
        }
        self.matching(filter, &activity).len()
    }

    /// The users `filter` keeps in `order`, ties broken by id (descending), from `start`, at
    /// most `limit`. `Start::After` a user the store does not hold is `None`.
    pub fn list(
        &self,
        filter: &UserFilter,
        order: UserOrder,
        activity: impl Fn(UserId) -> UserActivity,
        start: Start,
        limit: usize,
    ) -> Option<Vec<&User>> {
        if let Start::After(anchor) = start
            && !self.users.contains_key(&anchor)
        {
            return None;
        }
        if filter.is_empty() && order.field == UserOrderField::CreatedAt {
            return Some(self.creation_page(order.descending, start, limit));
        }
        let key = |user: &User| -> SortKey {
            match order.field {
                UserOrderField::CreatedAt => SortKey::Time(Some(user.created_at)),
                UserOrderField::UpdatedAt => SortKey::Time(Some(user.updated_at)),
                UserOrderField::EmailAddress => {
                    SortKey::Text(lower(user.email_address().map(|email| email.value)))
                }
                UserOrderField::Web3Wallet => SortKey::Text(None),
                UserOrderField::FirstName => SortKey::Text(lower(user.first_name.as_deref())),
                UserOrderField::LastName => SortKey::Text(lower(user.last_name.as_deref())),
                UserOrderField::PhoneNumber => {
                    SortKey::Text(user.phone_number().map(|phone| phone.value.to_owned()))
                }
                UserOrderField::Username => SortKey::Text(lower(user.username.as_deref())),
                UserOrderField::LastActiveAt => SortKey::Time(activity(user.id).last_active_day()),
                UserOrderField::LastSignInAt => SortKey::Time(activity(user.id).last_sign_in_at),
            }
        };
        let compare = |(a, first): &(SortKey, &User), (b, second): &(SortKey, &User)| {
            let by_key = nulls_last(a, b);
            let by_key = if order.descending {
                by_key.reverse()
            } else {
                by_key
            };
            by_key.then_with(|| second.id.cmp(&first.id))
        };
        let mut keyed: Vec<(SortKey, &User)> = self
            .matching(filter, &activity)
            .into_iter()
            .map(|user| (key(user), user))
            .collect();
        keyed.sort_by(compare);
        let skip = match start {
            Start::Offset(offset) => offset,
            Start::After(anchor) => {
                let anchor = self.users.get(&anchor)?;
                let anchor = (key(anchor), anchor);
                keyed.partition_point(|entry| compare(entry, &anchor) != Ordering::Greater)
            }
        };
        Some(
            keyed
                .into_iter()
                .skip(skip)
                .take(limit)
                .map(|(_, user)| user)
                .collect(),
        )
    }

    /// A page of every user in creation order, read from the creation index: O(log n + page)
    /// after a given user, O(offset + page) after skipping.
    fn creation_page(&self, descending: bool, start: Start, limit: usize) -> Vec<&User> {
        let anchor = |id: UserId| self.users.get(&id).map(|user| (user.created_at, user.id));
        let page = |users: &mut dyn Iterator<Item = &(i64, UserId)>| -> Vec<&User> {
            users
                .take(limit)
                .filter_map(|(_, id)| self.users.get(id))
                .collect()
        };
        match (start, descending) {
            (Start::Offset(offset), true) => page(&mut self.by_created.iter().rev().skip(offset)),
            (Start::Offset(offset), false) => page(&mut self.by_created.iter().skip(offset)),
            (Start::After(id), true) => match anchor(id) {
                Some(key) => page(&mut self.by_created.range(..key).rev()),
                None => Vec::new(),
            },
            (Start::After(id), false) => match anchor(id) {
                Some(key) => page(
                    &mut self
                        .by_created
                        .range((std::ops::Bound::Excluded(key), std::ops::Bound::Unbounded)),
                ),
                None => Vec::new(),
            },
        }
    }

    /// The users `filter` keeps, in no particular order: read from the narrowest index the
    /// filter names, then checked against the rest of it.
    fn matching(
        &self,
        filter: &UserFilter,
        activity: &dyn Fn(UserId) -> UserActivity,
    ) -> Vec<&User> {
        let looked_up = |index: &HashMap<String, Vec<UserId>>, values: &[String]| {
            values
                .iter()
                .filter_map(|value| index.get(value))
                .flatten()
                .copied()
                .collect::<HashSet<UserId>>()
        };
        let mut candidates: Option<HashSet<UserId>> = None;
        let mut narrow = |found: HashSet<UserId>| {
            candidates = Some(match candidates.take() {
                Some(earlier) => earlier.intersection(&found).copied().collect(),
                None => found,
            });
        };
        if let Some(values) = &filter.email_addresses {
            let lowered: Vec<String> = values.iter().map(|value| value.to_lowercase()).collect();
            narrow(looked_up(&self.by_email, &lowered));
        }
        if let Some(values) = &filter.phone_numbers {
            narrow(looked_up(&self.by_phone, values));
        }
        if let Some(values) = &filter.usernames {
            narrow(looked_up(&self.by_username, values));
        }
        if let Some(values) = &filter.external_ids.include {
            narrow(looked_up(&self.by_external_id, values));
        }
        if filter.web3_wallets.is_some() || filter.provider_user_ids.is_some() {
            narrow(HashSet::new());
        }
        if let Some(ids) = &filter.user_ids.include {
            narrow(
                ids.iter()
                    .flatten()
                    .filter(|id| self.users.contains_key(id))
                    .copied()
                    .collect(),
            );
        }
        if let Some(organizations) = &filter.organization_ids.include {
            narrow(
                organizations
                    .iter()
                    .flatten()
                    .filter_map(|organization| self.by_organization.get(organization))
                    .flatten()
                    .copied()
                    .collect(),
            );
        }
        let keeps = |user: &&User| self.keeps(user, filter, activity);
        match candidates {
            Some(ids) => ids
                .iter()
                .filter_map(|id| self.users.get(id))
                .filter(keeps)
                .collect(),
            None => self.users.values().filter(keeps).collect(),
        }
    }

    /// Whether `user` passes what no index answered.
    fn keeps(
        &self,
        user: &User,
        filter: &UserFilter,
        activity: &dyn Fn(UserId) -> UserActivity,
    ) -> bool {
        let excluded_id = filter.user_ids.exclude.contains(&Some(user.id));
        let in_excluded_organization = filter
            .organization_ids
            .exclude
            .iter()
            .flatten()
            .any(|organization| user.role_in(*organization).is_some());
        let excluded_external_id = user.external_id.as_deref().is_some_and(|external_id| {
            filter.external_ids.exclude.iter().any(|x| x == external_id)
        });
        let banned_differs = filter.banned.is_some_and(|banned| banned != user.banned);
        if excluded_id || excluded_external_id || in_excluded_organization || banned_differs {
            return false;
        }
        let contains = |text: Option<&str>, needle: &str| {
            text.is_some_and(|text| contains_folded(text, needle))
        };
        let any_contains = |identifiers: &[Identifier], needle: &str| {
            identifiers
                .iter()
                .any(|identifier| contains_folded(&identifier.value, needle))
        };
        let texts_match = |needle: &String| {
            [
                user.username.as_deref(),
                user.first_name.as_deref(),
                user.last_name.as_deref(),
            ]
            .into_iter()
            .any(|text| contains(text, needle))
                || any_contains(&user.email_addresses, needle)
                || any_contains(&user.phone_numbers, needle)
                || contains_folded(&user.id.to_string(), needle)
        };
        let substrings = filter.query.as_ref().is_none_or(texts_match)
            && filter
                .email_address_query
                .as_ref()
                .is_none_or(|needle| any_contains(&user.email_addresses, needle))
            && filter
                .phone_number_query
                .as_ref()
                .is_none_or(|needle| any_contains(&user.phone_numbers, needle))
            && filter
                .username_query
                .as_ref()
                .is_none_or(|needle| contains(user.username.as_deref(), needle))
            && filter.name_query.as_ref().is_none_or(|needle| {
                contains(user.first_name.as_deref(), needle)
                    || contains(user.last_name.as_deref(), needle)
                    || contains(user.full_name().as_deref(), needle)
            });
        if !substrings || !filter.created.holds(Some(user.created_at)) {
            return false;
        }
        if !filter.needs_activity() {
            return true;
        }
        let activity = activity(user.id);
        filter.last_active.holds(activity.last_active_day())
            && filter.last_sign_in.holds(activity.last_sign_in_at)
    }
}

/// The identifiers the store indexes, each held by one user at most when written through the
/// API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierIndex {
    Email,
    Phone,
    Username,
    ExternalId,
}

/// Whether `text` contains `needle` (already lower-cased) whatever the case: byte by byte for
/// ASCII, the common case, without allocating; through lower-casing otherwise.
fn contains_folded(text: &str, needle: &str) -> bool {
    if text.is_ascii() && needle.is_ascii() {
        let (text, needle) = (text.as_bytes(), needle.as_bytes());
        needle.is_empty()
            || text
                .windows(needle.len())
                .any(|window| window.eq_ignore_ascii_case(needle))
    } else {
        text.to_lowercase().contains(needle)
    }
}

/// `a` against `b` with `None` after every value (PostgreSQL's order for ascending sorts).
fn nulls_last(a: &SortKey, b: &SortKey) -> Ordering {
    let rank = |key: &SortKey| match key {
        SortKey::Time(None) | SortKey::Text(None) => 1,
        _ => 0,
    };
    rank(a).cmp(&rank(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::testing;
    use crate::domain::user::IdentifierStatus;

    fn user(seed: u64, email: &str, created_at: i64) -> User {
        User {
            created_at,
            ..testing::user(seed)
        }
        .with_email(email, IdentifierStatus::Verified)
    }

    fn store() -> UserStore {
        UserStore::from_users([
            user(1, "ada@example.com", 3),
            user(2, "Grace@Example.com", 2),
            user(3, "alan@example.com", 1),
        ])
    }

    fn no_activity(_: UserId) -> UserActivity {
        UserActivity::default()
    }

    fn emails(users: &[&User]) -> Vec<String> {
        users
            .iter()
            .filter_map(|user| user.email_address().map(|email| email.value.to_owned()))
            .collect()
    }

    #[test]
    fn substrings_match_whatever_the_case() {
        assert!(contains_folded("Alice@Example.com", "alice@ex"));
        assert!(contains_folded("Zoë Ünal", "ünal"));
        assert!(!contains_folded("alice", "bob"));
        assert!(contains_folded("", ""));
    }

    #[test]
    fn the_default_order_is_newest_first_and_pages_read_the_creation_index() {
        let store = store();
        let all = store
            .list(
                &UserFilter::default(),
                UserOrder::default(),
                no_activity,
                Start::Offset(0),
                10,
            )
            .expect("a page");
        assert_eq!(
            emails(&all),
            ["ada@example.com", "Grace@Example.com", "alan@example.com"]
        );
        let second = store
            .list(
                &UserFilter::default(),
                UserOrder::default(),
                no_activity,
                Start::Offset(1),
                1,
            )
            .expect("a page");
        assert_eq!(emails(&second), ["Grace@Example.com"]);
        let after = store
            .list(
                &UserFilter::default(),
                UserOrder::default(),
                no_activity,
                Start::After(second[0].id),
                10,
            )
            .expect("a page");
        assert_eq!(emails(&after), ["alan@example.com"]);
    }

    #[test]
    fn an_email_filter_reads_the_index_without_case_and_agrees_with_the_count() {
        let store = store();
        let filter = UserFilter {
            email_addresses: Some(vec![
                "grace@example.COM".to_owned(),
                "nobody@x.y".to_owned(),
            ]),
            ..UserFilter::default()
        };
        let found = store
            .list(
                &filter,
                UserOrder::default(),
                no_activity,
                Start::Offset(0),
                10,
            )
            .expect("a page");
        assert_eq!(emails(&found), ["Grace@Example.com"]);
        assert_eq!(store.count(&filter, no_activity), 1);
    }

    #[test]
    fn a_replaced_user_leaves_no_trace_in_the_indexes() {
        let mut store = store();
        let ada = store
            .values()
            .find(|user| user.email_address().map(|email| email.value) == Some("ada@example.com"))
            .cloned()
            .expect("ada");
        store.insert(ada.with_email("ada@new.example", IdentifierStatus::Verified));
        let old = UserFilter {
            email_addresses: Some(vec!["ada@example.com".to_owned()]),
            ..UserFilter::default()
        };
        assert_eq!(store.count(&old, no_activity), 0);
        assert_eq!(store.len(), 3);
    }

    #[test]
    fn other_orders_put_missing_values_last_ascending_and_first_descending() {
        let store = UserStore::from_users([
            User {
                username: None,
                ..user(1, "a@x.y", 1)
            },
            User {
                username: Some(Arc::from("bee")),
                ..user(2, "b@x.y", 2)
            },
        ]);
        let by = |descending| UserOrder {
            field: UserOrderField::Username,
            descending,
        };
        let list = |descending| {
            store
                .list(
                    &UserFilter::default(),
                    by(descending),
                    no_activity,
                    Start::Offset(0),
                    10,
                )
                .expect("a page")
        };
        assert_eq!(emails(&list(false)), ["b@x.y", "a@x.y"]);
        assert_eq!(emails(&list(true)), ["a@x.y", "b@x.y"]);
    }
}

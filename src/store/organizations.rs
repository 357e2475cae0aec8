//! An instance's organizations, by id, by slug (a path may name either) and by creation time
//! for the default order of the list.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::users::Signed;
use crate::domain::{Organization, OrganizationId};

/// Every organization of an instance, with its indexes.
#[derive(Debug, Default)]
pub struct OrganizationStore {
    organizations: HashMap<OrganizationId, Organization>,
    by_slug: HashMap<Arc<str>, OrganizationId>,
    by_created: BTreeSet<(i64, OrganizationId)>,
}

/// What organizations a list keeps.
#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    /// The id exactly, or a part of the name or slug, whatever the case.
    pub query: Option<String>,
    /// Ids that are not well formed keep no one.
    pub organization_ids: Signed<Option<OrganizationId>>,
    /// The organizations of the users `user_id` names (`None`: no such filter), and those of
    /// the users it excludes.
    pub of_users: Option<Vec<OrganizationId>>,
    pub not_of_users: Vec<OrganizationId>,
}

/// What organizations are sorted by, ascending unless `descending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrganizationOrder {
    pub field: OrganizationOrderField,
    pub descending: bool,
}

impl Default for OrganizationOrder {
    /// Newest first.
    fn default() -> Self {
        Self {
            field: OrganizationOrderField::CreatedAt,
            descending: true,
        }
    }
}

/// The fields organizations can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationOrderField {
    Name,
    CreatedAt,
    MembersCount,
}

impl OrganizationOrderField {
    /// Every field, as `order_by` names it.
    pub const ALL: [(&'static str, Self); 3] = [
        ("name", Self::Name),
        ("created_at", Self::CreatedAt),
        ("members_count", Self::MembersCount),
    ];
}

impl OrganizationStore {
    pub fn from_organizations(organizations: impl IntoIterator<Item = Organization>) -> Self {
        let mut store = Self::default();
        for organization in organizations {
            store.insert(organization);
        }
        store
    }

    pub fn get(&self, id: &OrganizationId) -> Option<&Organization> {
        self.organizations.get(id)
    }

    /// The organization whose slug is `slug`.
    pub fn by_slug(&self, slug: &str) -> Option<&Organization> {
        self.by_slug
            .get(slug)
            .and_then(|id| self.organizations.get(id))
    }

    pub fn contains_key(&self, id: &OrganizationId) -> bool {
        self.organizations.contains_key(id)
    }

    pub fn len(&self) -> usize {
        self.organizations.len()
    }

    pub fn values(&self) -> impl Iterator<Item = &Organization> {
        self.organizations.values()
    }

    /// Adds `organization`, or replaces the organization of its id, whose indexes go with it.
    pub fn insert(&mut self, organization: Organization) -> Option<Organization> {
        let previous = self.remove(&organization.id);
        self.by_slug
            .insert(Arc::clone(&organization.slug), organization.id);
        self.by_created
            .insert((organization.created_at, organization.id));
        self.organizations.insert(organization.id, organization);
        previous
    }

    /// Removes the organization of `id`, and its entries in the indexes.
    pub fn remove(&mut self, id: &OrganizationId) -> Option<Organization> {
        let removed = self.organizations.remove(id)?;
        if self.by_slug.get(&removed.slug) == Some(id) {
            self.by_slug.remove(&removed.slug);
        }
        self.by_created.remove(&(removed.created_at, removed.id));
        Some(removed)
    }

    /// The organizations `filter` keeps, in `order` (ties by id, descending), skipping `offset`,
    /// at most `limit`, and how many it keeps in all. `members` counts an organization's
    /// members.
    pub fn list(
        &self,
        filter: &OrganizationFilter,
        order: OrganizationOrder,
        members: impl Fn(OrganizationId) -> usize,
        (offset, limit): (usize, usize),
    ) -> (Vec<&Organization>, usize) {
        let keeps = |organization: &&Organization| keeps(organization, filter);
        let mut kept: Vec<&Organization> = match order.field {
            // The creation index is already in order: newest first reads it backwards.
            OrganizationOrderField::CreatedAt => {
                let ids = self.by_created.iter().map(|(_, id)| id);
                let ordered: Box<dyn Iterator<Item = &OrganizationId>> = if order.descending {
                    Box::new(ids.rev())
                } else {
                    Box::new(ids)
                };
                ordered
                    .filter_map(|id| self.organizations.get(id))
                    .filter(keeps)
                    .collect()
            }
            OrganizationOrderField::Name | OrganizationOrderField::MembersCount => {
                let mut kept: Vec<&Organization> =
                    self.organizations.values().filter(keeps).collect();
                kept.sort_by(|a, b| {
                    let by_key = match order.field {
                        OrganizationOrderField::Name => {
                            a.name.to_lowercase().cmp(&b.name.to_lowercase())
                        }
                        _ => members(a.id).cmp(&members(b.id)),
                    };
                    let by_key = if order.descending {
                        by_key.reverse()
                    } else {
                        by_key
                    };
                    by_key.then_with(|| b.id.cmp(&a.id))
                });
                kept
            }
        };
        let total = kept.len();
        kept = kept.into_iter().skip(offset).take(limit).collect();
        (kept, total)
    }
}

/// Whether `organization` passes `filter`.
fn keeps(organization: &Organization, filter: &OrganizationFilter) -> bool {
    let id = Some(organization.id);
    let in_ids = filter
        .organization_ids
        .include
        .as_ref()
        .is_none_or(|ids| ids.contains(&id));
    let not_excluded = !filter.organization_ids.exclude.contains(&id);
    let of_users = filter
        .of_users
        .as_ref()
        .is_none_or(|ids| ids.contains(&organization.id));
    let not_of_excluded_users = !filter.not_of_users.contains(&organization.id);
    let matches_query = filter.query.as_deref().is_none_or(|query| {
        organization.id.to_string() == query
            || organization.name.to_lowercase().contains(query)
            || organization.slug.to_lowercase().contains(query)
    });
    in_ids && not_excluded && of_users && not_of_excluded_users && matches_query
}

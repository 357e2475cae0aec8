//! An instance's organizations and memberships: read, created, changed and deleted, with the
//! sessions that name an organization following what happens to it.

use std::sync::Arc;

use super::{Held, Instance};
use crate::data::seed::InstanceData;
use crate::domain::identifiers::slugify;
use crate::domain::user::Membership;
use crate::domain::{Organization, OrganizationId, User, UserId, roles};
use crate::store::organizations::{OrganizationFilter, OrganizationOrder};
use crate::tenancy::memory_budget::OverBudget;
use crate::webhooks::event::{Change, EventType};

/// Why a write to an organization or a membership was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganizationWriteError {
    #[error("no such organization")]
    UnknownOrganization,
    #[error("no user {0}")]
    UnknownUser(String),
    #[error("the slug is taken")]
    SlugTaken,
    #[error("the user is already a member")]
    AlreadyAMember(String),
    #[error("the user is not a member")]
    NotAMember,
    #[error("no role {0}")]
    UnknownRole(String),
    #[error("the organization has its {0} members")]
    MembersLimit(i64),
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
}

/// How members are listed: by when they joined, or by what a comparison of users says (ties
/// by id, descending, either way).
#[derive(Clone, Copy)]
pub enum MemberSort<'a> {
    Joined { oldest_first: bool },
    By(&'a dyn Fn(&User, &User) -> std::cmp::Ordering),
}

impl std::fmt::Debug for MemberSort<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Joined { oldest_first } => f
                .debug_struct("Joined")
                .field("oldest_first", oldest_first)
                .finish(),
            Self::By(_) => f.write_str("By(..)"),
        }
    }
}

/// An organization to create: the fields the request gave; the rest take their defaults.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: Arc<str>,
    /// `None`: made from the name, with `-2`, `-3`... while taken.
    pub slug: Option<Arc<str>>,
    pub created_by: Option<String>,
    pub max_allowed_memberships: Option<i64>,
    pub public_metadata: Option<serde_json::Value>,
    pub private_metadata: Option<serde_json::Value>,
    pub created_at: Option<i64>,
}

impl Instance {
    /// The organization `id_or_slug` names (a value with `_` is an id, else a slug), with its
    /// member count, presented while the instance is read.
    pub fn present_organization<R>(
        &self,
        id_or_slug: &str,
        present: impl FnOnce(&Organization, usize) -> R,
    ) -> Option<R> {
        let held = self.held.read();
        let organization = find(&held.data, id_or_slug)?;
        Some(present(
            organization,
            held.data.users.member_count(organization.id),
        ))
    }

    /// A page of the organizations `filter` keeps (with `user_ids` to keep those any of them
    /// belongs to, and `-` ones to drop), each with its member count, and how many it keeps.
    pub fn list_organizations<R>(
        &self,
        mut filter: OrganizationFilter,
        (include_users, exclude_users): (Option<Vec<Option<UserId>>>, Vec<Option<UserId>>),
        order: OrganizationOrder,
        page: (usize, usize),
        present: impl FnOnce(Vec<(&Organization, usize)>, usize) -> R,
    ) -> R {
        let held = self.held.read();
        let data = &held.data;
        let organizations_of = |users: &[Option<UserId>]| -> Vec<OrganizationId> {
            users
                .iter()
                .flatten()
                .filter_map(|id| data.users.get(id))
                .flat_map(|user| user.memberships.iter().map(|m| m.organization_id))
                .collect()
        };
        filter.of_users = include_users.map(|users| organizations_of(&users));
        filter.not_of_users = organizations_of(&exclude_users);
        let members = |id| data.users.member_count(id);
        let (organizations, total) = data.organizations.list(&filter, order, members, page);
        present(
            organizations
                .into_iter()
                .map(|organization| (organization, members(organization.id)))
                .collect(),
            total,
        )
    }

    /// The members of the organization `id_or_slug` names that `keep` keeps, in `sort`'s order,
    /// from `offset`, at most `limit`; with the organization and how many `keep` keeps. `None`
    /// for an unknown organization.
    pub fn list_members<R>(
        &self,
        id_or_slug: &str,
        keep: impl Fn(&User, &Membership) -> bool,
        sort: MemberSort<'_>,
        (offset, limit): (usize, usize),
        present: impl FnOnce(&Organization, Vec<(&User, &Membership)>, usize) -> R,
    ) -> Option<R> {
        let held = self.held.read();
        let organization = find(&held.data, id_or_slug)?;
        let mut members: Vec<(&User, &Membership)> = held
            .data
            .users
            .members_of(organization.id)
            .filter_map(|user| {
                let membership = user
                    .memberships
                    .iter()
                    .find(|membership| membership.organization_id == organization.id)?;
                keep(user, membership).then_some((user, membership))
            })
            .collect();
        match sort {
            MemberSort::By(sort) => {
                members.sort_by(|(a, _), (b, _)| sort(a, b).then_with(|| b.id.cmp(&a.id)));
            }
            MemberSort::Joined { oldest_first } => {
                members.sort_by(|(a, first), (b, second)| {
                    let newest_first = second.created_at.cmp(&first.created_at);
                    let by_time = if oldest_first {
                        newest_first.reverse()
                    } else {
                        newest_first
                    };
                    by_time.then_with(|| b.id.cmp(&a.id))
                });
            }
        }
        let total = members.len();
        let page = members.into_iter().skip(offset).take(limit).collect();
        Some(present(organization, page, total))
    }

    /// The memberships of the user of `id`, newest first, from `offset`, at most `limit`, each
    /// with its organization, and how many there are; `None` for an unknown user.
    pub fn user_memberships<R>(
        &self,
        id: UserId,
        (offset, limit): (usize, usize),
        present: impl FnOnce(&User, Vec<(&Membership, &Organization)>, usize) -> R,
    ) -> Option<R> {
        let held = self.held.read();
        let user = held.data.users.get(&id)?;
        let mut memberships: Vec<(&Membership, &Organization)> = user
            .memberships
            .iter()
            .filter_map(|membership| {
                Some((
                    membership,
                    held.data.organizations.get(&membership.organization_id)?,
                ))
            })
            .collect();
        memberships.sort_by(|(a, _), (b, _)| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.organization_id.cmp(&a.organization_id))
        });
        let total = memberships.len();
        let page = memberships.into_iter().skip(offset).take(limit).collect();
        Some(present(user, page, total))
    }

    /// Creates an organization; its creator, when given, becomes its admin.
    pub fn create_organization(
        &self,
        wanted: NewOrganization,
    ) -> Result<Organization, OrganizationWriteError> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        let Held { data, ids } = &mut *held;
        let creator = wanted
            .created_by
            .as_deref()
            .map(|text| {
                UserId::parse(text)
                    .filter(|id| data.users.contains_key(id))
                    .ok_or_else(|| OrganizationWriteError::UnknownUser(text.to_owned()))
            })
            .transpose()?;
        let slug = match wanted.slug {
            Some(slug) if data.organizations.by_slug(&slug).is_some() => {
                return Err(OrganizationWriteError::SlugTaken);
            }
            Some(slug) => slug,
            None => free_slug(data, &slugify(&wanted.name)),
        };
        let mut drawing = ids.clone();
        let created_at = wanted.created_at.unwrap_or(now_ms);
        let organization = Organization {
            public_metadata: wanted.public_metadata.unwrap_or_else(empty),
            private_metadata: wanted.private_metadata.unwrap_or_else(empty),
            max_allowed_memberships: wanted.max_allowed_memberships.unwrap_or(0),
            created_by: creator,
            ..Organization::new(
                OrganizationId::random(&mut drawing),
                wanted.name,
                slug,
                created_at,
            )
        };
        let creator = creator.and_then(|id| data.users.get(&id)).map(|user| {
            let mut user = user.clone();
            user.memberships
                .push(Membership::new(organization.id, roles::ADMIN, now_ms));
            user
        });
        let added = organization.footprint()
            + creator
                .as_ref()
                .map_or(0, |user| data.bytes_added_by(user).max(0).unsigned_abs());
        let before = data.bytes();
        self.budget.change(before, before.saturating_add(added))?;
        *ids = drawing;
        data.put_organization(organization.clone());
        let created_by = creator.as_ref().map(|creator| creator.id);
        if let Some(creator) = creator {
            data.next_session_organization
                .insert(creator.id, organization.id);
            data.put_user(creator);
        }
        drop(held);
        self.tell(|data| {
            let creator = created_by.and_then(|id| data.users.get(&id));
            let membership = creator.and_then(|user| {
                let membership = user
                    .memberships
                    .iter()
                    .find(|m| m.organization_id == organization.id)?;
                Some(Change::membership(
                    EventType::MembershipCreated,
                    membership,
                    &organization,
                    user,
                ))
            });
            std::iter::once(Change::organization(
                EventType::OrganizationCreated,
                &organization,
            ))
            .chain(membership)
            .collect()
        });
        Ok(organization)
    }

    /// Changes the organization `id_or_slug` names with `change`, which may refuse with its
    /// own error; a slug another organization holds is refused, and `updated_at` moves to now.
    pub fn update_organization<E: From<OrganizationWriteError>>(
        &self,
        id_or_slug: &str,
        change: impl FnOnce(&mut Organization) -> Result<(), E>,
    ) -> Result<Organization, E> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        let data = &mut held.data;
        let mut organization = find(data, id_or_slug)
            .cloned()
            .ok_or(OrganizationWriteError::UnknownOrganization)?;
        change(&mut organization)?;
        if data
            .organizations
            .by_slug(&organization.slug)
            .is_some_and(|other| other.id != organization.id)
        {
            return Err(OrganizationWriteError::SlugTaken.into());
        }
        organization.updated_at = organization.updated_at.max(now_ms);
        let before = data.bytes();
        let previous = data
            .organizations
            .get(&organization.id)
            .map_or(0, Organization::footprint);
        let after = (before + organization.footprint()).saturating_sub(previous);
        self.budget
            .change(before, after)
            .map_err(OrganizationWriteError::from)?;
        data.put_organization(organization.clone());
        drop(held);
        self.tell(|_| {
            vec![Change::organization(
                EventType::OrganizationUpdated,
                &organization,
            )]
        });
        Ok(organization)
    }

    /// Deletes the organization `id_or_slug` names, with every membership of it; sessions
    /// active in it are active in none.
    pub fn delete_organization(
        &self,
        id_or_slug: &str,
    ) -> Result<Organization, OrganizationWriteError> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        let data = &mut held.data;
        let id = find(data, id_or_slug)
            .map(|organization| organization.id)
            .ok_or(OrganizationWriteError::UnknownOrganization)?;
        let before = data.bytes();
        let members: Vec<User> = data.users.members_of(id).cloned().collect();
        for mut member in members {
            member.memberships.retain(|m| m.organization_id != id);
            move_sessions(data, member.id, id, None, now_ms);
            data.put_user(member);
        }
        let removed = data
            .remove_organization(id)
            .ok_or(OrganizationWriteError::UnknownOrganization)?;
        self.budget.force(before, data.bytes());
        drop(held);
        self.tell(|_| vec![Change::organization_deleted(&removed)]);
        Ok(removed)
    }

    /// Makes the user `user_id` a member of the organization `id_or_slug` names, in `role`.
    pub fn create_membership(
        &self,
        id_or_slug: &str,
        user_id: &str,
        role: &str,
        metadata: (Option<serde_json::Value>, Option<serde_json::Value>),
    ) -> Result<(Membership, User, Organization), OrganizationWriteError> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        let data = &mut held.data;
        let organization = find(data, id_or_slug)
            .cloned()
            .ok_or(OrganizationWriteError::UnknownOrganization)?;
        let mut user = UserId::parse(user_id)
            .and_then(|id| data.users.get(&id))
            .cloned()
            .ok_or_else(|| OrganizationWriteError::UnknownUser(user_id.to_owned()))?;
        if user.role_in(organization.id).is_some() {
            return Err(OrganizationWriteError::AlreadyAMember(user_id.to_owned()));
        }
        check_role(data, organization.id, role)?;
        let limit = organization.max_allowed_memberships;
        if limit > 0
            && i64::try_from(data.users.member_count(organization.id)).unwrap_or(i64::MAX) >= limit
        {
            return Err(OrganizationWriteError::MembersLimit(limit));
        }
        let (public, private) = metadata;
        let membership = Membership {
            public_metadata: public.unwrap_or_else(empty),
            private_metadata: private.unwrap_or_else(empty),
            ..Membership::new(organization.id, role, now_ms)
        };
        user.memberships.push(membership.clone());
        charge_user(self, data, &user)?;
        data.next_session_organization
            .insert(user.id, organization.id);
        data.put_user(user.clone());
        drop(held);
        self.tell(|_| {
            vec![Change::membership(
                EventType::MembershipCreated,
                &membership,
                &organization,
                &user,
            )]
        });
        Ok((membership, user, organization))
    }

    /// Gives the member `user_id` of the organization `id_or_slug` names the role `role`; the
    /// next token of its sessions there shows it.
    pub fn update_membership(
        &self,
        id_or_slug: &str,
        user_id: &str,
        role: &str,
    ) -> Result<(Membership, User, Organization), OrganizationWriteError> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        let data = &mut held.data;
        let (organization, mut user) = member(data, id_or_slug, user_id)?;
        check_role(data, organization.id, role)?;
        let membership = user
            .memberships
            .iter_mut()
            .find(|m| m.organization_id == organization.id)
            .ok_or(OrganizationWriteError::NotAMember)?;
        membership.role = Arc::from(role);
        membership.updated_at = membership.updated_at.max(now_ms);
        let membership = membership.clone();
        charge_user(self, data, &user)?;
        data.put_user(user.clone());
        drop(held);
        self.tell(|_| {
            vec![Change::membership(
                EventType::MembershipUpdated,
                &membership,
                &organization,
                &user,
            )]
        });
        Ok((membership, user, organization))
    }

    /// Removes the member `user_id` from the organization `id_or_slug` names; its sessions
    /// active there move to its newest remaining organization, or none.
    pub fn delete_membership(
        &self,
        id_or_slug: &str,
        user_id: &str,
    ) -> Result<(Membership, User, Organization), OrganizationWriteError> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        let data = &mut held.data;
        let (organization, mut user) = member(data, id_or_slug, user_id)?;
        let position = user
            .memberships
            .iter()
            .position(|m| m.organization_id == organization.id)
            .ok_or(OrganizationWriteError::NotAMember)?;
        let membership = user.memberships.remove(position);
        let newest = user
            .memberships
            .iter()
            .max_by_key(|membership| (membership.created_at, membership.organization_id))
            .map(|membership| membership.organization_id);
        move_sessions(data, user.id, organization.id, newest, now_ms);
        let before = data.bytes();
        data.put_user(user.clone());
        self.budget.force(before, data.bytes());
        drop(held);
        self.tell(|_| {
            vec![Change::membership(
                EventType::MembershipDeleted,
                &membership,
                &organization,
                &user,
            )]
        });
        Ok((membership, user, organization))
    }
}

/// Why a session's active organization was not set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetActiveError {
    #[error("no such session")]
    UnknownSession,
    #[error("no such organization")]
    UnknownOrganization,
    #[error("the session's user is not a member")]
    NotAMember,
}

impl Instance {
    /// Makes the organization `id_or_slug` names (or none) the session's active one, as the
    /// browser's `setActive` does: its next token carries it. The session's user must belong
    /// to it.
    pub fn set_active_organization(
        &self,
        session: crate::domain::SessionId,
        id_or_slug: Option<&str>,
    ) -> Result<crate::domain::Session, SetActiveError> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        let data = &mut held.data;
        let user = data
            .sessions
            .get(session)
            .map(|session| session.user_id)
            .ok_or(SetActiveError::UnknownSession)?;
        let organization = id_or_slug
            .map(|text| {
                let organization = find(data, text).ok_or(SetActiveError::UnknownOrganization)?;
                data.users
                    .get(&user)
                    .and_then(|user| user.role_in(organization.id))
                    .map(|_| organization.id)
                    .ok_or(SetActiveError::NotAMember)
            })
            .transpose()?;
        data.sessions
            .update(session, |session| {
                session.last_active_organization_id = organization;
                session.updated_at = session.updated_at.max(now_ms);
                session.clone()
            })
            .ok_or(SetActiveError::UnknownSession)
    }
}

/// The organization `id_or_slug` names: a value with `_` is an id, any other a slug (slugs
/// cannot hold `_`).
fn find<'a>(data: &'a InstanceData, id_or_slug: &str) -> Option<&'a Organization> {
    if id_or_slug.contains('_') {
        OrganizationId::parse(id_or_slug).and_then(|id| data.organizations.get(&id))
    } else {
        data.organizations.by_slug(id_or_slug)
    }
}

/// The organization and the user, who must be a member of it.
fn member(
    data: &InstanceData,
    id_or_slug: &str,
    user_id: &str,
) -> Result<(Organization, User), OrganizationWriteError> {
    let organization = find(data, id_or_slug)
        .cloned()
        .ok_or(OrganizationWriteError::UnknownOrganization)?;
    let user = UserId::parse(user_id)
        .and_then(|id| data.users.get(&id))
        .filter(|user| user.role_in(organization.id).is_some())
        .cloned()
        .ok_or(OrganizationWriteError::NotAMember)?;
    Ok((organization, user))
}

/// A role the organization knows: admin, member, or one a member of it holds already.
fn check_role(
    data: &InstanceData,
    organization: OrganizationId,
    role: &str,
) -> Result<(), OrganizationWriteError> {
    let known = role == roles::ADMIN
        || role == roles::MEMBER
        || data
            .users
            .members_of(organization)
            .any(|user| user.role_in(organization) == Some(role));
    if known {
        Ok(())
    } else {
        Err(OrganizationWriteError::UnknownRole(role.to_owned()))
    }
}

/// Charges the budget for storing `user` in `data`.
fn charge_user(
    instance: &Instance,
    data: &InstanceData,
    user: &User,
) -> Result<(), OrganizationWriteError> {
    let before = data.bytes();
    instance.budget.change(
        before,
        before.saturating_add_signed(data.bytes_added_by(user)),
    )?;
    Ok(())
}

/// Moves the sessions of `user` active in `gone` (an organization it no longer belongs to) to
/// `next`, or to none.
fn move_sessions(
    data: &mut InstanceData,
    user: UserId,
    gone: OrganizationId,
    next: Option<OrganizationId>,
    now_ms: i64,
) {
    let sessions: Vec<_> = data
        .sessions
        .of_user(user)
        .filter(|session| session.last_active_organization_id == Some(gone))
        .map(|session| session.id)
        .collect();
    for session in sessions {
        data.sessions.update(session, |session| {
            session.last_active_organization_id = next;
            session.updated_at = session.updated_at.max(now_ms);
        });
    }
}

/// `base`, or `base-2`, `base-3`... whichever no organization holds.
fn free_slug(data: &InstanceData, base: &str) -> Arc<str> {
    if data.organizations.by_slug(base).is_none() {
        return Arc::from(base);
    }
    (2_u64..)
        .map(|n| format!("{base}-{n}"))
        .find(|slug| data.organizations.by_slug(slug).is_none())
        .map_or_else(|| Arc::from(base), Arc::from)
}

fn empty() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

//! An instance's users: read them with what their sessions say of them; create, change,
//! restrict and delete them.

use std::sync::Arc;

use super::changes::user_change;
use super::{Held, Instance};
use crate::data::seed::InstanceData;
use crate::domain::sign_in_token::SignInTokenStatus;
use crate::domain::user::{LOCKOUT_MS, UserActivity};
use crate::domain::{User, UserId};
use crate::store::UserStore;
use crate::store::users::{IdentifierIndex, Start, UserFilter, UserOrder};
use crate::tenancy::memory_budget::OverBudget;
use crate::webhooks::event::{Change, EventType};

impl Instance {
    /// Presents a user, with its activity from its sessions, while the instance is read, so
    /// that it is lent rather than copied. The activity costs the user's sessions, not the
    /// instance's.
    pub fn present_user<R>(
        &self,
        id: UserId,
        present: impl FnOnce(&User, UserActivity) -> R,
    ) -> Option<R> {
        let held = self.held.read();
        let user = held.data.users.get(&id)?;
        Some(present(
            user,
            UserActivity::of(held.data.sessions.of_user(id)),
        ))
    }

    /// Presents the users `filter` keeps in `order`, from `start`, at most `limit`, each with
    /// its activity, while the instance is read; `None` when `start` is after a user the
    /// instance does not hold.
    pub fn list_users<R>(
        &self,
        filter: &UserFilter,
        order: UserOrder,
        (start, limit): (Start, usize),
        present: impl FnOnce(Vec<(&User, UserActivity)>) -> R,
    ) -> Option<R> {
        let held = self.held.read();
        let activity = |id| UserActivity::of(held.data.sessions.of_user(id));
        let users = held
            .data
            .users
            .list(filter, order, activity, start, limit)?;
        Some(present(
            users
                .into_iter()
                .map(|user| (user, activity(user.id)))
                .collect(),
        ))
    }

    /// How many users `filter` keeps.
    pub fn count_users(&self, filter: &UserFilter) -> usize {
        let held = self.held.read();
        held.data.users.count(filter, |id| {
            UserActivity::of(held.data.sessions.of_user(id))
        })
    }
}

/// Why a write to a user was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserWriteError {
    #[error("no such user")]
    UnknownUser,
    /// The identifiers another user already holds, by the parameter that gives each
    /// (`email_address`, `phone_number`, `username`, `external_id`).
    #[error("already held by another user: {0:?}")]
    Taken(Vec<&'static str>),
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
}

/// What ban, unban, lock and unlock do to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    /// Marks the user banned and revokes its live sessions.
    Ban,
    Unban,
    /// Locks the user for [`LOCKOUT_MS`] on the instance's clock; its sessions stay.
    Lock,
    Unlock,
}

impl Instance {
    /// Creates a user: `fill` gives the user its fields, from a new user with a fresh id, the
    /// placeholder image and now as its times. Refused when another user holds one of its
    /// identifiers, or when it does not fit the instance's memory bound.
    pub fn create_user(&self, fill: impl FnOnce(User) -> User) -> Result<User, UserWriteError> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        let Held { data, ids } = &mut *held;
        // Ids come from a copy of the generator, kept only if the user is.
        let mut drawing = ids.clone();
        let id = UserId::random(&mut drawing);
        let user = fill(User::new(id, placeholder_image(id), now_ms));
        check_identifiers(&data.users, &user)?;
        self.charge(data, &user)?;
        *ids = drawing;
        data.put_user(user.clone());
        drop(held);
        self.tell(|data| vec![user_change(data, EventType::UserCreated, &user)]);
        Ok(user)
    }

    /// Changes the user of `id` with `change`, which may refuse with its own error; then
    /// checks identifiers and memory as [`Instance::create_user`] does, and moves
    /// `updated_at` to now.
    pub fn update_user<E: From<UserWriteError>>(
        &self,
        id: UserId,
        change: impl FnOnce(&mut User) -> Result<(), E>,
    ) -> Result<User, E> {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        let data = &mut held.data;
        let mut user = data
            .users
            .get(&id)
            .cloned()
            .ok_or(UserWriteError::UnknownUser)?;
        change(&mut user)?;
        user.updated_at = user.updated_at.max(now_ms);
        check_identifiers(&data.users, &user)?;
        self.charge(data, &user).map_err(UserWriteError::from)?;
        data.put_user(user.clone());
        drop(held);
        self.tell(|data| vec![user_change(data, EventType::UserUpdated, &user)]);
        Ok(user)
    }

    /// Bans, unbans, locks or unlocks the user of `id`; a ban also revokes the user's live
    /// sessions. Each is idempotent.
    pub fn restrict_user(
        &self,
        id: UserId,
        restriction: Restriction,
    ) -> Result<User, UserWriteError> {
        let now_ms = self.now_ms();
        let user = self.update_user(id, |user: &mut User| {
            match restriction {
                Restriction::Ban => user.banned = true,
                Restriction::Unban => user.banned = false,
                Restriction::Lock => user.locked_until = Some(now_ms + LOCKOUT_MS),
                Restriction::Unlock => user.locked_until = None,
            }
            Ok::<_, UserWriteError>(())
        })?;
        if restriction == Restriction::Ban {
            self.revoke_sessions_of(id);
        }
        Ok(user)
    }

    /// Deletes the user of `id`: its live sessions and pending sign-in tokens are revoked (they
    /// stay readable by id), its memberships go with it, and its id is never drawn again.
    pub fn delete_user(&self, id: UserId) -> Result<User, UserWriteError> {
        let removed = {
            let mut held = self.held.write();
            let data = &mut held.data;
            let before = data.bytes();
            let removed = data.remove_user(id).ok_or(UserWriteError::UnknownUser)?;
            let now_ms = self.now_ms();
            data.sign_in_tokens.update_of_user(id, |token| {
                if token.status == SignInTokenStatus::Pending {
                    token.status = SignInTokenStatus::Revoked;
                    token.updated_at = token.updated_at.max(now_ms);
                }
            });
            self.budget.force(before, data.bytes());
            removed
        };
        self.tell(|_| vec![Change::user_deleted(&removed)]);
        self.revoke_sessions_of(id);
        Ok(removed)
    }

    /// Revokes every live session of the user of `id`.
    pub fn revoke_sessions_of(&self, id: UserId) {
        let now_ms = self.now_ms();
        let mut held = self.held.write();
        let sessions = &mut held.data.sessions;
        let ids: Vec<_> = sessions.of_user(id).map(|session| session.id).collect();
        let revoked: Vec<_> = ids
            .into_iter()
            .filter(|session| {
                sessions.update(*session, |session| session.revoke(now_ms)) == Some(true)
            })
            .collect();
        drop(held);
        self.tell_revoked(&revoked);
    }

    /// Charges the budget for storing `user` in `data`.
    fn charge(&self, data: &InstanceData, user: &User) -> Result<(), OverBudget> {
        let before = data.bytes();
        self.budget.change(
            before,
            before.saturating_add_signed(data.bytes_added_by(user)),
        )
    }
}

/// The parameters whose values `user` shares with another user of `users`.
fn check_identifiers(users: &UserStore, user: &User) -> Result<(), UserWriteError> {
    let held = |which, value: &str| users.held_by_another(which, value, user.id);
    let mut taken = Vec::new();
    let params = [
        (
            "email_address",
            user.email_addresses
                .iter()
                .any(|email| held(IdentifierIndex::Email, &email.value)),
        ),
        (
            "phone_number",
            user.phone_numbers
                .iter()
                .any(|phone| held(IdentifierIndex::Phone, &phone.value)),
        ),
        (
            "username",
            user.username
                .as_deref()
                .is_some_and(|name| held(IdentifierIndex::Username, name)),
        ),
        (
            "external_id",
            user.external_id
                .as_deref()
                .is_some_and(|external| held(IdentifierIndex::ExternalId, external)),
        ),
    ];
    for (param, is_taken) in params {
        if is_taken {
            taken.push(param);
        }
    }
    if taken.is_empty() {
        Ok(())
    } else {
        Err(UserWriteError::Taken(taken))
    }
}

/// The image a user created through the API shows: a placeholder of its own.
fn placeholder_image(id: UserId) -> Arc<str> {
    Arc::from(format!("https://img.clerk.com/mock/{id}.png"))
}

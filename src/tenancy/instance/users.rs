//! An instance's users: read them with what their sessions say of them.

use super::Instance;
use crate::domain::user::UserActivity;
use crate::domain::{User, UserId};
use crate::store::users::{Start, UserFilter, UserOrder};

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

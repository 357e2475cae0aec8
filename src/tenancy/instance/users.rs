//! An instance's users: read them with what their sessions say of them.

use super::Instance;
use crate::domain::user::UserActivity;
use crate::domain::{User, UserId};

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
}

//! The stores: each resource's records and the indexes its lists and filters read.

pub mod sessions;
pub mod users;

pub use sessions::{ListQuery, ListScope, Page, SessionStore};
pub use users::UserStore;

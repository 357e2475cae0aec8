//! The stores: each resource's records and the indexes its lists and filters read.

pub mod sessions;
pub mod sign_in_tokens;
pub mod users;

pub use sessions::{ListQuery, ListScope, Page, SessionStore};
pub use sign_in_tokens::SignInTokenStore;
pub use users::UserStore;

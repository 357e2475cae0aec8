//! The stores: each resource's records and the indexes its lists and filters read.

pub mod organizations;
pub mod sessions;
pub mod sign_in_tokens;
pub mod users;

pub use organizations::OrganizationStore;
pub use sessions::{ListQuery, ListScope, Page, SessionStore};
pub use sign_in_tokens::SignInTokenStore;
pub use users::UserStore;

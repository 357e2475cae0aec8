//! The stores: each resource's records and the indexes its lists and filters read.

pub mod sessions;

pub use sessions::{ListQuery, ListScope, Page, SessionStore};

//! The JSON shapes serde writes, one module per resource: the types the spec documents.

pub mod deleted;
pub mod organizations;
pub mod sessions;
pub mod sign_in_tokens;
pub mod users;

pub use deleted::DeletedObjectBody;
pub use sessions::{PaginatedSessions, SessionBody, SessionList, session_example};
pub use users::{TotalCountBody, UserBody};

//! Plain Rust types: ids, operation ids, sessions, users, API versions and the clock.

pub mod api_version;
pub mod clock;
pub mod footprint;
pub mod free_form;
pub mod identifiers;
pub mod metadata;
pub mod operation_id;
pub mod roles;
pub mod session;
pub mod sign_in_token;
#[cfg(test)]
pub mod testing;
pub mod user;

pub use api_version::ApiVersion;
pub use clerk_mock_document::ids::{
    ActivityId, ClientId, IdentificationId, IdentificationKind, InstanceId, OrganizationId,
    OrganizationMembershipId, SessionId, UserId,
};
pub use clock::{Clock, ClockSetting};
pub use operation_id::OperationId;
pub use session::{Session, SessionActivity, SessionStatus, StatusFilter};
pub use user::{Organization, User};

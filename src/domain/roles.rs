//! Organization roles: the two every Clerk instance has, and the permissions each carries.

/// The administrator's role key.
pub const ADMIN: &str = "org:admin";
/// The member's role key.
pub const MEMBER: &str = "org:member";

/// The system permissions of `role`: an admin's six, a member's one, none for a custom role
/// (whose permissions the mock does not know).
pub fn permissions(role: &str) -> &'static [&'static str] {
    match role {
        ADMIN => &[
            "org:sys_profile:manage",
            "org:sys_profile:delete",
            "org:sys_memberships:read",
            "org:sys_memberships:manage",
            "org:sys_domains:read",
            "org:sys_domains:manage",
        ],
        MEMBER => &["org:sys_memberships:read"],
        _ => &[],
    }
}

/// The name Clerk shows for `role`: "Admin", "Member", or the key without its `org:` prefix.
pub fn name(role: &str) -> String {
    match role {
        ADMIN => "Admin".to_owned(),
        MEMBER => "Member".to_owned(),
        other => other.strip_prefix("org:").unwrap_or(other).to_owned(),
    }
}

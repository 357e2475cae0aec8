//! The JSON shapes of organizations and memberships, as Clerk's `Organization`,
//! `OrganizationMembership` (with the organization and the member's public data, which
//! `@clerk/backend` needs) and their paginated lists have them.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::roles;
use crate::domain::user::Membership;
use crate::domain::{Organization, User};

/// An organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Organization, example = json!({
    "object": "organization",
    "id": "org_2Acmet3kU1slpIuojlEroXRG9xb",
    "name": "Acme Corp",
    "slug": "acme",
    "image_url": "https://img.clerk.com/mock/org_2Acmet3kU1slpIuojlEroXRG9xb.png",
    "has_image": false,
    "max_allowed_memberships": 0,
    "admin_delete_enabled": true,
    "public_metadata": {},
    "private_metadata": {},
    "created_at": 1764052800000_i64,
    "updated_at": 1764052800000_i64
}))]
pub struct OrganizationBody {
    #[schema(example = "organization")]
    object: &'static str,
    id: String,
    name: String,
    slug: String,
    image_url: String,
    has_image: bool,
    /// 0 means unlimited.
    max_allowed_memberships: i64,
    admin_delete_enabled: bool,
    #[schema(value_type = Object)]
    public_metadata: Value,
    /// For the backend only.
    #[schema(value_type = Object)]
    private_metadata: Value,
    /// The user who created it through the API; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    created_by: Option<String>,
    created_at: i64,
    updated_at: i64,
    /// Only with `include_members_count=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    members_count: Option<u64>,
    /// Only with `include_missing_member_with_elevated_permissions=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_member_with_elevated_permissions: Option<bool>,
}

/// What an organization answer adds when asked: its member count, and whether it lacks a
/// member with elevated permissions.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrganizationExtras {
    pub members_count: Option<usize>,
    pub missing_member_with_elevated_permissions: Option<bool>,
}

impl OrganizationBody {
    pub fn new(organization: &Organization, extras: OrganizationExtras) -> Self {
        Self {
            object: "organization",
            id: organization.id.to_string(),
            name: organization.name.to_string(),
            slug: organization.slug.to_string(),
            image_url: organization.image_url.to_string(),
            has_image: false,
            max_allowed_memberships: organization.max_allowed_memberships,
            admin_delete_enabled: organization.admin_delete_enabled,
            public_metadata: organization.public_metadata.clone(),
            private_metadata: organization.private_metadata.clone(),
            created_by: organization.created_by.map(|id| id.to_string()),
            created_at: organization.created_at,
            updated_at: organization.updated_at,
            members_count: extras
                .members_count
                .map(|count| u64::try_from(count).unwrap_or(u64::MAX)),
            missing_member_with_elevated_permissions: extras
                .missing_member_with_elevated_permissions,
        }
    }
}

impl OrganizationBody {
    /// Adds `missing_member_with_elevated_permissions`, which the request asked for.
    pub fn set_missing_member(&mut self, missing: bool) {
        self.missing_member_with_elevated_permissions = Some(missing);
    }
}

/// Acme and Alice's membership of it, as the fixtures have them: what the document's examples
/// show, written by the types themselves.
fn example_membership() -> Option<Value> {
    let fixtures = crate::data::Fixtures::embedded().ok()?;
    let created_at = 1_764_052_800_000;
    let organization =
        crate::data::entries::organization(fixtures.data.organizations.first()?, created_at);
    let alice = crate::data::entries::user(fixtures.data.users.first()?, created_at);
    let membership = alice.memberships.first()?;
    serde_json::to_value(OrganizationMembershipBody::new(
        membership,
        &organization,
        &alice,
    ))
    .ok()
}

fn organizations_example() -> Value {
    let organization = example_membership()
        .map(|membership| membership["organization"].clone())
        .unwrap_or_default();
    serde_json::json!({"data": [organization], "total_count": 1})
}

fn membership_example() -> Value {
    example_membership().unwrap_or_default()
}

fn memberships_example() -> Value {
    serde_json::json!({"data": [membership_example()], "total_count": 1})
}

/// A page of organizations, and how many the filters keep in all.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Organizations, example = organizations_example)]
pub struct OrganizationsBody {
    pub data: Vec<OrganizationBody>,
    pub total_count: u64,
}

/// A user's membership of an organization: the organization whole, and what the member shows
/// of itself.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OrganizationMembership, example = membership_example)]
pub struct OrganizationMembershipBody {
    #[schema(example = "organization_membership")]
    object: &'static str,
    #[schema(example = "orgmem_2AliceAcmeMembershipxYz8Kp3")]
    id: String,
    #[schema(example = "org:admin")]
    role: String,
    #[schema(example = "Admin")]
    role_name: String,
    permissions: Vec<&'static str>,
    #[schema(value_type = Object)]
    public_metadata: Value,
    #[schema(value_type = Object)]
    private_metadata: Value,
    created_at: i64,
    updated_at: i64,
    organization: OrganizationBody,
    public_user_data: PublicUserDataBody,
}

impl OrganizationMembershipBody {
    pub fn new(membership: &Membership, organization: &Organization, user: &User) -> Self {
        Self {
            object: "organization_membership",
            id: membership.id(user.id).to_string(),
            role: membership.role.to_string(),
            role_name: roles::name(&membership.role),
            permissions: roles::permissions(&membership.role).to_vec(),
            public_metadata: membership.public_metadata.clone(),
            private_metadata: membership.private_metadata.clone(),
            created_at: membership.created_at,
            updated_at: membership.updated_at,
            organization: OrganizationBody::new(organization, OrganizationExtras::default()),
            public_user_data: PublicUserDataBody::new(user),
        }
    }
}

/// What a membership shows of its member.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OrganizationMembershipPublicUserData)]
pub struct PublicUserDataBody {
    user_id: String,
    first_name: Option<String>,
    last_name: Option<String>,
    /// The same as `image_url` (deprecated by Clerk).
    profile_image_url: Option<String>,
    image_url: String,
    has_image: bool,
    /// The primary email address, else the primary phone number, else the username.
    identifier: Option<String>,
    username: Option<String>,
    banned: bool,
}

impl PublicUserDataBody {
    pub fn new(user: &User) -> Self {
        let text = |value: &Option<std::sync::Arc<str>>| value.as_deref().map(str::to_owned);
        Self {
            user_id: user.id.to_string(),
            first_name: text(&user.first_name),
            last_name: text(&user.last_name),
            profile_image_url: Some(user.image_url.to_string()),
            image_url: user.image_url.to_string(),
            has_image: false,
            identifier: user
                .email_address()
                .or_else(|| user.phone_number())
                .map(|identification| identification.value.to_owned())
                .or_else(|| text(&user.username)),
            username: text(&user.username),
            banned: user.banned,
        }
    }
}

/// A page of memberships, and how many there are in all.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OrganizationMemberships, example = memberships_example)]
pub struct OrganizationMembershipsBody {
    pub data: Vec<OrganizationMembershipBody>,
    pub total_count: u64,
}

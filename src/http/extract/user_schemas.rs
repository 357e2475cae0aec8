//! The user write bodies as the generated document shows them: every field, its type and what
//! it does, for Swagger UI. What the server reads of them is in [`super::user_body`].

use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// The body of `POST /v1/users`. Every field is optional; `{}` creates a user with no
/// identifiers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "describes the request body in the OpenAPI document"
)]
#[schema(as = CreateUserRequest, example = json!({
    "email_address": ["grace@example.com"],
    "phone_number": ["+15555550123"],
    "username": "grace",
    "first_name": "Grace",
    "last_name": "Hopper",
    "external_id": "db-42",
    "public_metadata": {"plan": "pro"},
    "private_metadata": {"stripe_customer": "cus_123"},
    "skip_password_requirement": true
}))]
pub struct CreateUserSchema {
    /// Email addresses, verified unless `email_address_identification_status` says `reserved`;
    /// the first is the primary one. At most 10, each held by no other user.
    email_address: Option<Vec<String>>,
    /// Phone numbers in E.164 form, as email addresses are.
    phone_number: Option<Vec<String>>,
    /// `verified` or `reserved`, one per email address, by position.
    email_address_identification_status: Option<Vec<String>>,
    /// `verified` or `reserved`, one per phone number, by position.
    phone_number_identification_status: Option<Vec<String>>,
    username: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    /// Your own id for the user, held by no other user.
    external_id: Option<String>,
    locale: Option<String>,
    /// At least 8 characters unless `skip_password_checks`. Never kept: only
    /// `password_enabled` shows it.
    password: Option<String>,
    password_digest: Option<String>,
    password_hasher: Option<String>,
    skip_password_checks: Option<bool>,
    skip_password_requirement: Option<bool>,
    totp_secret: Option<String>,
    backup_codes: Option<Vec<String>>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    legal_accepted_at: Option<String>,
    skip_legal_checks: Option<bool>,
    skip_user_requirement: Option<bool>,
    /// RFC 3339; now by default.
    #[schema(format = DateTime)]
    created_at: Option<String>,
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Map<String, Value>>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Map<String, Value>>,
    #[schema(value_type = Option<Object>)]
    unsafe_metadata: Option<Map<String, Value>>,
    delete_self_enabled: Option<bool>,
    create_organization_enabled: Option<bool>,
    create_organizations_limit: Option<i64>,
    bypass_client_trust: Option<bool>,
    /// Creates the user banned.
    banned: Option<bool>,
    /// Creates the user locked.
    locked: Option<bool>,
}

/// The body of `PATCH /v1/users/{user_id}`: what it names changes, the rest stays. `null` (or
/// `""`) clears a nullable field. The metadata fields are read only under API versions before
/// 2026-05-12, where they replace the field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "describes the request body in the OpenAPI document"
)]
#[schema(as = UpdateUserRequest, example = json!({"first_name": "Grace", "username": "grace_h", "external_id": "db-42"}))]
pub struct UpdateUserSchema {
    first_name: Option<String>,
    last_name: Option<String>,
    /// `null` or `""` removes it.
    username: Option<String>,
    external_id: Option<String>,
    locale: Option<String>,
    /// The id of one of the user's verified email addresses.
    primary_email_address_id: Option<String>,
    /// The id of one of the user's verified phone numbers.
    primary_phone_number_id: Option<String>,
    #[schema(value_type = Option<String>)]
    primary_web3_wallet_id: Option<String>,
    profile_image_id: Option<String>,
    password: Option<String>,
    skip_password_checks: Option<bool>,
    /// With `password`: revokes the user's live sessions.
    sign_out_of_other_sessions: Option<bool>,
    totp_secret: Option<String>,
    backup_codes: Option<Vec<String>>,
    #[schema(format = DateTime)]
    legal_accepted_at: Option<String>,
    #[schema(format = DateTime)]
    created_at: Option<String>,
    delete_self_enabled: Option<bool>,
    create_organization_enabled: Option<bool>,
    create_organizations_limit: Option<i64>,
    bypass_client_trust: Option<bool>,
    notify_primary_email_address_changed: Option<bool>,
}

/// The body of the metadata writes: any of the three fields, each a JSON object.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "describes the request body in the OpenAPI document"
)]
#[schema(as = UserMetadataRequest, example = json!({"public_metadata": {"plan": "pro", "trial": null}}))]
pub struct UserMetadataSchema {
    /// Readable by the frontend and in token templates.
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Map<String, Value>>,
    /// For the backend only.
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Map<String, Value>>,
    /// Writable by the frontend.
    #[schema(value_type = Option<Object>)]
    unsafe_metadata: Option<Map<String, Value>>,
    /// Each field as given: `None` when absent, an empty object for `null`.
    #[schema(ignore)]
    pub fields: [Option<Map<String, Value>>; 3],
}

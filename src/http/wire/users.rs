//! The JSON shape of a user, with its email addresses and phone numbers, as Clerk's `User`
//! schema has it: every required field present, with its type and nullability.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::user::{Identification, IdentifierStatus, UserActivity};
use crate::domain::{IdentificationId, User, UserId};

/// The `object` discriminator of a user.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserObject {
    User,
}

/// What a user looks like on the wire: the example of the `User` schema, Alice of the fixtures
/// written by [`UserBody`] itself, so that the example cannot drift from what the server answers.
pub fn user_example() -> Value {
    let created_at = 1_764_052_800_000;
    let alice = crate::data::Fixtures::embedded().ok().and_then(|fixtures| {
        let entry = fixtures.data.users.into_iter().next()?;
        Some(crate::data::entries::user(&entry, created_at))
    });
    let activity = UserActivity {
        last_sign_in_at: Some(created_at),
        last_active_at: Some(created_at + 7_200_000),
    };
    alice
        .and_then(|alice| {
            serde_json::to_value(UserBody::new(&alice, activity, created_at + 7_200_000)).ok()
        })
        .unwrap_or_default()
}

/// A user of the instance.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = User, example = user_example)]
pub struct UserBody {
    #[schema(value_type = String, example = "user_2AlicexBGaRy7HSnjHcaZabMn26")]
    id: UserId,
    object: UserObject,
    /// The user's id in your own system, if you set one.
    external_id: Option<String>,
    #[schema(value_type = Option<String>)]
    primary_email_address_id: Option<IdentificationId>,
    #[schema(value_type = Option<String>)]
    primary_phone_number_id: Option<IdentificationId>,
    primary_web3_wallet_id: Option<String>,
    username: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    image_url: String,
    has_image: bool,
    #[schema(value_type = Object)]
    public_metadata: Value,
    /// Visible to the backend only: never in a token.
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Value>,
    #[schema(value_type = Object)]
    unsafe_metadata: Value,
    email_addresses: Vec<EmailAddressBody>,
    phone_numbers: Vec<PhoneNumberBody>,
    #[schema(value_type = Vec<Object>)]
    web3_wallets: [Value; 0],
    #[schema(value_type = Vec<Object>)]
    passkeys: [Value; 0],
    password_enabled: bool,
    two_factor_enabled: bool,
    totp_enabled: bool,
    backup_code_enabled: bool,
    mfa_enabled_at: Option<i64>,
    mfa_disabled_at: Option<i64>,
    #[schema(value_type = Vec<Object>)]
    external_accounts: [Value; 0],
    #[schema(value_type = Vec<Object>)]
    saml_accounts: [Value; 0],
    #[schema(value_type = Vec<Object>)]
    enterprise_accounts: [Value; 0],
    /// When the user's newest session started, in milliseconds.
    last_sign_in_at: Option<i64>,
    banned: bool,
    locked: bool,
    lockout_expires_in_seconds: Option<i64>,
    verification_attempts_remaining: Option<i64>,
    created_at: i64,
    updated_at: i64,
    delete_self_enabled: bool,
    create_organization_enabled: bool,
    create_organizations_limit: Option<i64>,
    /// The day (00:00 UTC, in milliseconds) the user was last active in a session.
    last_active_at: Option<i64>,
    legal_accepted_at: Option<i64>,
    locale: Option<String>,
    deprovisioned: bool,
    bypass_client_trust: bool,
}

/// How many verification attempts a user has left: the mock never locks anyone out for them.
const VERIFICATION_ATTEMPTS: i64 = 100;

impl UserBody {
    /// `user` as the API shows it at `now_ms` (its lock counts down on the instance's clock),
    /// with what its sessions say of its activity.
    pub fn new(user: &User, activity: UserActivity, now_ms: i64) -> Self {
        let text = |value: &Option<std::sync::Arc<str>>| value.as_deref().map(str::to_owned);
        let locked = user.is_locked(now_ms);
        let two_factor_enabled = user.totp_enabled || user.backup_code_enabled;
        Self {
            id: user.id,
            object: UserObject::User,
            external_id: text(&user.external_id),
            primary_email_address_id: user.email_address().map(|email| email.id),
            primary_phone_number_id: user.phone_number().map(|phone| phone.id),
            primary_web3_wallet_id: None,
            username: text(&user.username),
            first_name: text(&user.first_name),
            last_name: text(&user.last_name),
            image_url: user.image_url.to_string(),
            has_image: false,
            public_metadata: user.public_metadata.clone(),
            private_metadata: Some(user.private_metadata.clone()),
            unsafe_metadata: user.unsafe_metadata.clone(),
            email_addresses: user
                .email_addresses()
                .map(|email| EmailAddressBody::new(&email, user))
                .collect(),
            phone_numbers: user
                .phone_numbers()
                .map(|phone| PhoneNumberBody::new(&phone, user))
                .collect(),
            web3_wallets: [],
            passkeys: [],
            password_enabled: user.password_enabled,
            two_factor_enabled,
            totp_enabled: user.totp_enabled,
            backup_code_enabled: user.backup_code_enabled,
            mfa_enabled_at: None,
            mfa_disabled_at: None,
            external_accounts: [],
            saml_accounts: [],
            enterprise_accounts: [],
            last_sign_in_at: activity.last_sign_in_at,
            banned: user.banned,
            locked,
            lockout_expires_in_seconds: user
                .locked_until
                .filter(|_| locked)
                .map(|until| (until - now_ms + 999).div_euclid(1000)),
            verification_attempts_remaining: Some(VERIFICATION_ATTEMPTS),
            created_at: user.created_at,
            updated_at: user.updated_at,
            delete_self_enabled: user.delete_self_enabled,
            create_organization_enabled: user.create_organization_enabled,
            create_organizations_limit: user.create_organizations_limit,
            last_active_at: activity.last_active_day(),
            legal_accepted_at: user.legal_accepted_at,
            locale: text(&user.locale),
            deprovisioned: false,
            bypass_client_trust: user.bypass_client_trust,
        }
    }
}

/// One of a user's email addresses.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = EmailAddress)]
pub struct EmailAddressBody {
    #[schema(value_type = String, example = "idn_2AliceEmailxBGaRy7HSnjHcaZab")]
    id: IdentificationId,
    #[schema(example = "email_address")]
    object: &'static str,
    email_address: String,
    /// Held for the user without a verification.
    reserved: bool,
    verification: VerificationBody,
    /// The other identifications this one is linked to: none in the mock.
    #[schema(value_type = Vec<Object>)]
    linked_to: [Value; 0],
    created_at: i64,
    updated_at: i64,
}

impl EmailAddressBody {
    fn new(email: &Identification<'_>, user: &User) -> Self {
        Self {
            id: email.id,
            object: "email_address",
            email_address: email.value.to_owned(),
            reserved: email.status == IdentifierStatus::Reserved,
            verification: VerificationBody::of(email.status, "email_code"),
            linked_to: [],
            created_at: user.created_at,
            updated_at: user.created_at,
        }
    }
}

/// One of a user's phone numbers.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PhoneNumber)]
pub struct PhoneNumberBody {
    #[schema(value_type = String, example = "idn_2AlicePhonexBGaRy7HSnjHcaZab")]
    id: IdentificationId,
    #[schema(example = "phone_number")]
    object: &'static str,
    phone_number: String,
    reserved_for_second_factor: bool,
    default_second_factor: bool,
    /// Held for the user without a verification.
    reserved: bool,
    verification: VerificationBody,
    /// The other identifications this one is linked to: none in the mock.
    #[schema(value_type = Vec<Object>)]
    linked_to: [Value; 0],
    created_at: i64,
    updated_at: i64,
}

impl PhoneNumberBody {
    fn new(phone: &Identification<'_>, user: &User) -> Self {
        Self {
            id: phone.id,
            object: "phone_number",
            phone_number: phone.value.to_owned(),
            reserved_for_second_factor: false,
            default_second_factor: false,
            reserved: phone.status == IdentifierStatus::Reserved,
            verification: VerificationBody::of(phone.status, "phone_code"),
            linked_to: [],
            created_at: user.created_at,
            updated_at: user.created_at,
        }
    }
}

/// How an identification was verified: by the admin (created verified through the Backend
/// API), or not yet, by a code never entered.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = IdentificationVerification)]
pub struct VerificationBody {
    /// `verification_admin` for a verified identification, `verification_otp` otherwise.
    #[schema(example = "verification_admin")]
    object: &'static str,
    /// `verified`, or `unverified`.
    #[schema(example = "verified")]
    status: &'static str,
    /// `admin` for a verified identification; the code strategy otherwise.
    #[schema(example = "admin")]
    strategy: &'static str,
    attempts: Option<i64>,
    expire_at: Option<i64>,
}

impl VerificationBody {
    /// The verification of an identifier in `status`. A reserved one shows an unverified
    /// verification rather than `null`: Clerk's schema makes the field nullable but lists only
    /// objects in its `oneOf`, which strict validators read as "never null".
    fn of(status: IdentifierStatus, code_strategy: &'static str) -> Self {
        let (object, status, strategy) = match status {
            IdentifierStatus::Verified => ("verification_admin", "verified", "admin"),
            IdentifierStatus::Unverified | IdentifierStatus::Reserved => {
                ("verification_otp", "unverified", code_strategy)
            }
        };
        Self {
            object,
            status,
            strategy,
            attempts: None,
            expire_at: None,
        }
    }
}

/// A number of objects: what a count answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TotalCount, example = json!({"object": "total_count", "total_count": 54}))]
pub struct TotalCountBody {
    #[schema(example = "total_count")]
    object: &'static str,
    total_count: u64,
}

impl TotalCountBody {
    pub fn new(total_count: usize) -> Self {
        Self {
            object: "total_count",
            total_count: u64::try_from(total_count).unwrap_or(u64::MAX),
        }
    }
}

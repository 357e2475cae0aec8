//! The bodies of the user writes (`POST /v1/users`, `PATCH /v1/users/{user_id}`, the metadata
//! `PATCH` and `PUT`): every field read, checked against the bounds in
//! [`crate::domain::identifiers`], and every bad field reported in one 422.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::body::{BodyFields, FromBody};
use super::field_reader::{Reader, TextChange};
use crate::domain::identifiers::{self, MAX_IDENTIFIERS, MAX_TEXT_CHARS, MIN_PASSWORD_CHARS};
use crate::domain::user::{Identifier, IdentifierStatus};
use crate::error::{ApiError, ParamProblem, ParamProblemKind};

/// The hashers `password_digest` may be written with, as Clerk lists them.
const PASSWORD_HASHERS: &[&str] = &[
    "argon2i",
    "argon2id",
    "bcrypt",
    "bcrypt_sha256_django",
    "ldap_ssha",
    "md5",
    "md5_phpass",
    "pbkdf2_sha1",
    "pbkdf2_sha256",
    "pbkdf2_sha256_django",
    "pbkdf2_sha512",
    "pbkdf2_sha512_hex",
    "phpass",
    "scrypt_firebase",
    "scrypt_werkzeug",
    "sha256",
    "sha512_symfony",
];

/// The three metadata fields, each a JSON object of at most 8 KiB.
pub const METADATA_FIELDS: [&str; 3] = ["public_metadata", "private_metadata", "unsafe_metadata"];

impl Reader<'_> {
    /// A password, or a digest with its hasher: whether the user has one afterwards.
    pub(super) fn password(&mut self, skip_checks: bool) -> Option<bool> {
        let password = self
            .report(self.fields.nullable_string("password"))
            .flatten();
        let digest = self.report(self.fields.string("password_digest")).flatten();
        let hasher = self.report(self.fields.string("password_hasher")).flatten();
        if let Some(hasher) = hasher
            && !PASSWORD_HASHERS.contains(&hasher)
        {
            self.problem(
                "password_hasher",
                ParamProblemKind::InvalidValue(format!(
                    "must be one of {}",
                    PASSWORD_HASHERS.join(", ")
                )),
            );
        }
        if digest.is_some() != hasher.is_some() {
            let missing = if digest.is_some() {
                "password_hasher"
            } else {
                "password_digest"
            };
            self.problems.push(ParamProblem::missing(missing));
        }
        match password {
            Some(Some(text)) if !skip_checks && text.chars().count() < MIN_PASSWORD_CHARS => {
                self.problem(
                    "password",
                    ParamProblemKind::PasswordTooShort(MIN_PASSWORD_CHARS),
                );
                None
            }
            Some(Some(_)) => Some(true),
            Some(None) => Some(false),
            None => digest.map(|_| true),
        }
    }
}

/// The fields a create and an update share, as read.
#[derive(Debug, Default)]
struct Profile {
    external_id: TextChange,
    first_name: TextChange,
    last_name: TextChange,
    locale: TextChange,
    username: TextChange,
    password_enabled: Option<bool>,
    totp_enabled: Option<bool>,
    backup_code_enabled: Option<bool>,
    legal_accepted_at: Option<i64>,
    created_at: Option<i64>,
    delete_self_enabled: Option<bool>,
    create_organization_enabled: Option<bool>,
    create_organizations_limit: Option<Option<i64>>,
    bypass_client_trust: Option<bool>,
}

impl Profile {
    fn read(reader: &mut Reader<'_>) -> Self {
        let username = reader.text("username", *identifiers::USERNAME_CHARS.end());
        if let Some(Some(name)) = &username
            && let Some(problem) = identifiers::username_problem(name)
        {
            reader.problem("username", ParamProblemKind::FormatInvalid(problem));
        }
        let skip_password_checks = reader.boolean("skip_password_checks").unwrap_or(false);
        let limit = reader.report(reader.fields.integer("create_organizations_limit"));
        if let Some(Some(limit)) = limit
            && limit < 0
        {
            reader.problem(
                "create_organizations_limit",
                ParamProblemKind::InvalidValue("must be 0 (unlimited) or more".into()),
            );
        }
        let totp = reader.text("totp_secret", MAX_TEXT_CHARS);
        let backup_codes = reader
            .report(reader.fields.strings("backup_codes"))
            .flatten();
        Self {
            external_id: reader.text("external_id", MAX_TEXT_CHARS),
            first_name: reader.text("first_name", MAX_TEXT_CHARS),
            last_name: reader.text("last_name", MAX_TEXT_CHARS),
            locale: reader.text("locale", MAX_TEXT_CHARS),
            username: username.map(|name| name.map(|name| Arc::from(name.to_lowercase()))),
            password_enabled: reader.password(skip_password_checks),
            totp_enabled: totp.map(|secret| secret.is_some()),
            backup_code_enabled: backup_codes.map(|codes| !codes.is_empty()),
            legal_accepted_at: reader.time("legal_accepted_at"),
            created_at: reader.time("created_at"),
            delete_self_enabled: reader.boolean("delete_self_enabled"),
            create_organization_enabled: reader.boolean("create_organization_enabled"),
            create_organizations_limit: limit,
            bypass_client_trust: reader.boolean("bypass_client_trust"),
        }
    }

    fn apply(self, user: &mut crate::domain::User) {
        fn set<T>(slot: &mut T, change: Option<T>) {
            if let Some(value) = change {
                *slot = value;
            }
        }
        set(&mut user.external_id, self.external_id);
        set(&mut user.first_name, self.first_name);
        set(&mut user.last_name, self.last_name);
        set(&mut user.locale, self.locale);
        set(&mut user.username, self.username);
        set(&mut user.password_enabled, self.password_enabled);
        set(&mut user.totp_enabled, self.totp_enabled);
        set(&mut user.backup_code_enabled, self.backup_code_enabled);
        set(
            &mut user.legal_accepted_at,
            self.legal_accepted_at.map(Some),
        );
        set(&mut user.delete_self_enabled, self.delete_self_enabled);
        set(
            &mut user.create_organization_enabled,
            self.create_organization_enabled,
        );
        set(
            &mut user.create_organizations_limit,
            self.create_organizations_limit,
        );
        set(&mut user.bypass_client_trust, self.bypass_client_trust);
        if let Some(created_at) = self.created_at {
            user.created_at = created_at;
        }
    }
}

/// The fields the two bodies share, known to both.
const PROFILE_FIELDS: &[&str] = &[
    "external_id",
    "first_name",
    "last_name",
    "locale",
    "username",
    "password",
    "password_digest",
    "password_hasher",
    "skip_password_checks",
    "totp_secret",
    "backup_codes",
    "legal_accepted_at",
    "skip_legal_checks",
    "created_at",
    "delete_self_enabled",
    "create_organization_enabled",
    "create_organizations_limit",
    "bypass_client_trust",
];

/// The body as read.
#[derive(Debug, Default)]
pub struct CreateUserRequest {
    email_address: Vec<Identifier>,
    phone_number: Vec<Identifier>,
    profile: Profile,
    metadata: [Option<Map<String, Value>>; 3],
    banned: bool,
    locked: bool,
}

impl CreateUserRequest {
    /// Fills a new user with what the body gives, at `now_ms` (a lock starts then).
    pub fn fill(self, mut user: crate::domain::User, now_ms: i64) -> crate::domain::User {
        self.profile.apply(&mut user);
        user.updated_at = user.created_at.max(user.updated_at);
        user.primary_email_address = primary_of(&self.email_address);
        user.primary_phone_number = primary_of(&self.phone_number);
        user.email_addresses = self.email_address;
        user.phone_numbers = self.phone_number;
        replace_metadata(&mut user, self.metadata);
        user.banned = self.banned;
        if self.locked {
            user.locked_until = Some(now_ms + crate::domain::user::LOCKOUT_MS);
        }
        user
    }
}

/// Replaces each metadata field given (public, private, unsafe) with its object.
fn replace_metadata(user: &mut crate::domain::User, given: [Option<Map<String, Value>>; 3]) {
    let [public, private, unsafe_] = given;
    for (slot, given) in [
        (&mut user.public_metadata, public),
        (&mut user.private_metadata, private),
        (&mut user.unsafe_metadata, unsafe_),
    ] {
        if let Some(object) = given {
            *slot = Value::Object(object);
        }
    }
}

/// The first identifier that is not reserved is the primary one.
fn primary_of(identifiers: &[Identifier]) -> Option<usize> {
    identifiers
        .iter()
        .position(|identifier| identifier.status != IdentifierStatus::Reserved)
}

impl FromBody for CreateUserRequest {
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let known: Vec<&str> = PROFILE_FIELDS
            .iter()
            .copied()
            .chain(METADATA_FIELDS)
            .chain([
                "email_address",
                "phone_number",
                "web3_wallet",
                "email_address_identification_status",
                "phone_number_identification_status",
                "skip_password_requirement",
                "skip_user_requirement",
                "banned",
                "locked",
            ])
            .collect();
        let mut reader = Reader::new(fields, &known);
        if reader
            .report(fields.strings("web3_wallet"))
            .flatten()
            .is_some_and(|w| !w.is_empty())
        {
            reader.problem(
                "web3_wallet",
                ParamProblemKind::InvalidValue("web3 wallets are not kept by this server".into()),
            );
        }
        let email_address = identifier_list(
            &mut reader,
            ("email_address", "email_address_identification_status"),
            identifiers::email_problem,
        );
        let phone_number = identifier_list(
            &mut reader,
            ("phone_number", "phone_number_identification_status"),
            identifiers::phone_problem,
        );
        for name in [
            "skip_password_requirement",
            "skip_user_requirement",
            "skip_legal_checks",
        ] {
            reader.boolean(name);
        }
        let profile = Profile::read(&mut reader);
        let metadata = METADATA_FIELDS.map(|name| reader.metadata(name));
        let banned = reader.boolean("banned").unwrap_or(false);
        let locked = reader.boolean("locked").unwrap_or(false);
        reader.finish(Self {
            email_address,
            phone_number,
            profile,
            metadata,
            banned,
            locked,
        })
    }
}

/// Email addresses or phone numbers with their statuses (`verified` unless said `reserved`):
/// each well formed, at most [`MAX_IDENTIFIERS`], none twice.
fn identifier_list(
    reader: &mut Reader<'_>,
    (name, status_name): (&'static str, &'static str),
    problem_of: fn(&str) -> Option<String>,
) -> Vec<Identifier> {
    let values = reader
        .report(reader.fields.strings(name))
        .flatten()
        .unwrap_or_default();
    let statuses = reader
        .report(reader.fields.strings(status_name))
        .flatten()
        .unwrap_or_default();
    if values.len() > MAX_IDENTIFIERS {
        reader
            .problems
            .push(ParamProblem::too_many_values(name, MAX_IDENTIFIERS));
        return Vec::new();
    }
    if !statuses.is_empty() && statuses.len() != values.len() {
        reader.problem(status_name, ParamProblemKind::LengthMismatch(name));
        return Vec::new();
    }
    let mut found = Vec::new();
    for (index, value) in values.iter().enumerate() {
        if let Some(problem) = problem_of(value) {
            reader.problem(name, ParamProblemKind::FormatInvalid(problem));
            return Vec::new();
        }
        if found
            .iter()
            .any(|seen: &Identifier| seen.value.eq_ignore_ascii_case(value))
        {
            reader.problem(
                name,
                ParamProblemKind::InvalidValue(format!("`{value}` is given twice")),
            );
            return Vec::new();
        }
        let status = match statuses.get(index).copied() {
            None | Some("verified") => IdentifierStatus::Verified,
            Some("reserved") => IdentifierStatus::Reserved,
            Some(_) => {
                reader.problem(
                    status_name,
                    ParamProblemKind::InvalidValue("each must be `verified` or `reserved`".into()),
                );
                return Vec::new();
            }
        };
        found.push(Identifier::new(*value, status));
    }
    found
}

/// The body as read.
#[derive(Debug, Default)]
pub struct UpdateUserRequest {
    primary_email_address_id: Option<String>,
    primary_phone_number_id: Option<String>,
    primary_web3_wallet_id: Option<String>,
    profile_image_id: Option<String>,
    sign_out_of_other_sessions: bool,
    profile: Profile,
    metadata: [Option<Map<String, Value>>; 3],
}

impl UpdateUserRequest {
    /// Reads the body; `with_metadata` when the API version still takes the metadata fields.
    pub fn parse(fields: &BodyFields, with_metadata: bool) -> Result<Self, ApiError> {
        let extra = [
            "primary_email_address_id",
            "primary_phone_number_id",
            "primary_web3_wallet_id",
            "profile_image_id",
            "sign_out_of_other_sessions",
            "notify_primary_email_address_changed",
        ];
        let metadata_fields: &[&str] = if with_metadata { &METADATA_FIELDS } else { &[] };
        let known: Vec<&str> = PROFILE_FIELDS
            .iter()
            .copied()
            .chain(extra)
            .chain(metadata_fields.iter().copied())
            .collect();
        let mut reader = Reader::new(fields, &known);
        let id = |reader: &mut Reader<'_>, name| {
            reader
                .report(fields.string(name))
                .flatten()
                .map(str::to_owned)
        };
        let primary_email_address_id = id(&mut reader, "primary_email_address_id");
        let primary_phone_number_id = id(&mut reader, "primary_phone_number_id");
        let primary_web3_wallet_id = id(&mut reader, "primary_web3_wallet_id");
        let profile_image_id = id(&mut reader, "profile_image_id");
        let sign_out_of_other_sessions = reader
            .boolean("sign_out_of_other_sessions")
            .unwrap_or(false);
        reader.boolean("notify_primary_email_address_changed");
        reader.boolean("skip_legal_checks");
        let profile = Profile::read(&mut reader);
        let metadata = METADATA_FIELDS.map(|name| {
            if with_metadata {
                reader.metadata(name)
            } else {
                None
            }
        });
        reader.finish(Self {
            primary_email_address_id,
            primary_phone_number_id,
            primary_web3_wallet_id,
            profile_image_id,
            sign_out_of_other_sessions,
            profile,
            metadata,
        })
    }

    /// Whether the update gives a password and asks to end the user's sessions.
    pub fn signs_out(&self) -> bool {
        self.sign_out_of_other_sessions && self.profile.password_enabled == Some(true)
    }

    /// Applies the update to `user`; a primary id must name one of its verified identifiers.
    pub fn apply(self, user: &mut crate::domain::User) -> Result<(), ApiError> {
        let mut problems = Vec::new();
        let email = pick_primary(
            user.email_addresses(),
            self.primary_email_address_id.as_deref(),
        );
        let phone = pick_primary(
            user.phone_numbers(),
            self.primary_phone_number_id.as_deref(),
        );
        for (name, picked, slot) in [
            (
                "primary_email_address_id",
                email,
                &mut user.primary_email_address,
            ),
            (
                "primary_phone_number_id",
                phone,
                &mut user.primary_phone_number,
            ),
        ] {
            match picked {
                Ok(Some(index)) => *slot = Some(index),
                Ok(None) => {}
                Err(()) => problems.push(ParamProblem::invalid_value(
                    name,
                    "must be the id of one of the user's verified identifications",
                )),
            }
        }
        for name in ["primary_web3_wallet_id", "profile_image_id"] {
            let given = match name {
                "primary_web3_wallet_id" => &self.primary_web3_wallet_id,
                _ => &self.profile_image_id,
            };
            if given.is_some() {
                problems.push(ParamProblem::invalid_value(
                    name,
                    "names nothing this server keeps (it keeps no web3 wallets or uploaded images)",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(ApiError::InvalidParams(problems));
        }
        self.profile.apply(user);
        replace_metadata(user, self.metadata);
        Ok(())
    }
}

/// The position of the verified identification whose id is `wanted`: `Ok(None)` when none is
/// wanted, `Err` when it names none.
fn pick_primary<'a>(
    mut identifications: impl Iterator<Item = crate::domain::user::Identification<'a>>,
    wanted: Option<&str>,
) -> Result<Option<usize>, ()> {
    let Some(wanted) = wanted else {
        return Ok(None);
    };
    identifications
        .position(|identification| {
            identification.id.to_string() == wanted && identification.verified()
        })
        .map(Some)
        .ok_or(())
}

/// The body as read.
#[derive(Debug, Default)]
pub struct UserMetadataRequest {
    /// Each field as given: `None` when absent, an empty object for `null`.
    pub fields: [Option<Map<String, Value>>; 3],
}

impl FromBody for UserMetadataRequest {
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let mut reader = Reader::new(fields, &METADATA_FIELDS);
        let given = METADATA_FIELDS.map(|name| reader.metadata(name));
        reader.finish(Self { fields: given })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::param_problems;

    fn fields(json: Value) -> BodyFields {
        BodyFields::parse_json(json.to_string().as_bytes()).expect("json")
    }

    #[test]
    fn a_create_reads_identifiers_with_their_statuses_and_reports_every_bad_field() {
        let request = CreateUserRequest::from_fields(&fields(json!({
            "email_address": ["a@x.io", "b@x.io"],
            "email_address_identification_status": ["reserved", "verified"],
            "username": "Grace_H",
        })))
        .expect("valid");
        assert_eq!(primary_of(&request.email_address), Some(1));
        assert_eq!(request.profile.username, Some(Some(Arc::from("grace_h"))));

        let problems = param_problems(CreateUserRequest::from_fields(&fields(json!({
            "email_address": ["nope"],
            "phone_number": ["+1555"],
            "username": "a.b",
            "password": "short",
            "public_metadata": [],
            "created_at": "yesterday",
            "surprise": 1,
        }))));
        let names: Vec<&str> = problems.iter().map(|(name, _)| name.as_str()).collect();
        for name in [
            "surprise",
            "email_address",
            "phone_number",
            "username",
            "password",
            "public_metadata",
            "created_at",
        ] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
    }

    #[test]
    fn statuses_must_match_the_identifiers_one_for_one() {
        let problems = param_problems(CreateUserRequest::from_fields(&fields(json!({
            "email_address": ["a@x.io", "b@x.io"],
            "email_address_identification_status": ["verified"],
        }))));
        assert_eq!(
            problems,
            [(
                "email_address_identification_status".to_owned(),
                ParamProblemKind::LengthMismatch("email_address")
            )]
        );
    }

    #[test]
    fn an_update_refuses_metadata_from_2026_05_12_and_clears_with_null() {
        let body = fields(json!({"public_metadata": {"a": 1}, "username": null}));
        let problems = param_problems(UpdateUserRequest::parse(&body, false));
        assert_eq!(
            problems,
            [("public_metadata".to_owned(), ParamProblemKind::Unknown)]
        );
        let update = UpdateUserRequest::parse(&body, true).expect("older versions take it");
        assert_eq!(update.profile.username, Some(None));
    }
}

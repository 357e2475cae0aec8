//! Clerk-style identifiers: a type prefix and 27 base62 characters, stored inline.

use std::fmt;

use rand::RngExt;

/// Number of base62 characters after the prefix, as in Clerk's ids (KSUIDs).
pub const ID_BODY_LEN: usize = 27;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 27 base62 characters of an id, kept inline so ids are `Copy` and cheap to index.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct IdBody([u8; ID_BODY_LEN]);

/// The longest id: the longest prefix (`sess_activity_`) and a body.
const MAX_ID_LEN: usize = 14 + ID_BODY_LEN;

impl IdBody {
    fn parse(body: &str) -> Option<Self> {
        let bytes: [u8; ID_BODY_LEN] = body.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_alphanumeric)
            .then_some(Self(bytes))
    }

    /// A random body that starts with `2`, like the KSUIDs Clerk issues today.
    fn random(rng: &mut impl rand::Rng) -> Self {
        let mut bytes = [b'2'; ID_BODY_LEN];
        for byte in bytes.iter_mut().skip(1) {
            *byte = BASE62[rng.random_range(0..BASE62.len())];
        }
        Self(bytes)
    }

    /// A body derived from a digest, for ids that must follow from a secret (instance ids).
    fn from_digest(digest: &[u8]) -> Self {
        let mut bytes = [b'2'; ID_BODY_LEN];
        for (byte, source) in bytes.iter_mut().skip(1).zip(digest.iter().cycle()) {
            *byte = BASE62[usize::from(*source) % BASE62.len()];
        }
        Self(bytes)
    }

    fn as_str(&self) -> &str {
        // Every constructor only stores ASCII alphanumerics.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

macro_rules! clerk_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(IdBody);

        impl $name {
            /// The prefix this kind of id starts with.
            pub const PREFIX: &'static str = $prefix;

            /// Parses `<prefix><27 base62 characters>`; anything else is `None`.
            pub fn parse(text: &str) -> Option<Self> {
                text.strip_prefix(Self::PREFIX)
                    .and_then(IdBody::parse)
                    .map(Self)
            }

            /// Appends the id's text (which never needs escaping in JSON) to `out`.
            #[allow(dead_code, reason = "generated for every kind of id; not every kind is written out")]
            pub fn append_to(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(Self::PREFIX.as_bytes());
                out.extend_from_slice(&self.0.0);
            }

            /// A fresh random id drawn from `rng`.
            #[allow(dead_code, reason = "generated for every kind of id; not every kind is drawn at random")]
            pub fn random(rng: &mut impl rand::Rng) -> Self {
                Self(IdBody::random(rng))
            }

            /// An id derived from a digest (at least one byte long).
            #[allow(dead_code, reason = "generated for every kind of id; only some follow from a digest")]
            pub fn from_digest(digest: &[u8]) -> Self {
                Self(IdBody::from_digest(digest))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(Self::PREFIX)?;
                f.write_str(self.0.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }

        const _: () = assert!($prefix.len() + ID_BODY_LEN <= MAX_ID_LEN, "MAX_ID_LEN is too short");

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                // Assembled on the stack: ids are in every answer, and formatting through
                // `Display` costs several times more.
                let mut text = [0_u8; MAX_ID_LEN];
                let prefix = Self::PREFIX.as_bytes();
                let len = prefix.len() + ID_BODY_LEN;
                text[..prefix.len()].copy_from_slice(prefix);
                text[prefix.len()..len].copy_from_slice(&self.0.0);
                serializer.serialize_str(std::str::from_utf8(&text[..len]).unwrap_or_default())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::parse(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "`{text}` is not a valid id: expected `{}` followed by {ID_BODY_LEN} letters or digits",
                        Self::PREFIX
                    ))
                })
            }
        }
    };
}

clerk_id!(
    /// A session, `sess_...`.
    SessionId,
    "sess_"
);
clerk_id!(
    /// A user, `user_...`.
    UserId,
    "user_"
);
clerk_id!(
    /// A client (a browser or device), `client_...`.
    ClientId,
    "client_"
);
clerk_id!(
    /// An instance (a tenant, one per secret key), `ins_...`; also the signing key's `kid`.
    InstanceId,
    "ins_"
);
clerk_id!(
    /// An organization, `org_...`.
    OrganizationId,
    "org_"
);
clerk_id!(
    /// A session activity record, `sess_activity_...`.
    ActivityId,
    "sess_activity_"
);

clerk_id!(
    /// An identification of a user, `idn_...`: an email address or a phone number.
    IdentificationId,
    "idn_"
);
clerk_id!(
    /// A sign-in token, `sit_...`.
    SignInTokenId,
    "sit_"
);
clerk_id!(
    /// A user's membership of an organization, `orgmem_...`.
    OrganizationMembershipId,
    "orgmem_"
);

impl OrganizationMembershipId {
    /// The id of `user`'s membership of `organization`, derived from both so that it need not
    /// be stored: the same membership always shows the same id.
    pub fn for_member(organization: OrganizationId, user: UserId) -> Self {
        let salt = organization
            .0
            .0
            .iter()
            .fold(0_u64, |salt, byte| salt.rotate_left(7) ^ u64::from(*byte));
        Self(IdBody::derived(&user.0, salt))
    }
}

/// `len` random base62 characters: the secret part of a token.
pub fn random_base62(rng: &mut impl rand::Rng, len: usize) -> String {
    (0..len)
        .map(|_| char::from(BASE62[rng.random_range(0..BASE62.len())]))
        .collect()
}

impl ActivityId {
    /// The id of a session's activity record, derived from the session's id so that it need not
    /// be stored: the same session always shows the same activity id.
    pub fn for_session(session: SessionId) -> Self {
        Self(IdBody::derived(&session.0, 0))
    }
}

/// What a user's identification is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentificationKind {
    EmailAddress,
    PhoneNumber,
}

impl IdentificationId {
    /// The id of a user's `index`-th identification of `kind`, derived from the user's id so
    /// that it need not be stored: the same identification always shows the same id.
    pub fn for_user(user: UserId, kind: IdentificationKind, index: u8) -> Self {
        let kind = match kind {
            IdentificationKind::EmailAddress => 1,
            IdentificationKind::PhoneNumber => 2,
        };
        Self(IdBody::derived(&user.0, (kind << 8) | u64::from(index)))
    }
}

impl IdBody {
    /// A body that follows from `source` and `salt` (0 gives what activity ids always were):
    /// SplitMix64 over the source's characters, cheap, and unrelated-looking output.
    fn derived(source: &Self, salt: u64) -> Self {
        let mut state = source
            .0
            .iter()
            .fold(0x9E37_79B9_7F4A_7C15_u64 ^ salt, |state, byte| {
                state.rotate_left(5) ^ u64::from(*byte)
            });
        let mut bytes = [0_u8; 26];
        for chunk in bytes.chunks_mut(8) {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut mixed = state;
            mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            mixed ^= mixed >> 31;
            for (byte, source) in chunk.iter_mut().zip(mixed.to_le_bytes()) {
                *byte = source;
            }
        }
        Self::from_digest(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn parse_accepts_prefix_and_27_base62_characters() {
        let id = SessionId::parse("sess_2abcdefghijklmnopqrstuvwxyz").expect("well-formed id");
        assert_eq!(id.to_string(), "sess_2abcdefghijklmnopqrstuvwxyz");
    }

    #[test]
    fn parse_rejects_wrong_prefix_length_and_alphabet() {
        for text in [
            "user_2abcdefghijklmnopqrstuvwxyz",
            "sess_2abcdefghijklmnopqrstuvwxy",
            "sess_2abcdefghijklmnopqrstuvwxyz0",
            "sess_2abcdefghijklmnopqrstuvwx-z",
            "sess_",
            "",
        ] {
            assert!(SessionId::parse(text).is_none(), "{text} should not parse");
        }
    }

    #[test]
    fn activity_ids_follow_from_their_session() {
        let first = SessionId::parse("sess_2abcdefghijklmnopqrstuvwxyz").expect("id");
        let second = SessionId::parse("sess_2abcdefghijklmnopqrstuvwxyZ").expect("id");
        assert_eq!(
            ActivityId::for_session(first),
            ActivityId::for_session(first)
        );
        assert_ne!(
            ActivityId::for_session(first),
            ActivityId::for_session(second)
        );
        let text = ActivityId::for_session(first).to_string();
        assert!(ActivityId::parse(&text).is_some(), "{text}");
    }

    #[test]
    fn random_ids_round_trip_and_repeat_for_the_same_seed() {
        let mut first = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut second = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let id = UserId::random(&mut first);
        assert_eq!(id, UserId::random(&mut second));
        assert_eq!(UserId::parse(&id.to_string()), Some(id));
    }
}

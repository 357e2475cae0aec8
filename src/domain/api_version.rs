//! Clerk API versions (`Clerk-API-Version`) and what changes between them.

use std::fmt;
use std::str::FromStr;

use super::SessionStatus;

/// The API versions the server knows, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiVersion {
    V2021_02_05,
    V2024_10_01,
    V2025_03_12,
    V2025_04_10,
    V2025_11_10,
    V2026_05_12,
}

impl ApiVersion {
    /// Every known version, oldest first.
    pub const ALL: [Self; 6] = [
        Self::V2021_02_05,
        Self::V2024_10_01,
        Self::V2025_03_12,
        Self::V2025_04_10,
        Self::V2025_11_10,
        Self::V2026_05_12,
    ];

    /// The version as it is written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2021_02_05 => "2021-02-05",
            Self::V2024_10_01 => "2024-10-01",
            Self::V2025_03_12 => "2025-03-12",
            Self::V2025_04_10 => "2025-04-10",
            Self::V2025_11_10 => "2025-11-10",
            Self::V2026_05_12 => "2026-05-12",
        }
    }

    /// Sessions carry `tasks` and may be `pending` from 2025-03-12 on.
    pub fn has_session_tasks(self) -> bool {
        self >= Self::V2025_03_12
    }

    /// `status` as a client of this version sees it: versions without `pending` see `active`.
    pub fn presents(self, status: SessionStatus) -> SessionStatus {
        if status == SessionStatus::Pending && !self.has_session_tasks() {
            SessionStatus::Active
        } else {
            status
        }
    }

    /// Whether `PATCH /v1/users/{id}` still takes the metadata fields (they moved to the
    /// metadata endpoints in 2026-05-12).
    pub fn updates_user_metadata(self) -> bool {
        self < Self::V2026_05_12
    }

    /// The deprecated verify operation answers 410 from 2025-04-10 on.
    pub fn retires_verify(self) -> bool {
        self >= Self::V2025_04_10
    }
}

/// The text named no known API version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a known Clerk API version")]
pub struct UnknownApiVersion(pub String);

impl FromStr for ApiVersion {
    type Err = UnknownApiVersion;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|version| version.as_str() == text)
            .ok_or_else(|| UnknownApiVersion(text.to_owned()))
    }
}

/// In the OpenAPI document, a version is one of the known strings.
impl utoipa::PartialSchema for ApiVersion {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Self::ALL.map(Self::as_str)))
            .into()
    }
}

impl utoipa::ToSchema for ApiVersion {}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_is_presented_as_active_to_versions_without_tasks() {
        assert_eq!(
            ApiVersion::V2021_02_05.presents(SessionStatus::Pending),
            SessionStatus::Active
        );
        assert_eq!(
            ApiVersion::V2025_03_12.presents(SessionStatus::Pending),
            SessionStatus::Pending
        );
    }

    #[test]
    fn every_version_round_trips_through_its_text() {
        for version in ApiVersion::ALL {
            assert_eq!(version.as_str().parse::<ApiVersion>(), Ok(version));
        }
    }

    #[test]
    fn unknown_versions_are_rejected() {
        assert!("2021-02-06".parse::<ApiVersion>().is_err());
        assert!("".parse::<ApiVersion>().is_err());
    }

    #[test]
    fn tasks_arrive_in_2025_03_12_and_verify_retires_in_2025_04_10() {
        assert!(!ApiVersion::V2024_10_01.has_session_tasks());
        assert!(ApiVersion::V2025_03_12.has_session_tasks());
        assert!(!ApiVersion::V2025_03_12.retires_verify());
        assert!(ApiVersion::V2025_04_10.retires_verify());
    }
}

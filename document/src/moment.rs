//! Times as documents write them: Unix milliseconds, or how long before the instance's clock.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A time: Unix milliseconds, or how long before the instance's clock (`"2h ago"`), which keeps
/// hand-written data fresh whenever it is loaded. Exports always give milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// Unix milliseconds.
    At(i64),
    /// This long before the instance's clock.
    Ago(Duration),
}

impl Moment {
    /// The moment in Unix milliseconds, with the instance's clock at `now_ms`.
    pub fn at(self, now_ms: i64) -> i64 {
        match self {
            Self::At(ms) => ms,
            Self::Ago(ago) => {
                now_ms.saturating_sub(i64::try_from(ago.as_millis()).unwrap_or(i64::MAX))
            }
        }
    }
}

/// In the OpenAPI document, a time is an integer or a string.
impl utoipa::PartialSchema for Moment {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .description(Some("Unix milliseconds")),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(" ago$"))
                    .description(Some("How long before the instance's clock"))
                    .examples(["3d 4h ago"]),
            )
            .into()
    }
}

impl ToSchema for Moment {}

impl Serialize for Moment {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::At(ms) => serializer.serialize_i64(*ms),
            Self::Ago(ago) => {
                serializer.collect_str(&format_args!("{} ago", humantime::format_duration(*ago)))
            }
        }
    }
}

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Ms(i64),
            Text(String),
        }
        let expected = || {
            serde::de::Error::custom(
                "a time is Unix milliseconds or how long ago, such as \"3d 4h ago\"",
            )
        };
        match Written::deserialize(deserializer).map_err(|_: D::Error| expected())? {
            Written::Ms(ms) => Ok(Self::At(ms)),
            Written::Text(text) => text
                .strip_suffix(" ago")
                .and_then(|ago| humantime::parse_duration(ago.trim()).ok())
                .map(Self::Ago)
                .ok_or_else(expected),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_is_milliseconds_or_how_long_ago() {
        let read = |json: &str| serde_json::from_str::<Moment>(json);
        assert_eq!(
            read("1700000000000").ok(),
            Some(Moment::At(1_700_000_000_000))
        );
        let ago = read(r#""3d 4h ago""#).expect("a relative time");
        assert_eq!(ago.at(100 * 3_600_000), 24 * 3_600_000);
        for bad in [r#""3d 4h""#, r#""soon ago""#, "true", "1.5"] {
            let error = read(bad).expect_err(bad).to_string();
            assert!(
                error.contains("Unix milliseconds or how long ago"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_relative_moment_writes_back_as_it_reads() {
        let moment = Moment::Ago(Duration::from_secs(90 * 60));
        let json = serde_json::to_string(&moment).expect("serialises");
        assert_eq!(json, r#""1h 30m ago""#);
        assert_eq!(
            serde_json::from_str::<Moment>(&json).expect("reads back"),
            moment
        );
    }
}

//! The OpenAPI documents compiled into the suite, so that an installed binary needs no project
//! files: Clerk's official files (MIT, see the repository's `openapi/README.md`) and the mock's generated one.

use std::collections::HashMap;

use crate::runner::parse_deviations;
use crate::spec::{Spec, SpecError};

/// One document the suite carries.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinSpec {
    /// The name `--spec` takes.
    pub name: &'static str,
    /// What the document is, for `--list-specs`.
    pub description: &'static str,
    text: &'static str,
    /// Whether the differences between Clerk's official files and Clerk's API apply to it.
    official: bool,
}

/// Clerk's official file for API versions 2021-02-05 and 2024-10-01.
pub const CLERK_2021_02_05: BuiltinSpec = BuiltinSpec {
    name: "clerk-2021-02-05",
    description: "Clerk's official Backend API spec, API versions 2021-02-05 and 2024-10-01",
    text: include_str!("../../openapi/clerk-bapi-2021-02-05.yml"),
    official: true,
};

/// Clerk's official file for API versions 2025-03-12 and later.
pub const CLERK_2026_05_12: BuiltinSpec = BuiltinSpec {
    name: "clerk-2026-05-12",
    description: "Clerk's official Backend API spec, API versions 2025-03-12 and later",
    text: include_str!("../../openapi/clerk-bapi-2026-05-12.yml"),
    official: true,
};

/// The document `clerk-backend-mock` generates from its handlers.
pub const CLERK_BACKEND_MOCK: BuiltinSpec = BuiltinSpec {
    name: "clerk-backend-mock",
    description: "the OpenAPI 3.1 document clerk-backend-mock generates (the contract's decisions included)",
    text: include_str!("../../openapi/generated.json"),
    official: false,
};

/// Every built-in document, in the order `--list-specs` shows them.
pub const ALL: [BuiltinSpec; 3] = [CLERK_2021_02_05, CLERK_2026_05_12, CLERK_BACKEND_MOCK];

/// What is known to differ between Clerk's official files and Clerk's API.
const OFFICIAL_DEVIATIONS: &str = include_str!("../clerk-official-deviations.yaml");

/// The first API version that Clerk's 2026-05-12 file describes; older ones are in 2021-02-05's.
const FIRST_VERSION_OF_2026_05_12: &str = "2025-03-12";

impl BuiltinSpec {
    /// The built-in document called `name`.
    pub fn named(name: &str) -> Option<Self> {
        // The generated document's name before the mock served more than Sessions.
        let name = if name == "clerk-sessions" {
            CLERK_BACKEND_MOCK.name
        } else {
            name
        };
        ALL.into_iter().find(|spec| spec.name == name)
    }

    /// Clerk's official file that describes `api_version` (versions are dates, so they compare
    /// as text); without a version, the file of 2021-02-05, the version a request that names
    /// none gets from an instance that has not chosen another.
    pub fn official_for(api_version: Option<&str>) -> Self {
        match api_version {
            Some(version) if version >= FIRST_VERSION_OF_2026_05_12 => CLERK_2026_05_12,
            _ => CLERK_2021_02_05,
        }
    }

    /// The document itself, as the project ships it.
    pub fn text(&self) -> &'static str {
        self.text
    }

    /// The document, parsed.
    pub fn spec(&self) -> Result<Spec, SpecError> {
        Spec::parse(self.text, self.name)
    }

    /// The known deviations that go with this document: empty but for Clerk's official files.
    pub fn deviations(&self) -> HashMap<String, String> {
        if self.official {
            // The file is compiled in and checked by a test, so it always parses.
            parse_deviations(OFFICIAL_DEVIATIONS).unwrap_or_default()
        } else {
            HashMap::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_document_parses_and_has_a_session_schema() {
        for builtin in ALL {
            let spec = builtin.spec().expect(builtin.name);
            assert!(spec.schema("Session").is_ok(), "{}", builtin.name);
        }
    }

    #[test]
    fn the_official_deviations_parse_and_apply_only_to_official_files() {
        let official = parse_deviations(OFFICIAL_DEVIATIONS).expect("parses");
        assert_eq!(CLERK_2026_05_12.deviations(), official);
        assert!(CLERK_BACKEND_MOCK.deviations().is_empty());
    }

    #[test]
    fn each_api_version_maps_to_the_official_file_that_describes_it() {
        assert_eq!(BuiltinSpec::official_for(None).name, "clerk-2021-02-05");
        assert_eq!(
            BuiltinSpec::official_for(Some("2024-10-01")).name,
            "clerk-2021-02-05"
        );
        assert_eq!(
            BuiltinSpec::official_for(Some("2025-03-12")).name,
            "clerk-2026-05-12"
        );
        assert_eq!(
            BuiltinSpec::official_for(Some("2026-05-12")).name,
            "clerk-2026-05-12"
        );
    }
}

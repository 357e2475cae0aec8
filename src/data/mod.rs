//! An instance's data as people write it (the fixture files shipped with the server and the data
//! documents loaded through `/__admin`), checked by one set of rules, and what seeding makes of it.

pub mod document;
pub mod entries;
pub mod fixtures;
pub mod held;
pub mod seed;

pub use document::EntryProblem;
pub use fixtures::{FixtureError, Fixtures};
pub use seed::SeedSpec;

//! Tenants: the registry that finds an instance by its secret key, and each instance with what
//! it owns besides its data: clock, signing key, journal, faults and memory budget; and the
//! server-wide journal of the requests that belong to no instance.

pub mod faults;
pub mod instance;
pub mod journal;
pub mod memory_budget;
pub mod registry;
pub mod seeder;
pub mod unauthenticated;

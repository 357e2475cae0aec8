//! Tenants: the registry that finds an instance by its secret key, and each instance with what
//! it owns besides its data: clock, signing key, journal, faults and memory budget; and the
//! server-wide journal of the requests that belong to no instance; and the state file that
//! keeps the instances' data across restarts.

pub mod faults;
pub mod instance;
pub mod journal;
pub mod memory_budget;
pub mod registry;
pub mod seeder;
pub mod state_file;
pub mod unauthenticated;

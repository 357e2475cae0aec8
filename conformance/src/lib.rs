//! Checks any implementation of Clerk's Sessions API against its contract, over HTTP only.

pub mod jwt;
pub mod spec;

pub use spec::{Spec, SpecError};

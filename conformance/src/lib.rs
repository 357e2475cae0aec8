//! Checks any implementation of Clerk's Sessions API against its contract, over HTTP only.
//!
//! Pointed at a base URL and a secret key, [`run_suite`] runs the table of checks in
//! [`checks::all`] and reports each one: contract (content type, envelope, schemas, statuses,
//! ids, times), authentication, input validation, behaviour, tokens and robustness.

pub mod builtin;
pub mod check;
pub mod checks;
pub mod client;
pub mod jwt;
pub mod report;
pub mod runner;
pub mod spec;
pub mod transport;
pub mod watch;

use std::collections::HashMap;

pub use builtin::BuiltinSpec;
pub use check::{Check, Context, Group, Options, Outcome, Severity};
pub use client::Target;
pub use runner::{RunReport, Selection, Verdict};
pub use spec::{Spec, SpecError};

/// Runs the selected checks against `context`'s target, quietly.
pub async fn run_suite(
    context: &Context,
    selection: &Selection,
    deviations: &HashMap<String, String>,
) -> RunReport {
    runner::run(
        context,
        &checks::all(),
        selection,
        deviations,
        &mut |_, _, _| {},
    )
    .await
}

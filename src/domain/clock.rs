//! An instance's clock: the wall clock unless a test fixes it.

use std::time::{SystemTime, UNIX_EPOCH};

/// The time source that session lifecycles follow. Token times never use it: they follow the
/// wall clock, which is what SDK verifiers compare them with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The machine's wall clock.
    System,
}

impl Clock {
    /// Now, in Unix milliseconds.
    pub fn now_ms(self) -> i64 {
        match self {
            Self::System => wall_clock_ms(),
        }
    }
}

/// The wall clock in Unix milliseconds (0 if the machine's clock is before 1970).
pub fn wall_clock_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

//! An instance's clock: the wall clock, unless a test freezes, sets or advances it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Marks a clock that runs (is not frozen).
const RUNNING: i64 = i64::MIN;

/// The time source that session lifecycles follow. Token times never use it: they follow the
/// wall clock, which is what SDK verifiers compare them with.
#[derive(Debug)]
pub struct Clock {
    /// How far this clock is from the wall clock, in milliseconds, while it runs.
    offset_ms: AtomicI64,
    /// The instant it shows while frozen, or [`RUNNING`].
    frozen_at: AtomicI64,
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    /// The wall clock.
    pub fn system() -> Self {
        Self {
            offset_ms: AtomicI64::new(0),
            frozen_at: AtomicI64::new(RUNNING),
        }
    }

    /// Now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        match self.frozen_at.load(Ordering::Acquire) {
            RUNNING => wall_clock_ms().saturating_add(self.offset_ms.load(Ordering::Acquire)),
            frozen => frozen,
        }
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen_at.load(Ordering::Acquire) != RUNNING
    }

    /// Stops the clock at its current time.
    pub fn freeze(&self) {
        if !self.is_frozen() {
            self.frozen_at.store(self.now_ms(), Ordering::Release);
        }
    }

    /// Lets the clock run again from the time it shows.
    pub fn unfreeze(&self) {
        let frozen = self.frozen_at.load(Ordering::Acquire);
        if frozen != RUNNING {
            self.offset_ms
                .store(frozen.saturating_sub(wall_clock_ms()), Ordering::Release);
            self.frozen_at.store(RUNNING, Ordering::Release);
        }
    }

    /// Shows `now_ms` from here on (still frozen, or running on from there).
    pub fn set(&self, now_ms: i64) {
        if self.is_frozen() {
            self.frozen_at
                .store(now_ms.max(RUNNING + 1), Ordering::Release);
        } else {
            self.offset_ms
                .store(now_ms.saturating_sub(wall_clock_ms()), Ordering::Release);
        }
    }

    /// Moves the clock by `by_ms` (negative goes back).
    pub fn advance(&self, by_ms: i64) {
        self.set(self.now_ms().saturating_add(by_ms));
    }

    /// Back to the wall clock.
    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Release);
        self.frozen_at.store(RUNNING, Ordering::Release);
    }

    /// How the clock is set: what a saved state keeps of it.
    pub fn setting(&self) -> ClockSetting {
        match self.frozen_at.load(Ordering::Acquire) {
            RUNNING => ClockSetting {
                offset_ms: self.offset_ms.load(Ordering::Acquire),
                frozen_at_ms: None,
            },
            frozen => ClockSetting {
                offset_ms: 0,
                frozen_at_ms: Some(frozen),
            },
        }
    }

    /// Sets the clock as `setting` says: running at its offset from the wall clock, or frozen.
    pub fn apply(&self, setting: ClockSetting) {
        self.offset_ms.store(setting.offset_ms, Ordering::Release);
        let frozen = setting
            .frozen_at_ms
            .map_or(RUNNING, |frozen| frozen.max(RUNNING + 1));
        self.frozen_at.store(frozen, Ordering::Release);
    }
}

/// A clock's setting: its offset from the wall clock while it runs, or the instant it shows
/// while frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSetting {
    pub offset_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frozen_at_ms: Option<i64>,
}

/// The wall clock in Unix milliseconds (0 if the machine's clock is before 1970).
pub fn wall_clock_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// A duration in whole milliseconds, saturating.
pub fn duration_ms(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_stands_still_and_moves_only_when_told() {
        let clock = Clock::system();
        clock.set(1_000);
        assert!(
            (clock.now_ms() - 1_000).abs() < 1_000,
            "a running clock set to 1000 runs from there"
        );
        clock.freeze();
        clock.set(5_000);
        assert_eq!(clock.now_ms(), 5_000);
        clock.advance(250);
        assert_eq!(clock.now_ms(), 5_250);
        assert!(clock.is_frozen());
        clock.unfreeze();
        let running = clock.now_ms();
        assert!((5_250..5_250 + 1_000).contains(&running), "{running}");
        clock.reset();
        assert!((clock.now_ms() - wall_clock_ms()).abs() < 1_000);
    }
}

//! Memory budgets: how much data the instances a budget covers may hold together. Every write
//! is charged by what it really adds ([`crate::domain::footprint`]) before it lands, and an
//! instance gives back what it held when it goes.

use std::sync::atomic::{AtomicUsize, Ordering};

/// A bound on the data of one instance (a configured key's), or of a group of instances (those
/// created on demand), in bytes.
#[derive(Debug)]
pub struct MemoryBudget {
    limit: usize,
    used: AtomicUsize,
}

/// A change refused because it would take its budget past the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the data would take more than {limit_mib} MiB")]
pub struct OverBudget {
    pub limit_mib: usize,
}

impl MemoryBudget {
    pub fn new(limit_bytes: usize) -> Self {
        Self {
            limit: limit_bytes,
            used: AtomicUsize::new(0),
        }
    }

    /// The limit, in whole MiB, as the flag that sets it says it.
    pub fn limit_mib(&self) -> usize {
        self.limit / (1024 * 1024)
    }

    /// What the instances of this budget hold together.
    #[cfg(test)]
    fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// Records that an instance now holds `to` bytes instead of `from`. Growth is refused past
    /// the limit (shrinking never is); nothing is recorded then.
    pub fn change(&self, from: usize, to: usize) -> Result<(), OverBudget> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                let after = used.saturating_sub(from).saturating_add(to);
                (to <= from || after <= self.limit).then_some(after)
            })
            .map(|_| ())
            .map_err(|_| OverBudget {
                limit_mib: self.limit_mib(),
            })
    }

    /// Records that an instance now holds `to` bytes instead of `from`, within the limit or
    /// not: for data admitted before (an instance reset to its seeded data) and for data that
    /// goes.
    pub fn force(&self, from: usize, to: usize) {
        // The closure never refuses, so the update always succeeds.
        let _ = self
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                Some(used.saturating_sub(from).saturating_add(to))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_stops_at_the_limit_and_shrinking_always_passes() {
        let budget = MemoryBudget::new(2 * 1024 * 1024);
        budget.change(0, 1024 * 1024).expect("within the limit");
        budget
            .change(0, 1024 * 1024)
            .expect("a second instance fills it");
        assert_eq!(
            budget.change(1024 * 1024, 1024 * 1024 + 1),
            Err(OverBudget { limit_mib: 2 })
        );
        assert_eq!(budget.used(), 2 * 1024 * 1024, "a refusal changes nothing");
        budget.change(1024 * 1024, 0).expect("giving back");
        assert_eq!(budget.used(), 1024 * 1024);
    }
}

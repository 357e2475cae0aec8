//! A value behind a read-write lock that counts its writes, so that what was derived from it
//! (a rendered page of sessions) can tell whether it still holds.

use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Generations are drawn from one counter for the whole process, so that no two values (not even
/// an instance and its successor under the same id) ever share one.
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    NEXT_GENERATION.fetch_add(1, Ordering::Relaxed)
}

#[derive(Debug)]
pub struct Versioned<T> {
    value: RwLock<T>,
    generation: AtomicU64,
}

impl<T> Versioned<T> {
    pub fn new(value: T) -> Self {
        Self {
            value: RwLock::new(value),
            generation: AtomicU64::new(next_generation()),
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        self.value.read()
    }

    /// Write access. The generation changes as soon as the lock is taken, before anything can be
    /// changed, so that a generation read while reading is that of what was read.
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        let guard = self.value.write();
        self.generation.store(next_generation(), Ordering::SeqCst);
        guard
    }

    /// The current generation: a new one after every write.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_is_a_new_generation_and_reads_are_not() {
        let versioned = Versioned::new(1);
        let other = Versioned::new(1);
        let first = versioned.generation();
        assert_ne!(
            first,
            other.generation(),
            "no two values share a generation"
        );
        assert_eq!(*versioned.read(), 1);
        assert_eq!(versioned.generation(), first);
        *versioned.write() += 1;
        let second = versioned.generation();
        assert_ne!(second, first);
        drop(versioned.write());
        assert_ne!(
            versioned.generation(),
            second,
            "taking write access is a write"
        );
    }
}

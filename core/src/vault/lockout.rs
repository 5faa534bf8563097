//! Failed-unlock accounting: a growing delay between attempts and a wipe
//! after the limit. The counter lives on disk and is incremented *before*
//! the passphrase is checked, so killing the app mid-attempt still counts.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// How many failed unlocks are allowed and how long the officer must wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failed unlocks after which the keys are destroyed.
    pub max_attempts: u32,
    /// Delay after the first failure; doubles with each further failure.
    pub base_delay: Duration,
    /// Cap on the delay.
    pub max_delay: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy { max_attempts: 10, base_delay: Duration::from_secs(1), max_delay: Duration::from_secs(300) }
    }
}

impl LockoutPolicy {
    /// The wait required after `failures` consecutive failures:
    /// 0, then base, 2x base, 4x base ... capped at `max_delay`.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures == 0 {
            return Duration::ZERO;
        }
        let factor = 1u32.checked_shl(failures - 1).unwrap_or(u32::MAX);
        self.base_delay.checked_mul(factor).unwrap_or(self.max_delay).min(self.max_delay)
    }

    pub fn attempts_remaining(&self, failures: u32) -> u32 {
        self.max_attempts.saturating_sub(failures)
    }
}

/// Wall-clock time in milliseconds since the Unix epoch. A trait so tests
/// can move time without sleeping.
pub trait Clock: Send + Sync {
    fn now_unix_ms(&self) -> i64;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix_ms(&self) -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }
}

/// A clock that only moves when told to (tests, and the CLI's demo).
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start_unix_ms: i64) -> Self {
        ManualClock(AtomicI64::new(start_unix_ms))
    }
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
    pub fn set(&self, unix_ms: i64) {
        self.0.store(unix_ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_unix_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_and_caps() {
        let p = LockoutPolicy::default();
        assert_eq!(p.delay_after(0), Duration::ZERO);
        assert_eq!(p.delay_after(1), Duration::from_secs(1));
        assert_eq!(p.delay_after(2), Duration::from_secs(2));
        assert_eq!(p.delay_after(5), Duration::from_secs(16));
        assert_eq!(p.delay_after(9), Duration::from_secs(256));
        assert_eq!(p.delay_after(10), Duration::from_secs(300));
        assert_eq!(p.delay_after(40), Duration::from_secs(300));
        assert_eq!(p.attempts_remaining(3), 7);
        assert_eq!(p.attempts_remaining(12), 0);
    }
}

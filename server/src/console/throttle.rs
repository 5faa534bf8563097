//! Sign-in throttling per network address: a fixed window of attempts
//! (in memory; a restart forgets it, which only helps the legitimate user).
//! The per-account back-off lives with the account (`staff::backoff_secs`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

pub struct Throttle {
    limit: u32,
    window_ms: i64,
    seen: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl Throttle {
    /// `limit` attempts per `window_ms` from one address.
    pub fn new(limit: u32, window_ms: i64) -> Throttle {
        Throttle { limit, window_ms, seen: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt; `Err(seconds)` to wait when over the limit.
    pub fn attempt(&self, addr: IpAddr, now_ms: i64) -> Result<(), i64> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 100_000 {
            // Bounded memory under a flood of addresses: forget the old windows.
            seen.retain(|_, (start, _)| now_ms - *start < self.window_ms);
        }
        let e = seen.entry(addr).or_insert((now_ms, 0));
        if now_ms - e.0 >= self.window_ms {
            *e = (now_ms, 0);
        }
        if e.1 >= self.limit {
            return Err(((e.0 + self.window_ms - now_ms) / 1000).max(1));
        }
        e.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_limit_waits_for_the_window_and_others_do_not() {
        let t = Throttle::new(3, 60_000);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(t.attempt(a, 1_000).is_ok());
        }
        assert_eq!(t.attempt(a, 2_000), Err(59));
        assert!(t.attempt(b, 2_000).is_ok(), "another address is not affected");
        assert!(t.attempt(a, 61_000).is_ok(), "a new window");
    }
}

//! Sign-in throttling per network address: a fixed window of attempts,
//! counted in the database (`console_throttle`), so that several servers
//! behind one proxy share one count per address instead of each granting
//! its own limit. The per-account back-off lives with the account
//! (`staff::backoff_secs`).

use std::net::IpAddr;

use crate::db::{Db, DbResult};

pub struct Throttle {
    limit: u32,
    window_ms: i64,
}

impl Throttle {
    /// `limit` attempts per `window_ms` from one address.
    pub fn new(limit: u32, window_ms: i64) -> Throttle {
        Throttle { limit, window_ms }
    }

    /// Counts an attempt; `Ok(Err(seconds))` to wait when over the limit.
    /// One statement moves the count, so attempts on different servers at
    /// the same moment are each counted.
    pub fn attempt(&self, db: &Db, addr: IpAddr, now_ms: i64) -> DbResult<Result<(), i64>> {
        let cutoff = now_ms - self.window_ms;
        let addr = addr.to_string();
        let (start, n) = db.tx(|s| {
            // Old windows go, so a flood of addresses keeps the table small.
            s.exec("DELETE FROM console_throttle WHERE window_start <= ?1", &[cutoff.into()])?;
            s.exec(
                "INSERT INTO console_throttle (address, window_start, attempts) VALUES (?1, ?2, 1)
                 ON CONFLICT (address) DO UPDATE SET attempts = console_throttle.attempts + 1",
                &[addr.as_str().into(), now_ms.into()],
            )?;
            let r = s
                .one("SELECT window_start, attempts FROM console_throttle WHERE address = ?1", &[addr.as_str().into()])?
                .ok_or(crate::db::DbError::Column("console_throttle"))?;
            Ok((r[0].i()?, r[1].i()?))
        })?;
        if n > i64::from(self.limit) {
            return Ok(Err(((start + self.window_ms - now_ms) / 1000).max(1)));
        }
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_limit_waits_for_the_window_and_others_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        db.use_key(&crate::at_rest::DataKey::generate()).unwrap();
        crate::console::schema::migrate(&db).unwrap();
        let t = Throttle::new(3, 60_000);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(t.attempt(&db, a, 1_000).unwrap(), Ok(()));
        }
        assert_eq!(t.attempt(&db, a, 2_000).unwrap(), Err(59));
        assert_eq!(t.attempt(&db, b, 2_000).unwrap(), Ok(()), "another address is not affected");
        assert_eq!(t.attempt(&db, a, 61_000).unwrap(), Ok(()), "a new window");
        // A second server's throttle on the same database shares the count.
        let other = Throttle::new(3, 60_000);
        for _ in 0..2 {
            assert_eq!(t.attempt(&db, a, 62_000).unwrap(), Ok(()));
        }
        assert_eq!(other.attempt(&db, a, 63_000).unwrap(), Err(58));
    }
}

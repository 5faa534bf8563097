//! The check-in lock's way out without a network: headquarters gives the
//! officer (by phone, radio) a short one-time unlock code computed from a
//! secret it shared with the device at enrolment, like an HOTP code (RFC
//! 4226): HMAC-SHA-256 over the device id and a counter, ten characters from
//! an alphabet without look-alikes. Pure functions; the device keeps the
//! secret sealed in its profile, headquarters in its database.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far ahead of the last code used the device looks (codes issued but
/// never typed in do not block later ones).
pub const LOOK_AHEAD: u64 = 20;
/// Days one unlock code buys before the device locks again without a sync.
pub const GRACE_DAYS: i64 = 3;

/// Wrong codes accepted without a wait; after them each wrong code makes
/// the next try wait [`FIRST_WAIT_MS`], doubling up to [`MAX_WAIT_MS`]. No
/// hard limit: a thief holding the phone could use one to stop the officer
/// for good, and a wait already makes 49 bits out of reach.
pub const FREE_TRIES: u32 = 3;
pub const FIRST_WAIT_MS: i64 = 60_000;
pub const MAX_WAIT_MS: i64 = 3_600_000;

/// How long after the last wrong code the next try must wait, given the
/// number of wrong codes in a row (0 while within [`FREE_TRIES`]).
pub fn wait_after_failures_ms(failures: u32) -> i64 {
    if failures < FREE_TRIES {
        return 0;
    }
    let doublings = (failures - FREE_TRIES).min(16);
    (FIRST_WAIT_MS << doublings).min(MAX_WAIT_MS)
}

/// Milliseconds left before a new code may be tried (0: now). A clock set
/// back before the last failure restarts the wait rather than skipping it.
pub fn retry_in_ms(failures: u32, last_failure_ms: Option<i64>, now_ms: i64) -> i64 {
    let (wait, Some(last)) = (wait_after_failures_ms(failures), last_failure_ms) else {
        return 0;
    };
    let elapsed = now_ms - last;
    if elapsed < 0 {
        return wait;
    }
    (wait - elapsed).max(0)
}

const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// The code for `counter`, shown as `XXXXX-XXXXX`.
pub fn unlock_code(secret: &[u8], device_id: &str, counter: u64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"homeward/unlock/v1\0");
    mac.update(device_id.as_bytes());
    mac.update(&counter.to_be_bytes());
    let tag = mac.finalize().into_bytes();
    let raw: String = tag[..10].iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    format!("{}-{}", &raw[..5], &raw[5..])
}

fn normalise(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase()
}

/// The counter a typed code matches, after `last_used` and within the
/// look-ahead; `None` for a wrong, reused or too-old code.
pub fn match_code(secret: &[u8], device_id: &str, last_used: u64, typed: &str) -> Option<u64> {
    let typed = normalise(typed);
    if typed.len() != 10 {
        return None;
    }
    (last_used + 1..=last_used + LOOK_AHEAD).find(|n| {
        let want = normalise(&unlock_code(secret, device_id, *n));
        // Constant-time compare: the code is short, but its check need not leak.
        want.len() == typed.len() && want.bytes().zip(typed.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_codes_wait_longer_and_longer_but_never_for_ever() {
        assert_eq!(wait_after_failures_ms(0), 0);
        assert_eq!(wait_after_failures_ms(FREE_TRIES - 1), 0);
        assert_eq!(wait_after_failures_ms(FREE_TRIES), FIRST_WAIT_MS);
        assert_eq!(wait_after_failures_ms(FREE_TRIES + 1), 2 * FIRST_WAIT_MS);
        assert_eq!(wait_after_failures_ms(FREE_TRIES + 3), 8 * FIRST_WAIT_MS);
        assert_eq!(wait_after_failures_ms(FREE_TRIES + 10), MAX_WAIT_MS);
        assert_eq!(wait_after_failures_ms(u32::MAX), MAX_WAIT_MS);
        let t = 1_000_000_000;
        assert_eq!(retry_in_ms(FREE_TRIES, Some(t), t + 20_000), FIRST_WAIT_MS - 20_000);
        assert_eq!(retry_in_ms(FREE_TRIES, Some(t), t + FIRST_WAIT_MS), 0);
        assert_eq!(retry_in_ms(FREE_TRIES - 1, Some(t), t), 0);
        assert_eq!(retry_in_ms(FREE_TRIES, None, t), 0);
        // The clock set back an hour does not let a guesser skip the wait.
        assert_eq!(retry_in_ms(FREE_TRIES + 1, Some(t), t - 3_600_000), 2 * FIRST_WAIT_MS);
    }

    #[test]
    fn codes_match_once_in_order_and_only_for_their_device() {
        let secret = [7u8; 32];
        let c1 = unlock_code(&secret, "osh-01-aa", 1);
        let c2 = unlock_code(&secret, "osh-01-aa", 2);
        assert_ne!(c1, c2);
        assert_eq!(c1.len(), 11);
        assert_eq!(match_code(&secret, "osh-01-aa", 0, &c1), Some(1));
        assert_eq!(match_code(&secret, "osh-01-aa", 0, &c1.to_lowercase().replace('-', " ")), Some(1), "typed loosely");
        assert_eq!(match_code(&secret, "osh-01-aa", 1, &c1), None, "used once");
        assert_eq!(match_code(&secret, "osh-01-aa", 0, &c2), Some(2), "an earlier code never typed does not block");
        assert_eq!(match_code(&secret, "osh-02-bb", 0, &c1), None, "another device's code");
        assert_eq!(match_code(&[8u8; 32], "osh-01-aa", 0, &c1), None, "another secret");
        let far = unlock_code(&secret, "osh-01-aa", LOOK_AHEAD + 5);
        assert_eq!(match_code(&secret, "osh-01-aa", 0, &far), None, "beyond the look-ahead");
        assert_eq!(match_code(&secret, "osh-01-aa", 0, "ABCDE-FGHJK"), None);
        assert_eq!(match_code(&secret, "osh-01-aa", 0, ""), None);
    }
}

//! Randomness comes in from the caller: every function that needs it takes
//! a `&mut impl CryptoRngCore`. Devices and headquarters pass the operating
//! system's generator (`rand_core::OsRng`); tests pass a seeded one, so the
//! domain stays deterministic under test.

pub use rand_core::{CryptoRng, CryptoRngCore, RngCore};
use uuid::{Builder, Uuid};

/// `N` random bytes (key seeds, nonces, secrets).
pub fn bytes<const N: usize>(rng: &mut impl CryptoRngCore) -> [u8; N] {
    let mut b = [0u8; N];
    rng.fill_bytes(&mut b);
    b
}

/// A random UUID (version 4): for ids that must not reveal when they were made.
pub fn uuid_v4(rng: &mut impl CryptoRngCore) -> Uuid {
    Builder::from_random_bytes(bytes(rng)).into_uuid()
}

/// A time-ordered UUID (version 7) at `unix_ms`: for event ids.
pub fn uuid_v7(unix_ms: i64, rng: &mut impl CryptoRngCore) -> Uuid {
    Builder::from_unix_timestamp_millis(unix_ms.max(0) as u64, &bytes(rng)).into_uuid()
}

#[cfg(test)]
pub(crate) fn test_rng() -> rand_chacha::ChaCha20Rng {
    use rand_core::SeedableRng;
    rand_chacha::ChaCha20Rng::seed_from_u64(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_version_and_time() {
        let mut rng = test_rng();
        let v7 = uuid_v7(1_700_000_000_123, &mut rng);
        assert_eq!(v7.get_version_num(), 7);
        let (secs, nanos) = v7.get_timestamp().expect("a v7 carries its time").to_unix();
        assert_eq!(secs * 1000 + u64::from(nanos) / 1_000_000, 1_700_000_000_123);
        assert_eq!(uuid_v4(&mut rng).get_version_num(), 4);
        assert_ne!(uuid_v4(&mut rng), uuid_v4(&mut rng));
    }
}

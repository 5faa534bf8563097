//! The numbers the shells see are signed (`Int`, `Long` in Kotlin: what
//! Compose and every Kotlin API take), so counts and sizes from the core are
//! converted here, saturating (a count past `i32::MAX` cannot occur), and a
//! negative argument is refused as `InvalidInput`.

use crate::error::{HomewardError, Result};

/// A count or size as an `Int`.
pub(crate) fn int(n: impl TryInto<i32>) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

/// A count, sequence or duration as a `Long`.
pub(crate) fn long(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// A non-negative argument named `field` (for the reason), or `InvalidInput`.
pub(crate) fn unsigned<T: TryFrom<i64>>(field: &str, n: i64) -> Result<T> {
    T::try_from(n).map_err(|_| HomewardError::input(crate::reason::out_of_range(field)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_saturate_and_negative_arguments_are_refused() {
        assert_eq!(int(7usize), 7);
        assert_eq!(int(u64::MAX), i32::MAX);
        assert_eq!(long(u64::MAX), i64::MAX);
        assert_eq!(unsigned::<u32>("days", 30).unwrap(), 30);
        assert!(matches!(unsigned::<u32>("days", -1), Err(HomewardError::InvalidInput { .. })));
    }
}

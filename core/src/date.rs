//! Calendar dates: the domain's [`IsoDate`], and today's date read from the
//! device's clock (the domain itself never reads a clock).

pub use homeward_domain::date::*;

/// `IsoDate::today()`: today in UTC, by the system clock.
pub trait Today {
    fn today() -> Self;
}

impl Today for IsoDate {
    fn today() -> IsoDate {
        IsoDate(time::OffsetDateTime::now_utc().date())
    }
}

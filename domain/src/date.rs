//! Calendar dates as "YYYY-MM-DD" and age in whole years.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::macros::format_description;
use time::Date;

/// A calendar date, written as "YYYY-MM-DD".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate(pub Date);

impl IsoDate {
    pub fn from_ymd(y: i32, m: u8, d: u8) -> Option<IsoDate> {
        let month = time::Month::try_from(m).ok()?;
        Date::from_calendar_date(y, month, d).ok().map(IsoDate)
    }

    /// Whole years from `self` (a birth date) to `on`; `None` if `on` is
    /// before `self`.
    pub fn age_on(&self, on: IsoDate) -> Option<u32> {
        let (b, o) = (self.0, on.0);
        if o < b {
            return None;
        }
        let mut years = o.year() - b.year();
        if (o.month() as u8, o.day()) < (b.month() as u8, b.day()) {
            years -= 1;
        }
        Some(years as u32)
    }

    /// The UTC date of a unix time in milliseconds (a controllable clock's "today").
    pub fn from_unix_ms(ms: i64) -> IsoDate {
        time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
            .map(|t| IsoDate(t.date()))
            .unwrap_or(IsoDate(if ms < 0 { Date::MIN } else { Date::MAX }))
    }
}

impl std::fmt::Display for IsoDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0.format(format_description!("[year]-[month]-[day]")).map_err(|_| std::fmt::Error)?;
        f.write_str(&s)
    }
}

impl std::str::FromStr for IsoDate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Date::parse(s.trim(), format_description!("[year]-[month]-[day]"))
            .map(IsoDate)
            .map_err(|_| format!("{s:?} is not a date; write YYYY-MM-DD"))
    }
}

impl Serialize for IsoDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_whole_years() {
        let b: IsoDate = "2008-03-15".parse().unwrap();
        assert_eq!(b.age_on("2026-03-14".parse().unwrap()), Some(17));
        assert_eq!(b.age_on("2026-03-15".parse().unwrap()), Some(18));
        assert_eq!(b.age_on("2007-01-01".parse().unwrap()), None);
        let leap: IsoDate = "2008-02-29".parse().unwrap();
        assert_eq!(leap.age_on("2026-02-28".parse().unwrap()), Some(17));
        assert_eq!(leap.age_on("2026-03-01".parse().unwrap()), Some(18));
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!("2025-02-29".parse::<IsoDate>().is_err());
        assert!("2025-13-01".parse::<IsoDate>().is_err());
        assert!("15.03.2008".parse::<IsoDate>().is_err());
        assert_eq!("2024-02-29".parse::<IsoDate>().unwrap().to_string(), "2024-02-29");
    }
}

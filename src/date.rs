//! Calendar dates (UTC), as the API writes them (`YYYY-MM-DD`): parsed from a
//! model's `shutdown_date`, and derived from the host's wall clock, so that
//! whether a shutdown date has passed is decided against today, never a
//! constant.

use std::fmt;

/// A proleptic Gregorian date. Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// `None` unless `month` and `day` exist in `year`.
    pub const fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if month == 0 || month > 12 || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// For the model table's literals: panics (at compile time, in a const) on a date that does not exist.
    pub const fn ymd(year: i32, month: u8, day: u8) -> Date {
        match Date::new(year, month, day) {
            Some(date) => date,
            None => panic!("not a calendar date"),
        }
    }

    /// `YYYY-MM-DD` exactly (what `shutdown_date` holds and snapshot ids end
    /// with); anything else, or a day that does not exist, is `None`.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            b[range].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = i32::try_from(digits(0..4)?).ok()?;
        let month = u8::try_from(digits(5..7)?).ok()?;
        let day = u8::try_from(digits(8..10)?).ok()?;
        Date::new(year, month, day)
    }

    /// The UTC date `seconds` after the Unix epoch (negative: before it), as
    /// `wasi:clocks/wall-clock` reports time.
    pub fn from_unix_seconds(seconds: i64) -> Date {
        Date::from_days(seconds.div_euclid(86_400))
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year = i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX });
        Date { year, month, day }
    }

    /// Days since 1970-01-01 (`days_from_civil`), for tests and arithmetic.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` later (earlier when negative).
    pub fn plus_days(self, days: i64) -> Date {
        Date::from_days(self.days_since_epoch() + days)
    }
}

const fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DD`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_only_real_dates_in_the_apis_form() {
        assert_eq!(Date::parse("2027-01-14"), Some(Date::ymd(2027, 1, 14)));
        assert_eq!(Date::parse("2028-02-29"), Some(Date::ymd(2028, 2, 29)));
        for bad in
            ["2027-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-14", "2026/01/14", "", "2026-01-14Z"]
        {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::parse("2100-02-29"), None);
        assert_eq!(Date::parse("2000-02-29"), Some(Date::ymd(2000, 2, 29)));
        assert_eq!(Date::ymd(2026, 5, 12).to_string(), "2026-05-12");
    }

    #[test]
    fn from_the_wall_clock() {
        assert_eq!(Date::from_unix_seconds(0), Date::ymd(1970, 1, 1));
        assert_eq!(Date::from_unix_seconds(-1), Date::ymd(1969, 12, 31));
        // 2026-12-02T00:00:00Z and one second before.
        assert_eq!(Date::from_unix_seconds(1_796_169_600), Date::ymd(2026, 12, 2));
        assert_eq!(Date::from_unix_seconds(1_796_169_599), Date::ymd(2026, 12, 1));
        assert_eq!(Date::from_unix_seconds(951_782_400), Date::ymd(2000, 2, 29));
        assert!(Date::ymd(2026, 12, 2) < Date::ymd(2027, 1, 14) && Date::ymd(2027, 1, 15) > Date::ymd(2027, 1, 14));
        assert_eq!(Date::ymd(2026, 12, 31).plus_days(1), Date::ymd(2027, 1, 1));
    }

    proptest! {
        #[test]
        fn days_round_trip_and_order(days in -1_000_000i64..1_000_000, more in 0i64..5000) {
            let date = Date::from_days(days);
            prop_assert_eq!(date.days_since_epoch(), days);
            if (0..=9999).contains(&date.year) {
                prop_assert_eq!(Date::parse(&date.to_string()), Some(date));
            }
            prop_assert!(Date::from_days(days + more) >= date);
        }
    }
}

//! Dates as the catalog keeps them: `YYYY-MM-DD` strings, which compare in
//! date order as plain strings, and today's date in UTC without a calendar
//! crate. A leaf: the catalog, snapshot ids and chat models' dated names all
//! parse dates the same way.

use std::time::{SystemTime, UNIX_EPOCH};

/// `YYYY-MM-DD` with a plausible month and day, so dates compare as strings.
pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    shape && matches!(s[5..7].parse::<u32>(), Ok(1..=12)) && matches!(s[8..10].parse::<u32>(), Ok(1..=31))
}

/// Today's date in UTC, from the system clock.
pub(crate) fn utc_today() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_789), (2026, 12, 2));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert!(is_date(&utc_today()));
        assert!(is_date("2027-01-14"));
        assert!(!is_date("2027-1-14") && !is_date("2027-13-01") && !is_date("2027-01-00") && !is_date("yesterday"));
    }
}

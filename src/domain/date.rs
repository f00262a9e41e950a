//! Dates as users type them: ISO `2026-08-10` or Vietnamese `10/08/2026`.

use chrono::{Datelike, NaiveDate, Weekday};

pub type Date = NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date {0:?}")]
pub struct BadDate(pub String);

/// Parse `YYYY-MM-DD`, `DD/MM/YYYY` or `D/M/YYYY`. Impossible dates (31/02) are errors.
pub fn parse(s: &str) -> Result<Date, BadDate> {
    let t = s.trim();
    let bad = || BadDate(s.to_string());
    let (y, m, d) = if let Some((y, rest)) = t.split_once('-') {
        let (m, d) = rest.split_once('-').ok_or_else(bad)?;
        (y, m, d)
    } else {
        let mut it = t.splitn(3, ['/', '.']);
        let d = it.next().ok_or_else(bad)?;
        let m = it.next().ok_or_else(bad)?;
        let y = it.next().ok_or_else(bad)?;
        (y, m, d)
    };
    let num = |p: &str| -> Result<u32, BadDate> {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse().map_err(|_| bad())
    };
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    if !(FIRST_YEAR..=LAST_YEAR).contains(&(y as i32)) {
        return Err(bad());
    }
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(bad)
}

/// The years a date typed by a user may fall in ([`parse`] refuses the others).
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2999;

/// Whether a date lies in the range [`parse`] accepts. Dates that arrive by other ways
/// (the ward server's wire, a JSON document) are checked with this before they are
/// stored: anything outside would neither print back nor parse back (undo), and date
/// arithmetic near chrono's limits panics.
pub fn in_range(d: Date) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&d.year())
}

/// Display as Vietnamese users write dates: 10/08/2026.
pub fn format_vi(d: Date) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Add `n` working days (Monday–Friday). Public holidays are not known to qcdc; the
/// result is the earliest the law's "n ngày làm việc" can end.
pub fn add_working_days(start: Date, n: u32) -> Date {
    let mut d = start;
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_date_forms_parse() {
        let d = NaiveDate::from_ymd_opt(2026, 8, 10).unwrap();
        assert_eq!(parse("2026-08-10").unwrap(), d);
        assert_eq!(parse("10/08/2026").unwrap(), d);
        assert_eq!(parse("10/8/2026").unwrap(), d);
        assert_eq!(format_vi(d), "10/08/2026");
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for s in [
            "31/02/2026",
            "2026-13-01",
            "",
            "abc",
            "10/08",
            "1/1/99999",
            "-1/2/2026",
        ] {
            assert!(parse(s).is_err(), "{s} should be rejected");
        }
    }

    #[test]
    fn five_working_days_skip_the_weekend() {
        // Friday 7 Aug 2026 + 5 working days = Friday 14 Aug.
        let fri = NaiveDate::from_ymd_opt(2026, 8, 7).unwrap();
        assert_eq!(
            add_working_days(fri, 5),
            NaiveDate::from_ymd_opt(2026, 8, 14).unwrap()
        );
    }
}

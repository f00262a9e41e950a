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
        let Some(next) = d.succ_opt() else { return d };
        d = next;
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

/// The latest day that is `n` working days before `end` (NĐ 59/2023 Điều 14 khoản 1
/// điểm b: a plan sent "chậm nhất 05 ngày làm việc trước"): weekends skipped.
pub fn sub_working_days(end: Date, n: u32) -> Date {
    let mut d = end;
    let mut left = n;
    while left > 0 {
        let Some(prev) = d.pred_opt() else { return d };
        d = prev;
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

/// The end of a period of `n` days that runs from an event on `start`: the first day
/// is not counted (Bộ luật Dân sự 2015 Điều 147 khoản 1), so it ends `n` days later.
/// Counted this way a posting from 01/07 to 30/07 is 29 days, not 30.
pub fn days_after(start: Date, n: u32) -> Option<Date> {
    start.checked_add_days(chrono::Days::new(u64::from(n)))
}

/// The latest day `n` whole days before `event` ("ít nhất 02 ngày trước").
pub fn days_before(event: Date, n: u32) -> Option<Date> {
    event.checked_sub_days(chrono::Days::new(u64::from(n)))
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
    fn five_working_days_before_skip_the_weekend_nd_59_dieu_14() {
        // Monday 17 Aug 2026 − 5 working days = Monday 10 Aug (Sat 15, Sun 16 skipped).
        let mon = NaiveDate::from_ymd_opt(2026, 8, 17).unwrap();
        assert_eq!(
            sub_working_days(mon, 5),
            NaiveDate::from_ymd_opt(2026, 8, 10).unwrap()
        );
        let max = NaiveDate::MAX;
        let _ = add_working_days(max, 3);
        let _ = sub_working_days(NaiveDate::MIN, 3);
    }

    /// Bộ luật Dân sự 2015 Điều 147: a posting from 01/07 counts from 02/07; 30 days
    /// end on 31/07.
    #[test]
    fn thirty_days_from_the_first_of_july_end_on_the_31st_blds_dieu_147() {
        let d = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(days_after(d, 30), NaiveDate::from_ymd_opt(2026, 7, 31));
        assert_eq!(
            days_before(NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(), 5),
            NaiveDate::from_ymd_opt(2026, 12, 23)
        );
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

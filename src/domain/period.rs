//! Reporting periods: a year `2026`, a half-year `2026-H1`, a quarter `2026-Q3`.

use super::date::Date;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Granularity {
    Quarter,
    Half,
    Year,
}

/// A reporting period. Ordered by start date, then shorter first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Year(u16),
    Half(u16, u8),
    Quarter(u16, u8),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid period {0:?} (expected 2026, 2026-H1 or 2026-Q3)")]
pub struct BadPeriod(pub String);

pub const MIN_YEAR: u16 = 2000;
pub const MAX_YEAR: u16 = 2999;

impl Period {
    pub fn year(self) -> u16 {
        match self {
            Period::Year(y) | Period::Half(y, _) | Period::Quarter(y, _) => y,
        }
    }

    pub fn granularity(self) -> Granularity {
        match self {
            Period::Year(_) => Granularity::Year,
            Period::Half(..) => Granularity::Half,
            Period::Quarter(..) => Granularity::Quarter,
        }
    }

    /// The quarter containing a date.
    pub fn quarter_of(d: Date) -> Period {
        Period::Quarter(d.year() as u16, ((d.month0() / 3) + 1) as u8)
    }

    /// First and last month (1-based) of the period.
    fn months(self) -> (u32, u32) {
        match self {
            Period::Year(_) => (1, 12),
            Period::Half(_, h) => {
                let s = (h as u32 - 1) * 6 + 1;
                (s, s + 5)
            }
            Period::Quarter(_, q) => {
                let s = (q as u32 - 1) * 3 + 1;
                (s, s + 2)
            }
        }
    }

    pub fn start(self) -> Date {
        let (m, _) = self.months();
        NaiveDate::from_ymd_opt(self.year() as i32, m, 1).expect("valid period start")
    }

    pub fn end(self) -> Date {
        let (_, m) = self.months();
        let y = self.year() as i32;
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(y, m + 1, 1)
        };
        next.and_then(|d| d.pred_opt()).expect("valid period end")
    }

    pub fn contains_date(self, d: Date) -> bool {
        self.start() <= d && d <= self.end()
    }

    /// Whether `other` lies entirely within `self`.
    pub fn covers(self, other: Period) -> bool {
        self.start() <= other.start() && other.end() <= self.end()
    }

    /// The period of the same length just before this one.
    pub fn previous(self) -> Option<Period> {
        let p = match self {
            Period::Year(y) => Period::Year(y.checked_sub(1)?),
            Period::Half(y, 2) => Period::Half(y, 1),
            Period::Half(y, _) => Period::Half(y.checked_sub(1)?, 2),
            Period::Quarter(y, 1) => Period::Quarter(y.checked_sub(1)?, 4),
            Period::Quarter(y, q) => Period::Quarter(y, q - 1),
        };
        (p.year() >= MIN_YEAR).then_some(p)
    }

    /// The period of the same length just after this one.
    pub fn next(self) -> Option<Period> {
        let p = match self {
            Period::Year(y) => Period::Year(y + 1),
            Period::Half(y, 1) => Period::Half(y, 2),
            Period::Half(y, _) => Period::Half(y + 1, 1),
            Period::Quarter(y, 4) => Period::Quarter(y + 1, 1),
            Period::Quarter(y, q) => Period::Quarter(y, q + 1),
        };
        (p.year() <= MAX_YEAR).then_some(p)
    }

    /// The periods of granularity `g` that an item recurring at `g` occupies within `self`:
    /// one coarser-or-equal period containing `self`, or every finer period inside it.
    pub fn slots(self, g: Granularity) -> Vec<Period> {
        let y = self.year();
        if g >= self.granularity() {
            return vec![match g {
                Granularity::Year => Period::Year(y),
                Granularity::Half => Period::Half(y, if self.start().month() <= 6 { 1 } else { 2 }),
                Granularity::Quarter => self,
            }];
        }
        let all: Vec<Period> = match g {
            Granularity::Quarter => (1..=4).map(|q| Period::Quarter(y, q)).collect(),
            Granularity::Half => (1..=2).map(|h| Period::Half(y, h)).collect(),
            Granularity::Year => vec![Period::Year(y)],
        };
        all.into_iter().filter(|p| self.covers(*p)).collect()
    }

    /// Four bytes that sort like the periods: year (big-endian), kind, index.
    pub fn to_key(self) -> [u8; 4] {
        let (kind, idx) = match self {
            Period::Year(_) => (0u8, 0u8),
            Period::Half(_, h) => (1, h),
            Period::Quarter(_, q) => (2, q),
        };
        let y = self.year().to_be_bytes();
        [y[0], y[1], kind, idx]
    }

    pub fn from_key(k: [u8; 4]) -> Option<Period> {
        let y = u16::from_be_bytes([k[0], k[1]]);
        let p = match (k[2], k[3]) {
            (0, 0) => Period::Year(y),
            (1, h @ 1..=2) => Period::Half(y, h),
            (2, q @ 1..=4) => Period::Quarter(y, q),
            _ => return None,
        };
        (MIN_YEAR..=MAX_YEAR).contains(&y).then_some(p)
    }

    /// Vietnamese label: "Quý III/2026", "6 tháng đầu năm 2026", "Năm 2026".
    pub fn label_vi(self) -> String {
        match self {
            Period::Year(y) => format!("Năm {y}"),
            Period::Half(y, 1) => format!("6 tháng đầu năm {y}"),
            Period::Half(y, _) => format!("6 tháng cuối năm {y}"),
            Period::Quarter(y, q) => {
                let roman = ["I", "II", "III", "IV"][(q as usize - 1).min(3)];
                format!("Quý {roman}/{y}")
            }
        }
    }

    pub fn label_en(self) -> String {
        match self {
            Period::Year(y) => format!("Year {y}"),
            Period::Half(y, h) => format!("H{h} {y}"),
            Period::Quarter(y, q) => format!("Q{q} {y}"),
        }
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.start(), self.granularity()).cmp(&(other.start(), other.granularity()))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Half(y, h) => write!(f, "{y}-H{h}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
        }
    }
}

impl FromStr for Period {
    type Err = BadPeriod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadPeriod(s.to_string());
        let t = s.trim().to_ascii_uppercase();
        let (y, rest) = match t.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (t.as_str(), None),
        };
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: u16 = y.parse().map_err(|_| bad())?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(bad());
        }
        match rest {
            None => Ok(Period::Year(year)),
            Some("H1") => Ok(Period::Half(year, 1)),
            Some("H2") => Ok(Period::Half(year, 2)),
            Some(q) if q.len() == 2 && q.starts_with('Q') => match &q[1..] {
                "1" => Ok(Period::Quarter(year, 1)),
                "2" => Ok(Period::Quarter(year, 2)),
                "3" => Ok(Period::Quarter(year, 3)),
                "4" => Ok(Period::Quarter(year, 4)),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        }
    }
}

impl TryFrom<String> for Period {
    type Error = BadPeriod;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn periods_parse_and_print() {
        for s in ["2026", "2026-H1", "2026-H2", "2026-Q1", "2026-Q4"] {
            assert_eq!(s.parse::<Period>().unwrap().to_string(), s);
        }
        assert_eq!(
            "2026-q3".parse::<Period>().unwrap(),
            Period::Quarter(2026, 3)
        );
        for s in [
            "26", "2026-Q5", "2026-H3", "2026-", "abcd", "2026-Q", "1999", "2026-Q1x",
        ] {
            assert!(s.parse::<Period>().is_err(), "{s}");
        }
    }

    #[test]
    fn quarter_bounds_and_labels() {
        let q3 = Period::Quarter(2026, 3);
        assert_eq!(q3.start(), NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(q3.end(), NaiveDate::from_ymd_opt(2026, 9, 30).unwrap());
        assert_eq!(q3.label_vi(), "Quý III/2026");
        assert_eq!(
            Period::Half(2026, 1).end(),
            NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
        );
        assert_eq!(
            Period::Year(2026).end(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
    }

    #[test]
    fn slots_of_yearly_and_quarterly_items() {
        let q3 = Period::Quarter(2026, 3);
        assert_eq!(q3.slots(Granularity::Year), vec![Period::Year(2026)]);
        assert_eq!(q3.slots(Granularity::Half), vec![Period::Half(2026, 2)]);
        assert_eq!(q3.slots(Granularity::Quarter), vec![q3]);
        assert_eq!(
            Period::Half(2026, 1).slots(Granularity::Quarter),
            vec![Period::Quarter(2026, 1), Period::Quarter(2026, 2)]
        );
        assert_eq!(Period::Year(2026).slots(Granularity::Quarter).len(), 4);
    }

    #[test]
    fn previous_wraps_years() {
        assert_eq!(
            Period::Quarter(2026, 1).previous(),
            Some(Period::Quarter(2025, 4))
        );
        assert_eq!(
            Period::Half(2026, 1).previous(),
            Some(Period::Half(2025, 2))
        );
        assert_eq!(Period::Year(2000).previous(), None);
    }

    proptest! {
        #[test]
        fn key_round_trips_and_sorts_within_kind(y in MIN_YEAR..=MAX_YEAR, q in 1u8..=4, y2 in MIN_YEAR..=MAX_YEAR, q2 in 1u8..=4) {
            let a = Period::Quarter(y, q);
            let b = Period::Quarter(y2, q2);
            prop_assert_eq!(Period::from_key(a.to_key()), Some(a));
            prop_assert_eq!(a.to_key().cmp(&b.to_key()), a.cmp(&b));
        }
    }
}

//! Figures: what a ward counts rather than ticks — petitions received, dialogues held,
//! contributions in money and labour days, hương ước recognised (NĐ 61/2023 Điều 16
//! khoản 1) — defined by `[[figure]]` entries of the template, recorded per group (or the
//! ward as a whole, group 0) and quarter, and summed in every report.
//!
//! The rule for a report period: a figure is recorded per quarter. A quarter's report
//! shows that quarter's values; a half's or a year's report adds up the quarters it
//! covers (`total = "sum"`, the default: things that happened), or takes the latest
//! quarter of it that has a value (`total = "last"`: a state at a date, such as the
//! number of party members). A figure nobody recorded is "no data", never 0.

use super::period::{Granularity, Period};
use super::text;
use serde::{Deserialize, Serialize};

/// The most a figure may hold: far above any count or sum of money in đồng a ward
/// reports, and well below `u64::MAX`, so that sums across groups, quarters and
/// wards cannot overflow (a million such values still fit).
pub const MAX_VALUE: u64 = 1_000_000_000_000_000;

/// How a half's or year's value is made of its quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Total {
    /// The sum of the quarters (petitions received, money contributed, …).
    #[default]
    Sum,
    /// The latest quarter with a value (party members, residents: a count at a date).
    Last,
}

impl Total {
    pub fn code(self) -> &'static str {
        match self {
            Total::Sum => "sum",
            Total::Last => "last",
        }
    }
}

/// One indicator a ward counts, as the template defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// Stable key: upper-case letters, digits and '-' ("DT-01").
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    /// The report section it belongs to: "I" … "VIII", or "chung" (the ward in general:
    /// đặc điểm tình hình).
    pub section: String,
    /// The unit as printed: "đơn", "cuộc", "đồng", "ngày công", "người".
    pub unit: String,
    #[serde(default)]
    pub unit_en: String,
    #[serde(default)]
    pub total: Total,
    /// Where the law asks for it, as people write it; empty when no text does.
    #[serde(default)]
    pub citation: String,
}

/// The report sections a figure may belong to, in report order.
pub const SECTIONS: [&str; 9] = ["chung", "I", "II", "III", "IV", "V", "VI", "VII", "VIII"];

impl Figure {
    pub fn title_in(&self, en: bool) -> &str {
        if en && !self.title_en.is_empty() {
            &self.title_en
        } else {
            &self.title
        }
    }

    pub fn unit_in(&self, en: bool) -> &str {
        if en && !self.unit_en.is_empty() {
            &self.unit_en
        } else {
            &self.unit
        }
    }

    /// Position of its section in report order.
    pub fn section_rank(&self) -> usize {
        SECTIONS
            .iter()
            .position(|s| *s == self.section)
            .unwrap_or(SECTIONS.len())
    }
}

/// The figure a user named: by code, case ignored, or by the start of its title with or
/// without diacritics.
pub fn find<'a>(figures: &'a [Figure], name: &str) -> Option<&'a Figure> {
    let n = name.trim();
    if n.is_empty() {
        return None;
    }
    if let Some(f) = figures.iter().find(|f| f.code.eq_ignore_ascii_case(n)) {
        return Some(f);
    }
    let want = text::fold(n);
    let mut hits = figures.iter().filter(|f| {
        text::fold(&f.title).starts_with(&want) || text::fold(&f.title_en).starts_with(&want)
    });
    match (hits.next(), hits.next()) {
        (Some(f), None) => Some(f),
        _ => None,
    }
}

/// A value as typed: digits, with '.', ',', ' ' or '_' between thousands allowed
/// ("1.500.000", "1,500,000", "1 500 000"); a non-negative whole number up to
/// [`MAX_VALUE`]. The error is (Vietnamese, English).
pub fn parse_value(s: &str) -> Result<u64, (String, String)> {
    let t = s.trim();
    let bad = || {
        (
            format!(
                "Số liệu {t:?} không hợp lệ: cần một số nguyên không âm, ví dụ 12 hoặc 1.500.000."
            ),
            format!(
                "The value {t:?} is not valid: give a whole number of 0 or more, e.g. 12 or 1,500,000."
            ),
        )
    };
    if t.is_empty() {
        return Err(bad());
    }
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' ' | '_' | '\u{a0}'))
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    // Separators only between groups of three ("1.5" is not fifteen).
    let groups: Vec<&str> = t.split(['.', ',', ' ', '_', '\u{a0}']).collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return Err(bad());
    }
    let v: u64 = digits.parse().map_err(|_| too_large())?;
    if v > MAX_VALUE {
        return Err(too_large());
    }
    Ok(v)
}

fn too_large() -> (String, String) {
    (
        format!(
            "Số liệu quá lớn: tối đa {}.",
            group_thousands(MAX_VALUE, '.')
        ),
        format!(
            "The value is too large: at most {}.",
            group_thousands(MAX_VALUE, ',')
        ),
    )
}

/// Figures are recorded per quarter: the error (Vietnamese, English) for any other
/// period.
pub fn check_period(p: Period) -> Result<(), (String, String)> {
    if p.granularity() == Granularity::Quarter {
        return Ok(());
    }
    let y = p.year();
    Err((
        format!(
            "Số liệu ghi theo quý, không theo {}: dùng --period {y}-Q1 … {y}-Q4 (báo cáo 6 tháng, năm tự cộng các quý).",
            p.label_vi().to_lowercase()
        ),
        format!(
            "Figures are recorded per quarter, not for {}: use --period {y}-Q1 … {y}-Q4 (half-year and year reports add the quarters up).",
            p.label_en()
        ),
    ))
}

/// "1.500.000" (Vietnamese) or "1,500,000" (English).
pub fn group_thousands(v: u64, sep: char) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A value as a reader of `en` reads it; `None` is "no data" ("–").
pub fn show(v: Option<u64>, en: bool) -> String {
    match v {
        Some(v) => group_thousands(v, if en { ',' } else { '.' }),
        None => "–".to_string(),
    }
}

/// A value recorded: a group (or the ward, group 0) and quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureValue {
    pub period: Period,
    pub group: u32,
    pub code: String,
    pub value: u64,
}

/// A period's value of one figure from the values recorded in its quarters (any order):
/// the sum, or the latest quarter's value; `None` when no quarter of `period` has one.
pub fn combine(total: Total, period: Period, values: &[(Period, u64)]) -> Option<u64> {
    let inside = values.iter().filter(|(p, _)| period.covers(*p));
    match total {
        Total::Sum => inside.fold(None, |acc: Option<u64>, (_, v)| {
            Some(acc.unwrap_or(0).saturating_add(*v))
        }),
        Total::Last => inside.max_by_key(|(p, _)| *p).map(|(_, v)| *v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_with_thousands_separators_and_refuse_the_rest() {
        assert_eq!(parse_value("12"), Ok(12));
        assert_eq!(parse_value(" 0 "), Ok(0));
        assert_eq!(parse_value("1.500.000"), Ok(1_500_000));
        assert_eq!(parse_value("1,500,000"), Ok(1_500_000));
        assert_eq!(parse_value("1 500 000"), Ok(1_500_000));
        assert_eq!(parse_value("25000000000"), Ok(25_000_000_000));
        for bad in [
            "", "-3", "1.5", "12a", "1.50.000", ".500", "3,2", "+4", "1e6",
        ] {
            let e = parse_value(bad).unwrap_err();
            assert!(e.0.contains("không hợp lệ"), "{bad}: {e:?}");
            assert!(e.1.contains("not valid"), "{bad}: {e:?}");
        }
        assert!(
            parse_value("99999999999999999999")
                .unwrap_err()
                .1
                .contains("too large")
        );
        assert!(
            parse_value("1000000000000001")
                .unwrap_err()
                .0
                .contains("quá lớn")
        );
        assert_eq!(parse_value("1000000000000000"), Ok(MAX_VALUE));
    }

    #[test]
    fn only_quarters_take_values() {
        assert!(check_period("2026-Q3".parse().unwrap()).is_ok());
        let e = check_period("2026".parse().unwrap()).unwrap_err();
        assert!(e.0.contains("2026-Q1"), "{e:?}");
        assert!(check_period("2026-H1".parse().unwrap()).is_err());
    }

    #[test]
    fn halves_and_years_sum_their_quarters_or_take_the_last() {
        let q = |n| Period::Quarter(2026, n);
        let vals = [
            (q(1), 3),
            (q(2), 4),
            (q(4), 10),
            (Period::Quarter(2025, 4), 99),
        ];
        let h1: Period = "2026-H1".parse().unwrap();
        let y: Period = "2026".parse().unwrap();
        assert_eq!(combine(Total::Sum, q(1), &vals), Some(3));
        assert_eq!(combine(Total::Sum, q(3), &vals), None);
        assert_eq!(combine(Total::Sum, h1, &vals), Some(7));
        assert_eq!(combine(Total::Sum, y, &vals), Some(17));
        assert_eq!(combine(Total::Last, y, &vals), Some(10));
        assert_eq!(combine(Total::Last, h1, &vals), Some(4));
        assert_eq!(
            combine(Total::Last, "2026-H2".parse().unwrap(), &[(q(3), 0)]),
            Some(0)
        );
    }

    #[test]
    fn thousands_are_grouped_as_each_language_writes_them() {
        assert_eq!(show(Some(1_500_000), false), "1.500.000");
        assert_eq!(show(Some(1_500_000), true), "1,500,000");
        assert_eq!(show(Some(999), false), "999");
        assert_eq!(show(Some(0), false), "0");
        assert_eq!(show(None, false), "–");
    }

    #[test]
    fn figures_are_found_by_code_or_title() {
        let f = |code: &str, title: &str| Figure {
            code: code.into(),
            title: title.into(),
            title_en: String::new(),
            section: "VII".into(),
            unit: "đơn".into(),
            unit_en: String::new(),
            total: Total::Sum,
            citation: String::new(),
        };
        let all = [
            f("DT-01", "Đơn thư tiếp nhận"),
            f("DT-02", "Đơn thư giải quyết"),
        ];
        assert_eq!(find(&all, "dt-02").map(|f| f.code.as_str()), Some("DT-02"));
        assert_eq!(
            find(&all, "don thu tiep").map(|f| f.code.as_str()),
            Some("DT-01")
        );
        assert!(find(&all, "Đơn thư").is_none(), "ambiguous");
        assert!(find(&all, "").is_none());
    }
}

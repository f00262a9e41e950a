//! A period's figures in a report: each figure's value per branch (chi bộ) and for the
//! whole ward, from the values recorded per group and quarter (`domain::figure`).
//!
//! Computed from plain data, so the local service, the ward server and the roll-up (from
//! an export's raw `figures` tree) give the same numbers.

use crate::domain::figure::{self, Figure, FigureValue, Total};
use crate::domain::period::Period;
use crate::domain::ward::{Branch, Group, GroupId, WARD_GROUP};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One figure of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureRow {
    pub code: String,
    pub title: String,
    /// "chung" (the ward in general) or "I" … "VIII".
    pub section: String,
    pub unit: String,
    /// How a half or a year is made of its quarters: "sum" or "last".
    #[serde(default)]
    pub rule: Total,
    /// Where the law asks for it; empty when no text does.
    #[serde(default)]
    pub citation: String,
    /// The whole ward: its groups' values and its own. `None`: nobody recorded it.
    pub total: Option<u64>,
    /// What the ward recorded as a whole (group 0).
    pub ward: Option<u64>,
    /// Per branch, in the report's branch order.
    pub branches: Vec<BranchFigure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchFigure {
    pub name: String,
    pub value: Option<u64>,
}

fn add(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
    }
}

/// The rows of `period`'s report: every figure defined, then any code recorded that the
/// template no longer defines (by its code). Values of groups not in `groups` are left
/// out (a report narrowed to one group); the ward's own always count. Empty when nothing
/// was recorded in the period: "no figures", not a table of zeros.
pub fn rows(
    defs: &[Figure],
    values: &[FigureValue],
    groups: &[Group],
    branches: &[Branch],
    period: Period,
    en: bool,
) -> Vec<FigureRow> {
    let branch_of: HashMap<GroupId, u32> = groups.iter().map(|g| (g.id, g.branch)).collect();
    // (code, unit) → the unit's values in the period's quarters.
    let mut per_unit: HashMap<(&str, GroupId), Vec<(Period, u64)>> = HashMap::new();
    for v in values {
        if !period.covers(v.period) || (v.group != WARD_GROUP && !branch_of.contains_key(&v.group))
        {
            continue;
        }
        per_unit
            .entry((v.code.as_str(), v.group))
            .or_default()
            .push((v.period, v.value));
    }
    if per_unit.is_empty() {
        return Vec::new();
    }
    let mut all: Vec<Figure> = defs.to_vec();
    let mut extra: Vec<&str> = per_unit
        .keys()
        .map(|(c, _)| *c)
        .filter(|c| !defs.iter().any(|d| d.code == *c))
        .collect();
    extra.sort_unstable();
    extra.dedup();
    all.extend(extra.into_iter().map(|c| Figure {
        code: c.to_string(),
        title: c.to_string(),
        title_en: String::new(),
        section: "chung".into(),
        unit: String::new(),
        unit_en: String::new(),
        total: Total::Sum,
        citation: String::new(),
    }));
    all.iter()
        .map(|f| {
            let unit = |g: GroupId| {
                per_unit
                    .get(&(f.code.as_str(), g))
                    .and_then(|vals| figure::combine(f.total, period, vals))
            };
            let ward = unit(WARD_GROUP);
            let mut by_branch: HashMap<u32, Option<u64>> = HashMap::new();
            for g in groups {
                let e = by_branch.entry(g.branch).or_insert(None);
                *e = add(*e, unit(g.id));
            }
            let total = by_branch.values().fold(ward, |acc, v| add(acc, *v));
            FigureRow {
                code: f.code.clone(),
                title: f.title_in(en).to_string(),
                section: f.section.clone(),
                unit: f.unit_in(en).to_string(),
                rule: f.total,
                citation: f.citation.clone(),
                total,
                ward,
                branches: branches
                    .iter()
                    .map(|b| BranchFigure {
                        name: b.name.clone(),
                        value: by_branch.get(&b.id).copied().flatten(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// [`rows`] for a report built: its branches in the report's order, narrowed to one
/// group as the report was (`only`).
pub fn for_report(
    r: &super::report::Report,
    defs: &[Figure],
    values: &[FigureValue],
    groups: &[Group],
    branches: &[Branch],
    only: Option<GroupId>,
    en: bool,
) -> Vec<FigureRow> {
    let groups: Vec<Group> = groups
        .iter()
        .filter(|g| only.is_none_or(|o| o == g.id))
        .cloned()
        .collect();
    let ordered: Vec<Branch> = r
        .branches
        .iter()
        .filter_map(|rb| branches.iter().find(|b| b.id == rb.id))
        .cloned()
        .collect();
    rows(defs, values, &groups, &ordered, r.period, en)
}

/// A figure summed across the wards of a roll-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureTotal {
    pub code: String,
    pub title: String,
    pub section: String,
    pub unit: String,
    /// The wards' totals added up; `None`: no ward recorded it.
    pub total: Option<u64>,
    /// How many wards recorded it.
    pub wards: u32,
}

/// Each figure across the wards, in the order the first ward lists them; empty when no
/// ward recorded any figure for the period.
pub fn across_wards<'a>(wards: impl Iterator<Item = &'a [FigureRow]>) -> Vec<FigureTotal> {
    let mut out: Vec<FigureTotal> = Vec::new();
    for rows in wards {
        for f in rows {
            let at = match out.iter().position(|t| t.code == f.code) {
                Some(i) => i,
                None => {
                    out.push(FigureTotal {
                        code: f.code.clone(),
                        title: f.title.clone(),
                        section: f.section.clone(),
                        unit: f.unit.clone(),
                        total: None,
                        wards: 0,
                    });
                    out.len() - 1
                }
            };
            if f.total.is_some() {
                out[at].total = add(out[at].total, f.total);
                out[at].wards += 1;
            }
        }
    }
    if out.iter().all(|t| t.total.is_none()) {
        out.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::figure::Total;

    fn group(id: u32, branch: u32) -> Group {
        Group {
            id,
            name: format!("Tổ {id}"),
            branch,
            leader: String::new(),
            front_head: String::new(),
            households: 10,
        }
    }

    fn branch(id: u32) -> Branch {
        Branch {
            id,
            name: format!("Chi bộ {id}"),
        }
    }

    /// A second computation, as plainly as can be: for each unit, its quarters in the
    /// period added up (or the latest taken), then the units added up.
    fn naive(
        rule: Total,
        values: &[FigureValue],
        code: &str,
        units: &[GroupId],
        period: Period,
    ) -> Option<u64> {
        let mut total = None;
        for u in units {
            let mut mine: Option<(Period, u64)> = None;
            let mut sum = None;
            for v in values {
                if v.code == code && v.group == *u && period.covers(v.period) {
                    sum = Some(sum.unwrap_or(0) + v.value);
                    if mine.is_none_or(|(p, _)| v.period > p) {
                        mine = Some((v.period, v.value));
                    }
                }
            }
            let unit = match rule {
                Total::Sum => sum,
                Total::Last => mine.map(|(_, v)| v),
            };
            if let Some(x) = unit {
                total = Some(total.unwrap_or(0) + x);
            }
        }
        total
    }

    #[test]
    fn branches_and_ward_match_a_second_computation() {
        let defs = crate::data::default_figures();
        let groups: Vec<Group> = (1..=7).map(|i| group(i, 1 + i % 3)).collect();
        let branches: Vec<Branch> = (1..=3).map(branch).collect();
        // A fixed pseudo-random spread of values over groups, quarters and codes.
        let mut seed = 0x2545_f491_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut values = Vec::new();
        for _ in 0..300 {
            let q = (next() % 4) as u8 + 1;
            let y = 2025 + (next() % 2) as u16;
            let g = (next() % 8) as u32; // 0 = the ward
            let code = defs[(next() % defs.len() as u64) as usize].code.clone();
            let key = (Period::Quarter(y, q), g, code.clone());
            if values
                .iter()
                .any(|v: &FigureValue| (v.period, v.group, v.code.clone()) == key)
            {
                continue;
            }
            values.push(FigureValue {
                period: key.0,
                group: g,
                code,
                value: next() % 5_000_000,
            });
        }
        for period in ["2026", "2026-H1", "2026-H2", "2026-Q3", "2025"] {
            let period: Period = period.parse().unwrap();
            let rows = rows(&defs, &values, &groups, &branches, period, false);
            assert_eq!(rows.len(), defs.len());
            for (row, def) in rows.iter().zip(&defs) {
                let all: Vec<GroupId> = (0..=7).collect();
                assert_eq!(
                    row.total,
                    naive(def.total, &values, &def.code, &all, period),
                    "{} {period}",
                    def.code
                );
                assert_eq!(row.ward, naive(def.total, &values, &def.code, &[0], period));
                for (b, bf) in branches.iter().zip(&row.branches) {
                    let mine: Vec<GroupId> = groups
                        .iter()
                        .filter(|g| g.branch == b.id)
                        .map(|g| g.id)
                        .collect();
                    assert_eq!(
                        bf.value,
                        naive(def.total, &values, &def.code, &mine, period),
                        "{} {} {period}",
                        def.code,
                        b.name
                    );
                }
            }
        }
    }

    #[test]
    fn wards_add_up_and_count_who_recorded() {
        let defs = crate::data::default_figures();
        let g = |id| group(id, 1);
        let p: Period = "2026".parse().unwrap();
        let v = |code: &str, q, value| FigureValue {
            period: Period::Quarter(2026, q),
            group: 1,
            code: code.into(),
            value,
        };
        let a = rows(
            &defs,
            &[v("DON-01", 1, 5), v("DON-01", 3, 2)],
            &[g(1)],
            &[branch(1)],
            p,
            false,
        );
        let b = rows(
            &defs,
            &[v("DON-01", 2, 10), v("DG-01", 2, 3_000_000)],
            &[g(1)],
            &[branch(1)],
            p,
            false,
        );
        let none: Vec<FigureRow> = Vec::new();
        let t = across_wards([a.as_slice(), none.as_slice(), b.as_slice()].into_iter());
        let don = t.iter().find(|x| x.code == "DON-01").unwrap();
        assert_eq!((don.total, don.wards), (Some(17), 2));
        let dg = t.iter().find(|x| x.code == "DG-01").unwrap();
        assert_eq!((dg.total, dg.wards), (Some(3_000_000), 1));
        assert!(across_wards([none.as_slice()].into_iter()).is_empty());
    }

    #[test]
    fn nothing_recorded_is_no_rows_and_unknown_codes_keep_their_code() {
        let defs = crate::data::default_figures();
        let groups = vec![group(1, 1)];
        let branches = vec![branch(1)];
        let p: Period = "2026-Q1".parse().unwrap();
        assert!(rows(&defs, &[], &groups, &branches, p, false).is_empty());
        let v = |code: &str, period: Period, group| FigureValue {
            period,
            group,
            code: code.into(),
            value: 4,
        };
        // Another quarter's value, and a group not in the report: still nothing.
        let other = [
            v("DON-01", "2026-Q2".parse().unwrap(), 1),
            v("DON-01", p, 9),
        ];
        assert!(rows(&defs, &other, &groups, &branches, p, false).is_empty());
        let r = rows(&defs, &[v("OLD-1", p, 1)], &groups, &branches, p, false);
        let last = r.last().unwrap();
        assert_eq!((last.code.as_str(), last.total), ("OLD-1", Some(4)));
        assert!(
            r.iter()
                .filter(|x| x.code != "OLD-1")
                .all(|x| x.total.is_none())
        );
    }
}

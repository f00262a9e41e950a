//! The completion report: per group, branch, pillar, step and for the whole ward.
//!
//! Built from plain data (groups, template, entries), so it is the same whichever
//! service produced the data.

use crate::domain::Completion;
use crate::domain::date::Date;
use crate::domain::period::Period;
use crate::domain::step::{Step, StepSet};
use crate::domain::template::{Pillar, Template};
use crate::domain::vote::{VoteForm, VoteVerdict};
use crate::domain::ward::GroupId;
use serde::{Deserialize, Serialize};

pub use super::sections::{
    Counts, Fact, GroupMeetings, ItemRow, MeetingRow, NamedPct, Section, TrendPoint,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pct {
    pub done: u32,
    pub applicable: u32,
    pub percent: Option<f64>,
}

impl From<Completion> for Pct {
    fn from(c: Completion) -> Pct {
        Pct {
            done: c.done,
            applicable: c.applicable,
            percent: c.percent(),
        }
    }
}

impl Pct {
    pub fn completion(&self) -> Completion {
        Completion::new(self.done, self.applicable)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PillarRow {
    pub pillar: Pillar,
    pub name: String,
    #[serde(flatten)]
    pub completion: Pct,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRow {
    pub step: Step,
    pub name: String,
    #[serde(flatten)]
    pub completion: Pct,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupReport {
    pub id: GroupId,
    pub name: String,
    pub households: u32,
    pub completion: Pct,
    pub by_pillar: Vec<PillarRow>,
    pub by_step: Vec<StepRow>,
    /// Entries past their due date with steps not done.
    pub overdue: u32,
    /// Tổ trưởng (schema 2).
    #[serde(default)]
    pub leader: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BranchReport {
    pub id: u32,
    pub name: String,
    pub completion: Pct,
    pub by_pillar: Vec<PillarRow>,
    pub by_step: Vec<StepRow>,
    pub groups: Vec<GroupReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverdueRow {
    pub group: String,
    /// The group's chi bộ ("" for ward-level items; schema 2).
    #[serde(default)]
    pub branch: String,
    pub item: String,
    pub title: String,
    pub period: Period,
    pub due: Date,
    pub completion: Pct,
}

/// A law deadline passed and not met: what was due, by which rule and article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LateDeadlineRow {
    pub group: String,
    #[serde(default)]
    pub branch: String,
    /// The entry: the item's code, or an occurrence ("BQ-01#2").
    pub item: String,
    pub title: String,
    pub period: Period,
    pub due: Date,
    pub code: crate::domain::entry::DeadlineCode,
    /// What was due, in the report's language.
    pub what: String,
    /// How the day is counted.
    pub rule: String,
    pub article: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoteRow {
    pub group: String,
    pub item: String,
    pub title: String,
    pub period: Period,
    pub meeting_date: Option<Date>,
    pub verdict: VoteVerdict,
    /// Households present or ballots returned (schema 2).
    #[serde(default)]
    pub present: u32,
    #[serde(default)]
    pub form: VoteForm,
    /// Số biên bản (schema 2).
    #[serde(default)]
    pub minutes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Version of this JSON document's shape.
    pub schema: u32,
    pub ward: String,
    pub period: Period,
    pub period_label: String,
    pub steps: Vec<Step>,
    pub today: Date,
    pub completion: Pct,
    pub by_pillar: Vec<PillarRow>,
    pub by_step: Vec<StepRow>,
    /// Rows in pillar order, columns in the ward's step order.
    pub by_pillar_step: Vec<Vec<Pct>>,
    /// Items the ward carries out as a whole (dialogue, Ban TTND plans…).
    pub ward_level: GroupReport,
    pub branches: Vec<BranchReport>,
    /// Overdue entries, oldest due date first, at most `limit` of them.
    pub overdue: Vec<OverdueRow>,
    /// All overdue entries, listed or not (schema 3).
    #[serde(default)]
    pub overdue_total: u32,
    /// The law's deadlines that have passed, up to the period's end, and were not met:
    /// not recorded done while the entry still has steps left (issue 13,
    /// [`crate::domain::entry::is_late`]), soonest first, at most `limit`.
    #[serde(default)]
    pub late_deadlines: Vec<LateDeadlineRow>,
    #[serde(default)]
    pub late_deadlines_total: u32,
    /// Recorded votes, those that failed first, at most `limit`.
    pub votes: Vec<VoteRow>,
    /// All recorded votes (schema 3).
    #[serde(default)]
    pub votes_total: u32,
    /// The ward's completion in the period before, for the trend.
    pub previous: Option<PreviousPeriod>,
    /// Sizes: branches, groups, households, items (schema 2).
    #[serde(default)]
    pub counts: Counts,
    /// Sections I–VIII as a ward reports upward (schema 2; see docs/report-json.md).
    #[serde(default)]
    pub sections: Vec<Section>,
    /// Community meetings held in the period, from the meeting dates recorded, at most
    /// `limit` (schema 2).
    #[serde(default)]
    pub meetings: Vec<MeetingRow>,
    /// All meetings held (schema 3).
    #[serde(default)]
    pub meetings_total: u32,
    /// Meetings per group (schema 2).
    #[serde(default)]
    pub meeting_groups: Vec<GroupMeetings>,
    /// Completion per quarter of the period's year, ward and branches (schema 2).
    #[serde(default)]
    pub trend: Vec<TrendPoint>,
    /// The most rows any list holds (`None`: no limit; schema 3).
    #[serde(default)]
    pub limit: Option<u32>,
    /// The day of the ward's first audited change, if any: periods that ended before
    /// the ward kept records hold no data, which is not the same as nothing done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_record: Option<Date>,
    /// The Party branch this report is of (`report --branch`); none: the whole ward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Counted figures (`qcdc figure`) per branch and for the whole ward, every figure
    /// the template defines; empty when none was recorded for the period (schema 3,
    /// added later: absent in older documents).
    #[serde(default)]
    pub figures: Vec<super::figures::FigureRow>,
}

/// The first day the ward holds data for: the start of the earliest quarter (or half)
/// with a stored entry, or of the quarter of the first audited change, whichever is
/// earlier; today's quarter for a ward with neither. A year's entry does not count on
/// its own: a ward created in November that ticks a yearly item kept nothing in March.
/// The TUI's dashboard and every report use this one rule.
pub fn first_data(periods: &[Period], first_record: Option<Date>, today: Date) -> Date {
    periods
        .iter()
        .filter(|p| !matches!(p, Period::Year(_)))
        .map(|p| p.start())
        .chain(first_record.map(|d| Period::quarter_of(d).start()))
        .min()
        .unwrap_or_else(|| Period::quarter_of(today).start())
}

impl Report {
    /// What the report is of, for headings: "Chi bộ Khu phố 9 — Phường Thanh Tâm", or
    /// the ward.
    pub fn unit(&self) -> String {
        match &self.branch {
            Some(b) => format!("{b} — {}", self.ward),
            None => self.ward.clone(),
        }
    }

    /// Issue 14 (3): a period that ended before the ward held any data is "no data",
    /// not 0 %: no comparison with it, no backlog carried from it, no trend point.
    pub fn drop_periods_before(&mut self, first: Date) {
        if self
            .previous
            .as_ref()
            .is_some_and(|p| p.period.end() < first)
        {
            self.previous = None;
        }
        self.trend.retain(|t| t.period.end() >= first);
    }

    /// Overdue entries, listed or not (a schema-2 report listed them all).
    pub fn overdue_count(&self) -> u32 {
        self.overdue_total.max(self.overdue.len() as u32)
    }

    /// Votes recorded, listed or not.
    pub fn votes_count(&self) -> u32 {
        self.votes_total.max(self.votes.len() as u32)
    }

    /// Votes that failed their threshold, listed or not (from section II's figures).
    pub fn votes_failed_count(&self) -> u32 {
        self.sections
            .iter()
            .flat_map(|s| &s.facts)
            .find(|f| f.key == "votes-failed")
            .map(|f| f.value as u32)
            .unwrap_or_else(|| self.votes.iter().filter(|v| !v.verdict.passes).count() as u32)
    }

    /// Meetings held, listed or not.
    pub fn meetings_count(&self) -> u32 {
        self.meetings_total.max(self.meetings.len() as u32)
    }

    /// Whether some list holds fewer rows than it counts.
    pub fn is_cut(&self) -> bool {
        self.overdue_count() as usize > self.overdue.len()
            || self.votes_count() as usize > self.votes.len()
            || self.meetings_count() as usize > self.meetings.len()
            || self
                .sections
                .iter()
                .flat_map(|s| &s.items)
                .any(|i| i.pending_total as usize > i.pending.len())
            || self
                .previous
                .as_ref()
                .is_some_and(|p| p.overdue_total as usize > p.overdue.len())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousPeriod {
    pub period: Period,
    pub completion: Pct,
    pub branches: Vec<(String, Pct)>,
    /// What the previous period left undone: still overdue now (at most `limit`).
    pub overdue: Vec<OverdueRow>,
    /// All of them (schema 3).
    #[serde(default)]
    pub overdue_total: u32,
    /// Per pillar (schema 2).
    #[serde(default)]
    pub by_pillar: Vec<PillarRow>,
    /// Per group (schema 2).
    #[serde(default)]
    pub groups: Vec<NamedPct>,
}

/// Version 2 added counts, sections, meetings, meeting_groups, trend and fields to
/// groups, votes, overdue rows and the previous period; version 3 the limit on lists
/// and the totals beside them (docs/report-json.md).
pub const REPORT_SCHEMA: u32 = 3;

/// Running sums for one unit (group, branch, ward).
#[derive(Debug, Clone, Default)]
pub(crate) struct Acc {
    pub total: Completion,
    pub pillar: [Completion; 4],
    pub step: [Completion; 6],
    /// Pillar × step.
    pub cross: [[Completion; 6]; 4],
    pub overdue: u32,
}

impl Acc {
    pub fn add(&mut self, o: &Acc) {
        self.total += o.total;
        for i in 0..4 {
            self.pillar[i] += o.pillar[i];
        }
        for i in 0..6 {
            self.step[i] += o.step[i];
        }
        for p in 0..4 {
            for i in 0..6 {
                self.cross[p][i] += o.cross[p][i];
            }
        }
        self.overdue += o.overdue;
    }

    pub fn pillars(&self, en: bool) -> Vec<PillarRow> {
        Pillar::ALL
            .iter()
            .enumerate()
            .map(|(i, p)| PillarRow {
                pillar: *p,
                name: if en { p.name_en() } else { p.name_vi() }.to_string(),
                completion: self.pillar[i].into(),
            })
            .collect()
    }

    pub fn steps(&self, set: StepSet, en: bool) -> Vec<StepRow> {
        set.steps()
            .iter()
            .map(|s| StepRow {
                step: *s,
                name: if en { s.name_en() } else { s.name_vi() }.to_string(),
                completion: self.step[s.index()].into(),
            })
            .collect()
    }
}

/// The slot periods a report for `period` reads.
pub fn slot_periods(template: &Template, period: Period) -> Vec<Period> {
    let mut out: Vec<Period> = Vec::new();
    for item in &template.items {
        for p in period.slots(item.recurrence.granularity()) {
            if item.in_force(p) && !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

//! The parts of the report a ward sends upward beyond the completion figures: sections
//! I–VIII (DOMAIN.md "Reporting rhythm"), the community meetings held, and the trend
//! over the quarters of the year.
//!
//! Like the rest of the report these are computed from plain data, so the local
//! service, the ward server and the district roll-up (from export documents) give the
//! same numbers.

use super::report::Pct;
use crate::domain::date::Date;
use crate::domain::entry::StepStatus;
use crate::domain::period::Period;
use crate::domain::template::{Evidence, Item, Pillar, Recurrence, Scope};
use crate::domain::vote::VoteForm;
use serde::{Deserialize, Serialize};

/// A name with a completion (a branch or group in the previous period or the trend).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedPct {
    pub name: String,
    pub completion: Pct,
}

/// The size of the ward.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub branches: u32,
    pub groups: u32,
    pub households: u64,
    /// Checklist items in force for the period (each group's and the ward's).
    pub items: u32,
    pub group_items: u32,
    pub ward_items: u32,
}

/// One figure of a section: `value` out of `of` when `of` is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// Stable key for scripts: "expected", "complete", "overdue", "votes", …
    pub key: String,
    pub label: String,
    pub value: u64,
    pub of: Option<u64>,
}

/// One checklist item in a section: how many of the groups (or the ward) did it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemRow {
    pub code: String,
    pub title: String,
    pub pillar: Pillar,
    pub recurrence: Recurrence,
    pub scope: Scope,
    /// "Điều 11 khoản 1 Luật 10/2022/QH15".
    pub citation: String,
    /// Units (groups, or the ward) × entry periods the item was expected of.
    pub expected: u32,
    /// … with every step that applies done.
    pub complete: u32,
    /// … started (a step done or in progress) but not complete.
    pub in_progress: u32,
    /// … nothing started.
    pub not_started: u32,
    /// Units for which every step was marked "không áp dụng" (left out of `expected`).
    pub not_applicable: u32,
    /// Steps done ÷ steps that apply.
    pub completion: Pct,
    pub overdue: u32,
    /// The units not complete yet ("Tổ dân phố 3", or "Tổ dân phố 3 (2026-Q2)" when the
    /// entry is kept for a shorter period than the report's), at most the report's limit.
    pub pending: Vec<String>,
    /// All of them (schema 3).
    #[serde(default)]
    pub pending_total: u32,
}

/// One section of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// "I" … "VIII".
    pub number: String,
    /// Stable key: cong-khai, ban-quyet-dinh, tham-gia-y-kien, kiem-tra-giam-sat,
    /// ban-ttnd, ban-gsdtcd, kien-nghi, hop-to-dan-pho.
    pub key: String,
    pub title: String,
    /// Steps done ÷ steps that apply over the section's items.
    pub completion: Pct,
    pub facts: Vec<Fact>,
    pub items: Vec<ItemRow>,
}

/// A community meeting (or household ballot) recorded on an entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingRow {
    pub group: String,
    pub branch: String,
    pub item: String,
    pub title: String,
    /// The period the entry is kept for.
    pub period: Period,
    pub date: Date,
    /// From the vote, when one was recorded.
    pub form: Option<VoteForm>,
    pub present: Option<u32>,
    pub total: Option<u32>,
    pub minutes: String,
}

/// Meetings per group (section VIII).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMeetings {
    pub group: String,
    pub branch: String,
    pub households: u32,
    pub meetings: u32,
    pub last_date: Option<Date>,
    /// The year-end community meeting (Điều 33): `None` when the template has no such
    /// item or the period does not include it.
    pub annual_meeting: Option<StepStatus>,
    /// Households present over all households, over the meetings with a count.
    pub present: u64,
    pub counted_households: u64,
}

/// Completion in one period of the trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub period: Period,
    pub label: String,
    pub completion: Pct,
    pub branches: Vec<NamedPct>,
}

/// Which section an item's work is reported in (the template's `section` field).
pub use crate::domain::template::Section as SectionKey;

/// The section an item is reported in: the one its template entry names (I–VIII).
pub fn section_of(item: &Item) -> SectionKey {
    item.section
}

/// Whether a vote dated `date` belongs to the report of `period` (issue 13, dates
/// honest): a dated vote is reported in the period of its date, and not before it is
/// held (a planned vote after `today` is not yet a result); an undated one with its
/// entry.
pub fn vote_in(period: Period, date: Option<Date>, today: Date) -> bool {
    date.is_none_or(|d| period.contains_date(d) && d <= today)
}

/// Whether a meeting dated `date` was held within `period` by `today`: a meeting
/// planned for after today is not counted as held.
pub fn meeting_in(period: Period, date: Date, today: Date) -> bool {
    period.contains_date(date) && date <= today
}

/// The year-end community meeting of each group (Điều 33): a yearly group item of the
/// fourth pillar held as a meeting.
pub fn is_annual_meeting(item: &Item) -> bool {
    item.pillar == Pillar::KiemTraGiamSat
        && item.scope == Scope::Group
        && item.recurrence == Recurrence::Yearly
        && item.evidence.contains(&Evidence::Meeting)
}

/// The quarters the trend shows for a report on `period`: those of its year up to the
/// end of the period, leaving out quarters that have not begun by `today`.
pub fn trend_periods(period: Period, today: Date) -> Vec<Period> {
    let y = period.year();
    let all: Vec<Period> = (1..=4)
        .map(|q| Period::Quarter(y, q))
        .filter(|q| q.start() <= period.end())
        .collect();
    let started: Vec<Period> = all.iter().copied().filter(|q| q.start() <= today).collect();
    if started.is_empty() {
        all.into_iter().take(1).collect()
    } else {
        started
    }
}

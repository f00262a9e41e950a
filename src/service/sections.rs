//! The parts of the report a ward sends upward beyond the completion figures: sections
//! I–VIII (DOMAIN.md "Reporting rhythm"), the community meetings held, and the trend
//! over the quarters of the year.
//!
//! Like the rest of the report these are computed from plain data, so the local
//! service, the ward server and the district roll-up (from export documents) give the
//! same numbers.

use super::report::{Pct, Report, ReportInput};
use crate::domain::Completion;
use crate::domain::date::Date;
use crate::domain::entry::{Entry, StepStatus};
use crate::domain::period::Period;
use crate::domain::template::{Evidence, Item, Pillar, Recurrence, Scope, Template};
use crate::domain::text::fold;
use crate::domain::vote::VoteForm;
use crate::domain::ward::{Branch, Group, GroupId, WARD_GROUP, Ward};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
    /// entry is kept for a shorter period than the report's).
    pub pending: Vec<String>,
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

/// Which section an item's work is reported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SectionKey {
    Disclosure,
    Decisions,
    Consultation,
    Inspection,
    InspectionBoard,
    InvestmentBoard,
    Petitions,
    Meetings,
}

impl SectionKey {
    pub const ALL: [SectionKey; 8] = [
        SectionKey::Disclosure,
        SectionKey::Decisions,
        SectionKey::Consultation,
        SectionKey::Inspection,
        SectionKey::InspectionBoard,
        SectionKey::InvestmentBoard,
        SectionKey::Petitions,
        SectionKey::Meetings,
    ];

    pub fn number(self) -> &'static str {
        ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"][self as usize]
    }

    pub fn key(self) -> &'static str {
        match self {
            SectionKey::Disclosure => "cong-khai",
            SectionKey::Decisions => "ban-quyet-dinh",
            SectionKey::Consultation => "tham-gia-y-kien",
            SectionKey::Inspection => "kiem-tra-giam-sat",
            SectionKey::InspectionBoard => "ban-ttnd",
            SectionKey::InvestmentBoard => "ban-gsdtcd",
            SectionKey::Petitions => "kien-nghi",
            SectionKey::Meetings => "hop-to-dan-pho",
        }
    }

    pub fn title_vi(self) -> &'static str {
        match self {
            SectionKey::Disclosure => "Kết quả thực hiện công khai thông tin",
            SectionKey::Decisions => "Nhân dân bàn và quyết định",
            SectionKey::Consultation => "Nhân dân tham gia ý kiến",
            SectionKey::Inspection => "Nhân dân kiểm tra, giám sát",
            SectionKey::InspectionBoard => "Hoạt động của Ban Thanh tra nhân dân",
            SectionKey::InvestmentBoard => "Hoạt động của Ban Giám sát đầu tư của cộng đồng",
            SectionKey::Petitions => "Kiến nghị, phản ánh, đơn thư của Nhân dân",
            SectionKey::Meetings => "Kết quả tổ chức họp tổ dân phố",
        }
    }

    pub fn title_en(self) -> &'static str {
        match self {
            SectionKey::Disclosure => "Public disclosure",
            SectionKey::Decisions => "Residents discuss and decide",
            SectionKey::Consultation => "Residents are consulted",
            SectionKey::Inspection => "Inspection and supervision by residents",
            SectionKey::InspectionBoard => "People's Inspection Board (Ban TTND)",
            SectionKey::InvestmentBoard => "Community investment supervision board (Ban GSĐTCĐ)",
            SectionKey::Petitions => "Residents' petitions and feedback",
            SectionKey::Meetings => "Residential group meetings held",
        }
    }

    pub fn title(self, en: bool) -> &'static str {
        if en { self.title_en() } else { self.title_vi() }
    }
}

/// The section an item is reported in: its pillar for I–III; items of the fourth pillar
/// go to V when they are about the Ban Thanh tra nhân dân, VI for the Ban Giám sát đầu
/// tư của cộng đồng, VII for petitions and feedback, IV otherwise. A ward's own items
/// land in V–VII the same way when their title names the board or the petitions.
pub fn section_of(item: &Item) -> SectionKey {
    match item.pillar {
        Pillar::CongKhai => SectionKey::Disclosure,
        Pillar::BanQuyetDinh => SectionKey::Decisions,
        Pillar::ThamGiaYKien => SectionKey::Consultation,
        Pillar::KiemTraGiamSat => {
            let t = fold(&item.title);
            let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
            if has(&["ban ttnd", "thanh tra nhan dan"]) {
                SectionKey::InspectionBoard
            } else if has(&["gsdtcd", "giam sat dau tu", "giam sat thi cong"]) {
                SectionKey::InvestmentBoard
            } else if has(&["kien nghi", "phan anh", "khieu nai", "to cao", "don thu"]) {
                SectionKey::Petitions
            } else {
                SectionKey::Inspection
            }
        }
    }
}

/// The year-end community meeting of each group (Điều 33): a yearly group item of the
/// fourth pillar held as a meeting.
pub fn is_annual_meeting(item: &Item) -> bool {
    item.pillar == Pillar::KiemTraGiamSat
        && item.scope == Scope::Group
        && item.recurrence == Recurrence::Yearly
        && item.evidence.contains(&Evidence::Meeting)
}

pub struct Detail {
    pub counts: Counts,
    pub sections: Vec<Section>,
    pub meetings: Vec<MeetingRow>,
    pub meeting_groups: Vec<GroupMeetings>,
}

fn fact(key: &str, label: &str, value: u64, of: Option<u64>) -> Fact {
    Fact {
        key: key.into(),
        label: label.into(),
        value,
        of,
    }
}

/// Sections, meetings and counts for the period of `inp`.
pub fn build(inp: &ReportInput) -> Detail {
    let en = inp.en;
    let t = |vi: &'static str, en_s: &'static str| if en { en_s } else { vi };
    let set = inp.ward.steps;
    let branch_of = |g: &Group| -> String {
        inp.branches
            .iter()
            .find(|b| b.id == g.branch)
            .map(|b| b.name.clone())
            .unwrap_or_default()
    };
    let ward_name = t("Cấp phường", "Ward").to_string();
    let multi_slot = |item: &Item| inp.period.slots(item.recurrence.granularity()).len() > 1;

    let mut rows: HashMap<SectionKey, Vec<ItemRow>> = HashMap::new();
    let mut annual: HashMap<GroupId, StepStatus> = HashMap::new();
    let mut annual_rows: Vec<ItemRow> = Vec::new();
    let mut counts = Counts {
        branches: inp.branches.len() as u32,
        groups: inp.groups.len() as u32,
        households: inp.groups.iter().map(|g| g.households as u64).sum(),
        ..Counts::default()
    };
    let mut meetings: Vec<MeetingRow> = Vec::new();

    for item in &inp.template.items {
        let slots: Vec<Period> = inp
            .period
            .slots(item.recurrence.granularity())
            .into_iter()
            .filter(|s| item.in_force(*s))
            .collect();
        if slots.is_empty() {
            continue;
        }
        counts.items += 1;
        match item.scope {
            Scope::Group => counts.group_items += 1,
            Scope::Ward => counts.ward_items += 1,
        }
        let units: Vec<(GroupId, String, String)> = match item.scope {
            Scope::Group => inp
                .groups
                .iter()
                .map(|g| (g.id, g.name.clone(), branch_of(g)))
                .collect(),
            Scope::Ward => vec![(WARD_GROUP, ward_name.clone(), String::new())],
        };
        let mut row = ItemRow {
            code: item.code.clone(),
            title: item.title_in(en).to_string(),
            pillar: item.pillar,
            recurrence: item.recurrence,
            scope: item.scope,
            citation: item.citation.to_string(),
            expected: 0,
            complete: 0,
            in_progress: 0,
            not_started: 0,
            not_applicable: 0,
            completion: Completion::default().into(),
            overdue: 0,
            pending: Vec::new(),
        };
        let mut total = Completion::default();
        for slot in &slots {
            for (gid, gname, bname) in &units {
                let blank;
                let entry = match inp.entries.get(&(*gid, item.code.clone(), *slot)) {
                    Some(e) => e,
                    None => {
                        blank = Entry::new(*gid, &item.code, *slot);
                        &blank
                    }
                };
                let c = entry.completion(item, set);
                total += c;
                if c.applicable == 0 {
                    row.not_applicable += 1;
                } else {
                    row.expected += 1;
                    let started = item
                        .applicable_steps(set)
                        .any(|s| matches!(entry.status(s), StepStatus::Done | StepStatus::Doing));
                    if c.is_complete() {
                        row.complete += 1;
                    } else {
                        if started {
                            row.in_progress += 1;
                        } else {
                            row.not_started += 1;
                        }
                        row.pending.push(if multi_slot(item) {
                            format!("{gname} ({slot})")
                        } else {
                            gname.clone()
                        });
                    }
                    if entry.is_overdue(item, set, inp.today) {
                        row.overdue += 1;
                    }
                }
                if is_annual_meeting(item) && *gid != WARD_GROUP {
                    let status = if c.applicable == 0 {
                        StepStatus::NotApplicable
                    } else if c.is_complete() {
                        StepStatus::Done
                    } else if item
                        .applicable_steps(set)
                        .any(|s| matches!(entry.status(s), StepStatus::Done | StepStatus::Doing))
                        || entry.evidence.meeting_date.is_some()
                    {
                        StepStatus::Doing
                    } else {
                        StepStatus::Todo
                    };
                    annual.insert(*gid, status);
                }
                if item.scope == Scope::Group
                    && let Some(d) = entry.evidence.meeting_date
                    && inp.period.contains_date(d)
                {
                    let v = entry.evidence.vote;
                    meetings.push(MeetingRow {
                        group: gname.clone(),
                        branch: bname.clone(),
                        item: item.code.clone(),
                        title: item.title_in(en).to_string(),
                        period: *slot,
                        date: d,
                        form: v.map(|v| v.form),
                        present: v.map(|v| v.present),
                        total: v.map(|v| v.total),
                        minutes: entry.evidence.minutes.clone(),
                    });
                }
            }
        }
        row.completion = total.into();
        if is_annual_meeting(item) {
            annual_rows.push(row.clone());
        }
        rows.entry(section_of(item)).or_default().push(row);
    }
    meetings.sort_by(|a, b| (a.date, &a.group, &a.item).cmp(&(b.date, &b.group, &b.item)));

    let meeting_groups: Vec<GroupMeetings> = inp
        .groups
        .iter()
        .map(|g| {
            let mine: Vec<&MeetingRow> = meetings.iter().filter(|m| m.group == g.name).collect();
            // One meeting can settle several items (a year-end meeting that also votes):
            // count distinct dates.
            let mut dates: Vec<Date> = mine.iter().map(|m| m.date).collect();
            dates.sort();
            dates.dedup();
            let (present, counted) = mine
                .iter()
                .filter_map(|m| Some((m.present? as u64, m.total? as u64)))
                .fold((0, 0), |(a, b), (p, t)| (a + p, b + t));
            GroupMeetings {
                group: g.name.clone(),
                branch: branch_of(g),
                households: g.households,
                meetings: dates.len() as u32,
                last_date: dates.last().copied(),
                annual_meeting: annual.get(&g.id).copied(),
                present,
                counted_households: counted,
            }
        })
        .collect();

    let mut sections = Vec::new();
    for key in SectionKey::ALL {
        let items = if key == SectionKey::Meetings {
            annual_rows.clone()
        } else {
            rows.remove(&key).unwrap_or_default()
        };
        let completion: Completion = items.iter().map(|r| r.completion.completion()).sum();
        let expected: u64 = items.iter().map(|r| r.expected as u64).sum();
        let complete: u64 = items.iter().map(|r| r.complete as u64).sum();
        let overdue: u64 = items.iter().map(|r| r.overdue as u64).sum();
        let mut facts = Vec::new();
        if key != SectionKey::Meetings {
            facts.push(fact(
                "items",
                t("Số nội dung (mục) theo dõi", "Items tracked"),
                items.len() as u64,
                None,
            ));
            facts.push(fact(
                "complete",
                t(
                    "Lượt thực hiện đã hoàn thành (tổ × kỳ)",
                    "Completed (group × period)",
                ),
                complete,
                Some(expected),
            ));
            facts.push(fact("overdue", t("Lượt quá hạn", "Overdue"), overdue, None));
        }
        match key {
            SectionKey::Decisions => {
                let votes: Vec<_> = inp_votes(inp);
                let passed = votes.iter().filter(|p| **p).count() as u64;
                facts.push(fact(
                    "votes",
                    t(
                        "Số lần biểu quyết (họp, phát phiếu)",
                        "Votes held (meeting or ballot)",
                    ),
                    votes.len() as u64,
                    None,
                ));
                facts.push(fact(
                    "votes-passed",
                    t("Biểu quyết đạt ngưỡng", "Votes that passed"),
                    passed,
                    Some(votes.len() as u64),
                ));
                facts.push(fact(
                    "votes-failed",
                    t("Biểu quyết không đạt", "Votes that failed"),
                    votes.len() as u64 - passed,
                    Some(votes.len() as u64),
                ));
            }
            SectionKey::Meetings => {
                let n_groups = inp.groups.len() as u64;
                let met = meeting_groups.iter().filter(|g| g.meetings > 0).count() as u64;
                facts.push(fact(
                    "groups-met",
                    t(
                        "Tổ dân phố đã tổ chức họp trong kỳ",
                        "Groups that held a meeting",
                    ),
                    met,
                    Some(n_groups),
                ));
                facts.push(fact(
                    "meetings",
                    t("Số cuộc họp tổ dân phố", "Group meetings held"),
                    meeting_groups.iter().map(|g| g.meetings as u64).sum(),
                    None,
                ));
                if !annual.is_empty() {
                    let held = annual.values().filter(|s| **s == StepStatus::Done).count() as u64;
                    facts.push(fact(
                        "annual-meeting",
                        t(
                            "Tổ đã hoàn thành hội nghị định kỳ cuối năm",
                            "Groups that completed the year-end meeting",
                        ),
                        held,
                        Some(n_groups),
                    ));
                }
                let (p, h) = meeting_groups.iter().fold((0, 0), |(a, b), g| {
                    (a + g.present, b + g.counted_households)
                });
                if h > 0 {
                    facts.push(fact(
                        "attendance",
                        t(
                            "Số hộ dự họp / tổng số hộ (các cuộc họp có biểu quyết)",
                            "Households present / all households (meetings with a vote)",
                        ),
                        p,
                        Some(h),
                    ));
                }
            }
            _ => {}
        }
        sections.push(Section {
            number: key.number().into(),
            key: key.key().into(),
            title: key.title(en).into(),
            completion: completion.into(),
            facts,
            items,
        });
    }
    Detail {
        counts,
        sections,
        meetings,
        meeting_groups,
    }
}

/// Whether each recorded vote of the period passes.
fn inp_votes(inp: &ReportInput) -> Vec<bool> {
    let mut out = Vec::new();
    for item in inp.template.items.iter().filter(|i| i.vote.is_some()) {
        for slot in inp.period.slots(item.recurrence.granularity()) {
            if !item.in_force(slot) {
                continue;
            }
            for e in inp
                .entries
                .values()
                .filter(|e| e.item == item.code && e.period == slot)
            {
                if e.group != WARD_GROUP && !inp.groups.iter().any(|g| g.id == e.group) {
                    continue;
                }
                if let Some(v) = e.vote_verdict(item) {
                    out.push(v.passes);
                }
            }
        }
    }
    out
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

/// Everything a full report is computed from, with a way to read the stored entries of
/// any slot period.
pub struct Source<'a> {
    pub ward: &'a Ward,
    pub branches: &'a [Branch],
    pub groups: &'a [Group],
    pub template: &'a Template,
    pub today: Date,
    pub en: bool,
}

type Entries = HashMap<(GroupId, String, Period), Entry>;

/// The report for `period`, with the previous period and the trend, reading entries
/// through `load` (every stored entry of the slot periods of the period asked).
pub fn build_full<E>(
    src: &Source,
    period: Period,
    load: &dyn Fn(Period) -> Result<Entries, E>,
) -> Result<Report, E> {
    let input = |p: Period, entries: &'_ Entries| -> Report {
        let inp = ReportInput {
            ward: src.ward,
            branches: src.branches,
            groups: src.groups,
            template: src.template,
            entries,
            period: p,
            today: src.today,
            en: src.en,
        };
        super::report::build(&inp, None)
    };
    let entries = load(period)?;
    let inp = ReportInput {
        ward: src.ward,
        branches: src.branches,
        groups: src.groups,
        template: src.template,
        entries: &entries,
        period,
        today: src.today,
        en: src.en,
    };
    let prev_entries = match period.previous() {
        Some(p) => Some((p, load(p)?)),
        None => None,
    };
    let prev_inp = prev_entries.as_ref().map(|(p, e)| ReportInput {
        ward: src.ward,
        branches: src.branches,
        groups: src.groups,
        template: src.template,
        entries: e,
        period: *p,
        today: src.today,
        en: src.en,
    });
    let mut report = super::report::build(&inp, prev_inp.as_ref());
    let mut trend = Vec::new();
    for q in trend_periods(period, src.today) {
        let other;
        let r = if q == period {
            &report
        } else {
            other = input(q, &load(q)?);
            &other
        };
        trend.push(TrendPoint {
            period: q,
            label: if src.en { q.label_en() } else { q.label_vi() },
            completion: r.completion.clone(),
            branches: r
                .branches
                .iter()
                .map(|b| NamedPct {
                    name: b.name.clone(),
                    completion: b.completion.clone(),
                })
                .collect(),
        });
    }
    report.trend = trend;
    Ok(report)
}

/// Every stored entry of the slot periods of `period`, from a flat list (an export
/// document), keyed as [`ReportInput::entries`] wants.
pub fn entries_for(template: &Template, period: Period, all: &[Entry]) -> Entries {
    let slots = super::report::slot_periods(template, period);
    all.iter()
        .filter(|e| slots.contains(&e.period))
        .map(|e| ((e.group, e.item.clone(), e.period), e.clone()))
        .collect()
}

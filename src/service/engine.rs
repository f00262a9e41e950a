//! The report engine: one pass over the ward, group by group.
//!
//! A report for a period also needs the period before (the change) and the quarters of
//! its year (the trend). All of them are computed in the same pass over each group's
//! stored entries of the year (from the store's tallies, or from an export document),
//! so a report costs in proportion to the number of groups times the items of the
//! template, never to the entries of other periods, and nothing per entry is kept
//! beyond the rows the report lists. Lists of rows (overdue entries, votes, meetings,
//! groups still pending per item) are cut to [`ReportOptions::limit`] rows; the totals
//! beside them always count everything.

use super::report::{
    Acc, BranchReport, GroupReport, LateDeadlineRow, OverdueRow, PreviousPeriod, REPORT_SCHEMA,
    Report, VoteRow,
};
use super::sections::{
    Counts, Fact, GroupMeetings, ItemRow, MeetingRow, NamedPct, Section, SectionKey, TrendPoint,
    is_annual_meeting, meeting_in, section_of, trend_periods, vote_in,
};
use crate::domain::Completion;
use crate::domain::date::Date;
use crate::domain::entry::{Entry, EntryFacts, StepStatus};
use crate::domain::period::Period;
use crate::domain::step::StepSet;
use crate::domain::template::{Item, Pillar, Scope, Template};
use crate::domain::vote::{VoteForm, VoteVerdict};
use crate::domain::ward::{Branch, Group, GroupId, WARD_GROUP, Ward};
use std::collections::HashMap;

/// Rows per list when the caller does not say: every list of a ward's report fits, a
/// city's stays readable (and fast to write).
pub const DEFAULT_LIMIT: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReportOptions {
    /// Most rows per list; `None`: all of them.
    pub limit: Option<usize>,
    /// `false`: the completion figures only — no period before, trend, sections or
    /// lists (what the main screen shows; a third of the work at city scale).
    #[serde(default = "yes")]
    pub detail: bool,
    /// Count only this group (and the ward's own items): the figures of one group
    /// after an edit, without reading the others.
    #[serde(default)]
    pub only: Option<GroupId>,
    /// One Party branch's report (a chi bộ secretary's): its groups and their own
    /// items, without the ward's. Narrowed by the service before the engine runs.
    #[serde(default)]
    pub branch: Option<crate::domain::ward::BranchId>,
}

fn yes() -> bool {
    true
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            limit: Some(DEFAULT_LIMIT),
            detail: true,
            only: None,
            branch: None,
        }
    }
}

impl ReportOptions {
    /// Every row of every list.
    pub fn all() -> ReportOptions {
        ReportOptions {
            limit: None,
            ..ReportOptions::default()
        }
    }

    /// The completion figures only (see [`ReportOptions::detail`]).
    pub fn figures() -> ReportOptions {
        ReportOptions {
            detail: false,
            ..ReportOptions::default()
        }
    }
}

/// Everything a report is computed from besides the entries.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub ward: &'a Ward,
    pub branches: &'a [Branch],
    pub groups: &'a [Group],
    pub template: &'a Template,
    pub today: Date,
    pub en: bool,
}

/// Reads every stored entry of a year for the groups with ids from `from` up to (not
/// including) `to`: calls `each` once per group that has any, in increasing group id,
/// with what the report counts of that group's entries of the year. Called from two
/// threads at once for a large ward.
pub type YearReader<'r, E> =
    dyn Fn(u16, GroupId, Option<GroupId>, &mut EachGroup<'_>) -> Result<(), E> + Sync + 'r;

/// What a [`YearReader`] calls for each group.
pub type EachGroup<'f> = dyn FnMut(GroupId, &[EntryFacts<'_>]) + 'f;

/// One checklist cell of a view: an item in one of its slot periods.
struct Cell {
    item: usize,
    slot: Period,
    /// Where its entry sits in a unit's [`Table`]: slot within the year × item.
    at: usize,
    pillar: usize,
    steps: Vec<usize>,
    /// The slot has ended: a cell not complete is overdue.
    ended: bool,
    /// Position of the slot among the item's slots in the view (for list order).
    slot_pos: usize,
    /// Counted only when an entry is stored for it: an event or off-term item not
    /// registered is no duty (issue 13, [`Item::needs_registration`]).
    optional: bool,
    /// With no term set, counted also when the unit held a tổ trưởng election in the
    /// year: the Ban TTND member's term follows it (Luật 10/2022/QH15 Điều 36 khoản 2,
    /// [`Item::follows_group_term`]).
    follows_term: bool,
}

/// A period looked at: its cells, split by scope.
struct View {
    period: Period,
    group_cells: Vec<Cell>,
    ward_cells: Vec<Cell>,
}

impl View {
    fn new(
        period: Period,
        template: &Template,
        set: StepSet,
        today: Date,
        term: Option<crate::domain::ward::Term>,
    ) -> View {
        let mut v = View {
            period,
            group_cells: Vec::new(),
            ward_cells: Vec::new(),
        };
        for (i, item) in template.items.iter().enumerate() {
            let pillar = Pillar::ALL
                .iter()
                .position(|p| *p == item.pillar)
                .unwrap_or(0);
            let steps: Vec<usize> = item.applicable_steps(set).map(|s| s.index()).collect();
            let slots = period.slots(item.recurrence.granularity());
            for (slot_pos, slot) in slots.into_iter().enumerate() {
                if !item.in_force(slot) {
                    continue;
                }
                let cell = Cell {
                    item: i,
                    slot,
                    at: slot_in_year(slot) * template.items.len() + i,
                    pillar,
                    steps: steps.clone(),
                    ended: today > slot.end(),
                    slot_pos,
                    optional: item.needs_registration(slot, term),
                    follows_term: term.is_none() && item.follows_group_term(),
                };
                match item.scope {
                    Scope::Group => v.group_cells.push(cell),
                    Scope::Ward => v.ward_cells.push(cell),
                }
            }
        }
        v
    }

    fn cells(&self, ward: bool) -> &[Cell] {
        if ward {
            &self.ward_cells
        } else {
            &self.group_cells
        }
    }
}

const BLANK: [StepStatus; 6] = [StepStatus::Todo; 6];

/// A period's place among the seven slot periods of its year.
fn slot_in_year(p: Period) -> usize {
    match p {
        Period::Year(_) => 0,
        Period::Half(_, h) => h.clamp(1, 2) as usize,
        Period::Quarter(_, q) => 2 + q.clamp(1, 4) as usize,
    }
}

/// One unit's stored entries of a year by (slot, item): entry position + 1, 0 for none.
/// Reused from unit to unit; only the cells set are cleared.
struct Table<'t> {
    cells: Vec<u32>,
    set: Vec<usize>,
    /// Further occurrences of an item in a slot ("BQ-01#2", issue 13): (cell, entry).
    extra: Vec<(usize, u32)>,
    /// By item index: the items whose held vote opens a group's term (the tổ trưởng's
    /// election, Điều 15 khoản 4; [`Item::opens_group_term`]).
    opens_term: Vec<Option<&'t Item>>,
    today: Date,
    /// The unit held such an election in the year filled: a passing vote met by
    /// `today` (Luật 10/2022/QH15 Điều 36 khoản 2).
    term_opened: bool,
}

impl<'t> Table<'t> {
    fn new(template: &'t Template, today: Date) -> Table<'t> {
        Table {
            cells: vec![0; 7 * template.items.len()],
            set: Vec::new(),
            extra: Vec::new(),
            opens_term: template
                .items
                .iter()
                .map(|i| i.opens_group_term().then_some(i))
                .collect(),
            today,
            term_opened: false,
        }
    }

    /// Whether an entry of item `item` is a held election that opens the unit's term:
    /// its recorded vote passes, met by today (undated: with its entry, as a vote is
    /// reported).
    fn opens(&self, item: usize, e: &EntryFacts<'_>) -> bool {
        self.opens_term[item].is_some_and(|it| {
            !e.removal
                && e.vote_verdict(it).is_some_and(|v| v.passes)
                && e.meeting_date.is_none_or(|d| d <= self.today)
        })
    }

    fn fill(
        &mut self,
        entries: &[EntryFacts<'_>],
        year: u16,
        code_index: &HashMap<&str, usize>,
        n: usize,
    ) {
        for (i, e) in entries.iter().enumerate() {
            if e.period.year() != year {
                continue;
            }
            if let Some(&item) = code_index.get(e.item) {
                let at = slot_in_year(e.period) * n + item;
                self.cells[at] = i as u32 + 1;
                self.set.push(at);
                self.term_opened |= self.opens(item, e);
            } else if let (code, occ) = crate::domain::template::split_occurrence(e.item)
                && occ > 1
                && let Some(&item) = code_index.get(code)
            {
                self.extra
                    .push((slot_in_year(e.period) * n + item, i as u32));
                self.term_opened |= self.opens(item, e);
            }
        }
    }

    /// What a cell counts: its entry (or nothing stored: a blank one, unless the cell
    /// is optional — an item that arises, not registered, and not due by a term the
    /// unit's election opened this year), then any further occurrences, each on its own.
    fn instances<'e, 'f>(
        &self,
        entries: &'e [EntryFacts<'f>],
        cell: &Cell,
    ) -> Vec<Option<&'e EntryFacts<'f>>> {
        let mut v = Vec::new();
        let main = self.get(entries, cell);
        if main.is_some() || !cell.optional || (cell.follows_term && self.term_opened) {
            v.push(main);
        }
        for (at, i) in &self.extra {
            if *at == cell.at {
                v.push(entries.get(*i as usize));
            }
        }
        v
    }

    fn get<'e, 'f>(
        &self,
        entries: &'e [EntryFacts<'f>],
        cell: &Cell,
    ) -> Option<&'e EntryFacts<'f>> {
        match self.cells[cell.at] {
            0 => None,
            i => entries.get(i as usize - 1),
        }
    }

    fn clear(&mut self) {
        for at in self.set.drain(..) {
            self.cells[at] = 0;
        }
        self.extra.clear();
        self.term_opened = false;
    }
}

/// One unit the report counts: the ward itself (position 0) or a group.
struct Unit {
    id: GroupId,
    name: String,
    branch: String,
    /// Rank of the name among all units, for sorting lists by name.
    rank: u32,
}

struct OverdueCand {
    due: Date,
    rank: u32,
    code_rank: u32,
    unit: u32,
    item: u32,
    slot: Period,
    c: Completion,
}

struct LateCand {
    due: Date,
    rank: u32,
    code_rank: u32,
    occurrence: u32,
    unit: u32,
    item: u32,
    slot: Period,
    deadline: crate::domain::entry::Deadline,
}

struct VoteCand {
    failed: bool,
    item: u32,
    slot_key: [u8; 4],
    unit: u32,
    slot: Period,
    meeting_date: Option<Date>,
    verdict: VoteVerdict,
    present: u32,
    form: VoteForm,
    minutes: String,
}

struct MeetingCand {
    date: Date,
    rank: u32,
    code_rank: u32,
    unit: u32,
    item: u32,
    slot: Period,
    form: Option<VoteForm>,
    present: Option<u32>,
    total: Option<u32>,
    minutes: String,
}

#[derive(Default)]
struct ItemAcc {
    seen: bool,
    expected: u32,
    complete: u32,
    in_progress: u32,
    not_started: u32,
    not_applicable: u32,
    completion: Completion,
    overdue: u32,
    /// (slot position, unit) of cells not complete.
    pending: Vec<(u32, u32)>,
}

#[derive(Default)]
struct UnitMeetings {
    dates: Vec<Date>,
    present: u64,
    counted: u64,
    annual: Option<StepStatus>,
}

/// What the pass gathers.
struct Gathered {
    /// Per unit: the period's figures, the previous period's, and each trend
    /// quarter's total.
    now: Vec<Acc>,
    prev: Vec<Acc>,
    trend: Vec<Vec<Completion>>,
    overdue: Vec<OverdueCand>,
    prev_overdue: Vec<OverdueCand>,
    late: Vec<LateCand>,
    votes: Vec<VoteCand>,
    meetings: Vec<MeetingCand>,
    unit_meetings: Vec<UnitMeetings>,
    items: Vec<ItemAcc>,
}

fn completion_of(steps: &[StepStatus; 6], cell: &Cell) -> Completion {
    let mut c = Completion::default();
    for &s in &cell.steps {
        c.add_status(steps[s]);
    }
    c
}

fn started(steps: &[StepStatus; 6], cell: &Cell) -> bool {
    cell.steps
        .iter()
        .any(|&s| matches!(steps[s], StepStatus::Done | StepStatus::Doing))
}

struct Pass<'a> {
    /// Lists and sections too, not only the figures.
    detail: bool,
    template: &'a Template,
    code_index: HashMap<&'a str, usize>,
    now: View,
    /// The period before, when it has entries in the same year as `now`.
    prev: Option<View>,
    trend: Vec<View>,
    code_rank: Vec<u32>,
    /// Slots of `now` per item (a previous cell in one of them is listed under now).
    now_slots: Vec<Vec<Period>>,
    today: Date,
}

impl Pass<'_> {
    /// Count one unit's cells of every view of this year.
    #[allow(clippy::too_many_arguments)]
    fn unit(
        &self,
        g: &mut Gathered,
        table: &mut Table,
        u: usize,
        unit: &Unit,
        entries: &[EntryFacts<'_>],
        year: u16,
    ) {
        let ward = unit.id == WARD_GROUP;
        table.fill(entries, year, &self.code_index, self.template.items.len());
        if self.now.period.year() == year {
            self.detail(g, table, u, unit, entries, ward);
            for (t, view) in self.trend.iter().enumerate() {
                let mut total = Completion::default();
                for cell in view.cells(ward) {
                    for entry in table.instances(entries, cell) {
                        let steps = entry.map_or(&BLANK, |e| &e.steps);
                        total += completion_of(steps, cell);
                    }
                }
                g.trend[t][u] = total;
            }
        }
        if let Some(view) = &self.prev
            && view.period.year() == year
        {
            let mut acc = Acc::default();
            for cell in view.cells(ward) {
                for entry in table.instances(entries, cell) {
                    let steps = entry.map_or(&BLANK, |e| &e.steps);
                    let c = self.add(&mut acc, steps, cell);
                    if cell.ended && !c.is_complete() {
                        acc.overdue += 1;
                        // Slots shared with this period (a yearly item seen from two
                        // quarters) are listed once, under this period.
                        if !self.now_slots[cell.item].contains(&cell.slot) {
                            g.prev_overdue.push(OverdueCand {
                                due: cell.slot.end(),
                                rank: unit.rank,
                                code_rank: self.code_rank[cell.item],
                                unit: u as u32,
                                item: cell.item as u32,
                                slot: cell.slot,
                                c,
                            });
                        }
                    }
                }
            }
            g.prev[u] = acc;
        }
        table.clear();
    }

    fn add(&self, acc: &mut Acc, steps: &[StepStatus; 6], cell: &Cell) -> Completion {
        let c = completion_of(steps, cell);
        acc.total += c;
        acc.pillar[cell.pillar] += c;
        for &s in &cell.steps {
            acc.step[s].add_status(steps[s]);
            acc.cross[cell.pillar][s].add_status(steps[s]);
        }
        c
    }

    /// The period itself: figures, lists and sections.
    fn detail(
        &self,
        g: &mut Gathered,
        table: &Table,
        u: usize,
        unit: &Unit,
        entries: &[EntryFacts<'_>],
        ward: bool,
    ) {
        let mut acc = Acc::default();
        for cell in self.now.cells(ward) {
            let item = &self.template.items[cell.item];
            let instances = table.instances(entries, cell);
            if instances.is_empty() && self.detail {
                g.items[cell.item].seen = true;
            }
            for entry in instances {
                let steps = entry.map_or(&BLANK, |e| &e.steps);
                let c = self.add(&mut acc, steps, cell);
                if !self.detail {
                    if cell.ended && !c.is_complete() {
                        acc.overdue += 1;
                    }
                    continue;
                }
                let ia = &mut g.items[cell.item];
                ia.seen = true;
                ia.completion += c;
                if c.applicable == 0 {
                    ia.not_applicable += 1;
                } else {
                    ia.expected += 1;
                    if c.is_complete() {
                        ia.complete += 1;
                    } else {
                        if started(steps, cell) {
                            ia.in_progress += 1;
                        } else {
                            ia.not_started += 1;
                        }
                        ia.pending.push((cell.slot_pos as u32, u as u32));
                    }
                    if cell.ended && !c.is_complete() {
                        ia.overdue += 1;
                    }
                }
                if cell.ended && !c.is_complete() {
                    acc.overdue += 1;
                    g.overdue.push(OverdueCand {
                        due: cell.slot.end(),
                        rank: unit.rank,
                        code_rank: self.code_rank[cell.item],
                        unit: u as u32,
                        item: cell.item as u32,
                        slot: cell.slot,
                        c,
                    });
                }
                if !ward && is_annual_meeting(item) {
                    let status = if c.applicable == 0 {
                        StepStatus::NotApplicable
                    } else if c.is_complete() {
                        StepStatus::Done
                    } else if started(steps, cell)
                        || entry.is_some_and(|e| e.meeting_date.is_some())
                    {
                        StepStatus::Doing
                    } else {
                        StepStatus::Todo
                    };
                    g.unit_meetings[u].annual = Some(status);
                }
                let Some(e) = entry else { continue };
                // The law's deadlines passed by the period's end and not met (issue 13).
                // A removal's new election is due whatever its own steps (is_late).
                if c.applicable > 0 && (!c.is_complete() || e.removal) && e.has_dates() {
                    let complete = c.is_complete();
                    for d in e.late_deadlines(item, self.now.period.end(), self.today, complete) {
                        g.late.push(LateCand {
                            due: d.date,
                            rank: unit.rank,
                            code_rank: self.code_rank[cell.item],
                            occurrence: crate::domain::template::split_occurrence(e.item).1,
                            unit: u as u32,
                            item: cell.item as u32,
                            slot: cell.slot,
                            deadline: d,
                        });
                    }
                }
                if let Some(v) = e.vote_verdict(item)
                    && vote_in(self.now.period, e.meeting_date, self.today)
                {
                    g.votes.push(VoteCand {
                        failed: !v.passes,
                        item: cell.item as u32,
                        slot_key: cell.slot.to_key(),
                        unit: u as u32,
                        slot: cell.slot,
                        meeting_date: e.meeting_date,
                        verdict: v,
                        present: e.vote.map(|c| c.present).unwrap_or(0),
                        form: e.vote.map(|c| c.form).unwrap_or_default(),
                        minutes: e.minutes.to_string(),
                    });
                }
                // The decision's earlier meetings or ballots (a meeting short of
                // households, then the ballot: Điều 19 khoản 1 điểm b): each is a vote
                // and a meeting of its own day (issue 13).
                for r in e.rounds.iter() {
                    if let Some(rule) = item.vote
                        && let Ok(v) = crate::domain::vote::verdict(rule, &r.count)
                        && vote_in(self.now.period, r.date, self.today)
                    {
                        g.votes.push(VoteCand {
                            failed: !v.passes,
                            item: cell.item as u32,
                            slot_key: cell.slot.to_key(),
                            unit: u as u32,
                            slot: cell.slot,
                            meeting_date: r.date,
                            verdict: v,
                            present: r.count.present,
                            form: r.count.form,
                            minutes: r.minutes.to_string(),
                        });
                    }
                    if !ward
                        && let Some(d) = r.date
                        && meeting_in(self.now.period, d, self.today)
                    {
                        let um = &mut g.unit_meetings[u];
                        um.dates.push(d);
                        um.present += r.count.present as u64;
                        um.counted += r.count.total as u64;
                        g.meetings.push(MeetingCand {
                            date: d,
                            rank: unit.rank,
                            code_rank: self.code_rank[cell.item],
                            unit: u as u32,
                            item: cell.item as u32,
                            slot: cell.slot,
                            form: Some(r.count.form),
                            present: Some(r.count.present),
                            total: Some(r.count.total),
                            minutes: r.minutes.to_string(),
                        });
                    }
                }
                if !ward
                    && let Some(d) = e.meeting_date
                    && meeting_in(self.now.period, d, self.today)
                {
                    let v = e.vote;
                    let um = &mut g.unit_meetings[u];
                    um.dates.push(d);
                    if let Some(v) = v {
                        um.present += v.present as u64;
                        um.counted += v.total as u64;
                    }
                    g.meetings.push(MeetingCand {
                        date: d,
                        rank: unit.rank,
                        code_rank: self.code_rank[cell.item],
                        unit: u as u32,
                        item: cell.item as u32,
                        slot: cell.slot,
                        form: v.map(|v| v.form),
                        present: v.map(|v| v.present),
                        total: v.map(|v| v.total),
                        minutes: e.minutes.to_string(),
                    });
                }
            }
        }
        g.now[u] = acc;
    }
}

/// Keep the first `limit` of `v` in the order of `key` (all of them, sorted, when the
/// limit is `None`).
fn first_by<T, K: Ord>(mut v: Vec<T>, limit: Option<usize>, key: impl Fn(&T) -> K) -> Vec<T> {
    if let Some(n) = limit
        && v.len() > n
    {
        if n == 0 {
            return Vec::new();
        }
        v.select_nth_unstable_by(n - 1, |a, b| key(a).cmp(&key(b)));
        v.truncate(n);
    }
    v.sort_by_key(&key);
    v
}

fn fact(key: &str, label: &str, value: u64, of: Option<u64>) -> Fact {
    Fact {
        key: key.into(),
        label: label.into(),
        value,
        of,
    }
}

/// Units from which a report is counted on two threads (at 1,000 groups on two cores the
/// count went from 12 to 8 ms; a ward of tens of groups has nothing to gain).
const PARALLEL_FROM: usize = 300;

impl Gathered {
    /// Take in what another pass gathered for the units `theirs`.
    fn merge(&mut self, o: Gathered, theirs: &[usize]) {
        let Gathered {
            now,
            prev,
            trend,
            overdue,
            prev_overdue,
            late,
            votes,
            meetings,
            mut unit_meetings,
            items,
        } = o;
        for &u in theirs {
            self.now[u] = now[u].clone();
            self.prev[u] = prev[u].clone();
            for (mine, other) in self.trend.iter_mut().zip(&trend) {
                mine[u] = other[u];
            }
            self.unit_meetings[u] = std::mem::take(&mut unit_meetings[u]);
        }
        self.overdue.extend(overdue);
        self.prev_overdue.extend(prev_overdue);
        self.late.extend(late);
        self.votes.extend(votes);
        self.meetings.extend(meetings);
        for (mine, other) in self.items.iter_mut().zip(items) {
            mine.seen |= other.seen;
            mine.expected += other.expected;
            mine.complete += other.complete;
            mine.in_progress += other.in_progress;
            mine.not_started += other.not_started;
            mine.not_applicable += other.not_applicable;
            mine.completion += other.completion;
            mine.overdue += other.overdue;
            mine.pending.extend(other.pending);
        }
    }
}

/// The report for `period`, with the period before and the trend.
pub fn build<E: Send>(
    src: &Source,
    period: Period,
    opts: &ReportOptions,
    read: &YearReader<'_, E>,
) -> Result<Report, E> {
    build_split(src, period, opts, read, PARALLEL_FROM)
}

/// [`build`], counted on two threads from `parallel_from` units on.
pub(crate) fn build_split<E: Send>(
    src: &Source,
    period: Period,
    opts: &ReportOptions,
    read: &YearReader<'_, E>,
    parallel_from: usize,
) -> Result<Report, E> {
    let ward_households: u32 = src.groups.iter().map(|g| g.households).sum();
    // One group: the rest of the ward is left out before anything is read.
    let one_group: Vec<Group>;
    let one_branch: Vec<Branch>;
    let narrowed;
    let src = match opts.only {
        None => src,
        Some(gid) => {
            one_group = src.groups.iter().filter(|g| g.id == gid).cloned().collect();
            one_branch = src
                .branches
                .iter()
                .filter(|b| one_group.iter().any(|g| g.branch == b.id))
                .cloned()
                .collect();
            narrowed = Source {
                groups: &one_group,
                branches: &one_branch,
                ..*src
            };
            &narrowed
        }
    };
    let en = src.en;
    let set = src.ward.steps;
    let template = src.template;
    let t = |vi: &'static str, en_s: &'static str| if en { en_s } else { vi };
    let ward_name = t("Cấp phường", "Ward").to_string();

    // Units: the ward, then the groups in the order given.
    let branch_name: HashMap<u32, &str> = src
        .branches
        .iter()
        .map(|b| (b.id, b.name.as_str()))
        .collect();
    let mut units: Vec<Unit> = std::iter::once(Unit {
        id: WARD_GROUP,
        name: ward_name.clone(),
        branch: String::new(),
        rank: 0,
    })
    .chain(src.groups.iter().map(|g| Unit {
        id: g.id,
        name: g.name.clone(),
        branch: branch_name.get(&g.branch).unwrap_or(&"").to_string(),
        rank: 0,
    }))
    .collect();
    let mut by_name: Vec<usize> = (0..units.len()).collect();
    // As people count: "Tổ 2" before "Tổ 10".
    by_name.sort_by(|a, b| crate::domain::text::natural_cmp(&units[*a].name, &units[*b].name));
    for (r, i) in by_name.into_iter().enumerate() {
        units[i].rank = r as u32;
    }
    let mut code_order: Vec<usize> = (0..template.items.len()).collect();
    code_order.sort_by(|a, b| template.items[*a].code.cmp(&template.items[*b].code));
    let mut code_rank = vec![0u32; template.items.len()];
    for (r, i) in code_order.into_iter().enumerate() {
        code_rank[i] = r as u32;
    }

    let previous = period.previous().filter(|_| opts.detail);
    let trend_qs: Vec<Period> = trend_periods(period, src.today)
        .into_iter()
        .filter(|q| opts.detail && Some(*q) != previous && *q != period)
        .collect();
    let pass = Pass {
        today: src.today,
        detail: opts.detail,
        template,
        code_index: template
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.code.as_str(), i))
            .collect(),
        now: View::new(period, template, set, src.today, src.ward.term),
        prev: previous.map(|p| View::new(p, template, set, src.today, src.ward.term)),
        trend: trend_qs
            .iter()
            .map(|q| View::new(*q, template, set, src.today, src.ward.term))
            .collect(),
        code_rank,
        now_slots: template
            .items
            .iter()
            .map(|i| period.slots(i.recurrence.granularity()))
            .collect(),
    };
    let n = units.len();
    let fresh = || Gathered {
        now: vec![Acc::default(); n],
        prev: vec![Acc::default(); n],
        trend: vec![vec![Completion::default(); n]; trend_qs.len()],
        overdue: Vec::new(),
        prev_overdue: Vec::new(),
        late: Vec::new(),
        votes: Vec::new(),
        meetings: Vec::new(),
        unit_meetings: (0..n).map(|_| UnitMeetings::default()).collect(),
        items: (0..template.items.len())
            .map(|_| ItemAcc::default())
            .collect(),
    };

    // Units in increasing id, merged with what the reader yields (groups without
    // entries count as blank; entries of unknown groups are not counted).
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|u| units[*u].id);
    let mut years = vec![period.year()];
    if let Some(p) = previous
        && p.year() != period.year()
    {
        years.push(p.year());
    }
    let run = |part: &[usize], to: Option<GroupId>| -> Result<Gathered, E> {
        let mut g = fresh();
        let mut table = Table::new(template, src.today);
        let from = part.first().map_or(0, |u| units[*u].id);
        for &year in &years {
            if part.len() <= 4 {
                // A group or two (`only`): read each by itself, not the ward.
                for &u in part {
                    let id = units[u].id;
                    let mut seen = false;
                    read(year, id, id.checked_add(1), &mut |gid, entries| {
                        if gid == id {
                            seen = true;
                            pass.unit(&mut g, &mut table, u, &units[u], entries, year);
                        }
                    })?;
                    if !seen {
                        pass.unit(&mut g, &mut table, u, &units[u], &[], year);
                    }
                }
                continue;
            }
            let mut next = 0usize;
            read(year, from, to, &mut |gid, entries| {
                while next < part.len() && units[part[next]].id < gid {
                    let u = part[next];
                    pass.unit(&mut g, &mut table, u, &units[u], &[], year);
                    next += 1;
                }
                if next < part.len() && units[part[next]].id == gid {
                    let u = part[next];
                    pass.unit(&mut g, &mut table, u, &units[u], entries, year);
                    next += 1;
                }
            })?;
            while next < part.len() {
                let u = part[next];
                pass.unit(&mut g, &mut table, u, &units[u], &[], year);
                next += 1;
            }
        }
        Ok(g)
    };
    // A large ward (hundreds of groups and more) is read and counted in two halves at once;
    // the lists are sorted on a total order afterwards, so the result is the same.
    let mut g = if order.len() >= parallel_from.max(2) {
        let (first, second) = order.split_at(order.len() / 2);
        let split = units[second[0]].id;
        let (a, b) = std::thread::scope(|sc| {
            let other = sc.spawn(|| run(second, None));
            let mine = run(first, Some(split));
            (mine, other.join())
        });
        let mut a = a?;
        let b = b.unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        a.merge(b, second);
        a
    } else {
        run(&order, None)?
    };

    let limit = opts.limit;
    let item_title = |i: u32| template.items[i as usize].title_in(en).to_string();
    let item_code = |i: u32| template.items[i as usize].code.clone();
    let overdue_row = |o: OverdueCand| OverdueRow {
        group: units[o.unit as usize].name.clone(),
        branch: units[o.unit as usize].branch.clone(),
        item: item_code(o.item),
        title: item_title(o.item),
        period: o.slot,
        due: o.due,
        completion: o.c.into(),
    };

    // Per branch and ward sums. Units are the ward at 0, then `src.groups` from 1.
    let mut members: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, grp) in src.groups.iter().enumerate() {
        members.entry(grp.branch).or_default().push(i + 1);
    }
    let no_units: Vec<usize> = Vec::new();
    let units_of = |b: u32| members.get(&b).unwrap_or(&no_units);
    let sum_branch = |accs: &[Acc], b: u32| -> Acc {
        let mut acc = Acc::default();
        for &u in units_of(b) {
            acc.add(&accs[u]);
        }
        acc
    };
    let ward_sum = |accs: &[Acc]| -> Acc {
        let mut acc = Acc::default();
        for a in accs {
            acc.add(a);
        }
        acc
    };
    let now_ward = ward_sum(&g.now);
    let group_report = |u: usize, acc: &Acc| -> GroupReport {
        let grp = &src.groups[u - 1];
        GroupReport {
            id: grp.id,
            name: grp.name.clone(),
            households: grp.households,
            completion: acc.total.into(),
            by_pillar: acc.pillars(en),
            by_step: acc.steps(set, en),
            overdue: acc.overdue,
            leader: grp.leader.clone(),
        }
    };
    let branches: Vec<BranchReport> = src
        .branches
        .iter()
        .map(|b| {
            let acc = sum_branch(&g.now, b.id);
            BranchReport {
                id: b.id,
                name: b.name.clone(),
                completion: acc.total.into(),
                by_pillar: acc.pillars(en),
                by_step: acc.steps(set, en),
                groups: units_of(b.id)
                    .iter()
                    .map(|&u| group_report(u, &g.now[u]))
                    .collect(),
            }
        })
        .collect();

    let previous_report = previous.map(|p| {
        let pw = ward_sum(&g.prev);
        let cands = std::mem::take(&mut g.prev_overdue);
        let total = cands.len() as u32;
        PreviousPeriod {
            period: p,
            completion: pw.total.into(),
            branches: src
                .branches
                .iter()
                .map(|b| (b.name.clone(), sum_branch(&g.prev, b.id).total.into()))
                .collect(),
            overdue: first_by(cands, limit, |o| (o.due, o.rank, o.code_rank, o.slot))
                .into_iter()
                .map(overdue_row)
                .collect(),
            overdue_total: total,
            by_pillar: pw.pillars(en),
            groups: (1..n)
                .map(|u| NamedPct {
                    name: src.groups[u - 1].name.clone(),
                    completion: g.prev[u].total.into(),
                })
                .collect(),
        }
    });

    let overdue_total = g.overdue.len() as u32;
    let overdue: Vec<OverdueRow> = first_by(std::mem::take(&mut g.overdue), limit, |o| {
        (o.due, o.rank, o.code_rank, o.slot)
    })
    .into_iter()
    .map(overdue_row)
    .collect();

    let late_deadlines_total = g.late.len() as u32;
    let late_deadlines: Vec<LateDeadlineRow> = first_by(std::mem::take(&mut g.late), limit, |l| {
        (
            l.due,
            l.rank,
            l.code_rank,
            l.occurrence,
            l.slot,
            l.deadline.code,
        )
    })
    .into_iter()
    .map(|l| LateDeadlineRow {
        group: units[l.unit as usize].name.clone(),
        branch: units[l.unit as usize].branch.clone(),
        item: crate::domain::template::occurrence_key(&item_code(l.item), l.occurrence),
        title: item_title(l.item),
        period: l.slot,
        due: l.due,
        code: l.deadline.code,
        what: if en {
            l.deadline.what_en
        } else {
            l.deadline.what_vi
        }
        .into_owned(),
        rule: if en {
            l.deadline.rule_en
        } else {
            l.deadline.rule_vi
        }
        .into_owned(),
        article: l.deadline.article.into_owned(),
    })
    .collect();

    let votes_total = g.votes.len() as u32;
    let votes_passed = g.votes.iter().filter(|v| !v.failed).count() as u64;
    let votes: Vec<VoteRow> = first_by(std::mem::take(&mut g.votes), limit, |v| {
        (!v.failed, v.item, v.slot_key, v.unit)
    })
    .into_iter()
    .map(|v| VoteRow {
        group: units[v.unit as usize].name.clone(),
        item: item_code(v.item),
        title: item_title(v.item),
        period: v.slot,
        meeting_date: v.meeting_date,
        verdict: v.verdict,
        present: v.present,
        form: v.form,
        minutes: v.minutes,
    })
    .collect();

    let meeting_groups: Vec<GroupMeetings> = (1..n)
        .filter(|_| opts.detail)
        .map(|u| {
            let um = &mut g.unit_meetings[u];
            um.dates.sort();
            um.dates.dedup();
            let grp = &src.groups[u - 1];
            GroupMeetings {
                group: grp.name.clone(),
                branch: units[u].branch.clone(),
                households: grp.households,
                meetings: um.dates.len() as u32,
                last_date: um.dates.last().copied(),
                annual_meeting: um.annual,
                present: um.present,
                counted_households: um.counted,
            }
        })
        .collect();
    let annual_done = g.unit_meetings[1..]
        .iter()
        .filter(|m| m.annual == Some(StepStatus::Done))
        .count() as u64;
    let annual_any = g.unit_meetings[1..].iter().any(|m| m.annual.is_some());
    let meetings_total = g.meetings.len() as u32;
    let meetings: Vec<MeetingRow> = first_by(std::mem::take(&mut g.meetings), limit, |m| {
        (m.date, m.rank, m.code_rank, m.slot)
    })
    .into_iter()
    .map(|m| MeetingRow {
        group: units[m.unit as usize].name.clone(),
        branch: units[m.unit as usize].branch.clone(),
        item: item_code(m.item),
        title: item_title(m.item),
        period: m.slot,
        date: m.date,
        form: m.form,
        present: m.present,
        total: m.total,
        minutes: m.minutes,
    })
    .collect();

    // Sections I–VIII.
    let mut counts = Counts {
        branches: src.branches.len() as u32,
        groups: src.groups.len() as u32,
        households: src.groups.iter().map(|g| g.households as u64).sum(),
        ..Counts::default()
    };
    let mut rows: HashMap<SectionKey, Vec<ItemRow>> = HashMap::new();
    let mut annual_rows: Vec<ItemRow> = Vec::new();
    for (i, (item, ia)) in template
        .items
        .iter()
        .zip(std::mem::take(&mut g.items))
        .enumerate()
    {
        if !ia.seen {
            continue;
        }
        counts.items += 1;
        match item.scope {
            Scope::Group => counts.group_items += 1,
            Scope::Ward => counts.ward_items += 1,
        }
        let multi = period.slots(item.recurrence.granularity()).len() > 1;
        let pending_total = ia.pending.len() as u32;
        let pending = first_by(ia.pending, limit, |p| *p)
            .into_iter()
            .map(|(slot_pos, u)| {
                let name = &units[u as usize].name;
                if multi {
                    let slot = period.slots(item.recurrence.granularity())[slot_pos as usize];
                    format!("{name} ({slot})")
                } else {
                    name.clone()
                }
            })
            .collect();
        let row = ItemRow {
            code: item.code.clone(),
            title: item_title(i as u32),
            pillar: item.pillar,
            recurrence: item.recurrence,
            scope: item.scope,
            citation: item.citation.to_string(),
            expected: ia.expected,
            complete: ia.complete,
            in_progress: ia.in_progress,
            not_started: ia.not_started,
            not_applicable: ia.not_applicable,
            completion: ia.completion.into(),
            overdue: ia.overdue,
            pending,
            pending_total,
        };
        if is_annual_meeting(item) {
            annual_rows.push(row.clone());
        }
        rows.entry(section_of(item)).or_default().push(row);
    }
    let mut sections = Vec::new();
    for key in SectionKey::ALL.into_iter().filter(|_| opts.detail) {
        let items = if key == SectionKey::Meetings {
            annual_rows.clone()
        } else {
            rows.remove(&key).unwrap_or_default()
        };
        let completion: Completion = items.iter().map(|r| r.completion.completion()).sum();
        let expected: u64 = items.iter().map(|r| r.expected as u64).sum();
        let complete: u64 = items.iter().map(|r| r.complete as u64).sum();
        let overdue_n: u64 = items.iter().map(|r| r.overdue as u64).sum();
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
            facts.push(fact(
                "overdue",
                t("Lượt quá hạn", "Overdue"),
                overdue_n,
                None,
            ));
        }
        match key {
            SectionKey::Decisions => {
                let total = votes_total as u64;
                facts.push(fact(
                    "votes",
                    t(
                        "Số lần biểu quyết (họp, phát phiếu)",
                        "Votes held (meeting or ballot)",
                    ),
                    total,
                    None,
                ));
                facts.push(fact(
                    "votes-passed",
                    t("Biểu quyết đạt ngưỡng", "Votes that passed"),
                    votes_passed,
                    Some(total),
                ));
                facts.push(fact(
                    "votes-failed",
                    t("Biểu quyết không đạt", "Votes that failed"),
                    total - votes_passed,
                    Some(total),
                ));
            }
            SectionKey::Meetings => {
                let n_groups = src.groups.len() as u64;
                let met = meeting_groups.iter().filter(|m| m.meetings > 0).count() as u64;
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
                    meeting_groups.iter().map(|m| m.meetings as u64).sum(),
                    None,
                ));
                if annual_any {
                    facts.push(fact(
                        "annual-meeting",
                        t(
                            "Tổ đã hoàn thành hội nghị định kỳ cuối năm",
                            "Groups that completed the year-end meeting",
                        ),
                        annual_done,
                        Some(n_groups),
                    ));
                }
                let (p, h) = meeting_groups.iter().fold((0, 0), |(a, b), m| {
                    (a + m.present, b + m.counted_households)
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

    // The trend: every quarter of the year so far.
    let trend_point = |q: Period, accs_total: &dyn Fn(usize) -> Completion| -> TrendPoint {
        let total: Completion = (0..n).map(accs_total).sum();
        TrendPoint {
            period: q,
            label: if en { q.label_en() } else { q.label_vi() },
            completion: total.into(),
            branches: src
                .branches
                .iter()
                .map(|b| NamedPct {
                    name: b.name.clone(),
                    completion: units_of(b.id)
                        .iter()
                        .map(|&u| accs_total(u))
                        .sum::<Completion>()
                        .into(),
                })
                .collect(),
        }
    };
    let trend: Vec<TrendPoint> = trend_periods(period, src.today)
        .into_iter()
        .filter(|_| opts.detail)
        .filter_map(|q| {
            Some(if q == period {
                trend_point(q, &|u| g.now[u].total)
            } else if Some(q) == previous {
                trend_point(q, &|u| g.prev[u].total)
            } else {
                let totals = g.trend.get(trend_qs.iter().position(|x| *x == q)?)?;
                trend_point(q, &|u| totals[u])
            })
        })
        .collect();

    let ward_level = GroupReport {
        id: WARD_GROUP,
        name: ward_name,
        households: ward_households,
        completion: g.now[0].total.into(),
        by_pillar: g.now[0].pillars(en),
        by_step: g.now[0].steps(set, en),
        overdue: g.now[0].overdue,
        leader: String::new(),
    };
    Ok(Report {
        schema: REPORT_SCHEMA,
        ward: src.ward.name.clone(),
        period,
        period_label: if en {
            period.label_en()
        } else {
            period.label_vi()
        },
        steps: set.steps().to_vec(),
        today: src.today,
        completion: now_ward.total.into(),
        by_pillar: now_ward.pillars(en),
        by_step: now_ward.steps(set, en),
        by_pillar_step: now_ward
            .cross
            .iter()
            .map(|row| set.steps().iter().map(|s| row[s.index()].into()).collect())
            .collect(),
        ward_level,
        branches,
        overdue,
        overdue_total,
        late_deadlines,
        late_deadlines_total,
        votes,
        votes_total,
        previous: previous_report,
        counts,
        sections,
        meetings,
        meetings_total,
        meeting_groups,
        trend,
        limit: limit.map(|l| l as u32),
        first_record: None,
        branch: None,
        figures: Vec::new(),
    })
}

/// A [`YearReader`] over a flat list of entries (an export document).
pub fn read_from_list<'a>(
    entries: &'a [Entry],
) -> impl Fn(u16, GroupId, Option<GroupId>, &mut EachGroup<'_>) -> Result<(), std::convert::Infallible>
+ Sync
+ 'a {
    move |year, from, to, each| {
        let mut by_group: std::collections::BTreeMap<GroupId, Vec<EntryFacts<'_>>> =
            std::collections::BTreeMap::new();
        for e in entries.iter().filter(|e| {
            e.period.year() == year && e.group >= from && to.is_none_or(|t| e.group < t)
        }) {
            by_group.entry(e.group).or_default().push(e.facts());
        }
        for (gid, list) in by_group {
            each(gid, &list);
        }
        Ok(())
    }
}

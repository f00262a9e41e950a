//! The completion report: per group, branch, pillar, step and for the whole ward.
//!
//! Built from plain data (groups, template, entries), so it is the same whichever
//! service produced the data.

use crate::domain::Completion;
use crate::domain::date::Date;
use crate::domain::entry::Entry;
use crate::domain::period::Period;
use crate::domain::step::{Step, StepSet};
use crate::domain::template::{Pillar, Scope, Template};
use crate::domain::vote::{VoteForm, VoteVerdict};
use crate::domain::ward::{Branch, Group, GroupId, WARD_GROUP, Ward};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
    pub overdue: Vec<OverdueRow>,
    pub votes: Vec<VoteRow>,
    /// The ward's completion in the period before, for the trend.
    pub previous: Option<PreviousPeriod>,
    /// Sizes: branches, groups, households, items (schema 2).
    #[serde(default)]
    pub counts: Counts,
    /// Sections I–VIII as a ward reports upward (schema 2; see docs/report-json.md).
    #[serde(default)]
    pub sections: Vec<Section>,
    /// Community meetings held in the period, from the meeting dates recorded (schema 2).
    #[serde(default)]
    pub meetings: Vec<MeetingRow>,
    /// Meetings per group (schema 2).
    #[serde(default)]
    pub meeting_groups: Vec<GroupMeetings>,
    /// Completion per quarter of the period's year, ward and branches (schema 2).
    #[serde(default)]
    pub trend: Vec<TrendPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousPeriod {
    pub period: Period,
    pub completion: Pct,
    pub branches: Vec<(String, Pct)>,
    /// What the previous period left undone: still overdue now.
    pub overdue: Vec<OverdueRow>,
    /// Per pillar (schema 2).
    #[serde(default)]
    pub by_pillar: Vec<PillarRow>,
    /// Per group (schema 2).
    #[serde(default)]
    pub groups: Vec<NamedPct>,
}

/// Version 2 added counts, sections, meetings, meeting_groups, trend and fields to
/// groups, votes, overdue rows and the previous period (docs/report-json.md).
pub const REPORT_SCHEMA: u32 = 2;

/// Running sums for one unit (group, branch, ward).
#[derive(Debug, Clone, Default)]
struct Acc {
    total: Completion,
    pillar: [Completion; 4],
    step: [Completion; 6],
    /// Pillar × step.
    cross: [[Completion; 6]; 4],
    overdue: u32,
}

impl Acc {
    fn add(&mut self, o: &Acc) {
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

    fn pillars(&self, en: bool) -> Vec<PillarRow> {
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

    fn steps(&self, set: StepSet, en: bool) -> Vec<StepRow> {
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

/// The data a report is computed from.
pub struct ReportInput<'a> {
    pub ward: &'a Ward,
    pub branches: &'a [Branch],
    pub groups: &'a [Group],
    pub template: &'a Template,
    /// Every stored entry of every slot period of `period`, by (group, item, slot).
    pub entries: &'a HashMap<(GroupId, String, Period), Entry>,
    pub period: Period,
    pub today: Date,
    pub en: bool,
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

struct Computed {
    ward: Acc,
    ward_level: Acc,
    groups: HashMap<GroupId, Acc>,
    overdue: Vec<OverdueRow>,
    votes: Vec<VoteRow>,
}

fn compute(inp: &ReportInput) -> Computed {
    let set = inp.ward.steps;
    let mut groups: HashMap<GroupId, Acc> = HashMap::new();
    let mut ward_level = Acc::default();
    let mut overdue = Vec::new();
    let mut votes = Vec::new();
    let group_name = |id: GroupId| -> String {
        if id == WARD_GROUP {
            if inp.en {
                "Ward".into()
            } else {
                "Cấp phường".into()
            }
        } else {
            inp.groups
                .iter()
                .find(|g| g.id == id)
                .map(|g| g.name.clone())
                .unwrap_or_default()
        }
    };
    let branch_name = |id: GroupId| -> String {
        inp.groups
            .iter()
            .find(|g| g.id == id)
            .and_then(|g| inp.branches.iter().find(|b| b.id == g.branch))
            .map(|b| b.name.clone())
            .unwrap_or_default()
    };
    let owners: Vec<GroupId> = inp.groups.iter().map(|g| g.id).collect();
    for item in &inp.template.items {
        let pi = Pillar::ALL
            .iter()
            .position(|p| *p == item.pillar)
            .unwrap_or(0);
        let who: &[GroupId] = match item.scope {
            Scope::Group => &owners,
            Scope::Ward => &[WARD_GROUP],
        };
        for slot in inp.period.slots(item.recurrence.granularity()) {
            if !item.in_force(slot) {
                continue;
            }
            for &gid in who {
                let key = (gid, item.code.clone(), slot);
                let blank;
                let entry = match inp.entries.get(&key) {
                    Some(e) => e,
                    None => {
                        blank = Entry::new(gid, &item.code, slot);
                        &blank
                    }
                };
                let acc = if gid == WARD_GROUP {
                    &mut ward_level
                } else {
                    groups.entry(gid).or_default()
                };
                let c = entry.completion(item, set);
                acc.total += c;
                acc.pillar[pi] += c;
                for step in item.applicable_steps(set) {
                    acc.step[step.index()].add_status(entry.status(step));
                    acc.cross[pi][step.index()].add_status(entry.status(step));
                }
                if entry.is_overdue(item, set, inp.today) {
                    acc.overdue += 1;
                    overdue.push(OverdueRow {
                        group: group_name(gid),
                        branch: branch_name(gid),
                        item: item.code.clone(),
                        title: item.title_in(inp.en).to_string(),
                        period: slot,
                        due: entry.due(),
                        completion: c.into(),
                    });
                }
                if let Some(v) = entry.vote_verdict(item) {
                    votes.push(VoteRow {
                        group: group_name(gid),
                        item: item.code.clone(),
                        title: item.title_in(inp.en).to_string(),
                        period: slot,
                        meeting_date: entry.evidence.meeting_date,
                        verdict: v,
                        present: entry.evidence.vote.map(|c| c.present).unwrap_or(0),
                        form: entry.evidence.vote.map(|c| c.form).unwrap_or_default(),
                        minutes: entry.evidence.minutes.clone(),
                    });
                }
            }
        }
    }
    let mut ward = ward_level.clone();
    for acc in groups.values() {
        ward.add(acc);
    }
    Computed {
        ward,
        ward_level,
        groups,
        overdue,
        votes,
    }
}

fn group_report(g: &Group, acc: &Acc, set: StepSet, en: bool) -> GroupReport {
    GroupReport {
        id: g.id,
        name: g.name.clone(),
        households: g.households,
        completion: acc.total.into(),
        by_pillar: acc.pillars(en),
        by_step: acc.steps(set, en),
        overdue: acc.overdue,
        leader: g.leader.clone(),
    }
}

/// Branch totals: the sum of their groups.
fn branch_accs(inp: &ReportInput, c: &Computed) -> Vec<(Branch, Acc)> {
    inp.branches
        .iter()
        .map(|b| {
            let mut acc = Acc::default();
            for g in inp.groups.iter().filter(|g| g.branch == b.id) {
                if let Some(a) = c.groups.get(&g.id) {
                    acc.add(a);
                }
            }
            (b.clone(), acc)
        })
        .collect()
}

/// Compute the report. `previous` is the same computation for the period before.
pub fn build(inp: &ReportInput, previous: Option<&ReportInput>) -> Report {
    let set = inp.ward.steps;
    let en = inp.en;
    let c = compute(inp);
    let empty = Acc::default();
    let branches = branch_accs(inp, &c)
        .into_iter()
        .map(|(b, acc)| BranchReport {
            id: b.id,
            name: b.name.clone(),
            completion: acc.total.into(),
            by_pillar: acc.pillars(en),
            by_step: acc.steps(set, en),
            groups: inp
                .groups
                .iter()
                .filter(|g| g.branch == b.id)
                .map(|g| group_report(g, c.groups.get(&g.id).unwrap_or(&empty), set, en))
                .collect(),
        })
        .collect();
    let previous = previous.map(|p| {
        let pc = compute(p);
        PreviousPeriod {
            period: p.period,
            completion: pc.ward.total.into(),
            branches: branch_accs(p, &pc)
                .into_iter()
                .map(|(b, acc)| (b.name, acc.total.into()))
                .collect(),
            by_pillar: pc.ward.pillars(en),
            groups: p
                .groups
                .iter()
                .map(|g| NamedPct {
                    name: g.name.clone(),
                    completion: pc
                        .groups
                        .get(&g.id)
                        .map(|a| a.total)
                        .unwrap_or_default()
                        .into(),
                })
                .collect(),
            // Slots shared with this period (a yearly item seen from two quarters) are
            // listed once, under this period.
            overdue: pc
                .overdue
                .iter()
                .filter(|o| {
                    !c.overdue
                        .iter()
                        .any(|x| x.group == o.group && x.item == o.item && x.period == o.period)
                })
                .cloned()
                .collect(),
        }
    });
    let ward_group = Group {
        id: WARD_GROUP,
        branch: 0,
        name: if en {
            "Ward".into()
        } else {
            "Cấp phường".into()
        },
        leader: String::new(),
        front_head: String::new(),
        households: inp.groups.iter().map(|g| g.households).sum(),
    };
    let mut overdue = c.overdue;
    overdue.sort_by(|a, b| (a.due, &a.group, &a.item).cmp(&(b.due, &b.group, &b.item)));
    let detail = super::sections::build(inp);
    Report {
        schema: REPORT_SCHEMA,
        ward: inp.ward.name.clone(),
        period: inp.period,
        period_label: if en {
            inp.period.label_en()
        } else {
            inp.period.label_vi()
        },
        steps: set.steps().to_vec(),
        today: inp.today,
        completion: c.ward.total.into(),
        by_pillar: c.ward.pillars(en),
        by_step: c.ward.steps(set, en),
        by_pillar_step: c
            .ward
            .cross
            .iter()
            .map(|row| set.steps().iter().map(|s| row[s.index()].into()).collect())
            .collect(),
        ward_level: group_report(&ward_group, &c.ward_level, set, en),
        branches,
        overdue,
        votes: c.votes,
        previous,
        counts: detail.counts,
        sections: detail.sections,
        meetings: detail.meetings,
        meeting_groups: detail.meeting_groups,
        trend: Vec::new(),
    }
}

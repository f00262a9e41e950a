//! The report as it was first written: straight from every entry, item by item, with
//! no tallies and no limits. Kept for the tests only, as the recomputation the engine
//! (`engine.rs`, which reads the tallies) must agree with on every database.
#![allow(clippy::type_complexity)]

use super::engine::Source;
use super::report::*;
use super::sections::*;
use crate::domain::Completion;
use crate::domain::date::Date;
use crate::domain::entry::{Entry, StepStatus};
use crate::domain::period::Period;
use crate::domain::step::StepSet;
use crate::domain::template::{Item, Pillar, Scope, Template};
use crate::domain::text::natural_cmp;
use crate::domain::ward::{Branch, Group, GroupId, WARD_GROUP, Ward};
use std::collections::HashMap;

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

struct Computed {
    ward: Acc,
    ward_level: Acc,
    groups: HashMap<GroupId, Acc>,
    overdue: Vec<OverdueRow>,
    late: Vec<LateDeadlineRow>,
    votes: Vec<VoteRow>,
}

/// Further occurrences of items ("BQ-01#2", issue 13) by (group, item code, slot), in
/// their order.
fn extras<'a>(inp: &'a ReportInput) -> HashMap<(GroupId, &'a str, Period), Vec<&'a Entry>> {
    let mut m: HashMap<(GroupId, &str, Period), Vec<(u32, &Entry)>> = HashMap::new();
    for ((gid, key, slot), e) in inp.entries.iter() {
        let (code, n) = crate::domain::template::split_occurrence(key);
        if n > 1 {
            m.entry((*gid, code, *slot)).or_default().push((n, e));
        }
    }
    m.into_iter()
        .map(|(k, mut v)| {
            v.sort_by_key(|(n, _)| *n);
            (k, v.into_iter().map(|(_, e)| e).collect())
        })
        .collect()
}

/// The groups that held a tổ trưởng election (an item cited Luật 10/2022/QH15 Điều 15
/// khoản 4) in a year, by (group, year), read from every stored entry: a passing vote
/// met by today (undated: with its entry). With no term set, it opens the group's term
/// and the Ban TTND member's election is due that year (Điều 36 khoản 2).
fn elections(inp: &ReportInput) -> std::collections::HashSet<(GroupId, u16)> {
    let mut out = std::collections::HashSet::new();
    for ((gid, key, slot), e) in inp.entries.iter() {
        let Some(item) = inp.template.get(key) else {
            continue;
        };
        let passes = e.vote_verdict(item).is_some_and(|v| v.passes);
        let held = e.evidence.meeting_date.is_none_or(|d| d <= inp.today);
        // A removal (cho thôi) opens no term.
        if item.opens_group_term() && passes && held && !e.evidence.removal {
            out.insert((*gid, slot.year()));
        }
    }
    out
}

/// Whether an item with nothing stored for (group, slot) is a duty there: not one that
/// needs registering, or, with no term set, the Ban TTND member's election in a year
/// the group elected its tổ trưởng (Điều 36 khoản 2).
fn due_unregistered(
    inp: &ReportInput,
    held: &std::collections::HashSet<(GroupId, u16)>,
    item: &Item,
    gid: GroupId,
    slot: Period,
) -> bool {
    !item.needs_registration(slot, inp.ward.term)
        || (inp.ward.term.is_none()
            && item.follows_group_term()
            && held.contains(&(gid, slot.year())))
}

fn compute(inp: &ReportInput) -> Computed {
    let more = extras(inp);
    let held = elections(inp);
    let set = inp.ward.steps;
    let mut groups: HashMap<GroupId, Acc> = HashMap::new();
    let mut ward_level = Acc::default();
    let mut overdue = Vec::new();
    let mut late = Vec::new();
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
                let blank = Entry::new(gid, &item.code, slot);
                let mut insts: Vec<&Entry> = Vec::new();
                match inp.entries.get(&key) {
                    Some(e) => insts.push(e),
                    // An event or off-term item not registered is no duty (issue 13).
                    None if !due_unregistered(inp, &held, item, gid, slot) => {}
                    None => insts.push(&blank),
                }
                if let Some(m) = more.get(&(gid, item.code.as_str(), slot)) {
                    insts.extend(m.iter().copied());
                }
                for entry in insts {
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
                    // The law's deadlines passed by the period's end and not recorded
                    // done, while steps are left (issue 13).
                    if c.applicable > 0 {
                        for d in entry.deadlines(item) {
                            if d.date <= inp.period.end()
                                && crate::domain::entry::is_late(
                                    &d,
                                    d.done.is_some(),
                                    c.is_complete(),
                                    inp.today,
                                )
                            {
                                late.push(LateDeadlineRow {
                                    group: group_name(gid),
                                    branch: branch_name(gid),
                                    item: entry.item.clone(),
                                    title: item.title_in(inp.en).to_string(),
                                    period: slot,
                                    due: d.date,
                                    code: d.code,
                                    what: if inp.en { d.what_en } else { d.what_vi }.into_owned(),
                                    rule: if inp.en { d.rule_en } else { d.rule_vi }.into_owned(),
                                    article: d.article.into_owned(),
                                });
                            }
                        }
                    }
                    if let Some(v) = entry.vote_verdict(item)
                        && vote_in(inp.period, entry.evidence.meeting_date, inp.today)
                    {
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
                    // Earlier rounds: each a vote of its own day (issue 13).
                    for r in &entry.evidence.rounds {
                        if let Some(rule) = item.vote
                            && let Ok(v) = crate::domain::vote::verdict(rule, &r.count)
                            && vote_in(inp.period, r.date, inp.today)
                        {
                            votes.push(VoteRow {
                                group: group_name(gid),
                                item: item.code.clone(),
                                title: item.title_in(inp.en).to_string(),
                                period: slot,
                                meeting_date: r.date,
                                verdict: v,
                                present: r.count.present,
                                form: r.count.form,
                                minutes: r.minutes.clone(),
                            });
                        }
                    }
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
        late,
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
pub fn build_report(inp: &ReportInput, previous: Option<&ReportInput>) -> Report {
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
    let previous = previous
        .map(|p| {
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
                overdue: {
                    let mut v: Vec<OverdueRow> = pc
                        .overdue
                        .iter()
                        .filter(|o| {
                            !c.overdue.iter().any(|x| {
                                x.group == o.group && x.item == o.item && x.period == o.period
                            })
                        })
                        .cloned()
                        .collect();
                    v.sort_by(|a, b| {
                        a.due
                            .cmp(&b.due)
                            .then_with(|| natural_cmp(&a.group, &b.group))
                            .then_with(|| (&a.item, a.period).cmp(&(&b.item, b.period)))
                    });
                    v
                },
                overdue_total: 0,
            }
        })
        .map(|mut p| {
            p.overdue_total = p.overdue.len() as u32;
            p
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
    overdue.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| natural_cmp(&a.group, &b.group))
            .then_with(|| a.item.cmp(&b.item))
    });
    let mut late = c.late;
    late.sort_by(|a, b| {
        let occ = |r: &LateDeadlineRow| {
            let (code, n) = crate::domain::template::split_occurrence(&r.item);
            (code.to_string(), n)
        };
        a.due
            .cmp(&b.due)
            .then_with(|| natural_cmp(&a.group, &b.group))
            .then_with(|| occ(a).cmp(&occ(b)))
            .then_with(|| a.period.cmp(&b.period))
            .then_with(|| a.code.cmp(&b.code))
    });
    let detail = build_detail(inp);
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
        overdue_total: overdue.len() as u32,
        overdue,
        late_deadlines_total: late.len() as u32,
        late_deadlines: late,
        votes_total: c.votes.len() as u32,
        votes: {
            let mut v = c.votes;
            v.sort_by_key(|v| v.verdict.passes);
            v
        },
        previous,
        counts: detail.counts,
        sections: detail.sections,
        meetings_total: detail.meetings.len() as u32,
        meetings: detail.meetings,
        meeting_groups: detail.meeting_groups,
        trend: Vec::new(),
        limit: None,
        first_record: None,
        branch: None,
        // Figures are recomputed apart: `service::figures` tests against a plain sum.
        figures: Vec::new(),
    }
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
pub fn build_detail(inp: &ReportInput) -> Detail {
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
    let more = extras(inp);
    let held = elections(inp);

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
            pending_total: 0,
        };
        let mut total = Completion::default();
        for slot in &slots {
            for (gid, gname, bname) in &units {
                let blank = Entry::new(*gid, &item.code, *slot);
                let mut insts: Vec<&Entry> = Vec::new();
                match inp.entries.get(&(*gid, item.code.clone(), *slot)) {
                    Some(e) => insts.push(e),
                    None if !due_unregistered(inp, &held, item, *gid, *slot) => {}
                    None => insts.push(&blank),
                }
                if let Some(m) = more.get(&(*gid, item.code.as_str(), *slot)) {
                    insts.extend(m.iter().copied());
                }
                for entry in insts {
                    let c = entry.completion(item, set);
                    total += c;
                    if c.applicable == 0 {
                        row.not_applicable += 1;
                    } else {
                        row.expected += 1;
                        let started = item.applicable_steps(set).any(|s| {
                            matches!(entry.status(s), StepStatus::Done | StepStatus::Doing)
                        });
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
                        } else if item.applicable_steps(set).any(|s| {
                            matches!(entry.status(s), StepStatus::Done | StepStatus::Doing)
                        }) || entry.evidence.meeting_date.is_some()
                        {
                            StepStatus::Doing
                        } else {
                            StepStatus::Todo
                        };
                        annual.insert(*gid, status);
                    }
                    if item.scope == Scope::Group
                        && let Some(d) = entry.evidence.meeting_date
                        && meeting_in(inp.period, d, inp.today)
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
                    // Earlier rounds: each a meeting held on its own day (issue 13).
                    for r in &entry.evidence.rounds {
                        if item.scope == Scope::Group
                            && let Some(d) = r.date
                            && meeting_in(inp.period, d, inp.today)
                        {
                            meetings.push(MeetingRow {
                                group: gname.clone(),
                                branch: bname.clone(),
                                item: item.code.clone(),
                                title: item.title_in(en).to_string(),
                                period: *slot,
                                date: d,
                                form: Some(r.count.form),
                                present: Some(r.count.present),
                                total: Some(r.count.total),
                                minutes: r.minutes.clone(),
                            });
                        }
                    }
                }
            }
        }
        row.completion = total.into();
        row.pending_total = row.pending.len() as u32;
        if is_annual_meeting(item) {
            annual_rows.push(row.clone());
        }
        rows.entry(section_of(item)).or_default().push(row);
    }
    meetings.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then_with(|| natural_cmp(&a.group, &b.group))
            .then_with(|| a.item.cmp(&b.item))
    });

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
            for e in inp.entries.values().filter(|e| {
                crate::domain::template::split_occurrence(&e.item).0 == item.code
                    && e.period == slot
            }) {
                if e.group != WARD_GROUP && !inp.groups.iter().any(|g| g.id == e.group) {
                    continue;
                }
                if let Some(v) = e.vote_verdict(item)
                    && vote_in(inp.period, e.evidence.meeting_date, inp.today)
                {
                    out.push(v.passes);
                }
                for r in &e.evidence.rounds {
                    if let Some(rule) = item.vote
                        && let Ok(v) = crate::domain::vote::verdict(rule, &r.count)
                        && vote_in(inp.period, r.date, inp.today)
                    {
                        out.push(v.passes);
                    }
                }
            }
        }
    }
    out
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
        build_report(&inp, None)
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
    let mut report = build_report(&inp, prev_inp.as_ref());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::Actor;
    use crate::domain::step::Step;
    use crate::domain::vote::{VoteCount, VoteForm};
    use crate::service::engine::ReportOptions;
    use crate::service::local::LocalService;
    use crate::service::{EntryEdit, MarkRequest, Service, VoteRequest};
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Mark {
            unit: usize,
            item: usize,
            quarter: usize,
            step: usize,
            status: u8,
        },
        Vote {
            unit: usize,
            item: usize,
            quarter: usize,
            present: u32,
            agree: u32,
        },
        Meeting {
            unit: usize,
            item: usize,
            quarter: usize,
            day: u64,
            minutes: bool,
        },
        Undo,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0..12usize, 0..80usize, 0..6usize, 0..6usize, 0..4u8).prop_map(
                |(unit, item, quarter, step, status)| Op::Mark { unit, item, quarter, step, status }
            ),
            2 => (0..12usize, 0..80usize, 0..6usize, 0..600u32, 0..600u32).prop_map(
                |(unit, item, quarter, present, agree)| Op::Vote { unit, item, quarter, present, agree }
            ),
            2 => (0..12usize, 0..80usize, 0..6usize, 0..120u64, any::<bool>()).prop_map(
                |(unit, item, quarter, day, minutes)| Op::Meeting { unit, item, quarter, day, minutes }
            ),
            1 => Just(Op::Undo),
        ]
    }

    const QUARTERS: [Period; 6] = [
        Period::Quarter(2025, 3),
        Period::Quarter(2025, 4),
        Period::Quarter(2026, 1),
        Period::Quarter(2026, 2),
        Period::Quarter(2026, 3),
        Period::Quarter(2026, 4),
    ];

    /// Apply one edit the way a user would (errors — wrong scope, bad counts — are
    /// what a user would see and change nothing).
    fn apply(svc: &LocalService, units: &[GroupId], template: &Template, op: &Op) {
        let pick = |unit: usize, item: usize, quarter: usize| {
            let item = &template.items[item % template.items.len()];
            let group = if item.scope == Scope::Ward {
                WARD_GROUP
            } else {
                units[unit % units.len()]
            };
            let slot = QUARTERS[quarter].slots(item.recurrence.granularity())[0];
            (group, item.code.clone(), slot)
        };
        match *op {
            Op::Mark {
                unit,
                item,
                quarter,
                step,
                status,
            } => {
                let (group, item, period) = pick(unit, item, quarter);
                let _ = svc.mark(MarkRequest {
                    group,
                    item,
                    period,
                    step: Step::from_index(step).unwrap_or(Step::Biet),
                    status: StepStatus::from_u8(status).unwrap_or_default(),
                    note: None,
                    base_version: None,
                });
            }
            Op::Vote {
                unit,
                item,
                quarter,
                present,
                agree,
            } => {
                let (group, item, period) = pick(unit, item, quarter);
                let _ = svc.record_vote(VoteRequest {
                    group,
                    item,
                    period,
                    count: VoteCount {
                        total: 500,
                        present,
                        agree,
                        form: VoteForm::Meeting,
                    },
                    date: None,
                    base_version: None,
                    planned: false,
                });
            }
            Op::Meeting {
                unit,
                item,
                quarter,
                day,
                minutes,
            } => {
                let (group, item, period) = pick(unit, item, quarter);
                let Ok(rows) = svc.checklist(group, period) else {
                    return;
                };
                let Some(row) = rows.into_iter().find(|r| r.item.code == item) else {
                    return;
                };
                let mut e = row.entry;
                e.evidence.meeting_date = period.start().checked_add_days(chrono::Days::new(day));
                if minutes {
                    e.evidence.minutes = format!("BB-{day}");
                }
                // Some deadlines recorded done, some postings (issue 13): the late
                // deadlines the report lists must agree both ways.
                if let Some(m) = e.evidence.meeting_date {
                    if day % 3 == 0 {
                        e.evidence.met = vec![crate::domain::entry::DeadlineMet {
                            code: crate::domain::entry::DeadlineCode::SendResult,
                            date: m,
                        }];
                    }
                    if day % 4 == 1 {
                        e.evidence.posted_from = m.checked_sub_days(chrono::Days::new(3));
                    }
                }
                let _ = svc.save_entry(EntryEdit {
                    base_version: Some(e.version),
                    entry: e,
                });
            }
            Op::Undo => {
                let _ = svc.undo_last();
            }
        }
    }

    /// The reference report from every stored entry (the sheets, not the tallies).
    fn recomputed(svc: &LocalService, period: Period) -> Report {
        let store = svc.store();
        let ward = store.ward().unwrap();
        let branches = store.branches().unwrap();
        let groups = store.groups().unwrap();
        let template = store.template().unwrap();
        let mut all = Vec::new();
        for p in store.periods().unwrap() {
            all.extend(store.entries_of(p).unwrap());
        }
        let src = Source {
            ward: &ward,
            branches: &branches,
            groups: &groups,
            template: &template,
            today: svc.today(),
            en: false,
        };
        build_full::<()>(&src, period, &|p| Ok(entries_for(&template, p, &all))).unwrap()
    }

    fn demo() -> (tempfile::TempDir, LocalService, Vec<GroupId>, Template) {
        let dir = tempfile::tempdir().unwrap();
        let svc = crate::app::ward::create_demo(
            &dir.path().join("w.db"),
            Actor::new("Tester", "tester"),
            crate::i18n::Lang::Vi,
        )
        .unwrap()
        .with_today(Date::from_ymd_opt(2026, 11, 22).unwrap());
        let units: Vec<GroupId> = svc.groups().unwrap().iter().map(|g| g.id).collect();
        let template = svc.template().unwrap();
        (dir, svc, units, template)
    }

    /// The engine on two threads (the split a city-sized ward gets) gives the same report.
    fn assert_split_agrees(svc: &LocalService, period: Period, all: &Report, first: Date) {
        let store = svc.store();
        let (ward, branches, groups, template) = (
            store.ward().unwrap(),
            store.branches().unwrap(),
            store.groups().unwrap(),
            store.template().unwrap(),
        );
        let src = Source {
            ward: &ward,
            branches: &branches,
            groups: &groups,
            template: &template,
            today: svc.today(),
            en: false,
        };
        let mut split = crate::service::engine::build_split(
            &src,
            period,
            &ReportOptions::all(),
            &|year, from, to, each| store.report_facts(year, from, to, each),
            2,
        )
        .unwrap();
        split.drop_periods_before(first);
        assert_eq!(&split, all, "{period}: two threads vs one");
    }

    /// The figures-only report (the main screen) and a one-group report (after an edit)
    /// carry the same figures as the full one.
    fn assert_figures_agree(svc: &LocalService, period: Period, all: &Report) {
        let f = svc.report_with(period, ReportOptions::figures()).unwrap();
        assert_eq!(
            (&f.completion, &f.by_pillar, &f.by_step, &f.by_pillar_step),
            (
                &all.completion,
                &all.by_pillar,
                &all.by_step,
                &all.by_pillar_step
            )
        );
        assert_eq!(
            (&f.branches, &f.ward_level),
            (&all.branches, &all.ward_level)
        );
        assert!(f.previous.is_none() && f.trend.is_empty() && f.sections.is_empty());
        for g in all.branches.iter().flat_map(|b| &b.groups).take(3) {
            let one = svc
                .report_with(
                    period,
                    ReportOptions {
                        only: Some(g.id),
                        ..ReportOptions::figures()
                    },
                )
                .unwrap();
            assert_eq!(one.branches.len(), 1);
            assert_eq!(one.branches[0].groups.as_slice(), std::slice::from_ref(g));
            assert_eq!(one.ward_level, all.ward_level);
        }
    }

    fn assert_agree(svc: &LocalService) {
        assert!(
            svc.store().check().unwrap().problems.is_empty(),
            "{:?}",
            svc.store().check().unwrap().problems
        );
        for period in QUARTERS.into_iter().chain([
            Period::Half(2026, 1),
            Period::Half(2026, 2),
            Period::Year(2026),
            Period::Year(2025),
        ]) {
            let mut all = svc.report_with(period, ReportOptions::all()).unwrap();
            // The service adds when the ward began keeping records; the engine does not
            // count it.
            assert_eq!(
                all.first_record.is_some(),
                svc.store().first_audit_at().unwrap().is_some()
            );
            // Periods before the ward's first data are dropped after computing, the
            // same for every way of computing.
            let first = crate::service::report::first_data(
                &svc.store().periods().unwrap(),
                all.first_record.take(),
                all.today,
            );
            assert_split_agrees(svc, period, &all, first);
            assert_figures_agree(svc, period, &all);
            let mut expect = recomputed(svc, period);
            expect.trend = all.trend.clone();
            expect.drop_periods_before(first);
            assert_eq!(
                all,
                Report {
                    limit: None,
                    ..expect.clone()
                },
                "{period}: engine vs recomputation"
            );
            // The trend: each quarter's figures as its own report gives them.
            for point in &all.trend {
                let q = recomputed(svc, point.period);
                assert_eq!(
                    point.completion, q.completion,
                    "{period} trend {}",
                    point.period
                );
            }
            // A limit keeps the first rows of each list and every total.
            let cut = svc
                .report_with(
                    period,
                    ReportOptions {
                        limit: Some(2),
                        ..ReportOptions::default()
                    },
                )
                .unwrap();
            assert_eq!(
                cut.overdue.as_slice(),
                &all.overdue[..all.overdue.len().min(2)]
            );
            assert_eq!(cut.votes.as_slice(), &all.votes[..all.votes.len().min(2)]);
            assert_eq!(
                cut.meetings.as_slice(),
                &all.meetings[..all.meetings.len().min(2)]
            );
            assert_eq!(
                (
                    cut.overdue_count(),
                    cut.votes_count(),
                    cut.meetings_count(),
                    cut.votes_failed_count()
                ),
                (
                    all.overdue_count(),
                    all.votes_count(),
                    all.meetings_count(),
                    all.votes_failed_count()
                )
            );
            assert_eq!(cut.branches, all.branches);
            for (a, b) in cut.sections.iter().zip(&all.sections) {
                for (x, y) in a.items.iter().zip(&b.items) {
                    assert_eq!(x.pending.as_slice(), &y.pending[..y.pending.len().min(2)]);
                    assert_eq!(x.pending_total, y.pending_total);
                }
            }
        }
    }

    #[test]
    fn the_demo_ward_reports_the_same_from_tallies_as_from_every_entry() {
        let (_dir, svc, _, _) = demo();
        assert_agree(&svc);
    }

    /// Issue 13: with a term whose last year is the report's (per-term items due, Điều
    /// 36 khoản 2) and one occurrence registered on a group with none, the engine and
    /// the recomputation still agree.
    #[test]
    fn a_term_and_a_registered_occurrence_report_the_same_both_ways() {
        let (_dir, svc, units, _) = demo();
        svc.set_term(Some(crate::domain::ward::Term {
            start: 2021,
            end: 2026,
        }))
        .unwrap();
        let mut e = Entry::new(units[units.len() - 1], "YK-04", Period::Year(2026));
        e.evidence.occurred = Some(Date::from_ymd_opt(2026, 5, 4).unwrap());
        e.evidence.title = "Nhập tổ 8 và tổ 9".into();
        svc.save_entry(EntryEdit {
            entry: e,
            base_version: Some(0),
        })
        .unwrap();
        // A second occurrence of an item already in the demo, half done, and a third
        // of one with a failed vote (issue 13: several a year, each counted).
        let g = units[0];
        let mut e = Entry::new(g, "BQ-01#2", Period::Year(2026));
        e.steps[Step::Biet.index()] = StepStatus::Done;
        e.evidence.occurred = Some(Date::from_ymd_opt(2026, 6, 1).unwrap());
        svc.save_entry(EntryEdit {
            entry: e,
            base_version: Some(0),
        })
        .unwrap();
        let mut e = Entry::new(g, "BQ-06#3", Period::Year(2026));
        e.evidence.vote = Some(VoteCount {
            total: 200,
            present: 120,
            agree: 90,
            form: VoteForm::Ballot,
        });
        e.evidence.meeting_date = Some(Date::from_ymd_opt(2026, 10, 3).unwrap());
        svc.save_entry(EntryEdit {
            entry: e,
            base_version: Some(0),
        })
        .unwrap();
        // A hương ước meeting short of households, then the ballot (Điều 19 khoản 1
        // điểm b): the earlier round is a meeting and a vote of its own day.
        let mut e = Entry::new(g, "BQ-03", Period::Year(2026));
        e.evidence.rounds = vec![crate::domain::entry::VoteRound {
            count: VoteCount {
                total: 200,
                present: 80,
                agree: 70,
                form: VoteForm::Meeting,
            },
            date: Some(Date::from_ymd_opt(2026, 9, 20).unwrap()),
            minutes: "BB 07".into(),
        }];
        e.evidence.vote = Some(VoteCount {
            total: 200,
            present: 150,
            agree: 120,
            form: VoteForm::Ballot,
        });
        e.evidence.meeting_date = Some(Date::from_ymd_opt(2026, 10, 5).unwrap());
        svc.save_entry(EntryEdit {
            entry: e,
            base_version: svc
                .checklist(g, Period::Year(2026))
                .unwrap()
                .iter()
                .find(|r| r.item.code == "BQ-03")
                .map(|r| r.entry.version),
        })
        .unwrap();
        let q3 = svc
            .report_with(Period::Quarter(2026, 3), ReportOptions::all())
            .unwrap();
        assert!(
            q3.meetings
                .iter()
                .any(|m| m.item == "BQ-03" && m.minutes == "BB 07"),
            "{:?}",
            q3.meetings
        );
        // The same decision once more, its result recorded as sent (Điều 20 khoản 3):
        // the first is a late deadline of the year's report, the second is not.
        let mut e = Entry::new(g, "BQ-06#4", Period::Year(2026));
        e.evidence.vote = Some(VoteCount {
            total: 200,
            present: 120,
            agree: 90,
            form: VoteForm::Ballot,
        });
        e.evidence.meeting_date = Some(Date::from_ymd_opt(2026, 10, 3).unwrap());
        e.evidence.met = vec![crate::domain::entry::DeadlineMet {
            code: crate::domain::entry::DeadlineCode::SendResult,
            date: Date::from_ymd_opt(2026, 10, 6).unwrap(),
        }];
        svc.save_entry(EntryEdit {
            entry: e,
            base_version: Some(0),
        })
        .unwrap();
        let year = svc
            .report_with(Period::Year(2026), ReportOptions::all())
            .unwrap();
        let late: Vec<&str> = year
            .late_deadlines
            .iter()
            .filter(|d| d.code == crate::domain::entry::DeadlineCode::SendResult)
            .map(|d| d.item.as_str())
            .collect();
        assert!(late.contains(&"BQ-06#3"), "{late:?}");
        assert!(!late.contains(&"BQ-06#4"), "{late:?}");
        assert_agree(&svc);
    }

    /// Luật 10/2022/QH15 Điều 36 khoản 2: with no term set, a group's held tổ trưởng
    /// election (Điều 15 khoản 4, BQ-04, any occurrence) opens its term, so the Ban TTND
    /// member's election (Điều 15 khoản 5, BQ-05) is due that year unregistered — and
    /// overdue once the year ends. A failed vote, a planned one and a group without an
    /// election make nothing due. Engine and recomputation agree on all of it, and the
    /// checklist says the same.
    #[test]
    fn with_no_term_a_held_election_makes_the_ban_ttnd_member_due_both_ways_dieu_36_khoan_2() {
        let (_dir, svc, _, _) = demo();
        assert!(
            svc.store().ward().unwrap().term.is_none(),
            "the demo sets no term"
        );
        let groups = svc.groups().unwrap();
        let id = |name: &str| groups.iter().find(|g| g.name == name).unwrap().id;
        let elect = |name: &str, key: &str, year: u16, day: (u32, u32), agree: u32| {
            let mut e = Entry::new(id(name), key, Period::Year(year));
            e.evidence.occurred = Some(Date::from_ymd_opt(year as i32, 5, 1).unwrap());
            e.evidence.meeting_date = Some(Date::from_ymd_opt(year as i32, day.0, day.1).unwrap());
            e.evidence.vote = Some(VoteCount {
                total: 100,
                present: 90,
                agree,
                form: VoteForm::Meeting,
            });
            svc.save_entry(EntryEdit {
                entry: e,
                base_version: Some(0),
            })
            .unwrap();
        };
        // Held in a past year: due then, and overdue now.
        elect("Tổ dân phố 1", "BQ-04", 2025, (6, 1), 60);
        // A second occurrence held this year (the first, registered, not voted).
        svc.save_entry(EntryEdit {
            entry: Entry::new(id("Tổ dân phố 2"), "BQ-04", Period::Year(2026)),
            base_version: Some(0),
        })
        .unwrap();
        elect("Tổ dân phố 2", "BQ-04#2", 2026, (3, 8), 70);
        // A vote that fails, and one planned after today (22/11/2026): no term opened.
        elect("Tổ dân phố 4", "BQ-04", 2026, (4, 12), 40);
        elect("Tổ dân phố 6", "BQ-04", 2026, (12, 13), 80);
        assert_agree(&svc);

        let row = |period: Period| {
            let r = svc.report_with(period, ReportOptions::all()).unwrap();
            let item = r
                .sections
                .iter()
                .flat_map(|s| &s.items)
                .find(|i| i.code == "BQ-05")
                .cloned()
                .unwrap();
            (r, item)
        };
        // 2026: the demo's Tổ 3 registered (and finished) its own; Tổ 5 (the demo's
        // election of 14/6/2026, a replacement) marked it not applicable; Tổ 2 owes
        // one; Tổ 4 and Tổ 6 do not.
        let (_, bq05) = row(Period::Year(2026));
        assert_eq!(bq05.pending, ["Tổ dân phố 2"]);
        assert_eq!(
            (
                bq05.expected,
                bq05.complete,
                bq05.not_applicable,
                bq05.overdue
            ),
            (2, 1, 1, 0)
        );
        // The half and the quarter views count the yearly cell as yearly items do.
        let (_, h1) = row(Period::Half(2026, 1));
        assert_eq!(h1.expected, 2);
        // 2025 has ended: Tổ 1's is overdue, no other group's is counted.
        let (r25, bq05) = row(Period::Year(2025));
        assert_eq!((bq05.expected, bq05.overdue), (1, 1));
        assert!(
            r25.overdue
                .iter()
                .any(|o| o.item == "BQ-05" && o.group == "Tổ dân phố 1")
        );
        // The checklist (what `qcdc items`, the TUI and `qcdc due` read) agrees.
        let registered = |name: &str, p: Period| {
            svc.checklist(id(name), p)
                .unwrap()
                .into_iter()
                .find(|r| r.item.code == "BQ-05")
                .map(|r| (r.registered, r.overdue))
                .unwrap()
        };
        assert_eq!(registered("Tổ dân phố 1", Period::Year(2025)), (true, true));
        assert!(!registered("Tổ dân phố 1", Period::Year(2026)).0);
        assert_eq!(
            registered("Tổ dân phố 2", Period::Quarter(2026, 3)),
            (true, false)
        );
        assert!(!registered("Tổ dân phố 4", Period::Year(2026)).0);
        assert!(!registered("Tổ dân phố 6", Period::Year(2026)).0);

        // With a term set, its rule alone decides (Điều 36 khoản 2 through the ward's
        // term): 2021-2026 makes every group's BQ-05 of 2026 due; 2026-2031 none
        // unregistered, elections or not.
        svc.set_term(Some(crate::domain::ward::Term {
            start: 2026,
            end: 2031,
        }))
        .unwrap();
        assert_agree(&svc);
        let (_, bq05) = row(Period::Year(2026));
        assert_eq!((bq05.expected, bq05.pending.len()), (1, 0));
        assert_eq!(row(Period::Year(2025)).1.expected, 0);
        assert!(!registered("Tổ dân phố 2", Period::Year(2026)).0);
        svc.set_term(Some(crate::domain::ward::Term {
            start: 2021,
            end: 2026,
        }))
        .unwrap();
        assert_agree(&svc);
        // Every group but Tổ 5, whose is not applicable.
        assert_eq!(row(Period::Year(2026)).1.expected, groups.len() as u32 - 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        /// Random edits (marks, votes, meetings, undos) keep every tally equal to its
        /// recomputation from the sheets, and every report equal to the report
        /// computed from all entries.
        #[test]
        fn random_edits_keep_tallies_and_reports_equal_to_recomputation(
            ops in proptest::collection::vec(op(), 1..40)
        ) {
            let (_dir, svc, units, template) = demo();
            for op in &ops {
                apply(&svc, &units, &template, op);
            }
            assert_agree(&svc);
        }
    }
}

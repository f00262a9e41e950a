//! An entry: one item for one group in one period, with the status of each step and the
//! evidence that it was done.

use super::completion::Completion;
use super::date::{self, Date};
use super::period::Period;
use super::step::{Step, StepSet};
pub use super::step::{StepStatus, UnknownStatus};
use super::template::Item;
use super::vote::{self, VoteCount, VoteVerdict};
use super::ward::GroupId;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// What shows an item was carried out.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Evidence {
    pub posted_from: Option<Date>,
    pub posted_to: Option<Date>,
    pub meeting_date: Option<Date>,
    pub vote: Option<VoteCount>,
    /// Số biên bản / văn bản.
    pub minutes: String,
    pub responsible: String,
    pub note: String,
    /// For an item that arises (per event or per term): the day the occurrence was
    /// registered as having arisen — the decision, the relief, the election (issue 13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred: Option<Date>,
    /// What the occurrence is ("Đường hẻm 12"), for an item that arises.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The earlier meetings or ballots of this decision, oldest first (issue 13: a
    /// meeting without enough households present, then the household ballot, Điều 19
    /// khoản 1 điểm b). The latest round is `vote`, `meeting_date` and `minutes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rounds: Vec<VoteRound>,
    /// For a ward-wide decision (Điều 15 khoản 1–2 at ward scope, BQ-07): each group's
    /// own result as its tổ trưởng reported it (NĐ 59/2023 Điều 4 khoản 6 điểm c). The
    /// ward's `vote` is derived from them: groups agreeing of all groups (Điều 21 khoản 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_votes: Vec<GroupVote>,
    /// The law's deadlines recorded as done, and the day each was (issue 13: a notice
    /// sent, a decision sent to UBND, a disclosure posted). A deadline recorded here is
    /// off the agenda and the report's list of late deadlines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub met: Vec<DeadlineMet>,
    /// For an occurrence of "bầu, cho thôi" (Điều 15 khoản 4, 5): this one removes the
    /// person (cho thôi) rather than electing one. A removed tổ trưởng's successor is to
    /// be elected (NĐ 59/2023 Điều 9 khoản 3: the ward decides within 60 days), and a
    /// removal opens no new term.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removal: bool,
}

/// A deadline recorded as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineMet {
    pub code: DeadlineCode,
    pub date: Date,
}

/// Which of the law's deadlines a [`Deadline`] is: stable names, for recording one as
/// done (`qcdc due done GROUP ITEM CODE`) and for keeping that record compactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineCode {
    /// Keep a posting up for the law's days: a minimum, not a "by" date.
    KeepPosted,
    /// Disclose within 5 working days of the decision (Điều 12 khoản 3).
    Disclose,
    /// Notice of the year-end community meeting (NĐ 59/2023 Điều 11).
    AnnualNotice,
    /// Election decision and plan, 20 days ahead (NĐ 59/2023 Điều 6 khoản 1 điểm a).
    ElectionPlan,
    /// Candidate list sent to UBND, 15 days ahead (NĐ 59/2023 Điều 6 khoản 2).
    Candidates,
    /// Election team, 10 days ahead (NĐ 59/2023 Điều 6 khoản 1 điểm b).
    ElectionTeam,
    /// Election decisions posted, 7 days ahead (NĐ 59/2023 Điều 6 khoản 1).
    ElectionPosting,
    /// Ballot announced, 2 days ahead (Điều 19 khoản 2).
    BallotNotice,
    /// Meeting notice, 2 days ahead (NĐ 59/2023 Điều 3 khoản 3).
    MeetingNotice,
    /// Decision sent to UBND and UB MTTQ within 5 working days (Điều 20 khoản 3).
    SendResult,
    /// Recognition by UBND / UB MTTQ (Điều 21 khoản 2).
    Recognition,
    /// Recognise or answer in writing (Điều 21 khoản 2), for the recognition item.
    RecogniseOrAnswer,
    /// Answer a recommendation within 15 days (Điều 40, Điều 45).
    Answer,
    /// Tell the investor, 45 days ahead (Điều 45 khoản 1 điểm b).
    Investor,
    /// Inspection plan, 5 working days ahead (NĐ 59/2023 Điều 14 khoản 1 điểm b).
    InspectionPlan,
    /// The end of the entry's period with steps left.
    PeriodEnd,
    /// After a tổ trưởng is removed, the ward decides the new election within 60 days
    /// (NĐ 59/2023 Điều 9 khoản 3).
    Reelect,
}

impl DeadlineCode {
    pub const ALL: [DeadlineCode; 17] = [
        DeadlineCode::KeepPosted,
        DeadlineCode::Disclose,
        DeadlineCode::AnnualNotice,
        DeadlineCode::ElectionPlan,
        DeadlineCode::Candidates,
        DeadlineCode::ElectionTeam,
        DeadlineCode::ElectionPosting,
        DeadlineCode::BallotNotice,
        DeadlineCode::MeetingNotice,
        DeadlineCode::SendResult,
        DeadlineCode::Recognition,
        DeadlineCode::RecogniseOrAnswer,
        DeadlineCode::Answer,
        DeadlineCode::Investor,
        DeadlineCode::InspectionPlan,
        DeadlineCode::PeriodEnd,
        DeadlineCode::Reelect,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeadlineCode::KeepPosted => "keep-posted",
            DeadlineCode::Disclose => "disclose",
            DeadlineCode::AnnualNotice => "annual-notice",
            DeadlineCode::ElectionPlan => "election-plan",
            DeadlineCode::Candidates => "candidates",
            DeadlineCode::ElectionTeam => "election-team",
            DeadlineCode::ElectionPosting => "election-posting",
            DeadlineCode::BallotNotice => "ballot-notice",
            DeadlineCode::MeetingNotice => "meeting-notice",
            DeadlineCode::SendResult => "send-result",
            DeadlineCode::Recognition => "recognition",
            DeadlineCode::RecogniseOrAnswer => "recognise-or-answer",
            DeadlineCode::Answer => "answer",
            DeadlineCode::Investor => "investor",
            DeadlineCode::InspectionPlan => "inspection-plan",
            DeadlineCode::PeriodEnd => "period-end",
            DeadlineCode::Reelect => "reelect",
        }
    }

    pub fn from_code(s: &str) -> Option<DeadlineCode> {
        let s = s.trim();
        DeadlineCode::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s))
    }

    /// Its place in [`DeadlineCode::ALL`]: the bit of a [`met_mask`].
    pub fn index(self) -> u8 {
        DeadlineCode::ALL
            .iter()
            .position(|c| *c == self)
            .unwrap_or(0) as u8
    }

    pub fn from_index(i: u8) -> Option<DeadlineCode> {
        DeadlineCode::ALL.get(i as usize).copied()
    }

    /// Whether the deadline prepares something ahead (a meeting, an election, a
    /// supervision): it matters only while that is still to come.
    pub fn prepares(self) -> bool {
        matches!(
            self,
            DeadlineCode::AnnualNotice
                | DeadlineCode::ElectionPlan
                | DeadlineCode::Candidates
                | DeadlineCode::ElectionTeam
                | DeadlineCode::ElectionPosting
                | DeadlineCode::BallotNotice
                | DeadlineCode::MeetingNotice
                | DeadlineCode::Investor
                | DeadlineCode::InspectionPlan
        )
    }

    /// Whether it can be late at all: a minimum posting time and the period's end
    /// are not "by" dates of the law (the period's end has its own overdue list).
    pub fn can_be_late(self) -> bool {
        !matches!(self, DeadlineCode::KeepPosted | DeadlineCode::PeriodEnd)
    }
}

/// The deadlines recorded as done, one bit per [`DeadlineCode::index`] (what a report
/// keeps of [`Evidence::met`]).
pub fn met_mask(met: &[DeadlineMet]) -> u32 {
    met.iter().fold(0, |m, d| m | 1 << d.code.index())
}

/// One group's own result on a ward-wide decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupVote {
    pub group: GroupId,
    pub count: VoteCount,
}

/// One earlier meeting or ballot of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteRound {
    pub count: VoteCount,
    pub date: Option<Date>,
    pub minutes: String,
}

impl VoteRound {
    /// "300/120/100/meeting/2026-03-10/BB 01" (the audit trail's text form).
    pub fn to_text(&self) -> String {
        let c = &self.count;
        format!(
            "{}/{}/{}/{}/{}/{}",
            c.total,
            c.present,
            c.agree,
            c.form.code(),
            fmt_date(self.date),
            self.minutes
        )
    }

    pub fn from_text(s: &str) -> Result<VoteRound, String> {
        let p: Vec<&str> = s.splitn(6, '/').collect();
        let bad = || format!("bad vote round {s:?}");
        let n = |i: usize| -> Result<u32, String> {
            p.get(i).and_then(|x| x.parse().ok()).ok_or_else(bad)
        };
        let form = p
            .get(3)
            .and_then(|f| super::vote::VoteForm::from_code(f))
            .ok_or_else(bad)?;
        let date = match p.get(4).copied().unwrap_or("") {
            "" => None,
            d => Some(date::parse(d).map_err(|_| bad())?),
        };
        Ok(VoteRound {
            count: VoteCount {
                total: n(0)?,
                present: n(1)?,
                agree: n(2)?,
                form,
            },
            date,
            minutes: p.get(5).copied().unwrap_or("").to_string(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub group: GroupId,
    pub item: String,
    pub period: Period,
    /// Status of each of the six steps, indexed by [`Step::index`].
    pub steps: [StepStatus; 6],
    pub evidence: Evidence,
    /// Bumped by every saved change; edits carry the version they were based on.
    pub version: u64,
}

/// What a report counts of one stored entry — its statuses, meeting date, vote and
/// minutes — borrowed from wherever the entry is kept (the store's tallies, an export
/// document), so reading a city's year allocates nothing per entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryFacts<'a> {
    pub period: Period,
    pub item: &'a str,
    pub steps: [StepStatus; 6],
    pub meeting_date: Option<Date>,
    pub vote: Option<VoteCount>,
    pub minutes: &'a str,
    /// What the law's deadlines run from (issue 13).
    pub posted_from: Option<Date>,
    pub occurred: Option<Date>,
    /// The deadlines recorded as done ([`met_mask`]).
    pub met: u32,
    /// The decision's earlier meetings or ballots (issue 13), each a meeting held.
    pub rounds: Rounds<'a>,
    /// [`Evidence::removal`].
    pub removal: bool,
}

/// The earlier rounds of a decision as a report reads them: an entry's own list, or
/// the compact bytes a store keeps for its reports ([`pack_rounds`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rounds<'a> {
    #[default]
    None,
    List(&'a [VoteRound]),
    Packed(&'a [u8]),
}

/// One earlier round, read from [`Rounds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundFact<'a> {
    pub count: VoteCount,
    pub date: Option<Date>,
    pub minutes: &'a str,
}

impl<'a> Rounds<'a> {
    pub fn iter(self) -> impl Iterator<Item = RoundFact<'a>> {
        let list = match self {
            Rounds::List(l) => l,
            _ => &[],
        };
        let packed = match self {
            Rounds::Packed(b) => b,
            _ => &[],
        };
        list.iter()
            .map(|r| RoundFact {
                count: r.count,
                date: r.date,
                minutes: &r.minutes,
            })
            .chain(PackedRounds { rest: packed })
    }
}

/// Rounds packed one after another: day (i32, days from the common era, `i32::MIN`
/// for none), total, present, agree (u32), form (u8: meeting, ballot, online), the
/// minutes' length (u16) and its UTF-8 bytes; all little-endian.
pub fn pack_rounds(rounds: &[VoteRound]) -> Vec<u8> {
    use chrono::Datelike;
    let mut out = Vec::new();
    for r in rounds {
        let d = r.date.map_or(i32::MIN, |d| d.num_days_from_ce());
        out.extend_from_slice(&d.to_le_bytes());
        for n in [r.count.total, r.count.present, r.count.agree] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        out.push(match r.count.form {
            vote::VoteForm::Meeting => 0,
            vote::VoteForm::Ballot => 1,
            vote::VoteForm::Online => 2,
        });
        let m = r.minutes.as_bytes();
        let m = &m[..m.len().min(u16::MAX as usize)];
        // Cut on a character boundary (minutes are short; this is for safety).
        let cut = (0..=m.len())
            .rev()
            .find(|&i| std::str::from_utf8(&m[..i]).is_ok())
            .unwrap_or(0);
        out.extend_from_slice(&(cut as u16).to_le_bytes());
        out.extend_from_slice(&m[..cut]);
    }
    out
}

struct PackedRounds<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for PackedRounds<'a> {
    type Item = RoundFact<'a>;
    fn next(&mut self) -> Option<RoundFact<'a>> {
        let b = self.rest;
        let u32_at = |i: usize| -> Option<u32> {
            Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
        };
        let day = i32::from_le_bytes(b.get(0..4)?.try_into().ok()?);
        let (total, present, agree) = (u32_at(4)?, u32_at(8)?, u32_at(12)?);
        let form = match *b.get(16)? {
            1 => vote::VoteForm::Ballot,
            2 => vote::VoteForm::Online,
            _ => vote::VoteForm::Meeting,
        };
        let len = u16::from_le_bytes(b.get(17..19)?.try_into().ok()?) as usize;
        let minutes = std::str::from_utf8(b.get(19..19 + len)?).ok()?;
        self.rest = &b[19 + len..];
        Some(RoundFact {
            count: VoteCount {
                total,
                present,
                agree,
                form,
            },
            date: if day == i32::MIN {
                None
            } else {
                Date::from_num_days_from_ce_opt(day)
            },
            minutes,
        })
    }
}

impl EntryFacts<'_> {
    pub fn vote_verdict(&self, item: &Item) -> Option<VoteVerdict> {
        vote::verdict(item.vote?, &self.vote?).ok()
    }

    /// The law's deadlines of this entry ([`Entry::deadlines`]), with `done` unknown
    /// (the report needs only whether each was recorded done: [`EntryFacts::is_met`]).
    pub fn deadlines(&self, item: &Item) -> Vec<Deadline> {
        deadlines_of(
            item,
            DeadlineInputs {
                posted_from: self.posted_from,
                meeting_date: self.meeting_date,
                vote: self.vote,
                occurred: self.occurred,
                removal: self.removal,
            },
        )
    }

    /// The law's deadlines of this entry late on `today` that fall by `until`
    /// ([`is_late`]; `complete`: the entry has no steps left).
    pub fn late_deadlines(
        &self,
        item: &Item,
        until: Date,
        today: Date,
        complete: bool,
    ) -> Vec<Deadline> {
        let keep = |code: DeadlineCode, date: Date, event: Option<Date>| {
            date <= until && is_late_at(code, date, event, self.is_met(code), complete, today)
        };
        deadlines_where(
            item,
            DeadlineInputs {
                posted_from: self.posted_from,
                meeting_date: self.meeting_date,
                vote: self.vote,
                occurred: self.occurred,
                removal: self.removal,
            },
            &keep,
        )
    }

    pub fn is_met(&self, code: DeadlineCode) -> bool {
        self.met & (1 << code.index()) != 0
    }

    /// Whether any deadline can follow from what is recorded (cheap test first).
    pub fn has_dates(&self) -> bool {
        self.posted_from.is_some() || self.meeting_date.is_some() || self.occurred.is_some()
    }
}

/// Whether a law deadline of an entry is late on `today` (issue 13): its day has passed,
/// it is not recorded as done, the entry still has steps left (a finished duty is taken
/// to have kept its deadlines unless recorded otherwise), and — for a deadline that
/// prepares a meeting, an election or a supervision — that is still to come (once it
/// has happened, its preparation can no longer be made good).
pub fn is_late(d: &Deadline, met: bool, complete: bool, today: Date) -> bool {
    is_late_at(d.code, d.date, d.event, met, complete, today)
}

/// [`is_late`] from a deadline's code, day and the day of what it prepares, before any
/// of its words are made.
pub fn is_late_at(
    code: DeadlineCode,
    date: Date,
    event: Option<Date>,
    met: bool,
    complete: bool,
    today: Date,
) -> bool {
    code.can_be_late()
        && !met
        // The new election after a removal is another act than the removal's steps.
        && (!complete || code == DeadlineCode::Reelect)
        && date < today
        && (!code.prepares() || event.is_some_and(|e| e >= today))
}

/// Something about an entry that needs a cadre's attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Warning {
    /// Posted for fewer days than the law asks.
    PostingTooShort { days: i64, min: u16 },
    /// The recorded vote does not reach its threshold.
    VoteFails {
        summary_vi: String,
        summary_en: String,
    },
    /// A date lies outside the entry's period.
    DateOutsidePeriod { date: Date },
    /// The period is over and steps are not done.
    Overdue { due: Date },
}

impl Warning {
    pub fn message(&self, en: bool) -> String {
        match (self, en) {
            (Warning::PostingTooShort { days, min }, false) => {
                format!("Niêm yết {days} ngày, luật yêu cầu ít nhất {min} ngày liên tục")
            }
            (Warning::PostingTooShort { days, min }, true) => {
                format!("Posted {days} days; the law requires at least {min} consecutive days")
            }
            (Warning::VoteFails { summary_vi, .. }, false) => summary_vi.clone(),
            (Warning::VoteFails { summary_en, .. }, true) => summary_en.clone(),
            (Warning::DateOutsidePeriod { date: d }, false) => {
                format!("Ngày {} nằm ngoài kỳ báo cáo", date::format_vi(*d))
            }
            (Warning::DateOutsidePeriod { date: d }, true) => {
                format!(
                    "Date {} is outside the reporting period",
                    date::format_vi(*d)
                )
            }
            (Warning::Overdue { due }, false) => {
                format!("Quá hạn (hạn {})", date::format_vi(*due))
            }
            (Warning::Overdue { due }, true) => format!("Overdue (due {})", date::format_vi(*due)),
        }
    }
}

/// A deadline the law sets, computed from the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub code: DeadlineCode,
    pub what_vi: Cow<'static, str>,
    pub what_en: Cow<'static, str>,
    pub date: Date,
    /// How it is counted ("05 ngày làm việc kể từ ngày họp …").
    #[serde(default)]
    pub rule_vi: Cow<'static, str>,
    #[serde(default)]
    pub rule_en: Cow<'static, str>,
    /// "Điều 20 khoản 3 Luật 10/2022/QH15".
    #[serde(default)]
    pub article: Cow<'static, str>,
    /// For a deadline that prepares something: the day of that meeting, election or
    /// supervision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Date>,
    /// The day it was recorded done ([`Evidence::met`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<Date>,
}

/// What the law's deadlines are computed from.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeadlineInputs {
    pub posted_from: Option<Date>,
    pub meeting_date: Option<Date>,
    pub vote: Option<VoteCount>,
    pub occurred: Option<Date>,
    pub removal: bool,
}

impl Entry {
    pub fn new(group: GroupId, item: &str, period: Period) -> Entry {
        Entry {
            group,
            item: item.to_string(),
            period,
            steps: [StepStatus::Todo; 6],
            evidence: Evidence::default(),
            version: 0,
        }
    }

    pub fn status(&self, step: Step) -> StepStatus {
        self.steps[step.index()]
    }

    pub fn facts(&self) -> EntryFacts<'_> {
        EntryFacts {
            period: self.period,
            item: &self.item,
            steps: self.steps,
            meeting_date: self.evidence.meeting_date,
            vote: self.evidence.vote,
            minutes: &self.evidence.minutes,
            posted_from: self.evidence.posted_from,
            occurred: self.evidence.occurred,
            met: met_mask(&self.evidence.met),
            rounds: Rounds::List(&self.evidence.rounds),
            removal: self.evidence.removal,
        }
    }

    /// Done ÷ applicable over the item's steps that the ward tracks; "không áp dụng"
    /// leaves the denominator.
    pub fn completion(&self, item: &Item, set: StepSet) -> Completion {
        let mut c = Completion::default();
        for step in item.applicable_steps(set) {
            c.add_status(self.status(step));
        }
        c
    }

    pub fn vote_verdict(&self, item: &Item) -> Option<VoteVerdict> {
        let rule = item.vote?;
        let count = self.evidence.vote?;
        vote::verdict(rule, &count).ok()
    }

    /// The day the entry falls due: the end of its period.
    pub fn due(&self) -> Date {
        self.period.end()
    }

    pub fn is_overdue(&self, item: &Item, set: StepSet, today: Date) -> bool {
        today > self.due() && !self.completion(item, set).is_complete()
    }

    pub fn warnings(&self, item: &Item, set: StepSet, today: Date) -> Vec<Warning> {
        let mut w = Vec::new();
        let e = &self.evidence;
        if let (Some(min), Some(from), Some(to)) = (item.min_days, e.posted_from, e.posted_to) {
            // Bộ luật Dân sự 2015 Điều 147: the first day is not counted.
            let days = (to - from).num_days();
            if days < min as i64 {
                w.push(Warning::PostingTooShort { days, min });
            }
        }
        if let Some(v) = self.vote_verdict(item)
            && !v.passes
        {
            w.push(Warning::VoteFails {
                summary_vi: v.summary_vi(),
                summary_en: v.summary_en(),
            });
        }
        for d in [e.posted_from, e.meeting_date, e.occurred]
            .into_iter()
            .flatten()
        {
            if !self.period.contains_date(d) {
                w.push(Warning::DateOutsidePeriod { date: d });
            }
        }
        if self.is_overdue(item, set, today) {
            w.push(Warning::Overdue { due: self.due() });
        }
        w
    }

    /// Deadlines that follow from the dates recorded, each with its rule and article
    /// (issue 13), and the day each was recorded done. See [`deadlines_of`].
    pub fn deadlines(&self, item: &Item) -> Vec<Deadline> {
        let e = &self.evidence;
        let mut out = deadlines_of(
            item,
            DeadlineInputs {
                posted_from: e.posted_from,
                meeting_date: e.meeting_date,
                vote: e.vote,
                occurred: e.occurred,
                removal: e.removal,
            },
        );
        for d in &mut out {
            d.done = e.met.iter().find(|m| m.code == d.code).map(|m| m.date);
        }
        out
    }

    /// Whether the day an occurrence of `item` is registered with is a day ahead (the
    /// start of a supervision or an inspection, whose deadlines run before it: Điều 45
    /// khoản 1 điểm b; NĐ 59/2023 Điều 14 khoản 1 điểm b) rather than a day past.
    pub fn occurs_ahead(item: &Item) -> bool {
        use super::template::Law;
        let c = &item.citation;
        (c.law == Law::Luat10_2022 && c.article == 45)
            || (c.law == Law::Nd59_2023 && c.article == 14)
    }
}

/// Deadlines that follow from the dates recorded, each with its rule and article
/// (issue 13). Days "from" an event do not count the event's day (Bộ luật Dân sự
/// 2015 Điều 147); working days skip Saturdays and Sundays (public holidays are not
/// known, so a working-day deadline is the earliest the law's can be).
pub fn deadlines_of(item: &Item, e: DeadlineInputs) -> Vec<Deadline> {
    deadlines_where(item, e, &|_, _, _| true)
}

/// [`deadlines_of`], keeping only the deadlines `keep` accepts (code, day, the day of
/// what it prepares) — decided before any text is written, so a report that scans a
/// city's entries for late ones builds the words of those alone.
pub fn deadlines_where(
    item: &Item,
    e: DeadlineInputs,
    keep: &dyn Fn(DeadlineCode, Date, Option<Date>) -> bool,
) -> Vec<Deadline> {
    use super::template::{Law, Pillar};
    use super::vote::VoteForm;
    let mut out = Vec::new();
    let c = &item.citation;
    let luat = |art: u16| c.law == Law::Luat10_2022 && c.article == art;
    let clause15 = if luat(15) { c.clause } else { None };
    let wanted = |code, d: Option<Date>, event| d.is_some_and(|d| keep(code, d, event));
    // Posting or consultation for at least N days, the first day not counted.
    if let (Some(min), Some(from)) = (item.min_days, e.posted_from)
        && wanted(
            DeadlineCode::KeepPosted,
            date::days_after(from, min.into()),
            None,
        )
    {
        let article = match (item.pillar, c.law) {
            (Pillar::CongKhai, _) => "Điều 13 khoản 2 Luật 10/2022/QH15".to_string(),
            (Pillar::ThamGiaYKien, _) => "Điều 28 khoản 2 Luật 10/2022/QH15".to_string(),
            (_, Law::Nd61_2023) => "Điều 9 Nghị định 61/2023/NĐ-CP".to_string(),
            _ => c.to_string(),
        };
        put(
            &mut out,
            keep,
            DeadlineCode::KeepPosted,
            None,
            date::days_after(from, min.into()),
            (
                format!("Niêm yết/lấy ý kiến đủ {min} ngày, không gỡ trước"),
                format!("Keep posted/open for {min} days, not before"),
            ),
            (
                format!("{min} ngày, không tính ngày bắt đầu (Điều 147 Bộ luật Dân sự 2015)"),
                format!("{min} days, the first day not counted (Civil Code 2015 Art. 147)"),
            ),
            article,
        );
    }
    // Disclosure within 5 working days of the decision (Điều 12 khoản 3).
    if item.pillar == Pillar::CongKhai
        && let Some(d) = e.occurred
    {
        put(
            &mut out,
            keep,
            DeadlineCode::Disclose,
            None,
            Some(date::add_working_days(d, 5)),
            ("Công khai chậm nhất", "Disclose at the latest"),
            (
                "05 ngày làm việc kể từ ngày có quyết định (trừ thứ Bảy, Chủ nhật)",
                "5 working days from the decision (weekends skipped)",
            ),
            "Điều 12 khoản 3 Luật 10/2022/QH15",
        );
    }
    if let Some(m) = e.meeting_date {
        let form = e.vote.map(|v| v.form);
        if luat(33) {
            put(
                &mut out,
                keep,
                DeadlineCode::AnnualNotice,
                Some(m),
                date::days_before(m, 5),
                (
                    "Gửi thông báo triệu tập hội nghị chậm nhất",
                    "Send the notice of the annual meeting by",
                ),
                (
                    "ít nhất 05 ngày trước hội nghị",
                    "at least 5 days before the meeting",
                ),
                "Điều 11 khoản 1 điểm c Nghị định 59/2023/NĐ-CP",
            );
        } else if clause15 == Some(4) && !e.removal {
            put(
                &mut out,
                keep,
                DeadlineCode::ElectionPlan,
                Some(m),
                date::days_before(m, 20),
                (
                    "Quyết định, kế hoạch bầu cử chậm nhất",
                    "Election decision and plan by",
                ),
                (
                    "ít nhất 20 ngày trước ngày bầu",
                    "at least 20 days before the election",
                ),
                "Điều 6 khoản 1 điểm a Nghị định 59/2023/NĐ-CP",
            );
            put(
                &mut out,
                keep,
                DeadlineCode::Candidates,
                Some(m),
                date::days_before(m, 15),
                (
                    "Gửi UBND phường biên bản danh sách người ứng cử chậm nhất",
                    "Send the ward UBND the candidate list by",
                ),
                (
                    "chậm nhất 15 ngày trước ngày họp bầu",
                    "at least 15 days before the election meeting",
                ),
                "Điều 6 khoản 2 Nghị định 59/2023/NĐ-CP",
            );
            put(
                &mut out,
                keep,
                DeadlineCode::ElectionTeam,
                Some(m),
                date::days_before(m, 10),
                (
                    "Thành lập Tổ bầu cử chậm nhất",
                    "Set up the election team by",
                ),
                (
                    "ít nhất 10 ngày trước ngày bầu",
                    "at least 10 days before the election",
                ),
                "Điều 6 khoản 1 điểm b Nghị định 59/2023/NĐ-CP",
            );
            put(
                &mut out,
                keep,
                DeadlineCode::ElectionPosting,
                Some(m),
                date::days_before(m, 7),
                (
                    "Niêm yết, thông báo các quyết định bầu cử chậm nhất",
                    "Post the election decisions by",
                ),
                (
                    "ít nhất 07 ngày trước ngày bầu",
                    "at least 7 days before the election",
                ),
                "Điều 6 khoản 1 Nghị định 59/2023/NĐ-CP",
            );
        } else if form == Some(VoteForm::Ballot) {
            put(
                &mut out,
                keep,
                DeadlineCode::BallotNotice,
                Some(m),
                date::days_before(m, 2),
                (
                    "Công khai nội dung, thời hạn phát phiếu chậm nhất",
                    "Announce the ballot by",
                ),
                (
                    "ít nhất 02 ngày trước khi phát phiếu",
                    "at least 2 days before the ballot",
                ),
                "Điều 19 khoản 2 Luật 10/2022/QH15",
            );
        } else {
            put(
                &mut out,
                keep,
                DeadlineCode::MeetingNotice,
                Some(m),
                date::days_before(m, 2),
                ("Thông báo họp chậm nhất", "Meeting notice at the latest"),
                (
                    "ít nhất 02 ngày trước cuộc họp",
                    "at least 2 days before the meeting",
                ),
                "Điều 3 khoản 3 Nghị định 59/2023/NĐ-CP",
            );
        }
        if item.vote.is_some() {
            put(
                &mut out,
                keep,
                DeadlineCode::SendResult,
                None,
                Some(date::add_working_days(m, 5)),
                (
                    "Gửi kết quả cho UBND, UB MTTQ phường (5 ngày làm việc)",
                    "Send the decision to the ward UBND and MTTQ (5 working days)",
                ),
                (
                    "05 ngày làm việc kể từ ngày họp / hết hạn phiếu (trừ thứ Bảy, Chủ nhật)",
                    "5 working days from the meeting or ballot (weekends skipped)",
                ),
                "Điều 20 khoản 3 Luật 10/2022/QH15",
            );
        }
        // Hương ước, tổ trưởng, board members take effect on recognition, due 5
        // working days after receipt: at the latest 10 after the vote.
        if matches!(clause15, Some(3..=5))
            && item
                .vote
                .zip(e.vote)
                .and_then(|(rule, count)| vote::verdict(rule, &count).ok())
                .is_some_and(|v| v.passes)
            && wanted(
                DeadlineCode::Recognition,
                Some(date::add_working_days(m, 10)),
                None,
            )
        {
            let by = if clause15 == Some(5) {
                "UB MTTQ"
            } else {
                "UBND"
            };
            put(
                &mut out,
                keep,
                DeadlineCode::Recognition,
                None,
                Some(date::add_working_days(m, 10)),
                (
                    format!("{by} phường công nhận chậm nhất (nếu nhận ngày cuối)"),
                    format!("Ward {by} recognises by (if received on the last day)"),
                ),
                (
                    "05 ngày làm việc kể từ ngày nhận quyết định (trừ thứ Bảy, Chủ nhật)",
                    "5 working days from receiving the decision (weekends skipped)",
                ),
                "Điều 21 khoản 2 Luật 10/2022/QH15",
            );
        }
        // A tổ trưởng removed: the ward decides the new election within 60 days of
        // recognising the removal (NĐ 59/2023 Điều 9 khoản 3). The day of recognition
        // is not known here; counted from the meeting, the earliest it can be.
        if clause15 == Some(4)
            && e.removal
            && item
                .vote
                .zip(e.vote)
                .and_then(|(rule, count)| vote::verdict(rule, &count).ok())
                .is_some_and(|v| v.passes)
        {
            put(
                &mut out,
                keep,
                DeadlineCode::Reelect,
                None,
                date::days_after(m, 60),
                (
                    "UBND phường quyết định bầu Tổ trưởng mới chậm nhất",
                    "Ward UBND decides the new leader's election by",
                ),
                (
                    "trong 60 ngày kể từ ngày công nhận cho thôi; tính từ ngày họp (ngày công nhận không sớm hơn)",
                    "within 60 days of recognising the removal; counted from the meeting (recognition is not earlier)",
                ),
                "Điều 9 khoản 3 Nghị định 59/2023/NĐ-CP",
            );
        }
    }
    if let Some(d) = e.occurred {
        if luat(21) {
            put(
                &mut out,
                keep,
                DeadlineCode::RecogniseOrAnswer,
                None,
                Some(date::add_working_days(d, 5)),
                (
                    "Công nhận hoặc trả lời bằng văn bản chậm nhất",
                    "Recognise or answer in writing by",
                ),
                (
                    "05 ngày làm việc kể từ ngày nhận quyết định (trừ thứ Bảy, Chủ nhật)",
                    "5 working days from receipt (weekends skipped)",
                ),
                "Điều 21 khoản 2 Luật 10/2022/QH15",
            );
        }
        if luat(40) {
            put(
                &mut out,
                keep,
                DeadlineCode::Answer,
                None,
                date::days_after(d, 15),
                (
                    "Thông báo kết quả giải quyết kiến nghị chậm nhất",
                    "Answer the recommendation by",
                ),
                (
                    "15 ngày kể từ ngày nhận kiến nghị, không tính ngày nhận (Điều 147 Bộ luật Dân sự 2015)",
                    "15 days from receipt, that day not counted (Civil Code 2015 Art. 147)",
                ),
                "Điều 40 khoản 1 điểm c; Điều 45 khoản 2 điểm c Luật 10/2022/QH15",
            );
        }
        if luat(45) {
            put(
                &mut out,
                keep,
                DeadlineCode::Investor,
                Some(d),
                date::days_before(d, 45),
                (
                    "Thông báo chủ đầu tư kế hoạch, thành phần Ban chậm nhất",
                    "Tell the investor the plan and members by",
                ),
                (
                    "chậm nhất 45 ngày trước ngày thực hiện giám sát",
                    "at least 45 days before the supervision",
                ),
                "Điều 45 khoản 1 điểm b Luật 10/2022/QH15",
            );
        }
        if c.law == Law::Nd59_2023 && c.article == 14 {
            put(
                &mut out,
                keep,
                DeadlineCode::InspectionPlan,
                Some(d),
                Some(date::sub_working_days(d, 5)),
                (
                    "Gửi kế hoạch kiểm tra, giám sát chậm nhất",
                    "Send the inspection plan by",
                ),
                (
                    "05 ngày làm việc trước khi kiểm tra, giám sát (trừ thứ Bảy, Chủ nhật)",
                    "5 working days before the inspection (weekends skipped)",
                ),
                "Điều 14 khoản 1 điểm b Nghị định 59/2023/NĐ-CP",
            );
        }
    }
    out.sort_by_key(|d| d.date);
    out
}

/// One deadline into `out`, when it has a day and `keep` wants it: the words are made
/// only then, and borrowed when they are the law's fixed text.
#[allow(clippy::too_many_arguments)]
fn put(
    out: &mut Vec<Deadline>,
    keep: &dyn Fn(DeadlineCode, Date, Option<Date>) -> bool,
    code: DeadlineCode,
    event: Option<Date>,
    d: Option<Date>,
    what: (impl Into<Cow<'static, str>>, impl Into<Cow<'static, str>>),
    rule: (impl Into<Cow<'static, str>>, impl Into<Cow<'static, str>>),
    article: impl Into<Cow<'static, str>>,
) {
    if let Some(date) = d
        && keep(code, date, event)
    {
        out.push(Deadline {
            code,
            event,
            done: None,
            what_vi: what.0.into(),
            what_en: what.1.into(),
            date,
            rule_vi: rule.0.into(),
            rule_en: rule.1.into(),
            article: article.into(),
        });
    }
}

/// The fields of an entry as the audit trail names them. Diff and undo both go through
/// this one mapping, so whatever can be changed can be undone.
pub fn fields(set_steps: &[Step]) -> Vec<String> {
    let mut f: Vec<String> = set_steps
        .iter()
        .map(|s| format!("step:{}", s.code()))
        .collect();
    for name in [
        "posted_from",
        "posted_to",
        "meeting_date",
        "vote",
        "minutes",
        "responsible",
        "note",
        "occurred",
        "title",
        "rounds",
        "group_votes",
        "met",
        "removal",
    ] {
        f.push(name.to_string());
    }
    f
}

fn fmt_date(d: Option<Date>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

impl Entry {
    /// The value of a field as text ("" for empty).
    pub fn field_value(&self, field: &str) -> String {
        let e = &self.evidence;
        if let Some(code) = field.strip_prefix("step:") {
            return Step::from_code(code)
                .map(|s| self.status(s).code().to_string())
                .unwrap_or_default();
        }
        match field {
            "posted_from" => fmt_date(e.posted_from),
            "posted_to" => fmt_date(e.posted_to),
            "meeting_date" => fmt_date(e.meeting_date),
            "vote" => e
                .vote
                .map(|v| format!("{}/{}/{}/{}", v.total, v.present, v.agree, v.form.code()))
                .unwrap_or_default(),
            "minutes" => e.minutes.clone(),
            "responsible" => e.responsible.clone(),
            "note" => e.note.clone(),
            "occurred" => fmt_date(e.occurred),
            "title" => e.title.clone(),
            "rounds" => e
                .rounds
                .iter()
                .map(VoteRound::to_text)
                .collect::<Vec<_>>()
                .join("\n"),
            "group_votes" => e
                .group_votes
                .iter()
                .map(|g| {
                    let c = &g.count;
                    format!(
                        "{}:{}/{}/{}/{}",
                        g.group,
                        c.total,
                        c.present,
                        c.agree,
                        c.form.code()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            "removal" => if e.removal { "1" } else { "" }.to_string(),
            "met" => e
                .met
                .iter()
                .map(|m| format!("{}={}", m.code.code(), fmt_date(Some(m.date))))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => String::new(),
        }
    }

    /// Set a field from its text form (the inverse of [`Entry::field_value`]).
    pub fn set_field(&mut self, field: &str, value: &str) -> Result<(), String> {
        let date = |v: &str| -> Result<Option<Date>, String> {
            if v.is_empty() {
                Ok(None)
            } else {
                date::parse(v).map(Some).map_err(|e| e.to_string())
            }
        };
        if let Some(code) = field.strip_prefix("step:") {
            let step: Step = code
                .parse()
                .map_err(|e: super::step::UnknownStep| e.to_string())?;
            let status: StepStatus = value.parse().map_err(|e: UnknownStatus| e.to_string())?;
            self.steps[step.index()] = status;
            return Ok(());
        }
        let e = &mut self.evidence;
        match field {
            "posted_from" => e.posted_from = date(value)?,
            "posted_to" => e.posted_to = date(value)?,
            "meeting_date" => e.meeting_date = date(value)?,
            "vote" => {
                e.vote = if value.is_empty() {
                    None
                } else {
                    let p: Vec<&str> = value.split('/').collect();
                    let n = |i: usize| -> Result<u32, String> {
                        p.get(i)
                            .and_then(|s| s.parse().ok())
                            .ok_or_else(|| format!("bad vote {value:?}"))
                    };
                    let form = p
                        .get(3)
                        .and_then(|f| super::vote::VoteForm::from_code(f))
                        .unwrap_or_default();
                    Some(VoteCount {
                        total: n(0)?,
                        present: n(1)?,
                        agree: n(2)?,
                        form,
                    })
                }
            }
            "minutes" => e.minutes = value.to_string(),
            "responsible" => e.responsible = value.to_string(),
            "note" => e.note = value.to_string(),
            "occurred" => e.occurred = date(value)?,
            "title" => e.title = value.to_string(),
            "group_votes" => {
                e.group_votes = value
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(|l| {
                        let bad = || format!("bad group vote {l:?}");
                        let (g, v) = l.split_once(':').ok_or_else(bad)?;
                        let p: Vec<&str> = v.split('/').collect();
                        let n = |i: usize| -> Result<u32, String> {
                            p.get(i).and_then(|x| x.parse().ok()).ok_or_else(bad)
                        };
                        Ok(GroupVote {
                            group: g.parse().map_err(|_| bad())?,
                            count: VoteCount {
                                total: n(0)?,
                                present: n(1)?,
                                agree: n(2)?,
                                form: p
                                    .get(3)
                                    .and_then(|f| super::vote::VoteForm::from_code(f))
                                    .ok_or_else(bad)?,
                            },
                        })
                    })
                    .collect::<Result<_, String>>()?
            }
            "rounds" => {
                e.rounds = value
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(VoteRound::from_text)
                    .collect::<Result<_, _>>()?
            }
            "removal" => {
                e.removal = match value {
                    "" | "0" => false,
                    "1" => true,
                    other => return Err(format!("bad removal flag {other:?}")),
                }
            }
            "met" => {
                e.met = value
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(|l| {
                        let bad = || format!("bad deadline record {l:?}");
                        let (c, d) = l.split_once('=').ok_or_else(bad)?;
                        Ok(DeadlineMet {
                            code: DeadlineCode::from_code(c).ok_or_else(bad)?,
                            date: date::parse(d).map_err(|_| bad())?,
                        })
                    })
                    .collect::<Result<_, String>>()?
            }
            other => return Err(format!("unknown field {other:?}")),
        }
        Ok(())
    }

    /// What changed from `old` to `self`, field by field.
    pub fn diff(old: &Entry, new: &Entry) -> Vec<crate::domain::audit::Change> {
        fields(&Step::ALL)
            .into_iter()
            .filter_map(|f| {
                let (a, b) = (old.field_value(&f), new.field_value(&f));
                (a != b).then_some(crate::domain::audit::Change {
                    field: f,
                    old: a,
                    new: b,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::template::{Citation, Law, Pillar, Recurrence, Scope};

    fn item(steps: Vec<Step>) -> Item {
        Item {
            code: "BQ-01".into(),
            title: "Bàn mức đóng góp".into(),
            title_en: String::new(),
            pillar: Pillar::BanQuyetDinh,
            section: crate::domain::template::Section::Decisions,
            steps,
            recurrence: Recurrence::Event,
            scope: Scope::Group,
            evidence: vec![],
            citation: Citation {
                law: Law::Luat10_2022,
                article: 15,
                clause: Some(1),
                text: "Điều 15 khoản 1".into(),
            },
            vote: Some(crate::domain::VoteRule::TwoThirds),
            min_days: Some(30),
            retired: false,
            retired_from: None,
        }
    }

    #[test]
    fn not_applicable_leaves_the_denominator() {
        let it = item(Step::ALL.to_vec());
        let mut e = Entry::new(1, "BQ-01", Period::Year(2026));
        e.steps[Step::Biet.index()] = StepStatus::Done;
        e.steps[Step::Ban.index()] = StepStatus::NotApplicable;
        let c = e.completion(&it, StepSet::Four);
        assert_eq!((c.done, c.applicable), (1, 3));
        let c6 = e.completion(&it, StepSet::Six);
        assert_eq!((c6.done, c6.applicable), (1, 5));
    }

    #[test]
    fn overdue_only_after_the_period_ends_and_while_incomplete() {
        let it = item(vec![Step::Biet]);
        let mut e = Entry::new(1, "BQ-01", Period::Quarter(2026, 3));
        let oct = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let sep = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
        assert!(e.is_overdue(&it, StepSet::Four, oct));
        assert!(!e.is_overdue(&it, StepSet::Four, sep));
        e.steps[0] = StepStatus::Done;
        assert!(!e.is_overdue(&it, StepSet::Four, oct));
    }

    #[test]
    fn short_posting_and_failed_vote_are_warned() {
        let it = item(vec![Step::Biet, Step::Ban]);
        let mut e = Entry::new(1, "BQ-01", Period::Quarter(2026, 3));
        e.evidence.posted_from = date::parse("2026-07-01").ok();
        e.evidence.posted_to = date::parse("2026-07-20").ok();
        e.evidence.vote = Some(VoteCount {
            total: 300,
            present: 250,
            agree: 199,
            form: crate::domain::VoteForm::Meeting,
        });
        let w = e.warnings(&it, StepSet::Four, date::parse("2026-08-01").unwrap());
        // 01/07 → 20/07 is 19 days: the first day is not counted (BLDS 2015 Điều 147).
        assert!(w.contains(&Warning::PostingTooShort { days: 19, min: 30 }));
        assert!(w.iter().any(|w| matches!(w, Warning::VoteFails { .. })));
        // 01/07 → 30/07 is 29 days, still short of 30; → 31/07 is enough.
        e.evidence.posted_to = date::parse("2026-07-30").ok();
        let w = e.warnings(&it, StepSet::Four, date::parse("2026-08-01").unwrap());
        assert!(w.contains(&Warning::PostingTooShort { days: 29, min: 30 }));
        e.evidence.posted_to = date::parse("2026-07-31").ok();
        let w = e.warnings(&it, StepSet::Four, date::parse("2026-08-01").unwrap());
        assert!(
            !w.iter()
                .any(|w| matches!(w, Warning::PostingTooShort { .. }))
        );
    }

    fn deadline<'a>(ds: &'a [Deadline], article: &str) -> &'a Deadline {
        ds.iter()
            .find(|d| d.article.starts_with(article))
            .unwrap_or_else(|| panic!("no deadline under {article}: {ds:#?}"))
    }

    fn day(s: &str) -> Date {
        date::parse(s).unwrap()
    }

    /// Worked examples of each deadline the law sets (issue 13), weekends skipped for
    /// working days, the first day not counted for days.
    #[test]
    fn deadlines_of_a_decision_dieu_20_khoan_3_dieu_21_khoan_2_nd_59_dieu_3() {
        let mut it = item(vec![Step::Biet, Step::Ban]);
        let mut e = Entry::new(1, "BQ-01", Period::Year(2026));
        // Friday 7 Aug 2026.
        e.evidence.meeting_date = Some(day("2026-08-07"));
        let ds = e.deadlines(&it);
        assert_eq!(deadline(&ds, "Điều 3 khoản 3").date, day("2026-08-05"));
        // 5 working days after Friday 7/8: Mon 10 … Fri 14.
        assert_eq!(deadline(&ds, "Điều 20 khoản 3").date, day("2026-08-14"));
        // Posting ≥ 30 days from 01/07 ends 31/07 (Điều 13 khoản 2; BLDS Điều 147).
        it.pillar = crate::domain::template::Pillar::CongKhai;
        e.evidence.posted_from = Some(day("2026-07-01"));
        e.evidence.occurred = Some(day("2026-06-26")); // a Friday
        let ds = e.deadlines(&it);
        assert_eq!(deadline(&ds, "Điều 13 khoản 2").date, day("2026-07-31"));
        assert!(
            deadline(&ds, "Điều 13 khoản 2")
                .rule_vi
                .contains("Điều 147")
        );
        // Disclosure 5 working days after Friday 26/06: Fri 03/07 (Điều 12 khoản 3).
        assert_eq!(deadline(&ds, "Điều 12 khoản 3").date, day("2026-07-03"));
    }

    /// Issue 13: when a law deadline is late. Điều 20 khoản 3 (send the result, after
    /// the meeting) is late once passed, unless recorded done or the duty finished;
    /// NĐ 59/2023 Điều 3 khoản 3 (the meeting notice, before it) only while the meeting
    /// is still ahead; a minimum posting time is never "late".
    #[test]
    fn is_late_follows_the_kind_of_deadline_dieu_20_khoan_3_nd_59_dieu_3_khoan_3() {
        let mk = |code, date: &str, event: Option<&str>| Deadline {
            code,
            what_vi: "".into(),
            what_en: "".into(),
            date: day(date),
            rule_vi: "".into(),
            rule_en: "".into(),
            article: "".into(),
            event: event.map(day),
            done: None,
        };
        let today = day("2026-03-20");
        let send = mk(DeadlineCode::SendResult, "2026-03-12", None);
        assert!(is_late(&send, false, false, today));
        assert!(!is_late(&send, true, false, today), "recorded done");
        assert!(!is_late(&send, false, true, today), "the duty is finished");
        let ahead = mk(DeadlineCode::SendResult, "2026-03-20", None);
        assert!(
            !is_late(&ahead, false, false, today),
            "due today is not late"
        );
        let notice_held = mk(
            DeadlineCode::MeetingNotice,
            "2026-03-10",
            Some("2026-03-12"),
        );
        assert!(
            !is_late(&notice_held, false, false, today),
            "the meeting was held"
        );
        let notice_ahead = mk(
            DeadlineCode::MeetingNotice,
            "2026-03-18",
            Some("2026-03-20"),
        );
        assert!(
            is_late(&notice_ahead, false, false, today),
            "the meeting is today"
        );
        let posted = mk(DeadlineCode::KeepPosted, "2026-03-01", None);
        assert!(!is_late(&posted, false, false, today));
        let end = mk(DeadlineCode::PeriodEnd, "2026-03-01", None);
        assert!(!is_late(&end, false, false, today));
        // A record of what was done keeps its day through the audit text and back.
        let mut e = Entry::new(1, "BQ-01", Period::Year(2026));
        e.evidence.met = vec![DeadlineMet {
            code: DeadlineCode::SendResult,
            date: day("2026-03-11"),
        }];
        let text = e.field_value("met");
        assert_eq!(text, "send-result=2026-03-11");
        let mut back = Entry::new(1, "BQ-01", Period::Year(2026));
        back.set_field("met", &text).unwrap();
        assert_eq!(back.evidence.met, e.evidence.met);
        assert!(back.set_field("met", "sent=2026-03-11").is_err());
        for c in DeadlineCode::ALL {
            assert_eq!(DeadlineCode::from_code(c.code()), Some(c));
            assert_eq!(DeadlineCode::from_index(c.index()), Some(c));
        }
    }

    /// The compact rounds a store keeps for reports read back as the entry's own.
    #[test]
    fn packed_rounds_read_back_as_the_list() {
        let rounds = vec![
            VoteRound {
                count: VoteCount {
                    total: 300,
                    present: 120,
                    agree: 110,
                    form: crate::domain::VoteForm::Meeting,
                },
                date: Some(day("2026-08-10")),
                minutes: "Biên bản số 07/BB-TDP".into(),
            },
            VoteRound {
                count: VoteCount {
                    total: 300,
                    present: 0,
                    agree: 0,
                    form: crate::domain::VoteForm::Ballot,
                },
                date: None,
                minutes: String::new(),
            },
        ];
        let packed = pack_rounds(&rounds);
        let a: Vec<RoundFact> = Rounds::Packed(&packed).iter().collect();
        let b: Vec<RoundFact> = Rounds::List(&rounds).iter().collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
        // Cut bytes end the list; they never panic.
        for n in 0..packed.len() {
            assert!(Rounds::Packed(&packed[..n]).iter().count() <= 2);
        }
    }

    /// NĐ 59/2023 Điều 9 khoản 3: a tổ trưởng removed at a meeting on Monday
    /// 02/03/2026 — the ward decides the new election within 60 days (counted from the
    /// meeting, the first day not counted: Friday 01/05/2026). A removal meeting has the
    /// ordinary notice (Điều 3 khoản 3), not the election timetable of Điều 6; the new
    /// election stays due when the removal's own steps are done.
    #[test]
    fn a_removal_has_the_60_days_to_the_new_election_nd_59_dieu_9_khoan_3() {
        let mut it = item(vec![Step::Biet, Step::Ban]);
        it.citation.clause = Some(4);
        it.vote = Some(crate::domain::VoteRule::Majority);
        let mut e = Entry::new(1, "BQ-04#2", Period::Year(2026));
        e.evidence.removal = true;
        e.evidence.meeting_date = Some(day("2026-03-02"));
        e.evidence.vote = Some(VoteCount {
            total: 300,
            present: 250,
            agree: 200,
            form: crate::domain::VoteForm::Meeting,
        });
        let ds = e.deadlines(&it);
        let r = ds
            .iter()
            .find(|d| d.code == DeadlineCode::Reelect)
            .expect("the new election's deadline");
        assert_eq!(r.date, day("2026-05-01"));
        assert!(r.article.starts_with("Điều 9 khoản 3"), "{}", r.article);
        assert!(ds.iter().any(|d| d.code == DeadlineCode::MeetingNotice));
        assert!(!ds.iter().any(|d| matches!(
            d.code,
            DeadlineCode::ElectionPlan
                | DeadlineCode::Candidates
                | DeadlineCode::ElectionTeam
                | DeadlineCode::ElectionPosting
        )));
        assert!(is_late(r, false, true, day("2026-05-02")), "steps done");
        assert!(!is_late(r, true, true, day("2026-05-02")), "recorded done");
        // An election (not a removal) has no such deadline; a failed removal neither.
        e.evidence.removal = false;
        assert!(
            !e.deadlines(&it)
                .iter()
                .any(|d| d.code == DeadlineCode::Reelect)
        );
        e.evidence.removal = true;
        e.evidence.vote = Some(VoteCount {
            total: 300,
            present: 250,
            agree: 100,
            form: crate::domain::VoteForm::Meeting,
        });
        assert!(
            !e.deadlines(&it)
                .iter()
                .any(|d| d.code == DeadlineCode::Reelect)
        );
        // The flag goes through the audit text and back.
        let mut back = Entry::new(1, "BQ-04#2", Period::Year(2026));
        back.set_field("removal", "1").unwrap();
        assert!(back.evidence.removal);
        assert_eq!(back.field_value("removal"), "1");
        assert!(back.set_field("removal", "yes").is_err());
    }

    #[test]
    fn deadlines_of_an_election_and_a_hương_ước_nd_59_dieu_6_dieu_21_khoan_2() {
        let mut it = item(vec![Step::Biet, Step::Ban]);
        it.citation.clause = Some(4);
        it.vote = Some(crate::domain::VoteRule::Majority);
        let mut e = Entry::new(1, "BQ-04", Period::Year(2026));
        e.evidence.meeting_date = Some(day("2026-08-30")); // a Sunday
        e.evidence.vote = Some(VoteCount {
            total: 300,
            present: 250,
            agree: 200,
            form: crate::domain::VoteForm::Meeting,
        });
        let ds = e.deadlines(&it);
        assert_eq!(
            deadline(&ds, "Điều 6 khoản 1 điểm a").date,
            day("2026-08-10")
        );
        assert_eq!(
            deadline(&ds, "Điều 6 khoản 1 điểm b").date,
            day("2026-08-20")
        );
        // The candidate list reaches UBND 15 days ahead (NĐ 59/2023 Điều 6 khoản 2).
        let c = deadline(&ds, "Điều 6 khoản 2");
        assert_eq!(
            (c.code, c.date),
            (DeadlineCode::Candidates, day("2026-08-15"))
        );
        assert_eq!(c.event, Some(day("2026-08-30")));
        assert_eq!(
            ds.iter()
                .find(|d| d.article == "Điều 6 khoản 1 Nghị định 59/2023/NĐ-CP")
                .unwrap()
                .date,
            day("2026-08-23")
        );
        assert!(!ds.iter().any(|d| d.article.starts_with("Điều 3 khoản 3")));
        // Sent by Fri 04/09, recognised by UBND at the latest Fri 11/09.
        assert_eq!(deadline(&ds, "Điều 20 khoản 3").date, day("2026-09-04"));
        assert_eq!(deadline(&ds, "Điều 21 khoản 2").date, day("2026-09-11"));
    }

    #[test]
    fn deadlines_of_answers_inspections_and_investors_dieu_40_45_nd_59_dieu_11_14() {
        let mut it = item(vec![Step::Lam]);
        it.vote = None;
        it.pillar = crate::domain::template::Pillar::KiemTraGiamSat;
        let set = |it: &mut Item, law, article| {
            it.citation.law = law;
            it.citation.article = article;
        };
        use crate::domain::template::Law;
        let mut e = Entry::new(0, "GS-11", Period::Year(2026));
        e.evidence.occurred = Some(day("2026-10-01"));
        set(&mut it, Law::Luat10_2022, 40);
        assert_eq!(
            deadline(&e.deadlines(&it), "Điều 40").date,
            day("2026-10-16")
        );
        set(&mut it, Law::Luat10_2022, 45);
        assert_eq!(
            deadline(&e.deadlines(&it), "Điều 45").date,
            day("2026-08-17")
        );
        // Thursday 1 Oct − 5 working days = Thursday 24 Sep.
        set(&mut it, Law::Nd59_2023, 14);
        assert_eq!(
            deadline(&e.deadlines(&it), "Điều 14").date,
            day("2026-09-24")
        );
        // The year-end meeting: notice 5 days ahead (NĐ 59/2023 Điều 11 khoản 1 điểm c).
        set(&mut it, Law::Luat10_2022, 33);
        e.evidence.meeting_date = Some(day("2026-12-28"));
        assert_eq!(
            deadline(&e.deadlines(&it), "Điều 11 khoản 1").date,
            day("2026-12-23")
        );
    }

    #[test]
    fn toggling_cycles_without_reaching_not_applicable() {
        let mut s = StepStatus::Todo;
        for _ in 0..10 {
            s = s.toggled();
            assert_ne!(s, StepStatus::NotApplicable);
        }
        assert_eq!(StepStatus::NotApplicable.toggled(), StepStatus::Todo);
    }

    #[test]
    fn every_field_round_trips_through_its_text_form() {
        let mut e = Entry::new(1, "BQ-01", Period::Quarter(2026, 3));
        e.steps[1] = StepStatus::Done;
        e.evidence.posted_from = date::parse("2026-07-01").ok();
        e.evidence.vote = Some(VoteCount {
            total: 300,
            present: 250,
            agree: 205,
            form: crate::domain::VoteForm::Ballot,
        });
        e.evidence.note = "Ghi chú".into();
        let blank = Entry::new(1, "BQ-01", Period::Quarter(2026, 3));
        let changes = Entry::diff(&blank, &e);
        assert_eq!(changes.len(), 4);
        let mut back = blank.clone();
        for c in &changes {
            back.set_field(&c.field, &c.new).unwrap();
        }
        assert_eq!(back, e);
        for c in &changes {
            back.set_field(&c.field, &c.old).unwrap();
        }
        assert_eq!(back, blank);
    }

    #[test]
    fn statuses_parse_in_both_languages() {
        assert_eq!("đã xong".parse::<StepStatus>().unwrap(), StepStatus::Done);
        assert_eq!(
            "na".parse::<StepStatus>().unwrap(),
            StepStatus::NotApplicable
        );
        assert_eq!("Chưa làm".parse::<StepStatus>().unwrap(), StepStatus::Todo);
        assert!("maybe".parse::<StepStatus>().is_err());
    }
}

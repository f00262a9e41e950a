//! Frozen record types: the exact shape of what is on disk.
//!
//! These never change once released. A new shape gets a new type (`…V2`) and a
//! migration in `migrate.rs`; domain types are converted to and from these, so the
//! domain can evolve without touching stored bytes.

use crate::domain::audit::{Actor, AuditRecord, Change};
use crate::domain::date::Date;
use crate::domain::entry::{Entry, Evidence, StepStatus};
use crate::domain::period::Period;
use crate::domain::step::StepSet;
use crate::domain::template::Item;
use crate::domain::vote::{VoteCount, VoteForm};
use crate::domain::ward::{Branch, Group, Ward};
use chrono::Datelike;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

pub fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    // Encoding plain structs into a Vec cannot fail.
    bincode::serde::encode_to_vec(v, bincode::config::standard()).unwrap_or_default()
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let cfg = bincode::config::standard().with_limit::<{ 16 * 1024 * 1024 }>();
    match bincode::serde::decode_from_slice(bytes, cfg) {
        Ok((v, n)) if n == bytes.len() => Some(v),
        _ => None,
    }
}

fn date_to(d: Option<Date>) -> Option<i32> {
    d.map(|d| d.num_days_from_ce())
}

fn date_from(d: Option<i32>) -> Option<Date> {
    d.and_then(Date::from_num_days_from_ce_opt)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardV1 {
    pub name: String,
    pub steps: u8,
    pub current_period: Option<[u8; 4]>,
}

impl WardV1 {
    pub fn into_domain(self) -> Option<Ward> {
        Some(Ward {
            name: self.name,
            steps: StepSet::from_count(self.steps)?,
            current_period: self.current_period.and_then(Period::from_key),
            term: None,
        })
    }
}

/// Schema 4: the ward with its current term (start and end year), issue 13.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardV2 {
    pub name: String,
    pub steps: u8,
    pub current_period: Option<[u8; 4]>,
    pub term: Option<(u16, u16)>,
}

impl From<&Ward> for WardV2 {
    fn from(w: &Ward) -> Self {
        WardV2 {
            name: w.name.clone(),
            steps: w.steps.count(),
            current_period: w.current_period.map(Period::to_key),
            term: w.term.map(|t| (t.start, t.end)),
        }
    }
}

impl WardV2 {
    pub fn into_domain(self) -> Option<Ward> {
        Some(Ward {
            name: self.name,
            steps: StepSet::from_count(self.steps)?,
            current_period: self.current_period.and_then(Period::from_key),
            term: self
                .term
                .map(|(start, end)| crate::domain::ward::Term { start, end }),
        })
    }
}

/// The stored ward: schema 4's record or an older one.
pub fn decode_ward(bytes: &[u8]) -> Option<Ward> {
    decode::<WardV2>(bytes)
        .and_then(WardV2::into_domain)
        .or_else(|| decode::<WardV1>(bytes).and_then(WardV1::into_domain))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchV1 {
    pub name: String,
}

impl BranchV1 {
    pub fn into_domain(self, id: u32) -> Branch {
        Branch {
            id,
            name: self.name,
        }
    }
}

/// Schema 1: a group had no front-committee head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupV1 {
    pub branch: u32,
    pub name: String,
    pub leader: String,
    pub households: u32,
}

/// Schema 2: adds the trưởng ban công tác Mặt trận.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupV2 {
    pub branch: u32,
    pub name: String,
    pub leader: String,
    pub front_head: String,
    pub households: u32,
}

impl From<GroupV1> for GroupV2 {
    fn from(g: GroupV1) -> Self {
        GroupV2 {
            branch: g.branch,
            name: g.name,
            leader: g.leader,
            front_head: String::new(),
            households: g.households,
        }
    }
}

impl From<&Group> for GroupV2 {
    fn from(g: &Group) -> Self {
        GroupV2 {
            branch: g.branch,
            name: g.name.clone(),
            leader: g.leader.clone(),
            front_head: g.front_head.clone(),
            households: g.households,
        }
    }
}

impl GroupV2 {
    pub fn into_domain(self, id: u32) -> Group {
        Group {
            id,
            branch: self.branch,
            name: self.name,
            leader: self.leader,
            front_head: self.front_head,
            households: self.households,
        }
    }
}

/// A template item as stored: the domain item, serialised as JSON text inside the
/// record so that adding an optional field to items never needs a migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemV1 {
    pub order: u32,
    pub json: String,
}

impl ItemV1 {
    pub fn from_domain(order: u32, item: &Item) -> ItemV1 {
        ItemV1 {
            order,
            json: serde_json::to_string(item).unwrap_or_default(),
        }
    }

    pub fn into_domain(self) -> Option<Item> {
        serde_json::from_str(&self.json).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteV1 {
    pub total: u32,
    pub present: u32,
    pub agree: u32,
    pub form: u8,
}

impl VoteV1 {
    pub fn count(&self) -> VoteCount {
        VoteCount {
            total: self.total,
            present: self.present,
            agree: self.agree,
            form: match self.form {
                1 => VoteForm::Ballot,
                2 => VoteForm::Online,
                _ => VoteForm::Meeting,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryV1 {
    pub version: u64,
    pub steps: [u8; 6],
    pub posted_from: Option<i32>,
    pub posted_to: Option<i32>,
    pub meeting_date: Option<i32>,
    pub vote: Option<VoteV1>,
    pub minutes: String,
    pub responsible: String,
    pub note: String,
}

impl EntryV1 {
    pub fn into_domain(self, group: u32, item: String, period: Period) -> Entry {
        Entry {
            group,
            item,
            period,
            steps: self
                .steps
                .map(|s| StepStatus::from_u8(s).unwrap_or_default()),
            evidence: Evidence {
                posted_from: date_from(self.posted_from),
                posted_to: date_from(self.posted_to),
                meeting_date: date_from(self.meeting_date),
                vote: self.vote.as_ref().map(VoteV1::count),
                minutes: self.minutes,
                responsible: self.responsible,
                note: self.note,
                occurred: None,
                title: String::new(),
                rounds: Vec::new(),
                group_votes: Vec::new(),
                met: Vec::new(),
                removal: false,
            },
            version: self.version,
        }
    }
}

/// Schema 4: an entry with the day its occurrence arose and what it is (for items
/// that arise per event or per term, issue 13). Schema 3's [`EntryV1`] plus two fields
/// at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryV2 {
    pub version: u64,
    pub steps: [u8; 6],
    pub posted_from: Option<i32>,
    pub posted_to: Option<i32>,
    pub meeting_date: Option<i32>,
    pub vote: Option<VoteV1>,
    pub minutes: String,
    pub responsible: String,
    pub note: String,
    pub occurred: Option<i32>,
    pub title: String,
    pub rounds: Vec<RoundV1>,
    /// (group id, its own result) for a ward-wide decision.
    pub group_votes: Vec<(u32, VoteV1)>,
}

/// Schema 4: an earlier meeting or ballot of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundV1 {
    pub vote: VoteV1,
    pub date: Option<i32>,
    pub minutes: String,
}

impl RoundV1 {
    pub fn to_domain(&self) -> crate::domain::entry::VoteRound {
        crate::domain::entry::VoteRound {
            count: self.vote.count(),
            date: date_from(self.date),
            minutes: self.minutes.clone(),
        }
    }
}

fn vote_v1(v: &VoteCount) -> VoteV1 {
    VoteV1 {
        total: v.total,
        present: v.present,
        agree: v.agree,
        form: match v.form {
            VoteForm::Meeting => 0,
            VoteForm::Ballot => 1,
            VoteForm::Online => 2,
        },
    }
}

impl From<&Entry> for EntryV2 {
    fn from(e: &Entry) -> Self {
        let ev = &e.evidence;
        EntryV2 {
            version: e.version,
            steps: e.steps.map(StepStatus::to_u8),
            posted_from: date_to(ev.posted_from),
            posted_to: date_to(ev.posted_to),
            meeting_date: date_to(ev.meeting_date),
            vote: ev.vote.map(|v| VoteV1 {
                total: v.total,
                present: v.present,
                agree: v.agree,
                form: match v.form {
                    VoteForm::Meeting => 0,
                    VoteForm::Ballot => 1,
                    VoteForm::Online => 2,
                },
            }),
            minutes: ev.minutes.clone(),
            responsible: ev.responsible.clone(),
            note: ev.note.clone(),
            occurred: date_to(ev.occurred),
            title: ev.title.clone(),
            rounds: ev
                .rounds
                .iter()
                .map(|r| RoundV1 {
                    vote: vote_v1(&r.count),
                    date: date_to(r.date),
                    minutes: r.minutes.clone(),
                })
                .collect(),
            group_votes: ev
                .group_votes
                .iter()
                .map(|g| (g.group, vote_v1(&g.count)))
                .collect(),
        }
    }
}

impl From<EntryV1> for EntryV2 {
    fn from(o: EntryV1) -> Self {
        EntryV2 {
            version: o.version,
            steps: o.steps,
            posted_from: o.posted_from,
            posted_to: o.posted_to,
            meeting_date: o.meeting_date,
            vote: o.vote,
            minutes: o.minutes,
            responsible: o.responsible,
            note: o.note,
            occurred: None,
            title: String::new(),
            rounds: Vec::new(),
            group_votes: Vec::new(),
        }
    }
}

impl EntryV2 {
    pub fn into_domain(self, group: u32, item: String, period: Period) -> Entry {
        Entry {
            group,
            item,
            period,
            steps: self
                .steps
                .map(|s| StepStatus::from_u8(s).unwrap_or_default()),
            evidence: Evidence {
                posted_from: date_from(self.posted_from),
                posted_to: date_from(self.posted_to),
                meeting_date: date_from(self.meeting_date),
                vote: self.vote.as_ref().map(VoteV1::count),
                minutes: self.minutes,
                responsible: self.responsible,
                note: self.note,
                occurred: date_from(self.occurred),
                title: self.title,
                rounds: self.rounds.iter().map(RoundV1::to_domain).collect(),
                group_votes: self
                    .group_votes
                    .iter()
                    .map(|(g, v)| crate::domain::entry::GroupVote {
                        group: *g,
                        count: v.count(),
                    })
                    .collect(),
                met: Vec::new(),
                removal: false,
            },
            version: self.version,
        }
    }
}

/// Schema 5: an entry with the law's deadlines recorded as done (issue 13): schema 4's
/// [`EntryV2`], then (deadline code index, day) pairs. The nested record lays out
/// exactly as its fields in a row, so this is schema 4's bytes plus one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryV3 {
    pub base: EntryV2,
    pub met: Vec<(u8, i32)>,
    /// An occurrence that removes a person rather than electing one.
    pub removal: bool,
}

impl From<&Entry> for EntryV3 {
    fn from(e: &Entry) -> Self {
        EntryV3 {
            base: EntryV2::from(e),
            met: e
                .evidence
                .met
                .iter()
                .map(|m| (m.code.index(), m.date.num_days_from_ce()))
                .collect(),
            removal: e.evidence.removal,
        }
    }
}

impl From<EntryV2> for EntryV3 {
    fn from(base: EntryV2) -> Self {
        EntryV3 {
            base,
            met: Vec::new(),
            removal: false,
        }
    }
}

impl EntryV3 {
    pub fn into_domain(self, group: u32, item: String, period: Period) -> Entry {
        let mut e = self.base.into_domain(group, item, period);
        e.evidence.met = self
            .met
            .iter()
            .filter_map(|&(c, d)| {
                Some(crate::domain::entry::DeadlineMet {
                    code: crate::domain::entry::DeadlineCode::from_index(c)?,
                    date: Date::from_num_days_from_ce_opt(d)?,
                })
            })
            .collect();
        e.evidence.removal = self.removal;
        e
    }
}

/// Failed PIN attempts of one member (tree `logins`, keyed by the folded name): how
/// many in a row, when the last one was, and whether the member is locked out until an
/// administrator unlocks them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginsV1 {
    pub failures: u32,
    pub last_ms: i64,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberV1 {
    pub name: String,
    pub role: u8,
    pub branches: Vec<u32>,
    pub groups: Vec<u32>,
    pub unix_user: Option<String>,
    /// argon2 PHC string.
    pub pin_hash: Option<String>,
}

impl MemberV1 {
    pub fn from_domain(m: &crate::domain::member::Member, pin_hash: Option<String>) -> MemberV1 {
        MemberV1 {
            name: m.name.clone(),
            role: m.role.to_u8(),
            branches: m.branches.clone(),
            groups: m.groups.clone(),
            unix_user: m.unix_user.clone(),
            pin_hash,
        }
    }

    pub fn into_domain(self) -> Option<(crate::domain::member::Member, Option<String>)> {
        Some((
            crate::domain::member::Member {
                name: self.name,
                role: crate::domain::member::Role::from_u8(self.role)?,
                branches: self.branches,
                groups: self.groups,
                unix_user: self.unix_user,
                has_pin: self.pin_hash.is_some(),
            },
            self.pin_hash,
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditV1 {
    pub at_ms: i64,
    pub member: String,
    pub os_user: String,
    pub action: String,
    pub group: u32,
    pub item: String,
    pub period: String,
    /// (field, old, new)
    pub changes: Vec<(String, String, String)>,
    pub undoes: Option<u64>,
}

impl From<&AuditRecord> for AuditV1 {
    fn from(a: &AuditRecord) -> Self {
        AuditV1 {
            at_ms: a.at_ms,
            member: a.actor.member.clone(),
            os_user: a.actor.os_user.clone(),
            action: a.action.clone(),
            group: a.group,
            item: a.item.clone(),
            period: a.period.clone(),
            changes: a
                .changes
                .iter()
                .map(|c| (c.field.clone(), c.old.clone(), c.new.clone()))
                .collect(),
            undoes: a.undoes,
        }
    }
}

impl AuditV1 {
    pub fn into_domain(self, seq: u64) -> AuditRecord {
        AuditRecord {
            seq,
            at_ms: self.at_ms,
            actor: Actor {
                member: self.member,
                os_user: self.os_user,
            },
            action: self.action,
            group: self.group,
            item: self.item,
            period: self.period,
            changes: self
                .changes
                .into_iter()
                .map(|(field, old, new)| Change { field, old, new })
                .collect(),
            undoes: self.undoes,
        }
    }
}

/// Schema 3: one stored entry inside a sheet, with the audit records that changed it
/// (newest last), so an entry's history is found without reading the whole log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetRowV1 {
    pub item: String,
    pub entry: EntryV1,
    pub audit: Vec<u64>,
}

/// Schema 3: one group's entries for one period (the period they are kept for), rows
/// sorted by item code. sled splits a leaf every 16 keys and keeps a page-table entry
/// per leaf in memory, so a key per entry made opening cost grow with every entry ever
/// recorded; a key per group and period keeps it to a few thousand pages at city scale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetV1 {
    pub rows: Vec<SheetRowV1>,
}

/// Schema 4: a sheet of [`EntryV2`] rows (schema 3's [`SheetV1`] with the occurrence
/// fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetRowV2 {
    pub item: String,
    pub entry: EntryV2,
    pub audit: Vec<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetV2 {
    pub rows: Vec<SheetRowV2>,
}

impl From<SheetV1> for SheetV2 {
    fn from(s: SheetV1) -> Self {
        SheetV2 {
            rows: s
                .rows
                .into_iter()
                .map(|r| SheetRowV2 {
                    item: r.item,
                    entry: r.entry.into(),
                    audit: r.audit,
                })
                .collect(),
        }
    }
}

/// Schema 5: a sheet of [`EntryV3`] rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetRowV3 {
    pub item: String,
    pub entry: EntryV3,
    pub audit: Vec<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetV3 {
    pub rows: Vec<SheetRowV3>,
}

impl From<SheetV2> for SheetV3 {
    fn from(s: SheetV2) -> Self {
        SheetV3 {
            rows: s
                .rows
                .into_iter()
                .map(|r| SheetRowV3 {
                    item: r.item,
                    entry: r.entry.into(),
                    audit: r.audit,
                })
                .collect(),
        }
    }
}

/// A stored sheet: schema 5's layout, or schema 4's or 3's (a migration cut short
/// leaves some; the next open finishes it).
pub fn decode_sheet(bytes: &[u8]) -> Option<SheetV3> {
    decode::<SheetV3>(bytes)
        .or_else(|| decode::<SheetV2>(bytes).map(SheetV3::from))
        .or_else(|| decode::<SheetV1>(bytes).map(|s| SheetV3::from(SheetV2::from(s))))
}

/// Schema 3: what a report counts of one stored entry — its slot period, item, step
/// statuses, meeting date, vote and minutes reference. Derived from the sheets and
/// written in the same transaction as them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyRowV1 {
    pub slot: [u8; 4],
    pub item: String,
    pub steps: [u8; 6],
    pub meeting_date: Option<i32>,
    pub vote: Option<VoteV1>,
    pub minutes: String,
}

/// [`TallyRowV1`] read in place: the same bytes, with the strings borrowed from the
/// record instead of copied.
#[derive(Debug, Deserialize)]
pub struct TallyRowRef<'a> {
    pub slot: [u8; 4],
    #[serde(borrow)]
    pub item: &'a str,
    pub steps: [u8; 6],
    pub meeting_date: Option<i32>,
    pub vote: Option<VoteV1>,
    #[serde(borrow)]
    pub minutes: &'a str,
}

#[derive(Debug, Deserialize)]
pub struct TallyRef<'a> {
    #[serde(borrow)]
    pub rows: Vec<TallyRowRef<'a>>,
}

impl<'a> TallyRowRef<'a> {
    pub fn facts(&self) -> Option<crate::domain::entry::EntryFacts<'a>> {
        Some(crate::domain::entry::EntryFacts {
            period: Period::from_key(self.slot)?,
            item: self.item,
            steps: self
                .steps
                .map(|s| StepStatus::from_u8(s).unwrap_or_default()),
            meeting_date: date_from(self.meeting_date),
            vote: self.vote.as_ref().map(VoteV1::count),
            minutes: self.minutes,
            posted_from: None,
            occurred: None,
            met: 0,
            rounds: crate::domain::entry::Rounds::None,
            removal: false,
        })
    }
}

/// [`decode`] for a record type that borrows from the bytes.
pub fn decode_borrowed<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    let cfg = bincode::config::standard().with_limit::<{ 16 * 1024 * 1024 }>();
    match bincode::serde::borrow_decode_from_slice(bytes, cfg) {
        Ok((v, n)) if n == bytes.len() => Some(v),
        _ => None,
    }
}

/// Schema 3: the tally rows of one group for one year, sorted by (slot, item). A report
/// reads one small tally per group instead of every entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyV1 {
    pub rows: Vec<TallyRowV1>,
}

impl TallyRowV1 {
    pub fn of(slot: Period, item: &str, e: &EntryV2) -> TallyRowV1 {
        TallyRowV1 {
            slot: slot.to_key(),
            item: item.to_string(),
            steps: e.steps,
            meeting_date: e.meeting_date,
            vote: e.vote.clone(),
            minutes: e.minutes.clone(),
        }
    }
}

/// Schema 5: a tally row with what the law's deadlines run from — the posting's first
/// day, the day an occurrence arose — and the deadlines recorded done (a bit per
/// deadline code), so a report can list late deadlines from the tallies alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyRowV2 {
    pub base: TallyRowV1,
    pub posted_from: Option<i32>,
    pub occurred: Option<i32>,
    pub met: u32,
    /// The decision's earlier rounds, packed ([`crate::domain::entry::pack_rounds`]).
    pub rounds: Vec<u8>,
    pub removal: bool,
}

impl TallyRowV2 {
    pub fn of(slot: Period, item: &str, e: &EntryV3) -> TallyRowV2 {
        TallyRowV2 {
            base: TallyRowV1::of(slot, item, &e.base),
            posted_from: e.base.posted_from,
            occurred: e.base.occurred,
            met: e
                .met
                .iter()
                .fold(0u32, |m, &(c, _)| if c < 32 { m | 1 << c } else { m }),
            rounds: crate::domain::entry::pack_rounds(
                &e.base
                    .rounds
                    .iter()
                    .map(RoundV1::to_domain)
                    .collect::<Vec<_>>(),
            ),
            removal: e.removal,
        }
    }

    pub fn slot(&self) -> [u8; 4] {
        self.base.slot
    }

    pub fn item(&self) -> &str {
        &self.base.item
    }
}

/// Schema 5: the tally rows of one group for one year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyV2 {
    pub rows: Vec<TallyRowV2>,
}

impl From<TallyV1> for TallyV2 {
    fn from(t: TallyV1) -> Self {
        TallyV2 {
            rows: t
                .rows
                .into_iter()
                .map(|base| TallyRowV2 {
                    base,
                    posted_from: None,
                    occurred: None,
                    met: 0,
                    rounds: Vec::new(),
                    removal: false,
                })
                .collect(),
        }
    }
}

/// A stored tally: schema 5's, or schema 4's (read while a migration is unfinished).
pub fn decode_tally(bytes: &[u8]) -> Option<TallyV2> {
    decode::<TallyV2>(bytes).or_else(|| decode::<TallyV1>(bytes).map(TallyV2::from))
}

/// [`TallyRowV2`] read in place.
#[derive(Debug, Deserialize)]
pub struct TallyRowRefV2<'a> {
    #[serde(borrow)]
    pub base: TallyRowRef<'a>,
    pub posted_from: Option<i32>,
    pub occurred: Option<i32>,
    pub met: u32,
    #[serde(borrow)]
    pub rounds: &'a [u8],
    pub removal: bool,
}

#[derive(Debug, Deserialize)]
pub struct TallyRefV2<'a> {
    #[serde(borrow)]
    pub rows: Vec<TallyRowRefV2<'a>>,
}

impl<'a> TallyRowRefV2<'a> {
    pub fn facts(&self) -> Option<crate::domain::entry::EntryFacts<'a>> {
        let mut f = self.base.facts()?;
        f.posted_from = date_from(self.posted_from);
        f.occurred = date_from(self.occurred);
        f.met = self.met;
        f.rounds = crate::domain::entry::Rounds::Packed(self.rounds);
        f.removal = self.removal;
        Some(f)
    }
}

/// Schema 3: audit records in runs of [`AUDIT_CHUNK`] consecutive sequence numbers,
/// keyed by `seq / AUDIT_CHUNK` (the same reason as [`SheetV2`]: a key per record made
/// every open pay for the whole history).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditChunkV1 {
    pub records: Vec<(u64, AuditV1)>,
}

/// Audit records per chunk: small enough that appending one rewrites a few kilobytes,
/// large enough that a year of a city's edits is a few tens of thousands of keys.
pub const AUDIT_CHUNK: u64 = 32;

//! The service over a store in this process.

use super::report;
use super::*;
use crate::domain::VoteForm;
use crate::domain::date;
use crate::domain::entry::Entry;
use crate::domain::template::Scope;
use crate::domain::vote;
use crate::domain::ward::{MAX_HOUSEHOLDS, MAX_NAME_CHARS, MAX_NOTE_CHARS, WARD_GROUP};
use crate::store::Store;
use std::collections::HashMap;

pub struct LocalService {
    store: Store,
    /// Who is working and what they may do; `login` switches it.
    session: std::sync::Mutex<Session>,
    today: Option<Date>,
    lang: Lang,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Today's date, or `QCDC_TODAY` (YYYY-MM-DD) when set, so tests and demos are stable.
pub fn today_from_env() -> Date {
    std::env::var("QCDC_TODAY")
        .ok()
        .and_then(|s| date::parse(&s).ok())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// The session for an actor in direct mode or on the server (where `os_user` comes from
/// the socket's peer credentials):
/// - no members yet: an administrator (bootstrap, until the first member is added);
/// - the member named `actor.member`, if it exists, has no PIN, and is not tied to
///   another Unix account;
/// - else the one member tied to `os_user`;
/// - else read-only.
pub fn resolve_session(store: &Store, actor: &Actor) -> Result<Session, ServiceError> {
    let members = store.members()?;
    if members.is_empty() {
        return Ok(Session::admin(actor.clone(), true));
    }
    let by_name = members
        .iter()
        .find(|(m, _)| text::fold(&m.name) == text::fold(&actor.member));
    if let Some((m, _)) = by_name
        && !m.has_pin
        && m.unix_user.as_deref().is_none_or(|u| u == actor.os_user)
    {
        return Ok(Session::for_member(m, &actor.os_user));
    }
    let by_unix: Vec<_> = members
        .iter()
        .filter(|(m, _)| m.unix_user.as_deref() == Some(actor.os_user.as_str()) && !m.has_pin)
        .collect();
    if let [(m, _)] = by_unix.as_slice()
        && by_name.is_none()
    {
        return Ok(Session::for_member(m, &actor.os_user));
    }
    Ok(Session::viewer(actor.clone()))
}

/// Failed PINs in a row after which a member is locked out until an administrator
/// unlocks them (`qcdc member unlock`). With 10 guesses a 4-digit PIN holds with 99.9 %,
/// a 6-digit one with 99.999 %.
pub const MAX_PIN_FAILURES: u32 = 10;

/// How long after the last failure the next PIN for a member is heard: two typos are
/// free, then 1, 2, 4 … seconds, at most a minute.
pub fn pin_delay_ms(failures: u32) -> i64 {
    if failures < 3 {
        0
    } else {
        (1000i64 << (failures - 3).min(6)).min(60_000)
    }
}

fn conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict { current } => ServiceError::Conflict { current },
        other => ServiceError::Store(other),
    }
}

fn check_len(what_vi: &str, what_en: &str, s: &str, max: usize) -> Result<(), ServiceError> {
    let n = s.chars().count();
    if n > max {
        return Err(ServiceError::invalid(
            format!("{what_vi} quá dài ({n} ký tự, tối đa {max})."),
            format!("{what_en} is too long ({n} characters, at most {max})."),
        ));
    }
    Ok(())
}

/// Dates arrive typed (CLI, form: already in range) or as JSON over the ward server's
/// socket (any date chrono knows): refuse what users could not have typed.
fn check_date(d: Option<Date>) -> Result<(), ServiceError> {
    match d {
        Some(d) if !date::in_range(d) => Err(ServiceError::invalid(
            format!(
                "Ngày {d} nằm ngoài khoảng {}–{}.",
                date::FIRST_YEAR,
                date::LAST_YEAR
            ),
            format!(
                "The date {d} is outside {}–{}.",
                date::FIRST_YEAR,
                date::LAST_YEAR
            ),
        )),
        _ => Ok(()),
    }
}

/// Ward data to load, held to the rules every other write follows. The CSV importer and
/// the data files already clean and check what they read, but `load` also arrives over
/// the ward server's socket: names are cleaned (no control characters, so no terminal
/// escape sequence reaches another user's screen), lengths, households, periods, steps,
/// dates and votes are checked, and an entry must fit its item.
fn checked_ward_data(data: &WardData, template: &Template) -> Result<WardData, ServiceError> {
    let name = |vi: &str, en: &str, s: &str, required: bool| -> Result<String, ServiceError> {
        let s = text::clean(s);
        if required && s.is_empty() {
            return Err(ServiceError::invalid(
                format!("{vi} không được để trống."),
                format!("{en} is empty."),
            ));
        }
        check_len(vi, en, &s, MAX_NAME_CHARS)?;
        Ok(s)
    };
    let mut out = data.clone();
    for b in &mut out.branches {
        b.name = name("Tên chi bộ", "Branch name", &b.name, true)?;
        for g in &mut b.groups {
            g.name = name("Tên tổ dân phố", "Group name", &g.name, true)?;
            g.leader = name("Tên tổ trưởng", "Leader name", &g.leader, false)?;
            g.front_head = name(
                "Trưởng ban công tác Mặt trận",
                "Front head",
                &g.front_head,
                false,
            )?;
            if !(1..=MAX_HOUSEHOLDS).contains(&g.households) {
                return Err(ServiceError::invalid(
                    format!("Số hộ phải từ 1 đến {MAX_HOUSEHOLDS}."),
                    format!("Households must be between 1 and {MAX_HOUSEHOLDS}."),
                ));
            }
        }
    }
    for e in &mut out.entries {
        let item = template
            .get(&e.item)
            .ok_or_else(|| ServiceError::UnknownItem(e.item.clone()))?;
        if (item.scope == Scope::Ward) != e.group.is_none() {
            return Err(ServiceError::WrongScope {
                item: item.code.clone(),
                ward_scope: item.scope == Scope::Ward,
            });
        }
        if let Some(g) = &mut e.group {
            *g = name("Tên tổ dân phố", "Group name", g, true)?;
        }
        if slot_for(item, e.period)? != e.period {
            return Err(ServiceError::PeriodTooCoarse {
                item: item.code.clone(),
                recurrence: item.recurrence,
                period: e.period,
            });
        }
        for (step, _) in &e.steps {
            if !item.steps.contains(step) {
                return Err(ServiceError::StepNotInItem {
                    step: *step,
                    item: item.code.clone(),
                });
            }
        }
        for d in [e.posted_from, e.posted_to, e.meeting_date] {
            check_date(d)?;
        }
        if let (Some(a), Some(b)) = (e.posted_from, e.posted_to)
            && b < a
        {
            return Err(ServiceError::invalid(
                "Ngày gỡ niêm yết trước ngày niêm yết.",
                "The posting end date is before its start date.",
            ));
        }
        if let Some(v) = e.vote {
            if v.total > MAX_HOUSEHOLDS {
                return Err(ServiceError::invalid(
                    format!("Tổng số hộ {} vượt quá {MAX_HOUSEHOLDS}.", v.total),
                    format!("{} households is more than {MAX_HOUSEHOLDS}.", v.total),
                ));
            }
            v.validate()?;
        }
        e.minutes = name("Số biên bản", "Minutes reference", &e.minutes, false)?;
        e.responsible = name(
            "Người phụ trách",
            "Responsible person",
            &e.responsible,
            false,
        )?;
        e.note = text::clean(&e.note);
        check_len("Ghi chú", "Note", &e.note, MAX_NOTE_CHARS)?;
    }
    Ok(out)
}

impl LocalService {
    /// A service for `actor`: their member record decides the role (see
    /// [`resolve_session`]); a member with a PIN stays read-only until `login`.
    pub fn new(store: Store, actor: Actor) -> LocalService {
        let session = resolve_session(&store, &actor).unwrap_or_else(|_| Session::viewer(actor));
        LocalService {
            store,
            session: std::sync::Mutex::new(session),
            today: None,
            lang: Lang::Vi,
        }
    }

    fn sess(&self) -> Session {
        self.session
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    fn set_session(&self, s: Session) {
        match self.session.lock() {
            Ok(mut g) => *g = s,
            Err(p) => *p.into_inner() = s,
        }
    }

    /// The session as the member list stands now. A role is decided when a session
    /// starts, but members change while a TUI stays open for hours: every write checks
    /// again (a demoted editor writes nothing more; a connection opened during the
    /// bootstrap stops being an administrator once the first administrator exists; a
    /// removed member, or one now tied to another account, is a viewer).
    fn current_session(&self) -> Result<Session, ServiceError> {
        let s = self.sess();
        let members = self.store.members()?;
        let now = if s.bootstrap || members.is_empty() {
            resolve_session(&self.store, &s.actor)?
        } else {
            match members
                .iter()
                .find(|(m, _)| text::fold(&m.name) == text::fold(&s.actor.member))
            {
                Some((m, _)) if m.unix_user.as_deref().is_none_or(|u| u == s.actor.os_user) => {
                    Session::for_member(m, &s.actor.os_user)
                }
                _ if s.role == Role::Viewer => s.clone(),
                _ => Session::viewer(s.actor.clone()),
            }
        };
        if now != s {
            self.set_session(now.clone());
        }
        Ok(now)
    }

    fn require_admin(&self) -> Result<(), ServiceError> {
        let s = self.current_session()?;
        s.require_admin().map_err(|needed| ServiceError::Forbidden {
            needed,
            role: s.role,
            group_name: String::new(),
        })
    }

    /// May the session change entries of `group`?
    fn require_group(&self, group: GroupId) -> Result<(), ServiceError> {
        let s = self.current_session()?;
        let g = if group == WARD_GROUP {
            None
        } else {
            self.store.group(group)?
        };
        let g = g.as_ref();
        s.may_edit_group(group, g.map(|g| g.branch))
            .map_err(|needed| ServiceError::Forbidden {
                needed,
                role: s.role,
                group_name: g.map(|g| g.name.clone()).unwrap_or_default(),
            })
    }

    /// Fix "today" (tests, and the demo's reproducible screens).
    pub fn with_today(mut self, today: Date) -> Self {
        self.today = Some(today);
        self
    }

    /// Language of names the service itself makes up (report headings).
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The record an undo (or redo) by this actor would reverse. Walks their entry
    /// changes newest first. An undo or redo record hides the record it reversed, and a
    /// hidden record hides nothing itself (so a redone change can be undone again).
    /// Undo: the first visible change that is not itself an undo or redo. Redo: the first
    /// visible undo, unless a new change came after it (a new change ends the redo).
    fn undo_target(&self, redo: bool) -> Result<Option<AuditRecord>, ServiceError> {
        let me = self.sess().actor;
        let mut hidden = std::collections::HashSet::new();
        let mut target = None;
        self.store.audit_rev(&mut |r| {
            if r.actor.member != me.member || r.item.is_empty() || hidden.contains(&r.seq) {
                return true;
            }
            match (redo, r.action.as_str(), r.undoes) {
                (false, _, Some(u)) => {
                    hidden.insert(u);
                    true
                }
                (true, "redo", Some(u)) => {
                    hidden.insert(u);
                    true
                }
                (true, "undo", Some(_)) => {
                    target = Some(r);
                    false
                }
                (true, _, _) => false,
                (false, _, None) => {
                    target = Some(r);
                    false
                }
            }
        })?;
        Ok(target)
    }

    /// Undo (or redo) a figure's change: back to the value before it, unless the figure
    /// was changed since.
    fn undo_figure(
        &self,
        target: &AuditRecord,
        code: &str,
        period: Period,
        redo: bool,
    ) -> Result<Option<AuditRecord>, ServiceError> {
        let damaged = || ServiceError::invalid("Bản ghi nhật ký hỏng.", "Damaged audit record.");
        let [change] = target.changes.as_slice() else {
            return Err(damaged());
        };
        let parse = |s: &str| -> Result<Option<u64>, ServiceError> {
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse().map(Some).map_err(|_| damaged())
            }
        };
        let (new, old) = (parse(&change.new)?, parse(&change.old)?);
        let now = self.store.figure_value(period, target.group, code)?;
        if now != new {
            return Err(ServiceError::FigureChanged {
                code: code.to_string(),
                now: now.map(|v| v.to_string()).unwrap_or_default(),
            });
        }
        Ok(self.store.put_figure(
            period,
            target.group,
            code,
            old,
            &self.sess().actor,
            if redo { "redo" } else { "undo" },
            Some(target.seq),
            now_ms(),
        )?)
    }

    fn item(&self, template: &Template, code: &str) -> Result<Item, ServiceError> {
        template
            .get(code)
            .cloned()
            .ok_or_else(|| ServiceError::UnknownItem(code.to_string()))
    }

    fn check_group(&self, group: GroupId, item: &Item) -> Result<(), ServiceError> {
        match (item.scope, group == WARD_GROUP) {
            (Scope::Ward, false) => Err(ServiceError::WrongScope {
                item: item.code.clone(),
                ward_scope: true,
            }),
            (Scope::Group, true) => Err(ServiceError::WrongScope {
                item: item.code.clone(),
                ward_scope: false,
            }),
            (Scope::Group, false) => {
                if self.store.group(group)?.is_some() {
                    Ok(())
                } else {
                    Err(ServiceError::UnknownGroup(group.to_string()))
                }
            }
            (Scope::Ward, true) => Ok(()),
        }
    }

    fn validate_entry(&self, item: &Item, e: &Entry) -> Result<(), ServiceError> {
        let ev = &e.evidence;
        check_len(
            "Số biên bản",
            "Minutes reference",
            &ev.minutes,
            MAX_NAME_CHARS,
        )?;
        check_len(
            "Người phụ trách",
            "Responsible person",
            &ev.responsible,
            MAX_NAME_CHARS,
        )?;
        check_len("Ghi chú", "Note", &ev.note, MAX_NOTE_CHARS)?;
        check_len("Tên việc", "Title", &ev.title, MAX_NAME_CHARS)?;
        // Only "bầu, cho thôi" (Điều 15 khoản 4, 5) has a removal to record.
        if ev.removal && !matches!(dieu_15_clause(item), Some(4 | 5)) {
            return Err(ServiceError::invalid(
                format!(
                    "Mục {} không phải việc bầu, cho thôi (Điều 15 khoản 4, 5): không ghi được \"cho thôi\".",
                    item.code
                ),
                format!(
                    "Item {} is not an election or removal (Điều 15 khoản 4, 5): it has no removal to record.",
                    item.code
                ),
            ));
        }
        for d in [ev.posted_from, ev.posted_to, ev.meeting_date, ev.occurred] {
            check_date(d)?;
        }
        // Something registered as having arisen cannot have arisen after today
        // (issue 13: dates honest).
        if let Some(d) = ev.occurred
            && d > self.today()
            && !Entry::occurs_ahead(item)
        {
            return Err(ServiceError::invalid(
                format!(
                    "Ngày phát sinh {} sau hôm nay ({}): chỉ đăng ký việc đã phát sinh.",
                    crate::domain::date::format_vi(d),
                    crate::domain::date::format_vi(self.today())
                ),
                format!(
                    "The day it arose, {}, is after today ({}): register what has arisen.",
                    crate::domain::date::format_vi(d),
                    crate::domain::date::format_vi(self.today())
                ),
            ));
        }
        // A law deadline recorded done (issue 13) was done on a day that has come, and
        // once: whatever front end wrote it.
        for (i, m) in ev.met.iter().enumerate() {
            check_date(Some(m.date))?;
            if m.date > self.today() {
                return Err(ServiceError::invalid(
                    format!(
                        "Hạn {} ghi là đã làm ngày {}, sau hôm nay ({}): chỉ ghi việc đã làm.",
                        m.code.code(),
                        crate::domain::date::format_vi(m.date),
                        crate::domain::date::format_vi(self.today())
                    ),
                    format!(
                        "Deadline {} recorded done on {}, after today ({}): record only what was done.",
                        m.code.code(),
                        crate::domain::date::format_vi(m.date),
                        crate::domain::date::format_vi(self.today())
                    ),
                ));
            }
            if ev.met[..i].iter().any(|x| x.code == m.code) {
                return Err(ServiceError::invalid(
                    format!("Hạn {} được ghi là đã làm hai lần.", m.code.code()),
                    format!("Deadline {} is recorded done twice.", m.code.code()),
                ));
            }
        }
        if let (Some(a), Some(b)) = (ev.posted_from, ev.posted_to)
            && b < a
        {
            return Err(ServiceError::invalid(
                "Ngày gỡ niêm yết trước ngày niêm yết.",
                "The posting end date is before its start date.",
            ));
        }
        if let Some(v) = ev.vote {
            if v.total > MAX_HOUSEHOLDS {
                return Err(ServiceError::invalid(
                    format!("Tổng số hộ {} vượt quá {MAX_HOUSEHOLDS}.", v.total),
                    format!("{} households is more than {MAX_HOUSEHOLDS}.", v.total),
                ));
            }
            v.validate()?;
        }
        for (i, s) in e.steps.iter().enumerate() {
            let step = Step::from_index(i).unwrap_or(Step::Biet);
            if *s != StepStatus::Todo && !item.steps.contains(&step) {
                return Err(ServiceError::StepNotInItem {
                    step,
                    item: item.code.clone(),
                });
            }
        }
        Ok(())
    }
}

/// The key an entry of `item` is stored under: the code, or for a further occurrence of
/// an item that arises "BQ-01#2" (issue 13). Only items that arise have more than one.
fn entry_key(item: &Item, requested: &str) -> Result<String, ServiceError> {
    use crate::domain::template::{Recurrence, occurrence_key, split_occurrence};
    let (_, n) = split_occurrence(requested.trim());
    if n > 1 && !matches!(item.recurrence, Recurrence::Event | Recurrence::Term) {
        return Err(ServiceError::UnknownItem(requested.to_string()));
    }
    Ok(occurrence_key(&item.code, n))
}

/// A vote's date: after today only when planned (issue 13: dates honest).
fn check_vote_date(req: &VoteRequest, today: Date) -> Result<(), ServiceError> {
    check_date(req.date)?;
    if let Some(d) = req.date
        && d > today
        && !req.planned
    {
        return Err(ServiceError::invalid(
            format!(
                "Ngày họp / phát phiếu {} sau hôm nay ({}): chưa diễn ra. \
                 Nếu là cuộc họp dự kiến, ghi thêm --planned.",
                crate::domain::date::format_vi(d),
                crate::domain::date::format_vi(today)
            ),
            format!(
                "The meeting or ballot date {} is after today ({}): it has not happened. \
                 If it is planned, add --planned.",
                crate::domain::date::format_vi(d),
                crate::domain::date::format_vi(today)
            ),
        ));
    }
    Ok(())
}

impl LocalService {
    /// A ward-wide decision (Điều 15 khoản 1–2 at ward scope; BQ-07). Its units are the
    /// groups: it passes when at least two thirds of all the ward's groups agree (Điều
    /// 21 khoản 1). A group's own ballot result (NĐ 59/2023 Điều 4 khoản 6 điểm c: the
    /// tổ trưởng reports it) is recorded with the ward's entry and the ward's count is
    /// derived from them; a count typed for the ward as a whole is taken only against
    /// all its groups and only while no group's result is recorded.
    fn record_ward_vote(
        &self,
        item: &Item,
        req: VoteRequest,
    ) -> Result<(Entry, VoteVerdict), ServiceError> {
        let groups = self.store.groups()?;
        let n = groups.len() as u32;
        check_vote_date(&req, self.today())?;
        check_form(item, req.count.form, None)?;
        let slot = slot_for_write(item, req.period)?;
        let key = entry_key(item, &req.item)?;
        let current = self
            .store
            .entries_of_group(slot, WARD_GROUP)?
            .into_iter()
            .find(|e| e.item == key);
        let date = req.date;
        if req.group == WARD_GROUP {
            self.require_group(WARD_GROUP)?;
            if req.count.total != n {
                return Err(ServiceError::invalid(
                    format!(
                        "Biểu quyết toàn phường tính trên tổng số tổ dân phố của phường ({n}), không phải {} \
                         (Điều 21 khoản 1 Luật 10/2022/QH15).",
                        req.count.total
                    ),
                    format!(
                        "A ward-wide vote counts all the ward's residential groups ({n}), not {} \
                         (Điều 21 khoản 1, Law 10/2022/QH15).",
                        req.count.total
                    ),
                ));
            }
            if req.count.present > n || req.count.agree > req.count.present {
                return Err(ServiceError::invalid(
                    format!(
                        "Số tổ có kết quả ({}) và số tổ tán thành ({}) không thể vượt số tổ dân phố ({n}).",
                        req.count.present, req.count.agree
                    ),
                    format!(
                        "Groups with a result ({}) and groups agreeing ({}) cannot exceed the groups ({n}).",
                        req.count.present, req.count.agree
                    ),
                ));
            }
            if current
                .as_ref()
                .is_some_and(|e| !e.evidence.group_votes.is_empty())
            {
                return Err(ServiceError::invalid(
                    "Đã có kết quả của từng tổ: kết quả toàn phường được tính từ đó \
                     (Nghị định 59/2023/NĐ-CP Điều 4 khoản 6 điểm c). Ghi kết quả của tổ còn thiếu.",
                    "Groups' own results are recorded: the ward's is derived from them \
                     (NĐ 59/2023 Điều 4 khoản 6 điểm c). Record the missing groups' results.",
                ));
            }
            let verdict = vote::verdict(vote::VoteRule::WardTwoThirds, &req.count)?;
            let count = req.count;
            let (entry, _) = self
                .store
                .update_entry(
                    slot,
                    WARD_GROUP,
                    &key,
                    req.base_version,
                    &self.sess().actor,
                    "vote",
                    None,
                    now_ms(),
                    &|e: &mut Entry| {
                        e.evidence.vote = Some(count);
                        if date.is_some() {
                            e.evidence.meeting_date = date;
                        }
                    },
                )
                .map_err(conflict)?;
            return Ok((entry, verdict));
        }
        // One group's own result.
        let g = groups
            .iter()
            .find(|g| g.id == req.group)
            .ok_or_else(|| ServiceError::UnknownGroup(req.group.to_string()))?;
        self.require_group(req.group)?;
        if req.count.total != g.households {
            return Err(ServiceError::invalid(
                format!(
                    "Kết quả của {} tính trên tổng số hộ của tổ ({}), không phải {} (Điều 21 khoản 1).",
                    g.name, g.households, req.count.total
                ),
                format!(
                    "{}'s result counts all its households ({}), not {} (Điều 21 khoản 1).",
                    g.name, g.households, req.count.total
                ),
            ));
        }
        let own = vote::verdict(vote::VoteRule::TwoThirds, &req.count)?;
        let (gid, count) = (g.id, req.count);
        let (entry, _) = self
            .store
            .update_entry(
                slot,
                WARD_GROUP,
                &key,
                req.base_version,
                &self.sess().actor,
                "vote",
                None,
                now_ms(),
                &|e: &mut Entry| {
                    let ev = &mut e.evidence;
                    ev.group_votes.retain(|x| x.group != gid);
                    ev.group_votes
                        .push(crate::domain::entry::GroupVote { group: gid, count });
                    ev.group_votes.sort_by_key(|x| x.group);
                    let agree = ev
                        .group_votes
                        .iter()
                        .filter(|x| {
                            vote::verdict(vote::VoteRule::TwoThirds, &x.count)
                                .is_ok_and(|v| v.passes)
                        })
                        .count() as u32;
                    ev.vote = Some(VoteCount {
                        total: n,
                        present: ev.group_votes.len() as u32,
                        agree,
                        form: VoteForm::Ballot,
                    });
                    if let Some(d) = date
                        && ev.meeting_date.is_none_or(|m| m < d)
                    {
                        ev.meeting_date = Some(d);
                    }
                },
            )
            .map_err(conflict)?;
        Ok((entry, own))
    }
}

/// The clause of Điều 15 Luật 10/2022/QH15 a decision item is about, when it says.
fn dieu_15_clause(item: &Item) -> Option<u16> {
    let c = &item.citation;
    (c.law == crate::domain::template::Law::Luat10_2022 && c.article == 15)
        .then_some(c.clause)
        .flatten()
}

/// Whether the law allows deciding `item` by `form` now (issue 13). Điều 17 khoản 2:
/// online voting only for the matters of Điều 15 khoản 6; the matters of khoản 3, 4
/// and 5 (hương ước, tổ trưởng, Ban TTND / Ban GSĐTCĐ members) at a meeting, by a
/// household ballot only after a meeting without enough households present (Điều 19
/// khoản 1 điểm b; NĐ 61/2023 Điều 10 khoản 2 điểm a for hương ước).
fn check_form(item: &Item, form: VoteForm, current: Option<&Entry>) -> Result<(), ServiceError> {
    let clause = dieu_15_clause(item);
    match form {
        VoteForm::Online if clause != Some(6) => Err(ServiceError::invalid(
            format!(
                "Mục {} không được biểu quyết trực tuyến: hình thức này chỉ áp dụng cho công việc \
                 tự quản khác (khoản 6 Điều 15), theo Điều 17 khoản 2 Luật 10/2022/QH15.",
                item.code
            ),
            format!(
                "Item {} cannot be voted online: online voting is only for other self-management \
                 matters (Điều 15 khoản 6), Điều 17 khoản 2 of Law 10/2022/QH15.",
                item.code
            ),
        )),
        VoteForm::Ballot if matches!(clause, Some(3..=5)) => {
            let after_failed_meeting = current
                .and_then(|e| e.evidence.vote)
                .filter(|v| v.form == VoteForm::Meeting)
                .and_then(|v| vote::verdict(item.vote?, &v).ok())
                .is_some_and(|v| v.shortfall == Some(vote::Shortfall::Attendance));
            if after_failed_meeting {
                Ok(())
            } else {
                Err(ServiceError::invalid(
                    format!(
                        "Mục {} phải bàn, quyết định tại cuộc họp của cộng đồng dân cư (Điều 17 khoản 2); \
                         chỉ phát phiếu khi cuộc họp không đủ hộ dự (Điều 19 khoản 1 điểm b). \
                         Hãy ghi cuộc họp trước (--form meeting).",
                        item.code
                    ),
                    format!(
                        "Item {} must be decided at a community meeting (Điều 17 khoản 2); a household \
                         ballot only after a meeting without enough households present (Điều 19 khoản 1 \
                         điểm b). Record the meeting first (--form meeting).",
                        item.code
                    ),
                ))
            }
        }
        _ => Ok(()),
    }
}

impl Service for LocalService {
    fn actor(&self) -> Actor {
        self.sess().actor
    }

    fn session(&self) -> Result<Session, ServiceError> {
        Ok(self.sess())
    }

    fn login(&self, member: &str, pin: Option<&str>) -> Result<Session, ServiceError> {
        let os_user = self.sess().actor.os_user;
        let members = self.store.members()?;
        if members.is_empty() {
            // The name goes into every audit record of the session: cleaned and bounded.
            let name: String = text::clean(member).chars().take(MAX_NAME_CHARS).collect();
            let s = Session::admin(Actor::new(name, os_user), true);
            self.set_session(s.clone());
            return Ok(s);
        }
        let refused = || ServiceError::LoginRefused(member.to_string());
        let (m, hash) = members
            .iter()
            .find(|(m, _)| text::fold(&m.name) == text::fold(member))
            .ok_or_else(refused)?;
        if let Some(u) = &m.unix_user
            && *u != os_user
        {
            return Err(refused());
        }
        if let Some(h) = hash {
            // PINs are short: guessing is slowed down per member (whatever the
            // connection) and stopped after MAX_PIN_FAILURES until an administrator
            // unlocks the member; every failure is in the audit log.
            let state = self.store.login_state(&m.name)?;
            if state.locked {
                return Err(ServiceError::LoginLocked(m.name.clone()));
            }
            let now = now_ms();
            let wait = pin_delay_ms(state.failures) - (now - state.last_ms);
            if wait > 0 {
                return Err(ServiceError::LoginWait {
                    member: m.name.clone(),
                    seconds: (wait as u64).div_ceil(1000),
                });
            }
            if !pin.is_some_and(|p| crate::auth::verify_pin(p, h)) {
                let failures = state.failures + 1;
                let next = crate::store::records::LoginsV1 {
                    failures,
                    last_ms: now,
                    locked: failures >= MAX_PIN_FAILURES,
                };
                self.store.login_failed(
                    &m.name,
                    next,
                    &Actor::new(member, os_user.clone()),
                    now,
                )?;
                return Err(if next.locked {
                    ServiceError::LoginLocked(m.name.clone())
                } else {
                    refused()
                });
            }
            if state.failures > 0 {
                self.store.login_reset(&m.name, None)?;
            }
        }
        let s = Session::for_member(m, &os_user);
        self.set_session(s.clone());
        Ok(s)
    }

    fn members(&self) -> Result<Vec<Member>, ServiceError> {
        Ok(self.store.members()?.into_iter().map(|(m, _)| m).collect())
    }

    fn doc_settings(&self) -> Result<crate::domain::settings::DocSettings, ServiceError> {
        Ok(self.store.doc_settings()?)
    }

    fn set_term(
        &self,
        term: Option<crate::domain::ward::Term>,
    ) -> Result<crate::domain::ward::Ward, ServiceError> {
        self.require_admin()?;
        let actor = self.sess().actor;
        Ok(self.store.set_term(term, &actor, now_ms())?)
    }

    fn set_doc_settings(
        &self,
        settings: crate::domain::settings::DocSettings,
    ) -> Result<(), ServiceError> {
        self.require_admin()?;
        let mut s = settings;
        // As everything typed: cleaned and bounded.
        for f in [
            &mut s.superior,
            &mut s.issuer,
            &mut s.number,
            &mut s.place,
            &mut s.signer_for,
            &mut s.signer_title,
            &mut s.signer_name,
        ] {
            *f = text::clean(f);
        }
        s.recipients = s
            .recipients
            .iter()
            .map(|r| text::clean(r))
            .filter(|r| !r.is_empty())
            .collect();
        s.check()
            .map_err(|(vi, en)| ServiceError::invalid(vi, en))?;
        Ok(self
            .store
            .put_doc_settings(&s, &self.sess().actor, now_ms())?)
    }

    fn narrative(
        &self,
        period: Period,
    ) -> Result<crate::domain::narrative::Narrative, ServiceError> {
        Ok(self.store.narrative(period)?)
    }

    fn set_narrative(
        &self,
        period: Period,
        section: &str,
        text: &str,
    ) -> Result<bool, ServiceError> {
        use crate::domain::narrative;
        // The ward's own writing: who may edit the ward's own items.
        self.require_group(WARD_GROUP)?;
        let Some(key) = narrative::section_key(section) else {
            return Err(ServiceError::invalid(
                format!(
                    "Không có phần {section:?} trong báo cáo; các phần: {}.",
                    narrative::keys()
                ),
                format!(
                    "No section {section:?} in the report; the sections: {}.",
                    narrative::keys()
                ),
            ));
        };
        let text = narrative::clean(text);
        narrative::check(&text).map_err(|(vi, en)| ServiceError::invalid(vi, en))?;
        Ok(self
            .store
            .put_narrative(period, key, &text, &self.sess().actor, now_ms())?)
    }

    fn figure_values(
        &self,
        period: Option<Period>,
    ) -> Result<Vec<crate::domain::figure::FigureValue>, ServiceError> {
        self.current_session()?;
        Ok(self.store.figure_values(period)?)
    }

    fn set_figure(&self, req: FigureSet) -> Result<Option<AuditRecord>, ServiceError> {
        use crate::domain::figure;
        let figures = crate::data::default_figures();
        let Some(def) = figures
            .iter()
            .find(|f| f.code.eq_ignore_ascii_case(req.code.trim()))
        else {
            let codes: Vec<&str> = figures.iter().map(|f| f.code.as_str()).collect();
            return Err(ServiceError::invalid(
                format!(
                    "Không có chỉ tiêu {:?}; các chỉ tiêu: {}. Xem bằng `qcdc figure list`.",
                    req.code,
                    codes.join(", ")
                ),
                format!(
                    "No figure {:?}; the figures: {}. See `qcdc figure list`.",
                    req.code,
                    codes.join(", ")
                ),
            ));
        };
        if req.group != WARD_GROUP && self.store.group(req.group)?.is_none() {
            return Err(ServiceError::UnknownGroup(req.group.to_string()));
        }
        // Who may edit the group's entries records its figures (the ward's: group 0).
        self.require_group(req.group)?;
        figure::check_period(req.period).map_err(|(vi, en)| ServiceError::invalid(vi, en))?;
        if let Some(v) = req.value
            && v > figure::MAX_VALUE
        {
            return Err(ServiceError::invalid(
                format!(
                    "Số liệu quá lớn: tối đa {}.",
                    figure::show(Some(figure::MAX_VALUE), false)
                ),
                format!(
                    "The value is too large: at most {}.",
                    figure::show(Some(figure::MAX_VALUE), true)
                ),
            ));
        }
        Ok(self.store.put_figure(
            req.period,
            req.group,
            &def.code,
            req.value,
            &self.sess().actor,
            "figure",
            None,
            now_ms(),
        )?)
    }

    fn unlock_member(&self, name: &str) -> Result<(), ServiceError> {
        self.require_admin()?;
        let members = self.store.members()?;
        let (m, _) = members
            .iter()
            .find(|(m, _)| text::fold(&m.name) == text::fold(name))
            .ok_or_else(|| {
                ServiceError::invalid(
                    format!("Không có thành viên {name:?}. Xem bằng `qcdc member list`."),
                    format!("No member {name:?}. See `qcdc member list`."),
                )
            })?;
        self.store
            .login_reset(&m.name, Some((&self.sess().actor, now_ms())))?;
        Ok(())
    }

    fn add_member(&self, req: NewMember) -> Result<Member, ServiceError> {
        self.require_admin()?;
        let name = text::clean(&req.name);
        if name.is_empty() {
            return Err(ServiceError::invalid(
                "Tên thành viên không được để trống.",
                "The member name is empty.",
            ));
        }
        check_len("Tên thành viên", "Member name", &name, MAX_NAME_CHARS)?;
        let branches = self.store.branches()?;
        let groups = self.store.groups()?;
        let mut branch_ids = Vec::new();
        for b in &req.branches {
            let found = branches
                .iter()
                .find(|x| text::fold(&x.name) == text::fold(b))
                .ok_or_else(|| ServiceError::UnknownBranch(b.clone()))?;
            branch_ids.push(found.id);
        }
        let mut group_ids = Vec::new();
        for g in &req.groups {
            group_ids.push(find_group(&groups, g)?.id);
        }
        match req.role {
            Role::BranchEditor if branch_ids.is_empty() => {
                return Err(ServiceError::invalid(
                    "Biên tập chi bộ cần ít nhất một --branch.",
                    "A branch editor needs at least one --branch.",
                ));
            }
            Role::GroupLeader if group_ids.is_empty() => {
                return Err(ServiceError::invalid(
                    "Tổ trưởng cần --group.",
                    "A group leader needs --group.",
                ));
            }
            _ => {}
        }
        let pin_hash = match &req.pin {
            None => None,
            Some(p) if crate::auth::valid_pin(p) => {
                Some(crate::auth::hash_pin(p).map_err(|e| {
                    ServiceError::invalid(
                        format!("Không tạo được mã PIN: {e}"),
                        format!("Cannot hash the PIN: {e}"),
                    )
                })?)
            }
            Some(_) => {
                return Err(ServiceError::invalid(
                    "Mã PIN gồm 4 đến 12 chữ số.",
                    "A PIN is 4 to 12 digits.",
                ));
            }
        };
        let member = Member {
            name,
            role: req.role,
            branches: branch_ids,
            groups: group_ids,
            unix_user: req
                .unix_user
                .map(|u| text::clean(&u))
                .filter(|u| !u.is_empty()),
            has_pin: pin_hash.is_some(),
        };
        let first = self.store.members()?.is_empty();
        if first && member.role != Role::Admin {
            return Err(ServiceError::invalid(
                "Thành viên đầu tiên phải là quản trị phường (--role admin), để luôn có người quản lý được danh sách.",
                "The first member must be a ward administrator (--role admin), so someone can always manage the list.",
            ));
        }
        let actor = self.sess().actor;
        self.store.put_member(&member, pin_hash, &actor, now_ms())?;
        if first {
            // The bootstrap is over: the session becomes what the list now says.
            let s = resolve_session(&self.store, &actor)?;
            self.set_session(s);
        }
        Ok(member)
    }

    fn today(&self) -> Date {
        self.today.unwrap_or_else(today_from_env)
    }

    fn ward(&self) -> Result<Ward, ServiceError> {
        Ok(self.store.ward()?)
    }

    fn branches(&self) -> Result<Vec<Branch>, ServiceError> {
        Ok(self.store.branches()?)
    }

    fn groups(&self) -> Result<Vec<Group>, ServiceError> {
        Ok(self.store.groups()?)
    }

    fn find_group(&self, name: &str) -> Result<Group, ServiceError> {
        // The name index answers without reading every group; a name it does not know
        // is looked for the slow way, so a stale index costs time, never a wrong answer.
        let found = self.store.groups_named(name)?;
        if found.is_empty() {
            return super::find_group(&self.store.groups()?, name);
        }
        super::find_group(&found, name)
    }

    fn template(&self) -> Result<Template, ServiceError> {
        Ok(self.store.template()?)
    }

    fn add_branch(&self, name: &str) -> Result<Branch, ServiceError> {
        self.require_admin()?;
        let name = text::clean(name);
        if name.is_empty() {
            return Err(ServiceError::invalid(
                "Tên chi bộ không được để trống.",
                "The branch name is empty.",
            ));
        }
        check_len("Tên chi bộ", "Branch name", &name, MAX_NAME_CHARS)?;
        if self
            .store
            .branches()?
            .iter()
            .any(|b| text::fold(&b.name) == text::fold(&name))
        {
            return Err(ServiceError::Duplicate("branch", name));
        }
        Ok(self.store.add_branch(&name, &self.sess().actor, now_ms())?)
    }

    fn add_group(&self, g: NewGroup) -> Result<Group, ServiceError> {
        self.require_admin()?;
        let name = text::clean(&g.name);
        if name.is_empty() {
            return Err(ServiceError::invalid(
                "Tên tổ dân phố không được để trống.",
                "The group name is empty.",
            ));
        }
        for (vi, en, s) in [
            ("Tên tổ", "Group name", &name),
            ("Tên tổ trưởng", "Leader name", &g.leader),
            (
                "Tên trưởng ban công tác Mặt trận",
                "Front committee head",
                &g.front_head,
            ),
        ] {
            check_len(vi, en, s, MAX_NAME_CHARS)?;
        }
        if !(1..=MAX_HOUSEHOLDS).contains(&g.households) {
            return Err(ServiceError::invalid(
                format!("Số hộ phải từ 1 đến {MAX_HOUSEHOLDS}."),
                format!("Households must be between 1 and {MAX_HOUSEHOLDS}."),
            ));
        }
        let branches = self.store.branches()?;
        let bname = text::clean(&g.branch);
        let branch = branches
            .iter()
            .find(|b| b.name == bname)
            .or_else(|| {
                branches
                    .iter()
                    .find(|b| text::fold(&b.name) == text::fold(&bname))
            })
            .ok_or_else(|| ServiceError::UnknownBranch(bname.clone()))?;
        if self
            .store
            .groups()?
            .iter()
            .any(|x| text::fold(&x.name) == text::fold(&name))
        {
            return Err(ServiceError::Duplicate("group", name));
        }
        let group = Group {
            id: 0,
            branch: branch.id,
            name,
            leader: text::clean(&g.leader),
            front_head: text::clean(&g.front_head),
            households: g.households,
        };
        Ok(self.store.add_group(&group, &self.sess().actor, now_ms())?)
    }

    fn load(&self, data: &WardData, dry_run: bool) -> Result<LoadSummary, ServiceError> {
        self.require_admin()?;
        let data = &checked_ward_data(data, &self.store.template()?)?;
        if dry_run {
            let groups = self.store.groups()?;
            let branches = self.store.branches()?;
            let mut s = LoadSummary::default();
            // Sets, not lists: a roster of 100 000 groups must not take quadratic time.
            let mut seen_b: std::collections::HashSet<String> =
                branches.iter().map(|b| text::fold(&b.name)).collect();
            let mut seen_g: std::collections::HashSet<String> =
                groups.iter().map(|g| text::fold(&g.name)).collect();
            for b in &data.branches {
                if seen_b.insert(text::fold(&b.name)) {
                    s.branches_added += 1;
                }
                for g in &b.groups {
                    if seen_g.insert(text::fold(&g.name)) {
                        s.groups_added += 1;
                    }
                }
            }
            s.entries_written = data.entries.len();
            return Ok(s);
        }
        Ok(self
            .store
            .load_ward_data(data, &self.sess().actor, now_ms())?)
    }

    fn checklist(&self, group: GroupId, period: Period) -> Result<Vec<ChecklistRow>, ServiceError> {
        let ward = self.store.ward()?;
        let template = self.store.template()?;
        let scope = if group == WARD_GROUP {
            Scope::Ward
        } else {
            Scope::Group
        };
        if group != WARD_GROUP && self.store.group(group)?.is_none() {
            return Err(ServiceError::UnknownGroup(group.to_string()));
        }
        let mut stored: HashMap<(String, Period), Entry> = HashMap::new();
        for p in report::slot_periods(&template, period) {
            for e in self.store.entries_of_group(p, group)? {
                stored.insert((e.item.clone(), e.period), e);
            }
        }
        let today = self.today();
        // With no term set, a tổ trưởng election the group held (a passing vote met by
        // today; undated, with its entry) opens its term, and the Ban TTND member's
        // election falls due that year (Luật 10/2022/QH15 Điều 36 khoản 2).
        let elected: std::collections::HashSet<u16> = stored
            .values()
            .filter(|e| {
                template.get(&e.item).is_some_and(|it| {
                    it.opens_group_term()
                        && !e.evidence.removal
                        && e.vote_verdict(it).is_some_and(|v| v.passes)
                        && e.evidence.meeting_date.is_none_or(|d| d <= today)
                })
            })
            .map(|e| e.period.year())
            .collect();
        let mut rows = Vec::new();
        for item in template.items.iter().filter(|i| i.scope == scope) {
            for slot in period.slots(item.recurrence.granularity()) {
                // A retired item stays on the checklists of periods before it retired.
                if !item.in_force(slot) {
                    continue;
                }
                let stored_entry = stored.remove(&(item.code.clone(), slot));
                let registered = stored_entry.is_some()
                    || !item.needs_registration(slot, ward.term)
                    || (ward.term.is_none()
                        && item.follows_group_term()
                        && elected.contains(&slot.year()));
                let entry = stored_entry.unwrap_or_else(|| Entry::new(group, &item.code, slot));
                let mut warnings = entry.warnings(item, ward.steps, today);
                if !registered {
                    warnings.retain(|w| !matches!(w, Warning::Overdue { .. }));
                }
                rows.push(ChecklistRow {
                    completion: entry.completion(item, ward.steps),
                    overdue: registered && entry.is_overdue(item, ward.steps, today),
                    verdict: entry.vote_verdict(item),
                    warnings,
                    registered,
                    item: item.clone(),
                    slot,
                    entry,
                });
                // Further occurrences of the same item in the period ("BQ-01#2"), in
                // their order (issue 13).
                let mut more: Vec<(u32, String)> = stored
                    .keys()
                    .filter(|(k, p)| *p == slot && k != &item.code)
                    .filter_map(|(k, _)| {
                        let (code, n) = crate::domain::template::split_occurrence(k);
                        (code == item.code && n > 1).then(|| (n, k.clone()))
                    })
                    .collect();
                more.sort();
                for (_, k) in more {
                    let Some(entry) = stored.remove(&(k, slot)) else {
                        continue;
                    };
                    rows.push(ChecklistRow {
                        completion: entry.completion(item, ward.steps),
                        overdue: entry.is_overdue(item, ward.steps, today),
                        verdict: entry.vote_verdict(item),
                        warnings: entry.warnings(item, ward.steps, today),
                        registered: true,
                        item: item.clone(),
                        slot,
                        entry,
                    });
                }
            }
        }
        Ok(rows)
    }

    fn mark(&self, req: MarkRequest) -> Result<Entry, ServiceError> {
        let ward = self.store.ward()?;
        let template = self.store.template()?;
        let item = self.item(&template, &req.item)?;
        self.check_group(req.group, &item)?;
        self.require_group(req.group)?;
        if !item.steps.contains(&req.step) {
            return Err(ServiceError::StepNotInItem {
                step: req.step,
                item: item.code,
            });
        }
        if !ward.steps.contains(req.step) {
            return Err(ServiceError::StepNotTracked(req.step));
        }
        let slot = slot_for_write(&item, req.period)?;
        let key = entry_key(&item, &req.item)?;
        let note = req.note.as_deref().map(text::clean);
        if let Some(n) = &note {
            check_len("Ghi chú", "Note", n, MAX_NOTE_CHARS)?;
        }
        let (step, status) = (req.step, req.status);
        let (entry, _) = self
            .store
            .update_entry(
                slot,
                req.group,
                &key,
                req.base_version,
                &self.sess().actor,
                "mark",
                None,
                now_ms(),
                &|e: &mut Entry| {
                    e.steps[step.index()] = status;
                    if let Some(n) = &note {
                        e.evidence.note = n.clone();
                    }
                },
            )
            .map_err(conflict)?;
        Ok(entry)
    }

    fn record_vote(&self, req: VoteRequest) -> Result<(Entry, VoteVerdict), ServiceError> {
        let template = self.store.template()?;
        let item = self.item(&template, &req.item)?;
        if item.vote == Some(vote::VoteRule::WardTwoThirds) {
            return self.record_ward_vote(&item, req);
        }
        self.check_group(req.group, &item)?;
        self.require_group(req.group)?;
        let rule = item
            .vote
            .ok_or_else(|| ServiceError::NotADecision(item.code.clone()))?;
        if req.count.total > MAX_HOUSEHOLDS {
            return Err(ServiceError::invalid(
                format!("Tổng số hộ {} vượt quá {MAX_HOUSEHOLDS}.", req.count.total),
                format!(
                    "{} households is more than {MAX_HOUSEHOLDS}.",
                    req.count.total
                ),
            ));
        }
        check_vote_date(&req, self.today())?;
        let verdict = vote::verdict(rule, &req.count)?;
        let slot = slot_for_write(&item, req.period)?;
        let key = entry_key(&item, &req.item)?;
        let current = self
            .store
            .entries_of_group(slot, req.group)?
            .into_iter()
            .find(|e| e.item == key);
        check_form(&item, req.count.form, current.as_ref())?;
        let (count, date) = (req.count, req.date);
        let (entry, _) = self
            .store
            .update_entry(
                slot,
                req.group,
                &key,
                req.base_version,
                &self.sess().actor,
                "vote",
                None,
                now_ms(),
                &|e: &mut Entry| {
                    // A second meeting or ballot no longer overwrites the first: the
                    // round before is kept (issue 13; Điều 19 khoản 1 điểm b). The same
                    // meeting again — same form, the same day or none given — is a
                    // correction of its figures, not another round.
                    let correction = e.evidence.vote.is_some_and(|prev| {
                        prev.form == count.form
                            && date.is_none_or(|d| e.evidence.meeting_date == Some(d))
                    });
                    if !correction && let Some(prev) = e.evidence.vote {
                        let round = crate::domain::entry::VoteRound {
                            count: prev,
                            date: e.evidence.meeting_date,
                            minutes: std::mem::take(&mut e.evidence.minutes),
                        };
                        e.evidence.rounds.push(round);
                        e.evidence.meeting_date = None;
                    }
                    e.evidence.vote = Some(count);
                    if date.is_some() {
                        e.evidence.meeting_date = date;
                    }
                },
            )
            .map_err(conflict)?;
        Ok((entry, verdict))
    }

    fn save_entry(&self, edit: EntryEdit) -> Result<Entry, ServiceError> {
        let template = self.store.template()?;
        let mut new = edit.entry;
        let item = self.item(&template, &new.item)?;
        self.check_group(new.group, &item)?;
        self.require_group(new.group)?;
        let slot = slot_for_write(&item, new.period)?;
        let key = entry_key(&item, &new.item)?;
        new.evidence.minutes = text::clean(&new.evidence.minutes);
        new.evidence.responsible = text::clean(&new.evidence.responsible);
        new.evidence.note = text::clean(&new.evidence.note);
        new.evidence.title = text::clean(&new.evidence.title);
        self.validate_entry(&item, &new)?;
        // The form may set a vote too: the same forms the law allows as `qcdc vote`
        // (Điều 17 khoản 2), judged when the vote changes. A ballot for Điều 15 khoản
        // 3–5 stands on the meeting before it: the last earlier round, else the vote
        // stored now.
        if let Some(v) = new.evidence.vote {
            let stored = self
                .store
                .entries_of_group(slot, new.group)?
                .into_iter()
                .find(|e| e.item == key);
            if stored.as_ref().and_then(|e| e.evidence.vote) != Some(v) {
                let before = new
                    .evidence
                    .rounds
                    .last()
                    .map(|r| r.count)
                    .or_else(|| stored.as_ref().and_then(|e| e.evidence.vote));
                let mut prior = Entry::new(new.group, &key, slot);
                prior.evidence.vote = before;
                check_form(&item, v.form, Some(&prior))?;
            }
        }
        let (entry, _) = self
            .store
            .update_entry(
                slot,
                new.group,
                &key,
                edit.base_version,
                &self.sess().actor,
                "edit",
                None,
                now_ms(),
                &|e: &mut Entry| {
                    e.steps = new.steps;
                    e.evidence = new.evidence.clone();
                },
            )
            .map_err(conflict)?;
        Ok(entry)
    }

    fn report_with(
        &self,
        period: Period,
        options: super::engine::ReportOptions,
    ) -> Result<Report, ServiceError> {
        let ward = self.store.ward()?;
        let mut branches = self.store.branches()?;
        let mut groups = self.store.groups()?;
        let mut template = self.store.template()?;
        // One branch: its groups, and only the items each group does (the ward's own
        // items are the ward's, not the branch's).
        let branch = match options.branch {
            None => None,
            Some(id) => {
                let b = branches
                    .iter()
                    .find(|b| b.id == id)
                    .cloned()
                    .ok_or_else(|| {
                        ServiceError::invalid(
                            "Không có chi bộ này.".to_string(),
                            "No such branch.".to_string(),
                        )
                    })?;
                branches.retain(|x| x.id == id);
                groups.retain(|g| g.branch == id);
                template
                    .items
                    .retain(|i| i.scope == crate::domain::template::Scope::Group);
                Some(b.name)
            }
        };
        let src = super::engine::Source {
            ward: &ward,
            branches: &branches,
            groups: &groups,
            template: &template,
            today: self.today(),
            en: self.lang.is_en(),
        };
        let store = &self.store;
        let mut r = super::engine::build(&src, period, &options, &|year, from, to, each| {
            store
                .report_facts(year, from, to, each)
                .map_err(ServiceError::from)
        })?;
        r.first_record = self
            .store
            .first_audit_at()?
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.with_timezone(&chrono::Local).date_naive());
        r.branch = branch;
        if !options.detail {
            // The completion figures only (the TUI after each edit): no period before,
            // no trend, no counted figures — nothing more to read.
            return Ok(r);
        }
        r.drop_periods_before(super::report::first_data(
            &self.store.periods()?,
            r.first_record,
            r.today,
        ));
        let mut values = self.store.figure_values(Some(period))?;
        if r.branch.is_some() {
            // A branch's report: its groups' figures, not the ward's own.
            values.retain(|v| v.group != WARD_GROUP);
        }
        r.figures = super::figures::for_report(
            &r,
            &crate::data::default_figures(),
            &values,
            &groups,
            &branches,
            options.only,
            self.lang.is_en(),
        );
        Ok(r)
    }

    fn history(&self, q: HistoryQuery) -> Result<Vec<AuditRecord>, ServiceError> {
        let limit = if q.limit == 0 { usize::MAX } else { q.limit };
        if let (Some(group), Some(item), Some(period)) = (q.group, q.item.as_deref(), q.period) {
            // One entry: its sheet names its audit records, so the log is not scanned.
            let code = self
                .store
                .template()?
                .get(item)
                .map(|i| i.code.clone())
                .unwrap_or_else(|| item.to_string());
            let mut recs = self.store.entry_audit(period, group, &code)?;
            recs.reverse();
            recs.truncate(limit);
            return Ok(recs);
        }
        let period = q.period.map(|p| p.to_string());
        Ok(self.store.audit(limit, &|r| {
            q.group.is_none_or(|g| r.group == g)
                && q.item
                    .as_deref()
                    .is_none_or(|i| r.item.eq_ignore_ascii_case(i))
                && period.as_deref().is_none_or(|p| r.period == p)
        })?)
    }

    fn undo_plan(&self, redo: bool) -> Result<Option<AuditRecord>, ServiceError> {
        self.undo_target(redo)
    }

    fn undo(&self, req: UndoRequest) -> Result<Option<AuditRecord>, ServiceError> {
        let Some(target) = self.undo_target(req.redo)? else {
            return Ok(None);
        };
        if let Some(expected) = req.expect
            && expected != target.seq
        {
            return Err(ServiceError::UndoMoved { expected });
        }
        self.require_group(target.group)?;
        let period: Period = target
            .period
            .parse()
            .map_err(|_| ServiceError::invalid("Bản ghi nhật ký hỏng.", "Damaged audit record."))?;
        if let Some(code) = crate::store::figures::code_of(&target) {
            return self.undo_figure(&target, code, period, req.redo);
        }
        let current = self
            .store
            .entry(period, target.group, &target.item)?
            .unwrap_or_else(|| Entry::new(target.group, &target.item, period));
        if target
            .changes
            .iter()
            .any(|c| current.field_value(&c.field) != c.new)
        {
            return Err(ServiceError::Conflict {
                current: Box::new(current),
            });
        }
        let changes = target.changes.clone();
        let (_, rec) = self
            .store
            .update_entry(
                period,
                target.group,
                &target.item,
                Some(current.version),
                &self.sess().actor,
                if req.redo { "redo" } else { "undo" },
                Some(target.seq),
                now_ms(),
                &|e: &mut Entry| {
                    for c in &changes {
                        // Values came from field_value, so they parse back.
                        let _ = e.set_field(&c.field, &c.old);
                    }
                },
            )
            .map_err(conflict)?;
        Ok(rec)
    }

    fn periods(&self) -> Result<Vec<Period>, ServiceError> {
        Ok(self.store.periods()?)
    }

    fn import_roster(
        &self,
        roster: crate::import::Roster,
        dry_run: bool,
    ) -> Result<crate::store::roster::RosterChanges, ServiceError> {
        self.require_admin()?;
        let actor = self.sess().actor;
        Ok(self
            .store
            .apply_roster(&roster, &actor, now_ms(), dry_run)?)
    }

    fn add_items(
        &self,
        items: Vec<Item>,
        dry_run: bool,
    ) -> Result<crate::store::items::ItemsAdded, ServiceError> {
        self.require_admin()?;
        let steps = self.store.ward()?.steps;
        // Items can arrive over the socket without passing the template file's checks:
        // every text is bounded here (a 5-million-character title was accepted).
        for it in &items {
            check_len("Mã mục", "Item code", &it.code, 16)?;
            check_len("Tên mục", "Item title", &it.title, MAX_NAME_CHARS)?;
            check_len(
                "Tên mục (tiếng Anh)",
                "Item title (English)",
                &it.title_en,
                MAX_NAME_CHARS,
            )?;
            check_len("Trích dẫn", "Citation", &it.citation.text, MAX_NOTE_CHARS)?;
            // An item none of whose steps the ward tracks could never be marked (issue 13):
            // a four-step ward cannot take an item that has only giamsat/thuhuong.
            if it.applicable_steps(steps).next().is_none() {
                let list: Vec<&str> = it.steps.iter().map(|s| s.code()).collect();
                return Err(ServiceError::invalid(
                    format!(
                        "Mục {} chỉ có bước {} — phường đang theo dõi {} bước nên không đánh dấu được. \
                         Thêm ít nhất một bước biet, ban, lam hoặc kiemtra.",
                        it.code,
                        list.join(", "),
                        steps.steps().len()
                    ),
                    format!(
                        "Item {} has only the steps {} — this ward tracks {} steps, so it could never be marked. \
                         Give it at least one of biet, ban, lam, kiemtra.",
                        it.code,
                        list.join(", "),
                        steps.steps().len()
                    ),
                ));
            }
        }
        let actor = self.sess().actor;
        Ok(self.store.add_items(&items, &actor, now_ms(), dry_run)?)
    }

    fn set_item_retired(&self, code: String, from: Option<Period>) -> Result<Item, ServiceError> {
        self.require_admin()?;
        let actor = self.sess().actor;
        Ok(self.store.set_item_retired(&code, from, &actor, now_ms())?)
    }

    fn export(&self) -> Result<crate::transfer::ExportDoc, ServiceError> {
        // The document holds everything, members' PIN hashes included.
        self.require_admin()?;
        Ok(self.store.export_doc()?)
    }

    fn export_to(
        &self,
        w: &mut dyn std::io::Write,
    ) -> Result<crate::transfer::ExportSummary, ServiceError> {
        self.require_admin()?;
        Ok(self.store.export_to(w)?)
    }

    fn check(&self) -> Result<crate::store::snapshot::CheckReport, ServiceError> {
        Ok(self.store.check()?)
    }

    fn repair(&self) -> Result<usize, ServiceError> {
        self.require_admin()?;
        Ok(self.store.repair()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::Actor;
    use crate::domain::vote::VoteCount;

    fn demo() -> (tempfile::TempDir, LocalService) {
        let dir = tempfile::tempdir().unwrap();
        let svc = crate::app::ward::create_demo(
            &dir.path().join("w.db"),
            Actor::new("Tester", "tester"),
            crate::i18n::Lang::Vi,
        )
        .unwrap()
        .with_today(Date::from_ymd_opt(2026, 11, 22).unwrap());
        (dir, svc)
    }

    fn count(form: VoteForm, present: u32, agree: u32) -> VoteCount {
        VoteCount {
            total: 300,
            present,
            agree,
            form,
        }
    }

    /// Điều 17 khoản 2 through the entry form (save_entry) as through `qcdc vote`:
    /// online only for Điều 15 khoản 6; a ballot for khoản 3–5 only after a meeting
    /// short of households (Điều 19 khoản 1 điểm b), kept as the round before.
    #[test]
    fn the_entry_form_is_held_to_the_forms_of_dieu_17_khoan_2() {
        let (_dir, svc) = demo();
        let g = svc.groups().unwrap()[0].id;
        let save = |item: &str, v: VoteCount, rounds: Vec<crate::domain::entry::VoteRound>| {
            let mut e = Entry::new(g, item, Period::Year(2026));
            e.evidence.vote = Some(v);
            e.evidence.rounds = rounds;
            svc.save_entry(EntryEdit {
                entry: e,
                base_version: None,
            })
        };
        let err = save("BQ-04", count(VoteForm::Online, 250, 200), vec![]).unwrap_err();
        assert!(
            err.message(crate::i18n::Lang::Vi)
                .contains("Điều 17 khoản 2")
        );
        let err = save("BQ-04", count(VoteForm::Ballot, 250, 200), vec![]).unwrap_err();
        assert!(
            err.message(crate::i18n::Lang::Vi)
                .contains("Điều 19 khoản 1 điểm b")
        );
        // After a meeting of 100 of 300 households (short of the 151 needed): allowed.
        let meeting = crate::domain::entry::VoteRound {
            count: count(VoteForm::Meeting, 100, 90),
            date: Date::from_ymd_opt(2026, 9, 1),
            minutes: String::new(),
        };
        let e = save("BQ-04", count(VoteForm::Ballot, 250, 200), vec![meeting]).unwrap();
        assert_eq!(e.evidence.vote.unwrap().form, VoteForm::Ballot);
        assert_eq!(e.evidence.rounds.len(), 1);
        assert!(save("BQ-06", count(VoteForm::Online, 250, 200), vec![]).is_ok());
    }
}

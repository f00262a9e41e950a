//! The agenda (issue 13): what falls due in the next days and what is late, soonest
//! first — each line with its group, item, deadline, rule and article. What a
//! mobilization team opens on Monday morning (`qcdc due`, the TUI's agenda screen).
//!
//! Built from the checklists the service gives, so it is the same directly and through
//! the ward server.

use super::{ChecklistRow, EntryEdit, Service, ServiceError};
use crate::domain::date::{self, Date};
use crate::domain::entry::{Deadline, DeadlineCode, DeadlineMet, Entry, is_late};
use crate::domain::period::Period;
use crate::domain::ward::{GroupId, WARD_GROUP};
use chrono::Datelike;
use serde::{Deserialize, Serialize};

/// One deadline on the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaRow {
    pub date: Date,
    /// Late by [`is_late`] (a law deadline passed, not recorded done, its entry not
    /// complete, what it prepares still ahead), or a period ended with steps left.
    pub late: bool,
    /// Which deadline: what `qcdc due done GROUP ITEM CODE` records as done.
    pub code: DeadlineCode,
    pub group: String,
    pub group_id: GroupId,
    /// The item's code ("BQ-01").
    pub item: String,
    /// The entry's key: the item's code, or an occurrence's ("BQ-01#2").
    pub key: String,
    pub title: String,
    /// The period the entry is kept for.
    pub period: Period,
    pub what_vi: String,
    pub what_en: String,
    pub rule_vi: String,
    pub rule_en: String,
    pub article: String,
}

/// The deadlines of one checklist row: every deadline the law sets from its dates, and
/// the end of its period when steps are left.
pub fn row_deadlines(r: &ChecklistRow) -> Vec<crate::domain::entry::Deadline> {
    let mut out = r.entry.deadlines(&r.item);
    if !r.completion.is_complete() && r.completion.applicable > 0 {
        out.push(crate::domain::entry::Deadline {
            code: crate::domain::entry::DeadlineCode::PeriodEnd,
            event: None,
            done: None,
            what_vi: "Hoàn thành các bước của kỳ".into(),
            what_en: PERIOD_END.into(),
            date: r.slot.end(),
            rule_vi: format!("hết kỳ {} ({})", r.slot, r.item.recurrence.name_vi()).into(),
            rule_en: format!("end of {} ({})", r.slot, r.item.recurrence.name_en()).into(),
            article: r.item.citation.to_string().into(),
        });
    }
    out
}

const PERIOD_END: &str = "Finish the period's steps";

/// Whether a deadline of a checklist row goes on the agenda, and whether as late.
///
/// - The end of a period with steps left: late once passed (the period's own overdue
///   list), else listed when it falls in the window.
/// - A law deadline recorded done ([`crate::domain::entry::Evidence::met`]) is off the
///   agenda: the agenda is what is left to do, and a done deadline is shown, with its
///   day, in the entry form and `qcdc items`.
/// - Otherwise late when [`is_late`] says so (the one rule the report's late list
///   follows too); listed ahead when it falls from `today` to `until`. A deadline past
///   and not late (its entry complete, or the meeting it prepared already held) is
///   not listed.
pub fn placement(r: &ChecklistRow, d: &Deadline, today: Date, until: Date) -> Option<bool> {
    let ahead = today <= d.date && d.date <= until;
    if d.code == DeadlineCode::PeriodEnd {
        let late = !r.completion.is_complete() && d.date < today;
        return (late || ahead).then_some(late);
    }
    if d.done.is_some() {
        return None;
    }
    let late = is_late(d, false, r.completion.is_complete(), today);
    (late || ahead).then_some(late)
}

/// What falls due from `today` to `today + days`, and what is late (a law deadline
/// [`is_late`] says is, or an entry whose period ended with steps left), for one group
/// or every group and the ward, soonest first. See [`placement`].
/// Items that arise and were not registered are on no agenda.
pub fn agenda(
    svc: &dyn Service,
    today: Date,
    days: u32,
    group: Option<GroupId>,
) -> Result<Vec<AgendaRow>, ServiceError> {
    let until = today
        .checked_add_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(today);
    let mut units: Vec<(GroupId, String)> = Vec::new();
    match group {
        Some(g) if g == WARD_GROUP => units.push((WARD_GROUP, String::new())),
        Some(g) => {
            let found = svc
                .groups()?
                .into_iter()
                .find(|x| x.id == g)
                .ok_or_else(|| ServiceError::UnknownGroup(g.to_string()))?;
            units.push((found.id, found.name));
        }
        None => {
            units.push((WARD_GROUP, String::new()));
            units.extend(svc.groups()?.into_iter().map(|g| (g.id, g.name)));
        }
    }
    let years: Vec<u16> = {
        let (a, b) = (today.year() as u16, until.year() as u16);
        (a..=b).collect()
    };
    let mut out = Vec::new();
    for (gid, name) in &units {
        for y in &years {
            for r in svc.checklist(*gid, Period::Year(*y))? {
                if !r.registered {
                    continue;
                }
                for d in row_deadlines(&r) {
                    let Some(late) = placement(&r, &d, today, until) else {
                        continue;
                    };
                    out.push(AgendaRow {
                        date: d.date,
                        late,
                        code: d.code,
                        group: name.clone(),
                        group_id: *gid,
                        item: r.item.code.clone(),
                        key: r.entry.item.clone(),
                        title: r.item.title.clone(),
                        period: r.slot,
                        what_vi: d.what_vi.into_owned(),
                        what_en: d.what_en.into_owned(),
                        rule_vi: d.rule_vi.into_owned(),
                        rule_en: d.rule_en.into_owned(),
                        article: d.article.into_owned(),
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| {
        (a.date, a.group_id, &a.key, a.code).cmp(&(b.date, b.group_id, &b.key, b.code))
    });
    out.dedup();
    Ok(out)
}

/// A law deadline recorded done, or that record taken back: what was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneOutcome {
    /// The entry as stored now.
    pub entry: Entry,
    /// The deadline, with the day it was recorded done (`None` once taken back).
    pub deadline: Deadline,
    /// False when the deadline was already recorded done on that very day: nothing
    /// was written.
    pub changed: bool,
    /// Whether the deadline is late now ([`is_late`]), e.g. once a record is taken back.
    pub late: bool,
}

fn codes_listed(ds: &[Deadline]) -> String {
    ds.iter()
        .map(|d| format!("{} ({})", d.code.code(), date::format_vi(d.date)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Record the law deadline `code` of an entry as done on `on` (issue 13: a notice
/// sent, a decision sent to UBND within Điều 20 khoản 3's five working days, a
/// disclosure posted within Điều 12 khoản 3's), or with `on: None` take that record
/// back. Read through [`Service::checklist`] and written through
/// [`Service::save_entry`] against the version read, so it is validated, audited
/// (field "met") and flushed as every edit, and the same directly and through the
/// ward server; `qcdc undo` reverses it.
///
/// `item` is an item code or an occurrence key ("BQ-01#2"); `period` the period the
/// user named (the entry's slot is found from it as for a mark). Refused, nothing
/// written: a code the entry has no deadline for (the message lists those it has),
/// the period's end (done when the steps are), a day after today, taking back what
/// was not recorded.
pub fn set_done(
    svc: &dyn Service,
    group: GroupId,
    item: &str,
    period: Period,
    code: &str,
    on: Option<Date>,
) -> Result<DoneOutcome, ServiceError> {
    use crate::domain::template::{occurrence_key, split_occurrence};
    let template = svc.template()?;
    let it = template
        .get(item)
        .cloned()
        .ok_or_else(|| ServiceError::UnknownItem(item.trim().to_string()))?;
    let key = occurrence_key(&it.code, split_occurrence(item.trim()).1);
    let slot = super::slot_for(&it, period)?;
    let row = svc
        .checklist(group, slot)?
        .into_iter()
        .find(|r| r.entry.item == key && r.slot == slot)
        .ok_or_else(|| {
            ServiceError::invalid(
                format!(
                    "{key} chưa được đăng ký trong kỳ {slot} (qcdc event add), nên chưa có hạn nào."
                ),
                format!(
                    "{key} is not registered in {slot} (qcdc event add), so it has no deadline."
                ),
            )
        })?;
    let deadlines = row.entry.deadlines(&row.item);
    let wanted = DeadlineCode::from_code(code);
    if wanted == Some(DeadlineCode::PeriodEnd) {
        return Err(ServiceError::invalid(
            format!(
                "Hạn hết kỳ (period-end) không ghi là đã làm được: {key} xong khi các bước của kỳ {slot} đã xong (qcdc mark)."
            ),
            format!(
                "The end of the period (period-end) cannot be recorded done: {key} is done when the steps of {slot} are (qcdc mark)."
            ),
        ));
    }
    let Some(d) = wanted.and_then(|c| deadlines.iter().find(|d| d.code == c)) else {
        return Err(if deadlines.is_empty() {
            ServiceError::invalid(
                format!(
                    "{key} (kỳ {slot}) chưa có hạn nào theo luật: hạn tính từ ngày niêm yết, ngày họp hoặc ngày phát sinh đã ghi."
                ),
                format!(
                    "{key} ({slot}) has no deadline of the law yet: deadlines follow from the posting, meeting or occurrence dates recorded."
                ),
            )
        } else {
            ServiceError::invalid(
                format!(
                    "{key} (kỳ {slot}) không có hạn {:?}. Các hạn của mục: {}.",
                    code.trim(),
                    codes_listed(&deadlines)
                ),
                format!(
                    "{key} ({slot}) has no deadline {:?}. Its deadlines: {}.",
                    code.trim(),
                    codes_listed(&deadlines)
                ),
            )
        });
    };
    let today = svc.today();
    if let Some(day) = on
        && day > today
    {
        return Err(ServiceError::invalid(
            format!(
                "Ngày làm {} sau hôm nay ({}): chỉ ghi việc đã làm.",
                date::format_vi(day),
                date::format_vi(today)
            ),
            format!(
                "The day it was done, {}, is after today ({}): record only what was done.",
                date::format_vi(day),
                date::format_vi(today)
            ),
        ));
    }
    let c = d.code;
    let mut entry = row.entry.clone();
    let before = entry.evidence.met.iter().find(|m| m.code == c).copied();
    match (on, before) {
        (None, None) => {
            return Err(ServiceError::invalid(
                format!(
                    "Hạn {} của {key} (kỳ {slot}) chưa được ghi là đã làm: không có gì để bỏ.",
                    c.code()
                ),
                format!(
                    "Deadline {} of {key} ({slot}) is not recorded done: nothing to take back.",
                    c.code()
                ),
            ));
        }
        (Some(day), Some(m)) if m.date == day => {
            let late = is_late(d, true, row.completion.is_complete(), today);
            return Ok(DoneOutcome {
                entry,
                deadline: d.clone(),
                changed: false,
                late,
            });
        }
        _ => {}
    }
    entry.evidence.met.retain(|m| m.code != c);
    if let Some(day) = on {
        entry.evidence.met.push(DeadlineMet { code: c, date: day });
        entry.evidence.met.sort_by_key(|m| m.code);
    }
    let base_version = Some(row.entry.version);
    let saved = svc.save_entry(EntryEdit {
        entry,
        base_version,
    })?;
    let deadline = saved
        .deadlines(&row.item)
        .into_iter()
        .find(|x| x.code == c)
        .unwrap_or_else(|| Deadline {
            done: on,
            ..d.clone()
        });
    // Recording a deadline changes no step: the entry is as complete as it was read.
    let late = is_late(
        &deadline,
        deadline.done.is_some(),
        row.completion.is_complete(),
        today,
    );
    Ok(DoneOutcome {
        entry: saved,
        deadline,
        changed: true,
        late,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::step::StepSet;
    use crate::domain::template::Item;

    fn day(s: &str) -> Date {
        date::parse(s).unwrap()
    }

    fn item(code: &str) -> Item {
        crate::data::default_template()
            .get(code)
            .cloned()
            .unwrap_or_else(|| panic!("{code} in the template"))
    }

    fn row(item: Item, entry: Entry) -> ChecklistRow {
        ChecklistRow {
            completion: entry.completion(&item, StepSet::Four),
            overdue: false,
            verdict: entry.vote_verdict(&item),
            warnings: vec![],
            registered: true,
            slot: entry.period,
            item,
            entry,
        }
    }

    /// A BQ-01 decision met on Friday 07/08/2026: its meeting notice fell on 05/08
    /// (NĐ 59/2023 Điều 3 khoản 3), the sending of the decision on Friday 14/08 (Điều
    /// 20 khoản 3 Luật 10/2022/QH15: five working days).
    fn decision() -> (Item, Entry) {
        let it = item("BQ-01");
        let mut e = Entry::new(1, "BQ-01", Period::Year(2026));
        e.evidence.occurred = Some(day("2026-07-20"));
        e.evidence.meeting_date = Some(day("2026-08-07"));
        (it, e)
    }

    fn placed(r: &ChecklistRow, code: DeadlineCode, today: &str) -> Option<bool> {
        let today = day(today);
        let until = today.checked_add_days(chrono::Days::new(14)).unwrap();
        let d = row_deadlines(r)
            .into_iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("no {code:?} in {:#?}", row_deadlines(r)));
        placement(r, &d, today, until)
    }

    #[test]
    fn send_result_is_late_until_recorded_done_dieu_20_khoan_3() {
        let (it, mut e) = decision();
        let r = row(it.clone(), e.clone());
        // Ahead within the window: listed, not late.
        assert_eq!(
            placed(&r, DeadlineCode::SendResult, "2026-08-10"),
            Some(false)
        );
        // The day itself is not late yet; the day after is.
        assert_eq!(
            placed(&r, DeadlineCode::SendResult, "2026-08-14"),
            Some(false)
        );
        assert_eq!(
            placed(&r, DeadlineCode::SendResult, "2026-08-17"),
            Some(true)
        );
        // Recorded done (even late): off the agenda.
        e.evidence.met.push(DeadlineMet {
            code: DeadlineCode::SendResult,
            date: day("2026-08-18"),
        });
        let r = row(it.clone(), e.clone());
        assert_eq!(placed(&r, DeadlineCode::SendResult, "2026-08-20"), None);
        // Not recorded, but every step done: a finished duty kept its deadlines.
        e.evidence.met.clear();
        for s in it.applicable_steps(StepSet::Four) {
            e.steps[s.index()] = crate::domain::entry::StepStatus::Done;
        }
        let r = row(it, e);
        assert!(r.completion.is_complete());
        assert_eq!(placed(&r, DeadlineCode::SendResult, "2026-08-20"), None);
    }

    /// A meeting notice (NĐ 59/2023 Điều 3 khoản 3: two days before) is late only while
    /// the meeting is still ahead: once it was held the notice can no longer be made
    /// good, and the agenda does not list it.
    #[test]
    fn a_meeting_notice_is_late_only_before_the_meeting_nd_59_dieu_3_khoan_3() {
        let (it, mut e) = decision();
        e.evidence.meeting_date = Some(day("2026-12-01"));
        let r = row(it.clone(), e.clone());
        // Notice by Sunday 29/11.
        assert_eq!(
            placed(&r, DeadlineCode::MeetingNotice, "2026-11-22"),
            Some(false)
        );
        assert_eq!(
            placed(&r, DeadlineCode::MeetingNotice, "2026-11-30"),
            Some(true)
        );
        assert_eq!(
            placed(&r, DeadlineCode::MeetingNotice, "2026-12-01"),
            Some(true)
        );
        assert_eq!(placed(&r, DeadlineCode::MeetingNotice, "2026-12-02"), None);
        // Sent on the Saturday: neither late nor listed.
        e.evidence.met.push(DeadlineMet {
            code: DeadlineCode::MeetingNotice,
            date: day("2026-11-28"),
        });
        let r = row(it, e);
        assert_eq!(placed(&r, DeadlineCode::MeetingNotice, "2026-11-22"), None);
        assert_eq!(placed(&r, DeadlineCode::MeetingNotice, "2026-11-30"), None);
    }

    /// The end of a quarter with steps left stays late as before (Điều 11 khoản 2,
    /// Điều 13 khoản 2: CK-02 each quarter); finished, it is on no agenda.
    #[test]
    fn a_period_ended_with_steps_left_is_late_dieu_13_khoan_2() {
        let it = item("CK-02");
        let mut e = Entry::new(1, "CK-02", Period::Quarter(2026, 3));
        let r = row(it.clone(), e.clone());
        assert_eq!(
            placed(&r, DeadlineCode::PeriodEnd, "2026-09-20"),
            Some(false)
        );
        assert_eq!(
            placed(&r, DeadlineCode::PeriodEnd, "2026-11-22"),
            Some(true)
        );
        for s in it.applicable_steps(StepSet::Four) {
            e.steps[s.index()] = crate::domain::entry::StepStatus::Done;
        }
        let r = row(it, e);
        assert!(
            !row_deadlines(&r)
                .iter()
                .any(|d| d.code == DeadlineCode::PeriodEnd)
        );
    }

    fn demo() -> (tempfile::TempDir, crate::service::local::LocalService) {
        let dir = tempfile::tempdir().unwrap();
        let svc = crate::app::ward::create_demo(
            &dir.path().join("w.db"),
            crate::domain::audit::Actor::new("Tester", "tester"),
            crate::i18n::Lang::Vi,
        )
        .unwrap()
        .with_today(day("2026-11-22"));
        (dir, svc)
    }

    fn stored(svc: &dyn Service, group: GroupId, key: &str) -> Entry {
        svc.checklist(group, Period::Year(2026))
            .unwrap()
            .into_iter()
            .find(|r| r.entry.item == key)
            .unwrap()
            .entry
    }

    /// Tổ dân phố 4's BQ-02 decision of 08/02/2026 was due at UBND by 13/02 (Điều 20
    /// khoản 3): late on the agenda; recorded done, it is stored, audited as "met" and
    /// off the agenda; undone, it is late again. Refusals write nothing.
    #[test]
    fn recording_send_result_done_is_stored_audited_and_undone_dieu_20_khoan_3() {
        let (_dir, svc) = demo();
        let svc: &dyn Service = &svc;
        let g = svc.find_group("Tổ dân phố 4").unwrap().id;
        let today = svc.today();
        let late = |svc: &dyn Service| {
            agenda(svc, today, 14, Some(g))
                .unwrap()
                .into_iter()
                .any(|r| r.key == "BQ-02" && r.code == DeadlineCode::SendResult && r.late)
        };
        assert!(late(svc));
        let before = stored(svc, g, "BQ-02");
        for (code, on) in [
            ("xyz", Some(today)),
            ("period-end", Some(today)),
            ("investor", Some(today)),
            ("send-result", Some(day("2026-11-23"))),
            ("send-result", None),
        ] {
            let e = set_done(svc, g, "BQ-02", Period::Quarter(2026, 4), code, on);
            assert!(
                matches!(e, Err(ServiceError::Invalid { .. })),
                "{code}: {e:?}"
            );
        }
        assert_eq!(stored(svc, g, "BQ-02"), before, "refusals write nothing");
        let o = set_done(
            svc,
            g,
            "bq-02",
            Period::Quarter(2026, 4),
            "send-result",
            Some(day("2026-02-12")),
        )
        .unwrap();
        assert!(o.changed && !o.late);
        assert_eq!(o.deadline.done, Some(day("2026-02-12")));
        let e = stored(svc, g, "BQ-02");
        assert_eq!(
            e.evidence.met,
            vec![DeadlineMet {
                code: DeadlineCode::SendResult,
                date: day("2026-02-12")
            }]
        );
        assert_eq!(e.version, before.version + 1);
        let log = svc.history(Default::default()).unwrap();
        assert_eq!(log[0].item, "BQ-02");
        assert_eq!(log[0].changes.len(), 1);
        assert_eq!(log[0].changes[0].field, "met");
        assert_eq!(log[0].changes[0].new, "send-result=2026-02-12");
        assert!(!late(svc));
        // The same day again: nothing written.
        let again = set_done(
            svc,
            g,
            "BQ-02",
            Period::Year(2026),
            "send-result",
            Some(day("2026-02-12")),
        )
        .unwrap();
        assert!(!again.changed);
        assert_eq!(stored(svc, g, "BQ-02").version, e.version);
        // `qcdc undo` takes it back like any edit.
        svc.undo(crate::service::UndoRequest {
            redo: false,
            expect: None,
        })
        .unwrap()
        .unwrap();
        assert!(stored(svc, g, "BQ-02").evidence.met.is_empty());
        assert!(late(svc));
        // And `due undo` takes back a record.
        set_done(
            svc,
            g,
            "BQ-02",
            Period::Year(2026),
            "send-result",
            Some(today),
        )
        .unwrap();
        let o = set_done(svc, g, "BQ-02", Period::Year(2026), "send-result", None).unwrap();
        assert!(o.changed && o.late && o.deadline.done.is_none());
        assert!(stored(svc, g, "BQ-02").evidence.met.is_empty());
    }

    /// A future day is refused by the service itself, whatever front end saves it.
    #[test]
    fn the_service_refuses_a_deadline_done_after_today() {
        let (_dir, svc) = demo();
        let svc: &dyn Service = &svc;
        let g = svc.find_group("Tổ dân phố 4").unwrap().id;
        let mut e = stored(svc, g, "BQ-02");
        let base = Some(e.version);
        e.evidence.met.push(DeadlineMet {
            code: DeadlineCode::SendResult,
            date: day("2026-11-23"),
        });
        let r = svc.save_entry(EntryEdit {
            entry: e.clone(),
            base_version: base,
        });
        assert!(matches!(r, Err(ServiceError::Invalid { .. })), "{r:?}");
        e.evidence.met[0].date = day("2026-11-22");
        e.evidence.met.push(e.evidence.met[0]);
        let r = svc.save_entry(EntryEdit {
            entry: e,
            base_version: base,
        });
        assert!(matches!(r, Err(ServiceError::Invalid { .. })), "{r:?}");
        assert!(stored(svc, g, "BQ-02").evidence.met.is_empty());
    }
}

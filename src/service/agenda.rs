//! The agenda (issue 13): what falls due in the next days and what is late, soonest
//! first — each line with its group, item, deadline, rule and article. What a
//! mobilization team opens on Monday morning (`qcdc due`, the TUI's agenda screen).
//!
//! Built from the checklists the service gives, so it is the same directly and through
//! the ward server.

use super::{ChecklistRow, Service, ServiceError};
use crate::domain::date::Date;
use crate::domain::period::Period;
use crate::domain::ward::{GroupId, WARD_GROUP};
use chrono::Datelike;
use serde::{Deserialize, Serialize};

/// One deadline on the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaRow {
    pub date: Date,
    /// Past and its entry not complete.
    pub late: bool,
    pub group: String,
    pub group_id: GroupId,
    pub item: String,
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
            rule_vi: format!("hết kỳ {} ({})", r.slot, r.item.recurrence.name_vi()),
            rule_en: format!("end of {} ({})", r.slot, r.item.recurrence.name_en()),
            article: r.item.citation.to_string(),
        });
    }
    out
}

const PERIOD_END: &str = "Finish the period's steps";

/// What falls due from `today` to `today + days`, and what is late (an entry whose
/// period ended with steps left), for one group or every group and the ward, soonest
/// first.
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
                let complete = r.completion.is_complete();
                let ends = r.slot.end();
                for d in row_deadlines(&r) {
                    // Late: a period ended with steps left. A deadline read from the
                    // dates (a notice, a sending, a recognition) is shown ahead of its
                    // day; afterwards qcdc cannot know whether it was met, and the
                    // period's own end says what is still open.
                    let period_end = !complete && d.date == ends && d.what_en == PERIOD_END;
                    let late = period_end && d.date < today;
                    if !(late || (today <= d.date && d.date <= until)) {
                        continue;
                    }
                    out.push(AgendaRow {
                        date: d.date,
                        late,
                        group: name.clone(),
                        group_id: *gid,
                        item: r.item.code.clone(),
                        title: r.item.title.clone(),
                        period: r.slot,
                        what_vi: d.what_vi,
                        what_en: d.what_en,
                        rule_vi: d.rule_vi,
                        rule_en: d.rule_en,
                        article: d.article,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| {
        (a.date, a.group_id, &a.item, &a.what_vi).cmp(&(b.date, b.group_id, &b.item, &b.what_vi))
    });
    out.dedup();
    Ok(out)
}

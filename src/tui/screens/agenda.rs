//! The agenda (issue 13): what falls due in the next 30 days and what is late, soonest
//! first, each line with the group, item, deadline, rule and article — the same list
//! as `qcdc due --days 30`. `Enter` opens the group's checklist on the item.

use crate::domain::audit::AuditRecord;
use crate::domain::date;
use crate::domain::entry::DeadlineCode;
use crate::domain::period::Period;
use crate::domain::ward::{GroupId, WARD_GROUP};
use crate::present::fit;
use crate::service::agenda::AgendaRow;
use crate::tui::app::*;
use crate::tui::keymap::Action;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::Widget;

/// Days ahead the agenda screen looks.
pub const AGENDA_DAYS: u32 = 30;

impl App {
    /// Keys on the agenda: scroll, open, and what every screen shares.
    #[must_use]
    pub fn agenda_action(&mut self, a: Action) -> Option<Cmd> {
        if let Some(cmd) = self.common_action(a) {
            return cmd;
        }
        let n = self.agenda.as_ref().map_or(0, Vec::len);
        let max = n.saturating_sub(1) as isize;
        let pos = &mut self.agenda_sel;
        let mut step = |d: isize| *pos = (*pos as isize + d).clamp(0, max.max(0)) as usize;
        match a {
            Action::Down => step(1),
            Action::Up => step(-1),
            Action::PageDown => step(10),
            Action::PageUp => step(-10),
            Action::Top => self.agenda_sel = 0,
            Action::Bottom => self.agenda_sel = n.saturating_sub(1),
            Action::Open => return self.open_from_agenda(),
            Action::DeadlineDone => return self.done_from_agenda(),
            _ => {}
        }
        None
    }

    /// The selected line's law deadline recorded done today (issue 13): the command
    /// names the group, entry, period and deadline the line shows. The end of a period
    /// is not a deadline one records: it is met by finishing the steps.
    #[must_use]
    fn done_from_agenda(&mut self) -> Option<Cmd> {
        let r = self.agenda.as_ref()?.get(self.agenda_sel)?.clone();
        if r.code == DeadlineCode::PeriodEnd {
            let msg = self.t(
                "Hạn hết kỳ không ghi là đã làm được: mục xong khi các bước của kỳ xong (Enter mở mục).",
                "The end of a period cannot be recorded done: the item is done when its steps are (Enter opens it).",
            );
            self.fail(msg);
            return None;
        }
        Some(Cmd::DeadlineDone {
            group: r.group_id,
            item: r.key,
            period: r.period,
            code: r.code,
        })
    }

    /// The runner recorded a deadline done: remembered so that `u` undoes it here.
    pub fn deadline_stored(&mut self, group: GroupId, item: String, period: Period, text: String) {
        self.agenda_marked = Some((group, item, period));
        self.saved(text);
    }

    /// Whether an audit record is what the agenda shows: a change of deadlines recorded
    /// done ("met") of an entry on it, or of the one it last recorded.
    pub fn agenda_shows(&self, record: &AuditRecord) -> bool {
        let same = |g: GroupId, item: &str, p: Period| {
            g == record.group && item == record.item && p.to_string() == record.period
        };
        record.changes.iter().all(|c| c.field == "met")
            && (self
                .agenda_marked
                .as_ref()
                .is_some_and(|(g, i, p)| same(*g, i, *p))
                || self
                    .agenda
                    .iter()
                    .flatten()
                    .any(|r| same(r.group_id, &r.key, r.period)))
    }

    /// The agenda as the service computed it.
    pub fn agenda_loaded(&mut self, rows: Vec<AgendaRow>) {
        self.agenda_sel = self.agenda_sel.min(rows.len().saturating_sub(1));
        self.agenda = Some(rows);
    }

    /// Enter on a line: that group's checklist, on that item, in that period.
    #[must_use]
    fn open_from_agenda(&mut self) -> Option<Cmd> {
        let r = self.agenda.as_ref()?.get(self.agenda_sel)?.clone();
        self.screen = Screen::Main;
        self.focus = Pane::List;
        self.filters = Filters::default();
        self.search.clear();
        self.pending_row = Some((r.group_id, r.key.clone(), r.period));
        if !crate::tui::screens::dashboard::period_within(r.period, self.period()) {
            self.sel.group = r.group_id;
            return self.set_period(r.period);
        }
        if r.group_id == self.sel.group {
            self.apply_pending_row();
            return None;
        }
        self.select_group(r.group_id)
    }

    pub fn draw_agenda(&self, area: Rect, buf: &mut Buffer) {
        let [header, body, status, keys] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.draw_header(header, buf);
        self.draw_status(status, buf);
        let k = vec![
            self.key(Action::Agenda, "danh mục", "checklist"),
            (
                self.g().up_down.to_string(),
                self.t("cuộn", "scroll").into(),
            ),
            ("Enter".into(), self.t("mở mục", "open").into()),
            self.key(Action::DeadlineDone, "đã làm", "done"),
            self.key(Action::Dashboard, "tổng hợp", "dashboard"),
        ];
        self.draw_keys(keys, buf, &k);
        let rows = self.agenda.as_deref().unwrap_or(&[]);
        let late = rows.iter().filter(|r| r.late).count();
        let block = self.block(
            fit(
                &format!(
                    " {} ({} {}) · {} {} ",
                    self.t("Việc đến hạn", "Falling due"),
                    AGENDA_DAYS,
                    self.t("ngày tới", "days ahead"),
                    late,
                    self.t("quá hạn", "late"),
                ),
                body.width.saturating_sub(2) as usize,
            ),
            true,
        );
        let inner = block.inner(body);
        block.render(body, buf);
        let w = inner.width as usize;
        if self.agenda.is_none() {
            buf.set_string(
                inner.x,
                inner.y,
                fit(self.t("Đang tải…", "Loading…"), w),
                self.theme.dim,
            );
            return;
        }
        if rows.is_empty() {
            buf.set_string(
                inner.x,
                inner.y,
                fit(
                    self.t(
                        "Không có việc nào đến hạn hay quá hạn.",
                        "Nothing falls due and nothing is late.",
                    ),
                    w,
                ),
                self.theme.dim,
            );
            return;
        }
        // Two lines a row: what and when; then the rule and the article.
        let per_page = (inner.height as usize / 2).max(1);
        let sel = self.agenda_sel.min(rows.len() - 1);
        let off = scroll_offset(sel, per_page);
        let en = self.lang().is_en();
        for (i, r) in rows.iter().enumerate().skip(off).take(per_page) {
            let y = inner.y + ((i - off) * 2) as u16;
            let group = if r.group_id == WARD_GROUP {
                self.t("Cấp phường", "Ward").to_string()
            } else {
                r.group.clone()
            };
            let mark = if r.late {
                self.t("QUÁ HẠN", "LATE").to_string()
            } else {
                String::new()
            };
            let (what, rule) = if en {
                (&r.what_en, &r.rule_en)
            } else {
                (&r.what_vi, &r.rule_vi)
            };
            let line1 = format!(
                "{} {:<7} {} · {} {}",
                date::format_vi(r.date),
                mark,
                group,
                r.key,
                what
            );
            let style = if i == sel {
                self.theme.selected
            } else if r.late {
                self.theme.warn
            } else {
                Style::new()
            };
            buf.set_string(inner.x, y, fit(&line1, w), style);
            if y + 1 < inner.y + inner.height {
                buf.set_string(
                    inner.x,
                    y + 1,
                    // The deadline's code where `m` can record it done (a period's end
                    // is met by finishing the steps).
                    fit(
                        &if r.code == DeadlineCode::PeriodEnd {
                            format!("           {rule} · {}", r.article)
                        } else {
                            format!("           [{}] {rule} · {}", r.code.code(), r.article)
                        },
                        w,
                    ),
                    self.theme.dim,
                );
            }
        }
    }
}

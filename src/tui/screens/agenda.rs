//! The agenda (issue 13): what falls due in the next 30 days and what is late, soonest
//! first, each line with the group, item, deadline, rule and article — the same list
//! as `qcdc due --days 30`. `Enter` opens the group's checklist on the item.

use crate::domain::date;
use crate::domain::ward::WARD_GROUP;
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
            _ => {}
        }
        None
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
        self.pending_row = Some((r.group_id, r.item.clone(), r.period));
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
                r.item,
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
                    fit(&format!("           {rule} · {}", r.article), w),
                    self.theme.dim,
                );
            }
        }
    }
}

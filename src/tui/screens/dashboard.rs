//! The dashboard: completion per branch (with the trend), the pillar × step table, and
//! two lists that scroll — what is overdue in the period (the same count as `qcdc
//! report`), and the votes that failed. A period before the ward's first data says so
//! instead of counting what could not have been recorded.

use crate::domain::Completion;
use crate::domain::period::Period;
use crate::domain::ward::WARD_GROUP;
use crate::present::{fit, fit_name, natural_cmp};
use crate::service::report::OverdueRow;
use crate::tui::app::*;
use crate::tui::keymap::Action;
use crate::tui::view::pct_text;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// Overdue rows in the order people look for them: the oldest due date first, then the
/// group by its number ("Tổ 2" before "Tổ 10"), then the item.
pub fn sorted_overdue<'a>(rows: impl Iterator<Item = &'a OverdueRow>) -> Vec<&'a OverdueRow> {
    let mut v: Vec<&OverdueRow> = rows.collect();
    v.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| natural_cmp(&a.group, &b.group))
            .then_with(|| a.item.cmp(&b.item))
    });
    v
}

impl App {
    /// The previous period's leftovers count only when that period holds data.
    fn previous_counts(&self) -> bool {
        let Some(d) = &self.data else { return false };
        d.report
            .previous
            .as_ref()
            .is_some_and(|p| !d.before_data(p.period))
    }

    /// The overdue rows the dashboard lists: this period's, then what the period
    /// before left (when it has data).
    pub fn dash_overdue(&self) -> Vec<&OverdueRow> {
        let Some(d) = &self.data else { return vec![] };
        if d.before_data(self.period()) {
            return vec![];
        }
        let mut v = sorted_overdue(d.report.overdue.iter());
        if self.previous_counts()
            && let Some(p) = &d.report.previous
        {
            v.extend(sorted_overdue(p.overdue.iter()));
        }
        v
    }

    #[must_use]
    pub fn dashboard_action(&mut self, a: Action) -> Option<Cmd> {
        if let Some(cmd) = self.common_action(a) {
            return cmd;
        }
        let n_overdue = self.dash_overdue().len();
        let n_votes = self.data.as_ref().map_or(0, |d| {
            d.report.votes.iter().filter(|v| !v.verdict.passes).count()
        });
        let (pos, n) = match self.dash.focus {
            DashList::Overdue => (&mut self.dash.overdue, n_overdue),
            DashList::Votes => (&mut self.dash.votes, n_votes),
        };
        let max = n.saturating_sub(1) as isize;
        let step = |d: isize, pos: &mut usize| {
            *pos = (*pos as isize + d).clamp(0, max.max(0)) as usize;
        };
        match a {
            Action::Down => step(1, pos),
            Action::Up => step(-1, pos),
            Action::PageDown => step(10, pos),
            Action::PageUp => step(-10, pos),
            Action::Top => *pos = 0,
            Action::Bottom => *pos = n.saturating_sub(1),
            Action::NextPane | Action::Left | Action::Right => {
                self.dash.focus = match self.dash.focus {
                    DashList::Overdue => DashList::Votes,
                    DashList::Votes => DashList::Overdue,
                };
            }
            Action::Open => return self.open_from_dashboard(),
            _ => {}
        }
        None
    }

    /// Enter on a listed row: that group's checklist, on that item, in that period.
    #[must_use]
    fn open_from_dashboard(&mut self) -> Option<Cmd> {
        let d = self.data.as_ref()?;
        let (group, item, period) = match self.dash.focus {
            DashList::Overdue => {
                let o = *self.dash_overdue().get(self.dash.overdue)?;
                (o.group.clone(), o.item.clone(), o.period)
            }
            DashList::Votes => {
                let v = d
                    .report
                    .votes
                    .iter()
                    .filter(|v| !v.verdict.passes)
                    .nth(self.dash.votes)?;
                (v.group.clone(), v.item.clone(), v.period)
            }
        };
        let gid = d
            .groups
            .iter()
            .find(|g| g.name == group)
            .map(|g| g.id)
            .unwrap_or(WARD_GROUP);
        self.screen = Screen::Main;
        self.focus = Pane::List;
        // The row must show: no filter or search may hide it.
        self.filters = Filters::default();
        self.search.clear();
        self.pending_row = Some((gid, item, period));
        if !period_within(period, self.period()) {
            self.sel.group = gid;
            return self.set_period(period);
        }
        if gid == self.sel.group {
            self.apply_pending_row();
            return None;
        }
        self.select_group(gid)
    }

    pub fn draw_dashboard(&self, area: Rect, buf: &mut Buffer) {
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
            self.key(Action::Dashboard, "danh mục", "checklist"),
            ("Tab".into(), self.t("đổi danh sách", "switch list").into()),
            (
                self.g().up_down.to_string(),
                self.t("cuộn", "scroll").into(),
            ),
            ("Enter".into(), self.t("mở mục", "open").into()),
            self.key(Action::Period, "kỳ", "period"),
        ];
        self.draw_keys(keys, buf, &k);
        let Some(s) = &self.data else { return };
        let wide = area.width >= WIDE;
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        if wide {
            let [branches_a, table_a] =
                Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)])
                    .areas(top);
            let [overdue_a, votes_a] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(bottom);
            self.draw_branches(branches_a, buf);
            self.draw_table(table_a, buf);
            self.draw_overdue(overdue_a, buf);
            self.draw_votes(votes_a, buf);
        } else {
            self.draw_branches(top, buf);
            match self.dash.focus {
                DashList::Overdue => self.draw_overdue(bottom, buf),
                DashList::Votes => self.draw_votes(bottom, buf),
            }
        }
        let _ = s;
    }

    fn draw_branches(&self, area: Rect, buf: &mut Buffer) {
        let Some(s) = &self.data else { return };
        let r = &s.report;
        let block = self.block(
            format!(
                " {} ",
                self.t("Hoàn thành theo chi bộ", "Completion by branch")
            ),
            false,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        let w = inner.width as usize;
        let bar_w = w.saturating_sub(24).clamp(4, 20);
        let name_w = w.saturating_sub(bar_w + 6);
        let mut lines: Vec<Line> = Vec::new();
        let mut head = vec![Span::styled(
            fit(self.t("TOÀN PHƯỜNG", "WHOLE WARD"), name_w),
            self.theme.branch,
        )];
        head.extend(self.bar_spans(r.completion.completion(), bar_w));
        head.push(Span::raw(format!(
            " {}",
            pct_text(r.completion.completion())
        )));
        lines.push(Line::from(head));
        // A comparison with a period that holds no data would read "no data" as "0 %".
        if self.previous_counts()
            && let Some(p) = &r.previous
            && let (Some(now), Some(then)) = (r.completion.percent, p.completion.percent)
        {
            let d = now - then;
            let arrow = if d > 0.05 {
                self.g().rising
            } else if d < -0.05 {
                self.g().falling
            } else {
                "="
            };
            lines.push(Line::from(Span::styled(
                fit(
                    &format!(
                        "  {arrow} {:+.1} {} {} ({})",
                        d,
                        self.t("so với", "vs"),
                        p.period,
                        pct_text(p.completion.completion()).trim()
                    ),
                    w,
                ),
                if d < 0.0 {
                    self.theme.warn
                } else {
                    self.theme.ok
                },
            )));
        }
        for (bi, _) in &s.order {
            let b = &r.branches[*bi];
            let mut spans = vec![Span::raw(fit_name(&b.name, name_w))];
            spans.extend(self.bar_spans(b.completion.completion(), bar_w));
            spans.push(Span::raw(format!(
                " {}",
                pct_text(b.completion.completion())
            )));
            lines.push(Line::from(spans));
        }
        Paragraph::new(lines).render(inner, buf);
    }

    fn draw_table(&self, area: Rect, buf: &mut Buffer) {
        let Some(s) = &self.data else { return };
        let r = &s.report;
        let block = self.block(
            format!(
                " {} ",
                self.t("Trụ cột × bước (toàn phường)", "Pillar × step (ward)")
            ),
            false,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        let steps = s.ward.steps.steps();
        let cw = if inner.width >= 50 { 7usize } else { 5 };
        let name_w = (inner.width as usize).saturating_sub(cw * (steps.len() + 1));
        let mut lines = Vec::new();
        let mut head = vec![Span::raw(fit("", name_w))];
        for st in steps {
            let label = if cw >= 7 {
                self.step_short(*st)
            } else {
                crate::tui::screens::main::step_tiny(*st, self.lang(), 3)
            };
            head.push(Span::styled(format!("{label:>cw$}"), self.theme.dim));
        }
        head.push(Span::styled(
            format!("{:>cw$}", self.t("Tổng", "All")),
            self.theme.dim,
        ));
        lines.push(Line::from(head));
        for (pi, p) in crate::domain::Pillar::ALL.iter().enumerate() {
            let (name, short) = if self.lang().is_en() {
                (p.name_en(), p.short_en())
            } else {
                (p.name_vi(), p.short_vi())
            };
            let mut spans = vec![Span::raw(fit(
                if name_w >= 28 { name } else { short },
                name_w,
            ))];
            for si in 0..steps.len() {
                let c = r
                    .by_pillar_step
                    .get(pi)
                    .and_then(|row| row.get(si))
                    .map(|p| p.completion())
                    .unwrap_or_default();
                spans.push(Span::raw(format!("{:>cw$}", pct_text(c).trim())));
            }
            let total = r
                .by_pillar
                .get(pi)
                .map(|p| p.completion.completion())
                .unwrap_or_default();
            spans.push(Span::styled(
                format!("{:>cw$}", pct_text(total).trim()),
                self.theme.branch,
            ));
            lines.push(Line::from(spans));
        }
        let mut foot = vec![Span::styled(
            fit(self.t("Theo bước", "By step"), name_w),
            self.theme.branch,
        )];
        for st in &r.by_step {
            foot.push(Span::styled(
                format!("{:>cw$}", pct_text(st.completion.completion()).trim()),
                self.theme.branch,
            ));
        }
        lines.push(Line::from(foot));
        // The trend by quarter under the table, as room allows; quarters before the
        // ward's first data are left blank, not drawn as 0 %.
        let room = (inner.height as usize).saturating_sub(lines.len() + 2);
        if room >= 1 && !r.trend.is_empty() {
            let quarters = &r.trend[r.trend.len().saturating_sub(steps.len() + 1)..];
            lines.push(Line::default());
            let mut head = vec![Span::styled(
                fit(self.t("Xu hướng theo quý", "Trend by quarter"), name_w),
                self.theme.dim,
            )];
            for p in quarters {
                let label = match p.period {
                    Period::Quarter(_, q) => format!("Q{q}"),
                    other => other.to_string(),
                };
                head.push(Span::styled(format!("{label:>cw$}"), self.theme.dim));
            }
            lines.push(Line::from(head));
            let cell = |p: Period, c: Completion| -> String {
                if s.before_data(p) {
                    format!("{:>cw$}", "")
                } else {
                    format!("{:>cw$}", pct_text(c).trim())
                }
            };
            let mut ward = vec![Span::styled(
                fit(self.t("TOÀN PHƯỜNG", "WHOLE WARD"), name_w),
                self.theme.branch,
            )];
            for p in quarters {
                ward.push(Span::raw(cell(p.period, p.completion.completion())));
            }
            lines.push(Line::from(ward));
            for (bi, _) in s.order.iter().take(room.saturating_sub(1)) {
                let b = &r.branches[*bi];
                let mut spans = vec![Span::raw(fit_name(&b.name, name_w))];
                for p in quarters {
                    let c = p
                        .branches
                        .iter()
                        .find(|x| x.name == b.name)
                        .map(|x| x.completion.completion())
                        .unwrap_or_default();
                    spans.push(Span::raw(cell(p.period, c)));
                }
                lines.push(Line::from(spans));
            }
        }
        Paragraph::new(lines).render(inner, buf);
    }

    fn draw_overdue(&self, area: Rect, buf: &mut Buffer) {
        let Some(s) = &self.data else { return };
        let r = &s.report;
        let focused = self.dash.focus == DashList::Overdue;
        let before = s.before_data(self.period());
        let prev_total = if self.previous_counts() {
            r.previous
                .as_ref()
                .map_or(0, |p| p.overdue_total.max(p.overdue.len() as u32))
        } else {
            0
        };
        let title = if before {
            format!(" {} ", self.t("Quá hạn", "Overdue"))
        } else if prev_total > 0 {
            format!(
                " {} ({}) · {} {} ",
                self.t("Quá hạn", "Overdue"),
                r.overdue_count(),
                self.t("tồn kỳ trước", "left from before"),
                prev_total
            )
        } else {
            format!(" {} ({}) ", self.t("Quá hạn", "Overdue"), r.overdue_count())
        };
        let block = self.block(fit(&title, area.width.saturating_sub(2) as usize), focused);
        let inner = block.inner(area);
        block.render(area, buf);
        if before {
            let first = s
                .data_periods
                .first()
                .map(|p| self.period_label(*p))
                .unwrap_or_default();
            Paragraph::new(format!(
                "{} {first}.",
                self.t(
                    "Chưa có dữ liệu cho kỳ này: phường bắt đầu ghi từ",
                    "No data for this period: the ward's records begin in"
                )
            ))
            .style(self.theme.dim)
            .wrap(Wrap { trim: true })
            .render(inner, buf);
            return;
        }
        let rows = self.dash_overdue();
        if rows.is_empty() {
            Paragraph::new(Span::styled(
                self.t("Không có mục quá hạn.", "Nothing overdue."),
                self.theme.ok,
            ))
            .render(inner, buf);
            return;
        }
        let w = inner.width as usize;
        let h = inner.height as usize;
        let sel = self.dash.overdue.min(rows.len() - 1);
        let off = scroll_offset(sel, h);
        for (i, o) in rows.iter().enumerate().skip(off).take(h) {
            // What the period before left is marked with its quarter, first, so no cut
            // can hide it.
            let from = if period_within(o.period, self.period()) {
                String::new()
            } else {
                format!("[{}] ", o.period)
            };
            let text = format!(
                "{} {from}{} · {} {}",
                self.g().overdue,
                fit_name(&o.group, 16).trim_end(),
                o.item,
                o.title,
            );
            let style = if i == sel && focused {
                self.theme.selected
            } else if o.period != self.period() && !period_within(o.period, self.period()) {
                self.theme.warn
            } else {
                Style::new()
            };
            buf.set_string(inner.x, inner.y + (i - off) as u16, fit(&text, w), style);
        }
        self.scroll_marks(area, buf, off, h, rows.len());
    }

    fn draw_votes(&self, area: Rect, buf: &mut Buffer) {
        let Some(s) = &self.data else { return };
        let r = &s.report;
        let focused = self.dash.focus == DashList::Votes;
        let failed: Vec<_> = r.votes.iter().filter(|v| !v.verdict.passes).collect();
        let block = self.block(
            fit(
                &format!(
                    " {} ({}/{}) ",
                    self.t("Biểu quyết không đạt", "Votes that failed"),
                    r.votes_failed_count(),
                    r.votes_count()
                ),
                area.width.saturating_sub(2) as usize,
            ),
            focused,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        if failed.is_empty() {
            Paragraph::new(Span::styled(
                self.t("Mọi biểu quyết đều đạt.", "Every vote passed."),
                self.theme.ok,
            ))
            .render(inner, buf);
            return;
        }
        let w = inner.width as usize;
        let h = inner.height as usize;
        let sel = self.dash.votes.min(failed.len() - 1);
        let off = scroll_offset(sel, h);
        for (i, v) in failed.iter().enumerate().skip(off).take(h) {
            let summary = if self.lang().is_en() {
                v.verdict.summary_en()
            } else {
                v.verdict.summary_vi()
            };
            let text = format!(
                "{} {} · {} {summary}",
                self.g().failed,
                fit_name(&v.group, 16).trim_end(),
                v.item
            );
            let style = if i == sel && focused {
                self.theme.selected
            } else {
                self.theme.error
            };
            buf.set_string(inner.x, inner.y + (i - off) as u16, fit(&text, w), style);
        }
        self.scroll_marks(area, buf, off, h, failed.len());
    }

    /// ▲ / ▼ on a frame when its list goes on above or below.
    pub fn scroll_marks(&self, area: Rect, buf: &mut Buffer, off: usize, h: usize, n: usize) {
        let x = area.right().saturating_sub(5);
        if off > 0 {
            buf.set_string(
                x,
                area.y,
                format!(" {} ", self.g().more_above),
                self.theme.dim,
            );
        }
        if off + h < n {
            buf.set_string(
                x,
                area.bottom() - 1,
                format!(" {} ", self.g().more_below),
                self.theme.dim,
            );
        }
    }
}

/// Whether `inner` lies within `outer` (a quarter within its year).
pub fn period_within(inner: Period, outer: Period) -> bool {
    outer.start() <= inner.start() && inner.end() <= outer.end()
}

//! Drawing: `impl Widget for &App`. State is read, never changed, while drawing.

use super::app::*;
use super::form::Field;
use crate::domain::Completion;
use crate::domain::date;
use crate::domain::entry::StepStatus;
use crate::domain::step::Step;
use crate::domain::text;
use crate::present::{fit, fit_name};
use crate::service::report::Pct;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::border;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            self.draw_too_small(area, buf);
        } else {
            match &self.screen {
                Screen::FirstRun { creating } => self.draw_first_run(area, buf, creating.as_ref()),
                Screen::Main => self.draw_main(area, buf),
                Screen::Dashboard => self.draw_dashboard(area, buf),
            }
            if let Some(p) = &self.popup {
                self.draw_popup(area, buf, p);
            }
            if let Some(l) = &self.login {
                self.draw_login(area, buf, l);
            }
        }
        if self.opts.ascii {
            asciify(buf, area);
        }
    }
}

/// Turn every cell into ASCII (for consoles without Vietnamese fonts).
pub fn asciify(buf: &mut Buffer, area: Rect) {
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            if let Some(cell) = buf.cell_mut((x, y)) {
                let sym = cell.symbol();
                if !sym.is_ascii() {
                    let a = text::to_ascii(sym);
                    let c = a.chars().next().unwrap_or(' ');
                    cell.set_char(if a == "->" {
                        '>'
                    } else if a == "<-" {
                        '<'
                    } else {
                        c
                    });
                }
            }
        }
    }
}

fn pct_text(c: Completion) -> String {
    match c.percent() {
        Some(p) => format!("{:>3.0}%", p),
        None => "  – ".to_string(),
    }
}

impl App {
    fn block<'a>(&self, title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
        let b = Block::default()
            .borders(Borders::ALL)
            .title(title)
            .border_set(if self.opts.ascii {
                ASCII_BORDER
            } else {
                border::PLAIN
            });
        if focused {
            b.border_style(self.theme.accent)
        } else {
            b.border_style(self.theme.dim)
        }
    }

    fn bar_spans(&self, c: Completion, w: usize) -> Vec<Span<'static>> {
        let filled = ((c.ratio() * w as f64).round() as usize).min(w);
        let (full, empty) = if self.theme.mono || self.opts.ascii {
            ("#", "-")
        } else {
            ("█", "░")
        };
        vec![
            Span::styled(full.repeat(filled), self.theme.bar_full),
            Span::styled(empty.repeat(w - filled), self.theme.bar_empty),
        ]
    }

    fn status_symbol(&self, s: Option<StepStatus>) -> (&'static str, Style) {
        let t = &self.theme;
        match s {
            None => (" ", t.dim),
            Some(StepStatus::Done) => ("✓", t.done),
            Some(StepStatus::Doing) => ("~", t.doing),
            Some(StepStatus::Todo) => ("·", t.todo),
            Some(StepStatus::NotApplicable) => ("–", t.na),
        }
    }

    fn step_name(&self, s: Step) -> &'static str {
        if self.lang().is_en() {
            s.name_en()
        } else {
            s.name_vi()
        }
    }

    fn step_short(&self, s: Step) -> &'static str {
        if self.lang().is_en() {
            s.short_en()
        } else {
            s.short_vi()
        }
    }

    fn draw_too_small(&self, area: Rect, buf: &mut Buffer) {
        let msg = format!(
            "{} {}×{} ({} {}×{})",
            self.t(
                "Cửa sổ quá nhỏ: hãy phóng to ít nhất",
                "Window too small: enlarge it to at least"
            ),
            MIN_WIDTH,
            MIN_HEIGHT,
            self.t("hiện tại", "now"),
            area.width,
            area.height
        );
        Paragraph::new(msg)
            .wrap(Wrap { trim: true })
            .alignment(Alignment::Center)
            .render(area, buf);
    }

    fn draw_header(&self, area: Rect, buf: &mut Buffer) {
        let (ward, steps) = match &self.snap {
            Some(s) => (s.ward.name.clone(), s.ward.steps.count()),
            None => (String::new(), 4),
        };
        let period = if self.lang().is_en() {
            self.period.label_en()
        } else {
            self.period.label_vi()
        };
        let who = format!("{}: {}", self.t("Người làm", "User"), self.actor);
        let left = format!(
            " qcdc · {ward} · {period} · {steps} {}",
            self.t("bước", "steps")
        );
        let w = area.width as usize;
        let right_w = who.chars().count() + 1;
        let line = if left.chars().count() + right_w < w {
            format!("{}{} ", fit(&left, w - right_w), who)
        } else {
            fit(&left, w)
        };
        Paragraph::new(line)
            .style(self.theme.header)
            .render(area, buf);
    }

    fn draw_footer(&self, area: Rect, buf: &mut Buffer, keys: &[(String, &str)]) {
        let [status_area, keys_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
        if let Some(s) = &self.status {
            let style = if s.error {
                self.theme.error
            } else {
                self.theme.ok
            };
            Paragraph::new(Line::from(Span::styled(s.text.clone(), style)))
                .render(status_area, buf);
        } else {
            let mut bits: Vec<String> = Vec::new();
            if let Some(p) = self.filters.pillar {
                bits.push(format!(
                    "{}: {}",
                    self.t("Trụ cột", "Pillar"),
                    if self.lang().is_en() {
                        p.name_en()
                    } else {
                        p.name_vi()
                    }
                ));
            }
            if self.filters.not_done {
                bits.push(self.t("chưa xong", "not done").into());
            }
            if self.filters.overdue {
                bits.push(self.t("quá hạn", "overdue").into());
            }
            if !self.search.value().is_empty() {
                bits.push(format!("/{}", self.search.value()));
            }
            if !self.drafts.is_empty() {
                bits.push(format!(
                    "{} {}",
                    self.drafts.len(),
                    self.t("bản nháp chưa lưu", "unsaved drafts")
                ));
            }
            if !bits.is_empty() {
                let line = format!("{}: {}", self.t("Đang lọc", "Filters"), bits.join(" · "));
                Paragraph::new(Span::styled(line, self.theme.warn)).render(status_area, buf);
            } else if self.screen == Screen::Main
                && self.focus == Pane::List
                && let Some(r) = self.selected_row()
            {
                // The full title and citation of the row under the cursor: titles are
                // cut in the list, never here.
                let line = format!(
                    "{} {} · {}",
                    r.item.code,
                    r.item.title_in(self.lang().is_en()),
                    r.item.citation
                );
                Paragraph::new(Span::styled(line, self.theme.dim)).render(status_area, buf);
            }
        }
        let mut spans = Vec::new();
        let mut used = 0usize;
        for (k, d) in keys {
            let need = k.chars().count() + d.chars().count() + 4;
            if used + need > keys_area.width as usize {
                break;
            }
            used += need;
            spans.push(Span::styled(format!(" {k} "), self.theme.header));
            spans.push(Span::raw(format!(" {d} ")));
        }
        Paragraph::new(Line::from(spans)).render(keys_area, buf);
    }

    fn draw_main(&self, area: Rect, buf: &mut Buffer) {
        let l = main_layout(area);
        self.draw_header(l.header, buf);
        self.draw_tree(l.tree, buf);
        self.draw_list(l.list, buf);
        let k = &self.keymap;
        use super::keymap::Action as A;
        let keys: Vec<(String, &str)> = vec![
            (k.first(A::Toggle), self.t("đổi bước", "toggle")),
            (k.first(A::Open), self.t("chi tiết", "open")),
            (k.first(A::Dashboard), self.t("tổng hợp", "dashboard")),
            (k.first(A::Search), self.t("tìm", "search")),
            (k.first(A::Period), self.t("kỳ", "period")),
            (k.first(A::Undo), self.t("hoàn tác", "undo")),
            (k.first(A::Help), self.t("phím", "keys")),
            (k.first(A::Quit), self.t("thoát", "quit")),
        ];
        self.draw_footer(l.footer, buf, &keys);
    }

    fn draw_tree(&self, area: Rect, buf: &mut Buffer) {
        let focused = self.focus == Pane::Tree;
        let mut title = format!(" {} ", self.t("Chi bộ · Tổ dân phố", "Branches · groups"));
        if self.tree_searching || !self.tree_search.value().is_empty() {
            title = format!(" /{} ", self.tree_search.value());
        }
        let block = self.block(title, focused);
        let inner = block.inner(area);
        block.render(area, buf);
        let Some(s) = &self.snap else { return };
        let lines = self.tree_lines();
        let sel = self.tree_sel_line();
        let h = inner.height as usize;
        let off = scroll_offset(sel, h);
        let w = inner.width as usize;
        let bar_w = if w >= 40 { 8 } else { 4 };
        let name_w = w.saturating_sub(bar_w + 6);
        for (i, line) in lines.iter().enumerate().skip(off).take(h) {
            let y = inner.y + (i - off) as u16;
            let row = Rect::new(inner.x, y, inner.width, 1);
            let (name, c, style, overdue) = match line {
                TreeLine::Ward => (
                    format!("◆ {}", self.group_name(crate::domain::ward::WARD_GROUP)),
                    s.report.ward_level.completion.completion(),
                    self.theme.branch,
                    s.report.ward_level.overdue,
                ),
                TreeLine::Branch(b) => {
                    let b = &s.report.branches[*b];
                    (
                        fit_name(&b.name, name_w),
                        b.completion.completion(),
                        self.theme.branch,
                        0,
                    )
                }
                TreeLine::Group(b, g) => {
                    let g = &s.report.branches[*b].groups[*g];
                    (
                        format!("  {}", fit_name(&g.name, name_w.saturating_sub(2))),
                        g.completion.completion(),
                        Style::new(),
                        g.overdue,
                    )
                }
            };
            // A blank mark keeps the line's style: a colour change for a space is only
            // bytes on the wire.
            let mark = if overdue > 0 {
                Span::styled("!", self.theme.error)
            } else {
                Span::styled(" ", style)
            };
            let mut spans = vec![Span::styled(fit(&name, name_w), style), mark];
            spans.extend(self.bar_spans(c, bar_w));
            spans.push(Span::raw(format!(" {}", pct_text(c))));
            let selected = i == sel;
            let mut p = Paragraph::new(Line::from(spans));
            if selected {
                p = p.style(if focused {
                    self.theme.selected
                } else {
                    self.theme.selected.add_modifier(Modifier::DIM)
                });
            }
            p.render(row, buf);
        }
    }

    fn draw_list(&self, area: Rect, buf: &mut Buffer) {
        let focused = self.focus == Pane::List;
        let steps = self.ward_steps();
        let col_step = steps.get(self.step_col).copied();
        let gname = self.group_name(self.group);
        let title = match (self.searching || !self.search.value().is_empty(), col_step) {
            (true, _) => format!(" {gname} · /{} ", self.search.value()),
            (false, Some(s)) if focused => format!(" {gname} · {} ", self.step_name(s)),
            _ => format!(" {gname} "),
        };
        let block = self.block(title, focused);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height < 2 {
            return;
        }
        let w = inner.width as usize;
        let col_w = if w >= 70 {
            7
        } else if steps.len() > 4 {
            4
        } else {
            5
        };
        let show_pct = w >= 60;
        let steps_w = col_w * steps.len();
        let title_w = w.saturating_sub(7 + steps_w + if show_pct { 5 } else { 0 });
        // Column headings.
        let mut head = vec![Span::styled(fit(self.t("Mã", "Code"), 7), self.theme.dim)];
        head.push(Span::styled(
            fit(self.t("Nội dung", "Item"), title_w),
            self.theme.dim,
        ));
        for (i, s) in steps.iter().enumerate() {
            let label = if col_w >= 5 {
                self.step_short(*s).to_string()
            } else {
                step_tiny(*s, self.lang()).to_string()
            };
            let style = if focused && i == self.step_col {
                self.theme.accent
            } else {
                self.theme.dim
            };
            head.push(Span::styled(fit(&label, col_w), style));
        }
        if show_pct {
            head.push(Span::styled(self.t(" Đạt", " Done"), self.theme.dim));
        }
        Paragraph::new(Line::from(head)).render(Rect::new(inner.x, inner.y, inner.width, 1), buf);

        let rows = self.visible_rows();
        let lines = self.list_lines();
        let body = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
        let h = body.height as usize;
        if rows.is_empty() {
            let msg = if self.snap.as_ref().is_some_and(|s| s.rows.is_empty()) {
                self.t("Không có mục nào cho kỳ này.", "No items for this period.")
            } else {
                self.t(
                    "Không có mục nào khớp bộ lọc (phím c để bỏ lọc).",
                    "No item matches the filters (c clears them).",
                )
            };
            Paragraph::new(msg).style(self.theme.dim).render(body, buf);
            return;
        }
        let sel_line = lines
            .iter()
            .position(|l| *l == ListLine::Item(self.list_sel))
            .unwrap_or(0);
        let off = scroll_offset(sel_line, h);
        for (li, line) in lines.iter().enumerate().skip(off).take(h) {
            let y = body.y + (li - off) as u16;
            let r = Rect::new(body.x, y, body.width, 1);
            match line {
                ListLine::Heading(p) => {
                    let name = if self.lang().is_en() {
                        p.name_en()
                    } else {
                        p.name_vi()
                    };
                    let c: Completion = rows
                        .iter()
                        .filter(|x| x.item.pillar == *p)
                        .map(|x| x.completion)
                        .sum();
                    Paragraph::new(Span::styled(
                        format!("── {name} {} ", pct_text(c).trim()),
                        self.theme.branch,
                    ))
                    .render(r, buf);
                }
                ListLine::Item(i) => {
                    let row = rows[*i];
                    let selected = *i == self.list_sel;
                    let mark = if row.overdue {
                        Span::styled("!", self.theme.error)
                    } else if row.verdict.is_some_and(|v| !v.passes) {
                        Span::styled("✗", self.theme.error)
                    } else if self.drafts.contains_key(&App::draft_key(row)) {
                        Span::styled("*", self.theme.warn)
                    } else {
                        Span::raw(" ")
                    };
                    let mut title = row.item.title_in(self.lang().is_en()).to_string();
                    if row.slot != self.period {
                        title = format!("{title} ({})", row.slot);
                    }
                    let base = if selected && focused {
                        self.theme.selected
                    } else if selected {
                        self.theme.selected.add_modifier(Modifier::DIM)
                    } else {
                        Style::new()
                    };
                    let mut spans = vec![
                        Span::styled(fit(&row.item.code, 6), base),
                        mark,
                        Span::styled(fit(&title, title_w), base),
                    ];
                    for (si, s) in steps.iter().enumerate() {
                        let st = row.item.steps.contains(s).then(|| row.entry.status(*s));
                        let (sym, style) = self.status_symbol(st);
                        let cell = format!("{:^w$}", sym, w = col_w.saturating_sub(1));
                        let style = if selected && focused && si == self.step_col {
                            self.theme.selected
                        } else {
                            style
                        };
                        spans.push(Span::styled(cell, style));
                        spans.push(Span::raw(" "));
                    }
                    if show_pct {
                        spans.push(Span::raw(pct_text(row.completion)));
                    }
                    Paragraph::new(Line::from(spans)).render(r, buf);
                }
            }
        }
    }

    fn draw_first_run(&self, area: Rect, buf: &mut Buffer, creating: Option<&CreateWard>) {
        let block = self.block(
            format!(" qcdc — {} ", self.t("Bắt đầu", "Getting started")),
            true,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        let mut lines = vec![
            Line::from(Span::styled(self.t("Chào mừng đến với qcdc", "Welcome to qcdc"), self.theme.accent)),
            Line::from(self.t(
                "Theo dõi thực hiện dân chủ ở cơ sở (Luật 10/2022/QH15) cho phường và các tổ dân phố.",
                "Grassroots democracy checklists (Law 10/2022/QH15) for a ward and its residential groups.",
            )),
            Line::from(""),
            Line::from(format!("{} {}", self.t("Cơ sở dữ liệu chưa có phường nào:", "The database holds no ward yet:"), self.opts.db_label)),
            Line::from(""),
        ];
        match creating {
            None => {
                lines.push(Line::from(format!(
                    "  [1]  {}",
                    self.t(
                        "Nạp phường mẫu (dữ liệu minh họa)",
                        "Load the demo ward (sample data)"
                    )
                )));
                lines.push(Line::from(format!(
                    "  [2]  {}",
                    self.t("Tạo phường mới", "Create a ward")
                )));
                lines.push(Line::from(format!("  [q]  {}", self.t("Thoát", "Quit"))));
            }
            Some(c) => {
                lines.push(Line::from(Span::styled(
                    self.t("Tạo phường mới", "Create a ward"),
                    self.theme.branch,
                )));
                lines.push(Line::from(vec![
                    Span::raw(format!("  {}: ", self.t("Tên phường", "Ward name"))),
                    Span::styled(format!("{}▏", c.name.value()), self.theme.selected),
                ]));
                let (four, six) = if c.six {
                    ("( )", "(•)")
                } else {
                    ("(•)", "( )")
                };
                lines.push(Line::from(format!(
                    "  {}: {four} {}   {six} {}",
                    self.t("Phương châm", "Motto steps"),
                    self.t("4 bước: biết, bàn, làm, kiểm tra", "4 steps"),
                    self.t("6 bước: + giám sát, thụ hưởng", "6 steps")
                )));
                lines.push(Line::from(""));
                lines.push(Line::from(self.t(
                    "  Enter: tạo · Tab: đổi 4/6 bước · Esc: quay lại",
                    "  Enter: create · Tab: switch 4/6 steps · Esc: back",
                )));
            }
        }
        if let Some(s) = &self.status {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                s.text.clone(),
                if s.error {
                    self.theme.error
                } else {
                    self.theme.ok
                },
            )));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }

    fn draw_dashboard(&self, area: Rect, buf: &mut Buffer) {
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(2),
        ])
        .areas(area);
        self.draw_header(header, buf);
        use super::keymap::Action as A;
        let k = &self.keymap;
        let keys: Vec<(String, &str)> = vec![
            (k.first(A::Dashboard), self.t("danh mục", "checklist")),
            (k.first(A::Period), self.t("kỳ", "period")),
            (
                format!("{}/{}", k.first(A::PrevPeriod), k.first(A::NextPeriod)),
                self.t("kỳ trước/sau", "prev/next"),
            ),
            (k.first(A::Help), self.t("phím", "keys")),
            (k.first(A::Quit), self.t("thoát", "quit")),
        ];
        self.draw_footer(footer, buf, &keys);
        let Some(s) = &self.snap else { return };
        let r = &s.report;
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
        let [branches_a, table_a] =
            Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(top);
        let [overdue_a, votes_a] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(bottom);

        // Completion per branch, with the whole ward and the trend first.
        let block = self.block(
            format!(
                " {} ",
                self.t("Hoàn thành theo chi bộ", "Completion by branch")
            ),
            false,
        );
        let inner = block.inner(branches_a);
        block.render(branches_a, buf);
        let w = inner.width as usize;
        let bar_w = w.saturating_sub(24).clamp(4, 20);
        let name_w = w.saturating_sub(bar_w + 6);
        let mut lines: Vec<Line> = Vec::new();
        let trend = r
            .previous
            .as_ref()
            .and_then(|p| Some(r.completion.percent? - p.completion.percent?));
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
        if let (Some(p), Some(d)) = (&r.previous, trend) {
            let arrow = if d > 0.05 {
                "▲"
            } else if d < -0.05 {
                "▼"
            } else {
                "="
            };
            let label = p.period.to_string();
            lines.push(Line::from(Span::styled(
                format!(
                    "  {arrow} {:+.1} {} {label} ({})",
                    d,
                    self.t("so với", "vs"),
                    pct_text(p.completion.completion()).trim()
                ),
                if d < 0.0 {
                    self.theme.warn
                } else {
                    self.theme.ok
                },
            )));
        }
        for b in &r.branches {
            let mut spans = vec![Span::raw(fit_name(&b.name, name_w))];
            spans.extend(self.bar_spans(b.completion.completion(), bar_w));
            spans.push(Span::raw(format!(
                " {}",
                pct_text(b.completion.completion())
            )));
            lines.push(Line::from(spans));
        }
        Paragraph::new(lines).render(inner, buf);

        // Pillar × step table.
        let block = self.block(
            format!(
                " {} ",
                self.t("Trụ cột × bước (toàn phường)", "Pillar × step (ward)")
            ),
            false,
        );
        let inner = block.inner(table_a);
        block.render(table_a, buf);
        let steps = s.ward.steps.steps();
        let cw = if inner.width >= 50 { 7usize } else { 5 };
        let name_w = (inner.width as usize).saturating_sub(cw * (steps.len() + 1));
        let mut lines = Vec::new();
        let mut head = vec![Span::raw(fit("", name_w))];
        for st in steps {
            head.push(Span::styled(
                format!(
                    "{:>w$}",
                    if cw >= 7 {
                        self.step_short(*st)
                    } else {
                        step_tiny(*st, self.lang())
                    },
                    w = cw
                ),
                self.theme.dim,
            ));
        }
        head.push(Span::styled(
            format!("{:>cw$}", self.t("Tổng", "All")),
            self.theme.dim,
        ));
        lines.push(Line::from(head));
        let cells = self.pillar_step_table();
        for (pi, p) in crate::domain::Pillar::ALL.iter().enumerate() {
            let name = if self.lang().is_en() {
                p.name_en()
            } else {
                p.name_vi()
            };
            let short = if self.lang().is_en() {
                p.short_en()
            } else {
                p.short_vi()
            };
            let mut spans = vec![Span::raw(fit(
                if name_w >= 28 { name } else { short },
                name_w,
            ))];
            for (si, _) in steps.iter().enumerate() {
                let c = cells
                    .get(pi)
                    .and_then(|r| r.get(si))
                    .copied()
                    .unwrap_or_default();
                spans.push(Span::raw(format!("{:>cw$}", pct_text(c).trim())));
            }
            spans.push(Span::styled(
                format!(
                    "{:>cw$}",
                    pct_text(r.by_pillar[pi].completion.completion()).trim()
                ),
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
        // The trend under the table, as room allows: the ward, then each branch, one
        // column per quarter of the year (a bar glyph and the completion).
        let room = (inner.height as usize).saturating_sub(lines.len() + 2);
        if room >= 1 && !r.trend.is_empty() {
            let glyph = |c: Completion| -> &'static str {
                if self.theme.mono || self.opts.ascii || c.applicable == 0 {
                    " "
                } else {
                    ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"][(c.ratio() * 7.0).round() as usize]
                }
            };
            let quarters = &r.trend[r.trend.len().saturating_sub(steps.len() + 1)..];
            lines.push(Line::default());
            let mut head = vec![Span::styled(
                fit(self.t("Xu hướng theo quý", "Trend by quarter"), name_w),
                self.theme.dim,
            )];
            for p in quarters {
                let label = match p.period {
                    crate::domain::Period::Quarter(_, q) => format!("Q{q}"),
                    other => other.to_string(),
                };
                head.push(Span::styled(format!("{label:>cw$}"), self.theme.dim));
            }
            lines.push(Line::from(head));
            let mut rows: Vec<(String, Vec<Completion>, bool)> = vec![(
                self.t("TOÀN PHƯỜNG", "WHOLE WARD").to_string(),
                quarters.iter().map(|p| p.completion.completion()).collect(),
                true,
            )];
            for b in &r.branches {
                rows.push((
                    b.name.clone(),
                    quarters
                        .iter()
                        .map(|p| {
                            p.branches
                                .iter()
                                .find(|x| x.name == b.name)
                                .map(|x| x.completion.completion())
                                .unwrap_or_default()
                        })
                        .collect(),
                    false,
                ));
            }
            for (name, cs, strong) in rows.into_iter().take(room) {
                let mut spans = vec![Span::styled(
                    format!("{} ", fit_name(&name, name_w.saturating_sub(1))),
                    if strong {
                        self.theme.branch
                    } else {
                        Style::default()
                    },
                )];
                for c in cs {
                    let sep = if cw >= 7 { " " } else { "" };
                    spans.push(Span::raw(format!(
                        "{:>cw$}",
                        format!("{}{sep}{}", glyph(c), pct_text(c).trim())
                    )));
                }
                lines.push(Line::from(spans));
            }
        }
        Paragraph::new(lines).render(inner, buf);

        // Overdue entries: this period's, then what the previous period left undone.
        let prev_overdue: &[crate::service::report::OverdueRow] = r
            .previous
            .as_ref()
            .map(|p| p.overdue.as_slice())
            .unwrap_or(&[]);
        // Counted in full even when the lists are cut (a city-sized report).
        let total = r.overdue_count() as usize
            + r.previous
                .as_ref()
                .map_or(0, |p| (p.overdue_total as usize).max(p.overdue.len()));
        let block = self.block(
            format!(" {} ({}) ", self.t("Quá hạn", "Overdue"), total),
            false,
        );
        let inner = block.inner(overdue_a);
        block.render(overdue_a, buf);
        let w = inner.width as usize;
        let lines: Vec<Line> = if total == 0 {
            vec![Line::from(Span::styled(
                self.t("Không có mục quá hạn.", "Nothing overdue."),
                self.theme.ok,
            ))]
        } else {
            r.overdue
                .iter()
                .chain(prev_overdue.iter())
                .map(|o| {
                    let text = format!(
                        "{} · {} {} ({})",
                        fit_name(&o.group, 14).trim_end(),
                        o.item,
                        o.title,
                        o.period
                    );
                    Line::from(vec![
                        Span::styled("! ", self.theme.error),
                        Span::raw(fit(&text, w.saturating_sub(2))),
                    ])
                })
                .collect()
        };
        Paragraph::new(lines).render(inner, buf);

        // Decisions that failed their threshold.
        let failed: Vec<_> = r.votes.iter().filter(|v| !v.verdict.passes).collect();
        let block = self.block(
            format!(
                " {} ({}/{}) ",
                self.t("Biểu quyết không đạt", "Votes that failed"),
                r.votes_failed_count(),
                r.votes_count()
            ),
            false,
        );
        let inner = block.inner(votes_a);
        block.render(votes_a, buf);
        let lines: Vec<Line> = if failed.is_empty() {
            vec![Line::from(Span::styled(
                self.t("Mọi biểu quyết đều đạt.", "Every vote passed."),
                self.theme.ok,
            ))]
        } else {
            failed
                .iter()
                .map(|v| {
                    let s = if self.lang().is_en() {
                        v.verdict.summary_en()
                    } else {
                        v.verdict.summary_vi()
                    };
                    Line::from(vec![
                        Span::styled(format!("{} · {} ", v.group, v.item), self.theme.error),
                        Span::raw(s),
                    ])
                })
                .collect()
        };
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .render(inner, buf);
    }

    /// Completion for each pillar × step over the whole ward.
    fn pillar_step_table(&self) -> Vec<Vec<Completion>> {
        let Some(s) = &self.snap else { return vec![] };
        s.report
            .by_pillar_step
            .iter()
            .map(|row| row.iter().map(|p| p.completion()).collect())
            .collect()
    }

    /// "Who is working?" on a shared PC.
    fn draw_login(&self, area: Rect, buf: &mut Buffer, l: &LoginPrompt) {
        let h = (l.members.len() as u16 + 7).min(area.height);
        let r = Self::popup_area(area, 60, h);
        Clear.render(r, buf);
        let block = self.block(
            format!(" {} ", self.t("Ai đang làm việc?", "Who is working?")),
            true,
        );
        let inner = block.inner(r);
        block.render(r, buf);
        let mut lines = vec![Line::from(self.t(
            "Chọn tên của bạn (↑↓, Enter). Esc: chỉ xem.",
            "Pick your name (↑↓, Enter). Esc: view only.",
        ))];
        for (i, (name, pin)) in l.members.iter().enumerate() {
            let style = if i == l.sel {
                self.theme.selected
            } else {
                Style::new()
            };
            let mark = if *pin { " (PIN)" } else { "" };
            lines.push(Line::from(Span::styled(format!("  {name}{mark}"), style)));
        }
        if let Some(pin) = &l.pin {
            lines.push(Line::from(""));
            lines.push(Line::from(vec![
                Span::raw(format!("{}: ", self.t("Mã PIN", "PIN"))),
                Span::styled(
                    format!("{}▏", "•".repeat(pin.value().chars().count())),
                    self.theme.selected,
                ),
            ]));
        }
        if let Some(s) = &self.status {
            lines.push(Line::from(Span::styled(
                s.text.clone(),
                if s.error {
                    self.theme.error
                } else {
                    self.theme.ok
                },
            )));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }

    fn popup_area(area: Rect, w: u16, h: u16) -> Rect {
        let w = w.min(area.width);
        let h = h.min(area.height);
        Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        )
    }

    fn draw_popup(&self, area: Rect, buf: &mut Buffer, p: &Popup) {
        match p {
            Popup::Help { scroll } => {
                let r = Self::popup_area(
                    area,
                    area.width.saturating_sub(8).min(90),
                    area.height.saturating_sub(2),
                );
                Clear.render(r, buf);
                let block = self.block(
                    format!(" {} ", self.t("Phím tắt (Esc: đóng)", "Keys (Esc: close)")),
                    true,
                );
                let inner = block.inner(r);
                block.render(r, buf);
                let mut lines: Vec<Line> = self
                    .keymap
                    .help_rows(self.lang())
                    .into_iter()
                    .map(|(k, d)| {
                        Line::from(vec![
                            Span::styled(fit(&k, 20), self.theme.accent),
                            Span::raw(d),
                        ])
                    })
                    .collect();
                lines.push(Line::from(vec![
                    Span::styled(fit("Esc", 20), self.theme.accent),
                    Span::raw(self.t(
                        "Đóng cửa sổ (không xóa gì)",
                        "Close a popup (never deletes anything)",
                    )),
                ]));
                lines.push(Line::from(""));
                lines.push(Line::from(self.t(
                    "Ký hiệu: ✓ đã xong · ~ đang làm · · chưa làm · – không áp dụng · ! quá hạn · ✗ biểu quyết không đạt · * bản nháp",
                    "Marks: ✓ done · ~ in progress · · to do · – not applicable · ! overdue · ✗ vote failed · * draft",
                )));
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .scroll((*scroll as u16, 0))
                    .render(inner, buf);
            }
            Popup::ConfirmQuit => {
                let r = Self::popup_area(area, 60, 6);
                Clear.render(r, buf);
                let block = self.block(format!(" {} ", self.t("Thoát?", "Quit?")), true);
                let inner = block.inner(r);
                block.render(r, buf);
                let msg = format!(
                    "{} {} {}\n{}",
                    self.t("Còn", "There are"),
                    self.drafts.len(),
                    self.t(
                        "bản nháp chưa lưu sẽ mất.",
                        "unsaved drafts that will be lost."
                    ),
                    self.t(
                        "Nhấn c (có) để thoát, phím khác để ở lại.",
                        "Press y to quit, any other key to stay."
                    )
                );
                Paragraph::new(msg)
                    .wrap(Wrap { trim: true })
                    .render(inner, buf);
            }
            Popup::Period { options, sel } => {
                let r = Self::popup_area(area, 36, (options.len() as u16 + 2).min(area.height));
                Clear.render(r, buf);
                let block = self.block(
                    format!(" {} ", self.t("Kỳ báo cáo", "Reporting period")),
                    true,
                );
                let inner = block.inner(r);
                block.render(r, buf);
                let h = inner.height as usize;
                let off = scroll_offset(*sel, h);
                for (i, p) in options.iter().enumerate().skip(off).take(h) {
                    let label = if self.lang().is_en() {
                        p.label_en()
                    } else {
                        p.label_vi()
                    };
                    let mark = if *p == self.period { "•" } else { " " };
                    let style = if i == *sel {
                        self.theme.selected
                    } else {
                        Style::new()
                    };
                    Paragraph::new(format!("{mark} {label}"))
                        .style(style)
                        .render(
                            Rect::new(inner.x, inner.y + (i - off) as u16, inner.width, 1),
                            buf,
                        );
                }
            }
            Popup::History {
                title,
                records,
                scroll,
            } => {
                let r = Self::popup_area(
                    area,
                    area.width.saturating_sub(4),
                    area.height.saturating_sub(2),
                );
                Clear.render(r, buf);
                let block = self.block(
                    format!(" {} — {} (Esc) ", self.t("Lịch sử", "History"), title),
                    true,
                );
                let inner = block.inner(r);
                block.render(r, buf);
                let mut lines: Vec<Line> = Vec::new();
                if records.is_empty() {
                    lines.push(Line::from(
                        self.t("Chưa có thay đổi nào.", "No changes yet."),
                    ));
                }
                for rec in records.iter().skip(*scroll) {
                    lines.push(Line::from(vec![
                        Span::styled(rec.at_local_string(), self.theme.accent),
                        Span::raw(format!("  {}  {}", rec.actor.label(), rec.action)),
                    ]));
                    for c in &rec.changes {
                        let show = |v: &str| {
                            if v.is_empty() {
                                "∅".to_string()
                            } else {
                                v.to_string()
                            }
                        };
                        lines.push(Line::from(format!(
                            "    {}: {} → {}",
                            c.field,
                            show(&c.old),
                            show(&c.new)
                        )));
                    }
                }
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .render(inner, buf);
            }
            Popup::Detail(f) => self.draw_form(area, buf, f),
        }
    }

    fn draw_form(&self, area: Rect, buf: &mut Buffer, f: &super::form::EntryForm) {
        let lang = self.lang();
        let r = Self::popup_area(
            area,
            area.width.saturating_sub(2).min(100),
            area.height.saturating_sub(1),
        );
        Clear.render(r, buf);
        let period = if lang.is_en() {
            f.base.period.label_en()
        } else {
            f.base.period.label_vi()
        };
        let block = self.block(
            format!(" {} · {} · {} ", f.item.code, f.group_name, period),
            true,
        );
        let inner = block.inner(r);
        block.render(r, buf);
        let w = inner.width as usize;
        let mut lines: Vec<Line> = vec![
            Line::from(Span::styled(
                f.item.title_in(lang.is_en()).to_string(),
                self.theme.branch,
            )),
            Line::from(Span::styled(
                format!(
                    "{} · {} · {}",
                    f.item.citation,
                    if lang.is_en() {
                        f.item.recurrence.name_en()
                    } else {
                        f.item.recurrence.name_vi()
                    },
                    f.item
                        .evidence
                        .iter()
                        .map(|e| if lang.is_en() {
                            e.name_en()
                        } else {
                            e.name_vi()
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                self.theme.dim,
            )),
        ];
        let label_w = 26.min(w / 3);
        let errs = f.validate(lang).0;
        for (i, field) in f.fields.iter().enumerate() {
            let selected = i == f.sel;
            let mut spans = vec![Span::styled(
                format!(
                    "{} ",
                    fit(
                        &format!(
                            "{}{}",
                            if selected { "▶ " } else { "  " },
                            field.label(lang)
                        ),
                        label_w.saturating_sub(1)
                    )
                ),
                if selected {
                    self.theme.accent
                } else {
                    Style::new()
                },
            )];
            let value = match field {
                Field::Step(s) => {
                    let st = f.steps[s.index()];
                    let (sym, style) = self.status_symbol(Some(st));
                    let name = if lang.is_en() {
                        st.name_en()
                    } else {
                        st.name_vi()
                    };
                    let style = if selected { self.theme.selected } else { style };
                    Span::styled(format!("[{sym} {name}]"), style)
                }
                Field::Form => {
                    let style = if selected {
                        self.theme.selected
                    } else {
                        Style::new()
                    };
                    Span::styled(format!("[{}]", f.vote_form.name_vi()), style)
                }
                other => {
                    let v = f
                        .input(*other)
                        .map(|i| i.value().to_string())
                        .unwrap_or_default();
                    let shown = if selected {
                        format!("{v}▏")
                    } else if v.is_empty() {
                        "…".into()
                    } else {
                        v
                    };
                    let vw = w.saturating_sub(label_w + 1).min(60);
                    Span::styled(
                        fit(&shown, vw),
                        if selected {
                            self.theme.selected
                        } else {
                            Style::new()
                        },
                    )
                }
            };
            spans.push(value);
            if let Some((_, e)) = errs.iter().find(|(k, _)| k == field) {
                spans.push(Span::styled(format!(" ✗ {e}"), self.theme.error));
            }
            lines.push(Line::from(spans));
        }
        if f.item.vote.is_some() {
            let text = match f.verdict(lang) {
                Some(v) => {
                    let s = if lang.is_en() {
                        v.summary_en()
                    } else {
                        v.summary_vi()
                    };
                    Span::styled(
                        format!("→ {s}"),
                        if v.passes {
                            self.theme.ok
                        } else {
                            self.theme.error
                        },
                    )
                }
                None => Span::styled(
                    format!(
                        "→ {}",
                        if lang.is_en() {
                            f.item.vote.map(|r| r.describe_en()).unwrap_or("")
                        } else {
                            f.item.vote.map(|r| r.describe_vi()).unwrap_or("")
                        }
                    ),
                    self.theme.dim,
                ),
            };
            lines.push(Line::from(text));
        }
        if let (_, Some(e)) = f.validate(lang) {
            for d in e.deadlines(&f.item) {
                lines.push(Line::from(Span::styled(
                    format!(
                        "  {} {}: {}",
                        self.t("Hạn", "Due"),
                        date::format_vi(d.date),
                        if lang.is_en() { d.what_en } else { d.what_vi }
                    ),
                    self.theme.dim,
                )));
            }
        }
        if let Some(c) = &f.conflict {
            lines.push(Line::from(Span::styled(
                format!(
                    "{} {}: {}",
                    self.t(
                        "Người khác vừa sửa; hiện tại (phiên bản",
                        "Changed by someone else; now (version"
                    ),
                    c.version,
                    self.t(
                        "Lưu lần nữa để ghi đè bằng nội dung của bạn.",
                        "Save again to replace it with yours."
                    )
                ),
                self.theme.warn,
            )));
        }
        lines.push(Line::from(Span::styled(
            self.t(
                "Tab/↑↓ chuyển ô · Space đổi trạng thái · Ctrl+S lưu · Esc đóng (giữ bản nháp)",
                "Tab/↑↓ move · Space change · Ctrl+S save · Esc close (keeps the draft)",
            ),
            self.theme.dim,
        )));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}

/// Two-letter step headings for narrow columns (the pane title names the column in full).
fn step_tiny(s: Step, lang: crate::i18n::Lang) -> &'static str {
    match (s, lang.is_en()) {
        (Step::Biet, false) => "Biết",
        (Step::Ban, false) => "Bàn",
        (Step::Lam, false) => "Làm",
        (Step::KiemTra, false) => "KTr",
        (Step::GiamSat, false) => "GSá",
        (Step::ThuHuong, false) => "THư",
        (Step::Biet, true) => "Kno",
        (Step::Ban, true) => "Dis",
        (Step::Lam, true) => "Do",
        (Step::KiemTra, true) => "Ins",
        (Step::GiamSat, true) => "Sup",
        (Step::ThuHuong, true) => "Ben",
    }
}

pub fn pct_of(p: &Pct) -> String {
    pct_text(p.completion())
}

//! The main screen: the tree of branches and groups, the selected group's checklist,
//! the full title of the row under the cursor, the status line and the keys.
//! Side by side from 80 columns; below that one pane at a time (Tab switches).

use crate::domain::Completion;
use crate::domain::entry::StepStatus;
use crate::domain::step::Step;
use crate::domain::template::Pillar;
use crate::domain::ward::WARD_GROUP;
use crate::present::{fit, fit_name, width};
use crate::service::MarkRequest;
use crate::tui::app::*;
use crate::tui::keymap::Action;
use crate::tui::view::{main_layout, pct_text};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

impl App {
    #[must_use]
    pub fn main_action(&mut self, a: Action) -> Option<Cmd> {
        if let Some(cmd) = self.common_action(a) {
            return cmd;
        }
        let on_list = self.focus == Pane::List;
        match a {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let d: isize = match a {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -self.page(),
                    Action::PageDown => self.page(),
                    Action::Top => -1_000_000,
                    _ => 1_000_000,
                };
                if on_list {
                    self.move_list(d);
                    None
                } else {
                    self.move_tree(d)
                }
            }
            Action::NextPane => {
                self.focus = if self.focus == Pane::Tree {
                    Pane::List
                } else {
                    Pane::Tree
                };
                None
            }
            Action::Left => {
                if on_list {
                    if self.step_col == 0 {
                        self.focus = Pane::Tree;
                    } else {
                        self.step_col -= 1;
                    }
                }
                None
            }
            Action::Right => {
                if on_list {
                    self.step_col =
                        (self.step_col + 1).min(self.ward_steps().len().saturating_sub(1));
                } else {
                    self.focus = Pane::List;
                }
                None
            }
            Action::Register => {
                if !on_list {
                    self.focus = Pane::List;
                    return None;
                }
                self.register_occurrence()
            }
            Action::Toggle | Action::NotApplicable => {
                if !on_list {
                    self.focus = Pane::List;
                    return None;
                }
                self.toggle(a == Action::NotApplicable)
            }
            Action::Open => {
                if !on_list {
                    self.focus = Pane::List;
                    return None;
                }
                if !self.sel.is_loaded() {
                    self.fail(self.t("Đang tải danh mục…", "Loading the checklist…"));
                    return None;
                }
                self.open_form();
                None
            }
            Action::History => {
                let row = self.selected_row()?;
                let group = self.sel.group;
                Some(Cmd::History {
                    group,
                    item: row.entry.item.clone(),
                    period: row.slot,
                    title: format!("{} · {}", row.item.code, self.group_name(group)),
                })
            }
            Action::Search => {
                self.typing = Some(if self.focus == Pane::Tree {
                    Typing::Tree
                } else {
                    Typing::List
                });
                None
            }
            Action::FilterPillar => {
                self.filters.pillar = match self.filters.pillar {
                    None => Some(Pillar::ALL[0]),
                    Some(p) => Pillar::ALL
                        .iter()
                        .position(|x| *x == p)
                        .and_then(|i| Pillar::ALL.get(i + 1))
                        .copied(),
                };
                self.list_sel = 0;
                None
            }
            Action::FilterNotDone => {
                self.filters.not_done = !self.filters.not_done;
                self.list_sel = 0;
                None
            }
            Action::FilterOverdue => {
                self.filters.overdue = !self.filters.overdue;
                self.list_sel = 0;
                None
            }
            Action::ClearFilters => {
                self.filters = Filters::default();
                self.search.clear();
                self.tree_search.clear();
                self.branch_filter = None;
                self.list_sel = 0;
                None
            }
            Action::AddGroup => {
                let branch = self
                    .data
                    .as_ref()
                    .and_then(|d| {
                        let g = d.groups.iter().find(|g| g.id == self.sel.group)?;
                        d.branches.iter().find(|b| b.id == g.branch)
                    })
                    .map(|b| b.name.clone())
                    .unwrap_or_default();
                self.popup = Some(Popup::AddGroup(AddGroup::new(&branch)));
                None
            }
            Action::Figures => self.ask_figures(),
            Action::Narrative => self.ask_narrative(),
            Action::Settings => self.ask_settings(),
            Action::Minutes => self.ask_minutes_of_row(),
            _ => None,
        }
    }

    /// Typing into a search field. Every key that changes the tree's search moves the
    /// selection to the first group it finds — and returns that group's load.
    #[must_use]
    pub fn search_key(&mut self, k: &KeyEvent) -> Option<Cmd> {
        let tree = self.typing == Some(Typing::Tree);
        let input = if tree {
            &mut self.tree_search
        } else {
            &mut self.search
        };
        match k.code {
            // Esc ends typing but keeps the filter: it never throws anything away.
            KeyCode::Esc | KeyCode::Enter | KeyCode::Down | KeyCode::Up | KeyCode::Tab => {
                self.typing = None;
                return None;
            }
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.typing = None;
                return None;
            }
            KeyCode::Backspace => input.backspace(),
            KeyCode::Delete => input.delete(),
            KeyCode::Left => input.left(),
            KeyCode::Right => input.right(),
            KeyCode::Home => input.home(),
            KeyCode::End => input.end(),
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                input.insert(&c.to_string())
            }
            _ => return None,
        }
        if tree {
            self.select_first_visible_group()
        } else {
            self.list_sel = 0;
            None
        }
    }

    /// After the tree's search changed: keep the selected group when it still shows,
    /// else select the first group that does.
    #[must_use]
    fn select_first_visible_group(&mut self) -> Option<Cmd> {
        let lines = self.tree_lines();
        let shows = |g| lines.iter().any(|l| self.line_group(*l) == Some(g));
        if self.sel.group != WARD_GROUP && shows(self.sel.group) {
            return None;
        }
        let first = lines
            .iter()
            .filter(|l| matches!(l, TreeLine::Group(..)))
            .find_map(|l| self.line_group(*l))?;
        self.select_group(first)
    }

    #[must_use]
    pub fn move_tree(&mut self, delta: isize) -> Option<Cmd> {
        let lines = self.tree_lines();
        let selectable: Vec<_> = lines.iter().filter_map(|l| self.line_group(*l)).collect();
        if selectable.is_empty() {
            return None;
        }
        let cur = selectable
            .iter()
            .position(|g| *g == self.sel.group)
            .unwrap_or(0) as isize;
        let next = (cur + delta).clamp(0, selectable.len() as isize - 1) as usize;
        self.select_group(selectable[next])
    }

    pub fn move_list(&mut self, delta: isize) {
        let n = self.visible_rows().len();
        if n == 0 {
            self.list_sel = 0;
            return;
        }
        self.list_sel = (self.list_sel as isize + delta).clamp(0, n as isize - 1) as usize;
    }

    fn page(&self) -> isize {
        (self.size.1.saturating_sub(8)).max(1) as isize
    }

    /// Space (or `x`) on a step: the mark names the group on screen and the row under
    /// the cursor, from the rows loaded for that group — nothing else.
    #[must_use]
    /// `r` on an item that arises (per event or per term): register an occurrence that
    /// arose today — the next one of the period, the ones before kept (issue 13). Its
    /// evidence is then filled in its form; `qcdc event add` takes another day and a
    /// title.
    fn register_occurrence(&mut self) -> Option<Cmd> {
        use crate::domain::template::{Recurrence, occurrence_key, split_occurrence};
        if !self.sel.is_loaded() {
            self.fail(self.t("Đang tải danh mục…", "Loading the checklist…"));
            return None;
        }
        let row = self.selected_row()?.clone();
        if !matches!(row.item.recurrence, Recurrence::Event | Recurrence::Term) {
            let msg = format!(
                "{} {} {}",
                self.t("Mục", "Item"),
                row.item.code,
                self.t(
                    "là việc định kỳ, không cần đăng ký phát sinh.",
                    "is a regular duty: nothing to register."
                )
            );
            self.fail(msg);
            return None;
        }
        let last = self
            .sel
            .rows()
            .iter()
            .filter(|r| r.item.code == row.item.code && r.slot == row.slot && r.entry.version > 0)
            .map(|r| split_occurrence(&r.entry.item).1)
            .max()
            .unwrap_or(0);
        let today = self.data.as_ref()?.report.today;
        let mut entry = crate::domain::entry::Entry::new(
            self.sel.group,
            &occurrence_key(&row.item.code, last + 1),
            row.slot,
        );
        entry.evidence.occurred = Some(today);
        Some(Cmd::Save(crate::service::EntryEdit {
            entry,
            base_version: Some(0),
        }))
    }

    fn toggle(&mut self, na: bool) -> Option<Cmd> {
        if !self.sel.is_loaded() {
            self.fail(self.t("Đang tải danh mục…", "Loading the checklist…"));
            return None;
        }
        let step = *self.ward_steps().get(self.step_col)?;
        let row = self.selected_row()?.clone();
        if !row.item.steps.contains(&step) {
            let msg = format!(
                "{} \"{}\" {} {}.",
                self.t("Bước", "Step"),
                self.step_name(step),
                self.t("không áp dụng cho mục", "does not apply to"),
                row.item.code
            );
            self.fail(msg);
            return None;
        }
        let cur = row.entry.status(step);
        let status = if na {
            if cur == StepStatus::NotApplicable {
                StepStatus::Todo
            } else {
                StepStatus::NotApplicable
            }
        } else {
            cur.toggled()
        };
        Some(Cmd::Mark(MarkRequest {
            group: self.sel.group,
            item: row.entry.item.clone(),
            period: row.slot,
            step,
            status,
            note: None,
            base_version: Some(row.entry.version),
        }))
    }

    #[must_use]
    pub fn handle_mouse(&mut self, m: &MouseEvent) -> Option<Cmd> {
        if self.popup.is_some() || self.screen != Screen::Main {
            return None;
        }
        let area = Rect::new(0, 0, self.size.0, self.size.1);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return None;
        }
        let l = main_layout(area, self.focus);
        let pos = Position::new(m.column, m.row);
        let in_tree = l.tree.filter(|r| r.contains(pos));
        let in_list = l.list.filter(|r| r.contains(pos));
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let d = if m.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                };
                if in_list.is_some() {
                    self.move_list(d);
                    None
                } else if in_tree.is_some() {
                    self.move_tree(d)
                } else {
                    None
                }
            }
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(tree) = in_tree {
                    self.focus = Pane::Tree;
                    let inner_h = tree.height.saturating_sub(2) as usize;
                    let lines = self.tree_lines();
                    let off = scroll_offset(self.tree_sel_line(), inner_h);
                    let idx = off + (m.row.saturating_sub(tree.y + 1)) as usize;
                    let g = lines.get(idx).and_then(|line| self.line_group(*line))?;
                    self.select_group(g)
                } else if let Some(list) = in_list {
                    self.focus = Pane::List;
                    // One line of column headings under the border.
                    let inner_h = list.height.saturating_sub(3) as usize;
                    let lines = self.list_lines();
                    let sel_line = lines
                        .iter()
                        .position(|x| *x == ListLine::Item(self.list_sel))
                        .unwrap_or(0);
                    let off = scroll_offset(sel_line, inner_h);
                    let idx = off + (m.row.saturating_sub(list.y + 2)) as usize;
                    if let Some(ListLine::Item(i)) = lines.get(idx) {
                        self.list_sel = *i;
                    }
                    None
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    // ---- drawing -------------------------------------------------------------------

    pub fn draw_main(&self, area: Rect, buf: &mut Buffer) {
        let l = main_layout(area, self.focus);
        self.draw_header(l.header, buf);
        if let Some(t) = l.tree {
            self.draw_tree(t, buf);
        }
        if let Some(r) = l.list {
            self.draw_list(r, buf);
        }
        self.draw_detail(l.detail, buf);
        self.draw_status(l.status, buf);
        let keys = if matches!(self.popup, Some(Popup::Form(_))) {
            self.form_keys()
        } else if self.popup.is_some() {
            vec![]
        } else if self.focus == Pane::Tree {
            vec![
                (
                    format!("{}/Enter", self.keymap.first(Action::Right)),
                    self.t("danh mục", "checklist").into(),
                ),
                self.key(Action::Search, "tìm tổ", "find"),
                self.key(Action::Dashboard, "tổng hợp", "dashboard"),
                self.key(Action::Period, "kỳ", "period"),
                self.key(Action::AddGroup, "thêm tổ", "add group"),
                self.key(Action::Undo, "hoàn tác", "undo"),
            ]
        } else {
            vec![
                self.key(Action::Toggle, "đổi bước", "toggle"),
                self.key(Action::Open, "chi tiết", "open"),
                self.key(Action::Search, "tìm", "search"),
                self.key(Action::Dashboard, "tổng hợp", "dashboard"),
                self.key(Action::Period, "kỳ", "period"),
                self.key(Action::Undo, "hoàn tác", "undo"),
            ]
        };
        self.draw_keys(l.keys, buf, &keys);
    }

    fn draw_tree(&self, area: Rect, buf: &mut Buffer) {
        let focused = self.focus == Pane::Tree;
        let mut title = format!(" {} ", self.t("Chi bộ · Tổ dân phố", "Branches · groups"));
        if self.typing == Some(Typing::Tree) || !self.tree_search.value().is_empty() {
            title = format!(" /{} ", self.tree_search.value());
        }
        let block = self.block(title, focused);
        let inner = block.inner(area);
        block.render(area, buf);
        let Some(s) = &self.data else { return };
        let lines = self.tree_lines();
        if s.groups.is_empty() {
            let hint = format!(
                "{} {} {}\n\n{}",
                self.t("Chưa có tổ dân phố nào. Nhấn", "No groups yet. Press"),
                self.keymap.first(Action::AddGroup),
                self.t("để thêm một tổ,", "to add one,"),
                self.t(
                    "hoặc nhập cả danh sách từ tệp CSV/Excel: qcdc import groups danh-sach.xlsx",
                    "or import a whole roster from CSV/Excel: qcdc import groups roster.xlsx"
                ),
            );
            let r = Rect::new(
                inner.x,
                inner.y + 1,
                inner.width,
                inner.height.saturating_sub(1),
            );
            Paragraph::new(hint)
                .style(self.theme.warn)
                .wrap(Wrap { trim: true })
                .render(r, buf);
        }
        let sel = self.tree_sel_line();
        let h = inner.height as usize;
        let off = scroll_offset(sel, h);
        let w = inner.width as usize;
        let bar_w = if w >= 40 { 8 } else { 4 };
        let name_w = w.saturating_sub(bar_w + 6);
        let before_data = s.before_data(self.period());
        for (i, line) in lines.iter().enumerate().skip(off).take(h) {
            let y = inner.y + (i - off) as u16;
            let row = Rect::new(inner.x, y, inner.width, 1);
            let (name, c, style, overdue) = match line {
                TreeLine::Ward => (
                    format!(
                        "{} {}",
                        self.g().ward,
                        self.group_name(crate::domain::ward::WARD_GROUP)
                    ),
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
            // A period before the ward's first data is not "overdue": nothing was kept.
            let mark = if overdue > 0 && !before_data {
                Span::styled(self.g().overdue, self.theme.error)
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
        if self.typing == Some(Typing::Tree) {
            let x = area.x + 2 + 1 + width(self.tree_search.value()) as u16;
            if x < area.right() - 1 {
                self.draw_cursor(buf, x, area.y);
            }
        }
    }

    /// The list's title: the group on screen (its whole name when it fits, else cut in
    /// the middle keeping its number), and the step column under the cursor.
    pub fn list_title(&self, width: u16) -> String {
        let focused = self.focus == Pane::List;
        let col_step = self.ward_steps().get(self.step_col).copied();
        let room = (width as usize).saturating_sub(4);
        let extra = match (
            self.typing == Some(Typing::List) || !self.search.value().is_empty(),
            col_step,
        ) {
            (true, _) => format!(" · /{}", self.search.value()),
            (false, Some(s)) if focused => format!(" · {}", self.step_name(s)),
            _ => String::new(),
        };
        let name_room = room.saturating_sub(crate::present::width(&extra)).max(8);
        let name = fit_name(&self.group_name(self.sel.group), name_room);
        format!(" {}{extra} ", name.trim_end())
    }

    fn draw_list(&self, area: Rect, buf: &mut Buffer) {
        let focused = self.focus == Pane::List;
        let steps = self.ward_steps();
        let block = self.block(self.list_title(area.width), focused);
        let inner = block.inner(area);
        block.render(area, buf);
        if self.typing == Some(Typing::List) {
            let title = self.list_title(area.width);
            let x = area.x + 1 + width(title.trim_end()) as u16;
            if x < area.right() - 1 {
                self.draw_cursor(buf, x, area.y);
            }
        }
        if inner.height < 2 {
            return;
        }
        let w = inner.width as usize;
        let col_w = if w >= 70 {
            7
        } else if steps.len() > 4 {
            3
        } else {
            4
        };
        let show_pct = w >= 64;
        let steps_w = col_w * steps.len();
        let title_w = w.saturating_sub(7 + steps_w + if show_pct { 5 } else { 0 });
        // Column headings.
        let mut head = vec![Span::styled(fit(self.t("Mã", "Code"), 7), self.theme.dim)];
        head.push(Span::styled(
            fit(self.t("Nội dung", "Item"), title_w),
            self.theme.dim,
        ));
        for (i, s) in steps.iter().enumerate() {
            let label = if col_w >= 6 {
                self.step_short(*s).to_string()
            } else {
                step_tiny(*s, self.lang(), col_w - 1).to_string()
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

        let body = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
        if !self.sel.is_loaded() {
            Paragraph::new(self.t("Đang tải…", "Loading…"))
                .style(self.theme.dim)
                .render(body, buf);
            return;
        }
        let rows = self.visible_rows();
        let lines = self.list_lines();
        let h = body.height as usize;
        if rows.is_empty() {
            let msg = if self.sel.rows().is_empty() {
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
                    // As the report counts: a row of an item that arises and was not
                    // registered is shown (to register it) but is no duty (issue 13).
                    let c: Completion = rows
                        .iter()
                        .filter(|x| x.item.pillar == *p && x.registered)
                        .map(|x| x.completion)
                        .sum();
                    Paragraph::new(Span::styled(
                        fit(
                            &format!("── {name} {} ", pct_text(c).trim()),
                            r.width as usize,
                        ),
                        self.theme.branch,
                    ))
                    .render(r, buf);
                }
                ListLine::Item(i) => {
                    let row = rows[*i];
                    let selected = *i == self.list_sel;
                    let g = self.g();
                    let mark = if row.overdue {
                        Span::styled(g.overdue, self.theme.error)
                    } else if row.verdict.is_some_and(|v| !v.passes) {
                        Span::styled(g.failed, self.theme.error)
                    } else if self.drafts.contains_key(&App::draft_key(row)) {
                        Span::styled(g.draft, self.theme.warn)
                    } else {
                        Span::raw(" ")
                    };
                    // A quarterly item in a half-year or year view shows once per
                    // quarter: its quarter goes first, so no cut can hide it.
                    let title = row.item.title_in(self.lang().is_en());
                    // An occurrence (issue 13): its number and what it is go first.
                    let (_, occ) = crate::domain::template::split_occurrence(&row.entry.item);
                    let what = &row.entry.evidence.title;
                    let title = match (occ > 1, what.is_empty()) {
                        (true, true) => format!("#{occ} {title}"),
                        (true, false) => format!("#{occ} {what} — {title}"),
                        (false, false) => format!("{what} — {title}"),
                        (false, true) if !row.registered => {
                            format!("({}) {title}", self.t("chưa phát sinh", "not arisen"))
                        }
                        (false, true) => title.to_string(),
                    };
                    let title = match slot_tag(row.slot, self.period()) {
                        Some(tag) => format!("[{tag}] {title}"),
                        None => title,
                    };
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
        // More rows than fit: say so on the frame.
        if off + h < lines.len() {
            let s = format!(" {} {} ", self.g().more_below, lines.len() - off - h);
            let x = area.right().saturating_sub(width(&s) as u16 + 1);
            buf.set_string(x, area.bottom() - 1, s, self.theme.dim);
        }
    }

    /// Under the panes: the full title, quarter and citation of the row under the
    /// cursor (titles are cut in the list, never here), or what a tree line holds.
    fn draw_detail(&self, area: Rect, buf: &mut Buffer) {
        let line = if self.focus == Pane::List || self.compact() {
            match self.selected_row() {
                Some(r) => {
                    let slot = if r.slot == self.period() {
                        String::new()
                    } else {
                        format!(" [{}]", self.period_label(r.slot))
                    };
                    format!(
                        "{}{slot} {} — {}",
                        r.entry.item,
                        r.item.title_in(self.lang().is_en()),
                        r.item.citation
                    )
                }
                None => String::new(),
            }
        } else {
            let g = self
                .data
                .as_ref()
                .and_then(|d| d.groups.iter().find(|g| g.id == self.sel.group));
            match g {
                Some(g) => format!(
                    "{} · {} {} · {}: {}",
                    g.name,
                    g.households,
                    self.t("hộ", "households"),
                    self.t("Tổ trưởng", "Leader"),
                    if g.leader.is_empty() {
                        "—"
                    } else {
                        &g.leader
                    }
                ),
                None => String::new(),
            }
        };
        Paragraph::new(line)
            .style(self.theme.dim)
            .wrap(Wrap { trim: true })
            .render(area, buf);
    }
}

/// A short label of the entry's own period when several of them share the view ("Q3",
/// "Q4" for a quarterly item in a half-year view; "H1" for a half in a year view). A
/// coarser period (a yearly item in a quarter) gets none: there is one row, and the
/// detail line names its period.
pub fn slot_tag(
    slot: crate::domain::period::Period,
    viewed: crate::domain::period::Period,
) -> Option<String> {
    use crate::domain::period::Period;
    if slot == viewed || !(viewed.start() <= slot.start() && slot.end() <= viewed.end()) {
        return None;
    }
    Some(match slot {
        Period::Quarter(_, q) => format!("Q{q}"),
        Period::Half(_, h) => format!("H{h}"),
        Period::Year(y) => y.to_string(),
    })
}

/// Step headings for narrow columns (the pane title names the column in full).
pub fn step_tiny(s: Step, lang: crate::i18n::Lang, w: usize) -> &'static str {
    let three = match (s, lang.is_en()) {
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
    };
    if w >= 3 {
        three
    } else {
        match (s, lang.is_en()) {
            (Step::Biet, false) => "Bi",
            (Step::Ban, false) => "Bà",
            (Step::Lam, false) => "Là",
            (Step::KiemTra, false) => "KT",
            (Step::GiamSat, false) => "GS",
            (Step::ThuHuong, false) => "TH",
            (Step::Biet, true) => "Kn",
            (Step::Ban, true) => "Di",
            (Step::Lam, true) => "Do",
            (Step::KiemTra, true) => "In",
            (Step::GiamSat, true) => "Su",
            (Step::ThuHuong, true) => "Be",
        }
    }
}

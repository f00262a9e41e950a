//! Drawing: `impl Widget for &App` and what every screen shares — the frame, header,
//! status line, key hints, bars and marks. State is read, never changed, while drawing.
//! Each screen draws itself in `screens/`.

use super::app::*;
use super::keymap::Action;
use crate::domain::Completion;
use crate::domain::entry::StepStatus;
use crate::domain::step::Step;
use crate::domain::text;
use crate::present::{fit, width};
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            self.draw_too_small(area, buf);
        } else {
            match &self.screen {
                Screen::FirstRun(creating) => self.draw_first_run(area, buf, creating.as_ref()),
                Screen::Main => self.draw_main(area, buf),
                Screen::Dashboard => self.draw_dashboard(area, buf),
                Screen::Agenda => self.draw_agenda(area, buf),
            }
            if let Some(p) = &self.popup {
                self.draw_popup(area, buf, p);
            }
        }
        if self.g().ascii {
            asciify(buf, area);
        }
    }
}

/// Turn every cell into ASCII (for consoles without Vietnamese fonts): diacritics
/// stripped, and any symbol without a one-column ASCII form becomes its first ASCII
/// character, never `?`.
pub fn asciify(buf: &mut Buffer, area: Rect) {
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            if let Some(cell) = buf.cell_mut((x, y)) {
                let sym = cell.symbol();
                if !sym.is_ascii() {
                    let a = text::to_ascii(sym);
                    let c = match a.as_str() {
                        "->" => '>',
                        "<-" => '<',
                        "..." => '.',
                        ">=" => '>',
                        "<=" => '<',
                        _ => a.chars().find(|c| *c != '?').unwrap_or(' '),
                    };
                    cell.set_char(c);
                }
            }
        }
    }
}

pub fn pct_text(c: Completion) -> String {
    match c.percent() {
        Some(p) => format!("{:>3.0}%", p),
        None => "  – ".to_string(),
    }
}

/// How many rows `text` takes when wrapped at word boundaries into `w` columns (as a
/// wrapped `Paragraph` draws it).
pub fn wrapped_height(text: &str, w: usize) -> usize {
    if w == 0 {
        return 0;
    }
    let mut rows = 1;
    let mut used = 0;
    for word in text.split(' ') {
        let ww = width(word);
        if used == 0 {
            used = ww;
        } else if used + 1 + ww <= w {
            used += 1 + ww;
        } else {
            rows += 1;
            used = ww;
        }
        while used > w {
            rows += 1;
            used -= w;
        }
    }
    rows
}

/// Where the main screen's parts go for a terminal size.
pub struct MainLayout {
    pub header: Rect,
    /// Side by side when wide; compact: only the focused pane has an area.
    pub tree: Option<Rect>,
    pub list: Option<Rect>,
    /// The full title and citation of the row under the cursor.
    pub detail: Rect,
    pub status: Rect,
    pub keys: Rect,
    /// Everything between the header and the status line (where forms open).
    pub work: Rect,
}

pub fn main_layout(area: Rect, focus: Pane) -> MainLayout {
    let detail_h = if area.height >= 24 { 2 } else { 1 };
    let [header, body, detail, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(detail_h),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let work = Rect::new(area.x, body.y, area.width, body.height + detail.height);
    let (tree, list) = if area.width >= WIDE {
        let tree_w = (area.width * 3 / 8).clamp(28, 44);
        let [t, l] =
            Layout::horizontal([Constraint::Length(tree_w), Constraint::Min(1)]).areas(body);
        (Some(t), Some(l))
    } else if focus == Pane::Tree {
        (Some(body), None)
    } else {
        (None, Some(body))
    };
    MainLayout {
        header,
        tree,
        list,
        detail,
        status,
        keys,
        work,
    }
}

impl App {
    pub fn block<'a>(&self, title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
        let b = Block::default()
            .borders(Borders::ALL)
            .title(title)
            .border_set(self.g().border);
        if focused {
            b.border_style(self.theme.accent)
        } else {
            b.border_style(self.theme.dim)
        }
    }

    pub fn bar_spans(&self, c: Completion, w: usize) -> Vec<Span<'static>> {
        let filled = ((c.ratio() * w as f64).round() as usize).min(w);
        let (full, empty) = if self.theme.mono {
            ("#", "-")
        } else {
            (self.g().bar_full, self.g().bar_empty)
        };
        vec![
            Span::styled(full.repeat(filled), self.theme.bar_full),
            Span::styled(empty.repeat(w - filled), self.theme.bar_empty),
        ]
    }

    pub fn status_symbol(&self, s: Option<StepStatus>) -> (&'static str, Style) {
        let t = &self.theme;
        let g = self.g();
        match s {
            None => (" ", t.dim),
            Some(StepStatus::Done) => (g.done, t.done),
            Some(StepStatus::Doing) => (g.doing, t.doing),
            Some(StepStatus::Todo) => (g.todo, t.todo),
            Some(StepStatus::NotApplicable) => (g.na, t.na),
        }
    }

    pub fn step_name(&self, s: Step) -> &'static str {
        if self.lang().is_en() {
            s.name_en()
        } else {
            s.name_vi()
        }
    }

    pub fn step_short(&self, s: Step) -> &'static str {
        if self.lang().is_en() {
            s.short_en()
        } else {
            s.short_vi()
        }
    }

    pub fn period_label(&self, p: crate::domain::period::Period) -> String {
        if self.lang().is_en() {
            p.label_en()
        } else {
            p.label_vi()
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

    pub fn draw_header(&self, area: Rect, buf: &mut Buffer) {
        let (ward, steps) = match &self.data {
            Some(s) => (s.ward.name.clone(), s.ward.steps.count()),
            None => (String::new(), 4),
        };
        let period = self.period_label(self.period());
        let who = format!("{}: {}", self.t("Người làm", "User"), self.actor);
        let branch = self
            .branch_filter
            .and_then(|id| self.data.as_ref()?.branches.iter().find(|b| b.id == id))
            .map(|b| format!(" · {}", b.name))
            .unwrap_or_default();
        let left = format!(
            " qcdc · {ward} · {period} · {steps} {}{branch}",
            self.t("bước", "steps")
        );
        let w = area.width as usize;
        let right_w = width(&who) + 1;
        let line = if width(&left) + right_w < w {
            format!("{}{} ", fit(&left, w - right_w), who)
        } else {
            fit(&left, w)
        };
        Paragraph::new(line)
            .style(self.theme.header)
            .render(area, buf);
    }

    /// The status line: the last message, else what is filtered, else nothing.
    pub fn draw_status(&self, area: Rect, buf: &mut Buffer) {
        if let Some(s) = &self.status {
            let style = if s.error {
                self.theme.error
            } else {
                self.theme.ok
            };
            Paragraph::new(Line::from(Span::styled(
                fit(&s.text, area.width as usize),
                style,
            )))
            .render(area, buf);
            return;
        }
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
        let mut line = String::new();
        if !bits.is_empty() {
            line = format!(
                "{}: {} ({} c {})",
                self.t("Đang lọc", "Filtered"),
                bits.join(" · "),
                self.t("phím", "key"),
                self.t("bỏ lọc", "clears")
            );
        }
        if !self.drafts.is_empty() {
            if !line.is_empty() {
                line.push_str(" · ");
            }
            line.push_str(&format!(
                "{} {} {}",
                self.drafts.len(),
                self.t("bản nháp chưa lưu", "unsaved drafts"),
                self.g().draft
            ));
        }
        Paragraph::new(Span::styled(
            fit(&line, area.width as usize),
            self.theme.warn,
        ))
        .render(area, buf);
    }

    /// Key hints: the screen's own first, then `?` and `q`, which always show (the
    /// screen's are dropped from the end when the line is too short).
    pub fn draw_keys(&self, area: Rect, buf: &mut Buffer, keys: &[(String, String)]) {
        let tail = self.tail_keys();
        let cost = |(k, d): &(String, String)| width(k) + width(d) + 3;
        let tail_w: usize = tail.iter().map(cost).sum();
        let mut spans = Vec::new();
        let mut used = 0usize;
        for kd in keys {
            if used + cost(kd) + tail_w > area.width as usize {
                break;
            }
            used += cost(kd);
            spans.push(Span::styled(format!("{} ", kd.0), self.theme.accent));
            spans.push(Span::raw(format!("{}  ", kd.1)));
        }
        for kd in &tail {
            spans.push(Span::styled(format!("{} ", kd.0), self.theme.accent));
            spans.push(Span::raw(format!("{}  ", kd.1)));
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }

    /// Help and quit, on every screen (Esc closes inside popups).
    fn tail_keys(&self) -> Vec<(String, String)> {
        if self.popup.is_some() {
            return vec![("Esc".into(), self.t("đóng", "close").into())];
        }
        vec![
            (
                self.keymap.first(Action::Help),
                self.t("phím", "keys").into(),
            ),
            (
                self.keymap.first(Action::Quit),
                self.t("thoát", "quit").into(),
            ),
        ]
    }

    pub fn key(&self, a: Action, label_vi: &str, label_en: &str) -> (String, String) {
        (self.keymap.first(a), self.t(label_vi, label_en).to_string())
    }

    pub fn popup_area(area: Rect, w: u16, h: u16) -> Rect {
        let w = w.min(area.width);
        let h = h.min(area.height);
        Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        )
    }

    /// Clear an area and draw a focused frame titled `title`; returns the inside.
    pub fn frame(&self, r: Rect, buf: &mut Buffer, title: String) -> Rect {
        Clear.render(r, buf);
        let block = self.block(title, true);
        let inner = block.inner(r);
        block.render(r, buf);
        inner
    }

    /// Show a text cursor at `(x, y)`: the cell in reverse video (drawn, so it shows in
    /// every terminal and in ASCII mode, whatever the terminal's own cursor does).
    pub fn draw_cursor(&self, buf: &mut Buffer, x: u16, y: u16) {
        if let Some(c) = buf.cell_mut((x, y)) {
            let style = c.style().add_modifier(Modifier::REVERSED);
            c.set_style(style);
        }
    }

    /// A text field in `w` columns, scrolled to keep its cursor in view; the cursor is
    /// drawn when `focused`.
    pub fn draw_input(
        &self,
        buf: &mut Buffer,
        at: Rect,
        input: &super::input::TextInput,
        style: Style,
        focused: bool,
    ) {
        let (x, y, w) = (at.x, at.y, at.width);
        if !focused {
            // Not being edited: its beginning, cut with "…" when long.
            Paragraph::new(Span::styled(fit(input.value(), w as usize), style))
                .render(Rect::new(x, y, w, 1), buf);
            return;
        }
        let (shown, col) = input.window(w as usize);
        Paragraph::new(Span::styled(fit(&shown, w as usize), style))
            .render(Rect::new(x, y, w, 1), buf);
        if (col as u16) < w {
            self.draw_cursor(buf, x + col as u16, y);
        }
    }
}

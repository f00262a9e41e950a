//! The popups over the screens — help, period picker, history, confirmations (quit,
//! undo), drafts kept from before, "who is working?", adding a group — and the
//! first-run screen. Each has its keys and its drawing here.

use crate::domain::ward::WARD_GROUP;
use crate::present::{self, fit, natural_cmp, width};
use crate::service::{NewGroup, UndoRequest};
use crate::tui::app::*;
use crate::tui::input::TextInput;
use crate::tui::keymap::Action;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// A yes: `c` (có) or `y`, without Ctrl — a held Ctrl+C must never answer "quit".
fn yes(k: &KeyEvent) -> bool {
    !k.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(
            k.code,
            KeyCode::Char('c') | KeyCode::Char('C') | KeyCode::Char('y') | KeyCode::Char('Y')
        )
}

/// Keys for editing a one-line field; `true` when the key was one of them.
pub fn edit_input(i: &mut TextInput, k: &KeyEvent) -> bool {
    match k.code {
        KeyCode::Backspace => i.backspace(),
        KeyCode::Delete => i.delete(),
        KeyCode::Left => i.left(),
        KeyCode::Right => i.right(),
        KeyCode::Home => i.home(),
        KeyCode::End => i.end(),
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
            i.insert(&c.to_string())
        }
        _ => return false,
    }
    true
}

impl App {
    #[must_use]
    pub fn popup_key(&mut self, p: Popup, k: &KeyEvent) -> Option<Cmd> {
        let action = self.keymap.action(k);
        // Esc closes every popup; Ctrl+C does too (in a form it keeps the draft).
        let close = k.code == KeyCode::Esc || ctrl(k, 'c');
        match p {
            Popup::Form(f) => self.form_key(f, k),
            Popup::Login(l) => self.login_key(l, k),
            Popup::Figures(e) => self.figures_key(e, k),
            Popup::Narrative(e) => self.narrative_key(e, k),
            Popup::Settings(e) => self.settings_key(e, k),
            _ if close => {
                if matches!(p, Popup::Drafts { .. }) {
                    self.info(self.t(
                        "Các bản nháp vẫn được giữ (dấu * trong danh mục).",
                        "The drafts are kept (marked * in the checklist).",
                    ));
                }
                None
            }
            Popup::Help { scroll } => {
                let scroll = match action {
                    Some(Action::Down) => scroll + 1,
                    Some(Action::Up) => scroll.saturating_sub(1),
                    Some(Action::PageDown) => scroll + 10,
                    Some(Action::PageUp) => scroll.saturating_sub(10),
                    Some(Action::Top) => 0,
                    _ => scroll,
                };
                // Kept within the text: scrolling up from past the end starts at once.
                let h = self.size.1.saturating_sub(4) as usize;
                self.popup = Some(Popup::Help {
                    scroll: scroll.min(self.help_lines().len().saturating_sub(h)),
                });
                None
            }
            Popup::History {
                title,
                records,
                scroll,
            } => {
                let last = records.len().saturating_sub(1);
                let scroll = match action {
                    Some(Action::Down) => (scroll + 1).min(last),
                    Some(Action::Up) => scroll.saturating_sub(1),
                    Some(Action::PageDown) => (scroll + 10).min(last),
                    Some(Action::PageUp) => scroll.saturating_sub(10),
                    _ => scroll,
                };
                self.popup = Some(Popup::History {
                    title,
                    records,
                    scroll,
                });
                None
            }
            Popup::ConfirmQuit => {
                if yes(k) {
                    Some(Cmd::Quit)
                } else {
                    None
                }
            }
            Popup::ConfirmUndo(plan) => {
                if yes(k) {
                    Some(Cmd::Undo(UndoRequest {
                        redo: plan.redo,
                        expect: Some(plan.record.seq),
                    }))
                } else {
                    self.info(self.t("Chưa hoàn tác gì.", "Nothing was undone."));
                    None
                }
            }
            Popup::Period { options, mut sel } => {
                match (k.code, action) {
                    (KeyCode::Enter, _) => {
                        return match options.get(sel) {
                            Some(p) => self.set_period(*p),
                            None => None,
                        };
                    }
                    (_, Some(Action::Down)) => sel = (sel + 1).min(options.len().saturating_sub(1)),
                    (_, Some(Action::Up)) => sel = sel.saturating_sub(1),
                    _ => {}
                }
                self.popup = Some(Popup::Period { options, sel });
                None
            }
            Popup::Drafts { mut sel } => {
                let keys: Vec<_> = self.drafts.keys().cloned().collect();
                match (k.code, action) {
                    (KeyCode::Enter, _) => {
                        let key = keys.get(sel)?.clone();
                        return self.go_to_draft(key);
                    }
                    (KeyCode::Char('d'), _) | (KeyCode::Delete, _) => {
                        if let Some(key) = keys.get(sel) {
                            self.drafts.remove(key);
                            self.drafts_dirty = true;
                        }
                        if self.drafts.is_empty() {
                            return None;
                        }
                        sel = sel.min(self.drafts.len() - 1);
                    }
                    (_, Some(Action::Down)) => sel = (sel + 1).min(keys.len().saturating_sub(1)),
                    (_, Some(Action::Up)) => sel = sel.saturating_sub(1),
                    _ => {}
                }
                self.popup = Some(Popup::Drafts { sel });
                None
            }
            Popup::AddGroup(mut a) => {
                match k.code {
                    KeyCode::Tab | KeyCode::Down => a.sel = (a.sel + 1) % a.inputs.len(),
                    KeyCode::BackTab | KeyCode::Up => {
                        a.sel = (a.sel + a.inputs.len() - 1) % a.inputs.len()
                    }
                    KeyCode::Enter => {
                        let v: Vec<String> = a.inputs.iter().map(|i| i.cleaned()).collect();
                        let households = v[2].parse::<u32>();
                        let problem = if v[0].is_empty() {
                            Some((0, self.t("Hãy nhập tên chi bộ.", "Type the branch name.")))
                        } else if v[1].is_empty() {
                            Some((1, self.t("Hãy nhập tên tổ.", "Type the group name.")))
                        } else if households.is_err() {
                            Some((
                                2,
                                self.t(
                                    "Số hộ phải là một số nguyên.",
                                    "Households must be a whole number.",
                                ),
                            ))
                        } else {
                            None
                        };
                        if let Some((field, msg)) = problem {
                            self.fail(msg);
                            a.sel = field;
                        } else {
                            return Some(Cmd::AddGroup(NewGroup {
                                branch: v[0].clone(),
                                name: v[1].clone(),
                                households: households.unwrap_or(0),
                                leader: v[3].clone(),
                                front_head: String::new(),
                            }));
                        }
                    }
                    _ => {
                        edit_input(&mut a.inputs[a.sel], k);
                    }
                }
                self.popup = Some(Popup::AddGroup(a));
                None
            }
        }
    }

    /// Open a kept draft: its group and period on screen, then its form.
    #[must_use]
    fn go_to_draft(&mut self, key: crate::tui::drafts::DraftKey) -> Option<Cmd> {
        self.screen = Screen::Main;
        self.focus = Pane::List;
        self.filters = Filters::default();
        self.search.clear();
        self.pending_open = Some(key.clone());
        if !super::dashboard::period_within(key.2, self.period()) {
            self.sel.group = key.0;
            return self.set_period(key.2);
        }
        if key.0 == self.sel.group && self.sel.is_loaded() {
            let rows = self.sel.rows().to_vec();
            self.rows_loaded(key.0, self.sel.period, rows);
            return None;
        }
        self.sel.group = key.0;
        self.sel.rows = Rows::Loading;
        self.list_sel = 0;
        Some(Cmd::LoadRows)
    }

    #[must_use]
    fn login_key(&mut self, mut l: LoginPrompt, k: &KeyEvent) -> Option<Cmd> {
        if ctrl(k, 'c') {
            return Some(Cmd::Quit);
        }
        if let Some(pin) = &mut l.pin {
            match k.code {
                KeyCode::Esc => l.pin = None,
                KeyCode::Enter => {
                    let member = l.members.get(l.sel)?.0.clone();
                    let pin = pin.value().to_string();
                    self.popup = Some(Popup::Login(l));
                    return Some(Cmd::Login {
                        member,
                        pin: Some(pin),
                    });
                }
                KeyCode::Backspace => pin.backspace(),
                KeyCode::Char(c) if c.is_ascii_digit() => pin.insert(&c.to_string()),
                _ => {}
            }
            self.popup = Some(Popup::Login(l));
            return None;
        }
        match (k.code, self.keymap.action(k)) {
            // Esc: carry on read-only; nothing is lost.
            (KeyCode::Esc, _) => {
                self.info(self.t(
                    "Đang xem (chỉ đọc). Chạy lại với --as TÊN để sửa.",
                    "Viewing (read-only). Start again with --as NAME to edit.",
                ));
                return None;
            }
            (KeyCode::Enter, _) => {
                let (member, has_pin) = l.members.get(l.sel)?.clone();
                if has_pin {
                    l.pin = Some(TextInput::new("", 12));
                } else {
                    self.popup = Some(Popup::Login(l));
                    return Some(Cmd::Login { member, pin: None });
                }
            }
            (_, Some(Action::Down)) => l.sel = (l.sel + 1).min(l.members.len().saturating_sub(1)),
            (_, Some(Action::Up)) => l.sel = l.sel.saturating_sub(1),
            _ => {}
        }
        self.popup = Some(Popup::Login(l));
        None
    }

    #[must_use]
    pub fn first_run_key(&mut self, creating: Option<CreateWard>, k: &KeyEvent) -> Option<Cmd> {
        let ctrl_c = ctrl(k, 'c');
        match creating {
            None => match k.code {
                KeyCode::Char('1') => Some(Cmd::CreateDemo),
                KeyCode::Char('2') => {
                    self.screen = Screen::FirstRun(Some(CreateWard {
                        name: TextInput::new("", 200),
                        six: false,
                    }));
                    None
                }
                KeyCode::Char('q') | KeyCode::Char('3') => Some(Cmd::Quit),
                _ if ctrl_c => Some(Cmd::Quit),
                _ => None,
            },
            Some(mut c) => {
                if ctrl_c {
                    return Some(Cmd::Quit);
                }
                let cmd = match k.code {
                    KeyCode::Esc => {
                        self.screen = Screen::FirstRun(None);
                        return None;
                    }
                    KeyCode::Enter => {
                        let name = c.name.cleaned();
                        if name.is_empty() {
                            self.fail(self.t("Hãy nhập tên phường.", "Type the ward name."));
                            None
                        } else {
                            Some(Cmd::CreateWard { name, six: c.six })
                        }
                    }
                    KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                        c.six = !c.six;
                        None
                    }
                    _ => {
                        edit_input(&mut c.name, k);
                        None
                    }
                };
                if matches!(self.screen, Screen::FirstRun(_)) {
                    self.screen = Screen::FirstRun(Some(c));
                }
                cmd
            }
        }
    }

    // ---- drawing -------------------------------------------------------------------

    pub fn draw_popup(&self, area: Rect, buf: &mut Buffer, p: &Popup) {
        match p {
            Popup::Form(f) => self.draw_form(area, buf, f),
            Popup::Help { scroll } => self.draw_help(area, buf, *scroll),
            Popup::ConfirmQuit => {
                let r = Self::popup_area(area, 64, 7);
                let inner = self.frame(r, buf, format!(" {} ", self.t("Thoát?", "Quit?")));
                let msg = format!(
                    "{} {} {}\n\n{}",
                    self.t("Còn", "There are"),
                    self.drafts.len(),
                    self.t(
                        "bản nháp chưa lưu vào cơ sở dữ liệu; chúng được giữ lại và sẽ được mở lại lần sau.",
                        "drafts not saved to the database; they are kept and offered back next time."
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
            Popup::ConfirmUndo(plan) => self.draw_confirm_undo(area, buf, plan),
            Popup::Period { options, sel } => {
                let r = Self::popup_area(area, 36, (options.len() as u16 + 2).min(area.height));
                let inner = self.frame(
                    r,
                    buf,
                    format!(" {} ", self.t("Kỳ báo cáo", "Reporting period")),
                );
                let h = inner.height as usize;
                let off = scroll_offset(*sel, h);
                for (i, p) in options.iter().enumerate().skip(off).take(h) {
                    let mark = if *p == self.period() {
                        self.g().pointer
                    } else {
                        " "
                    };
                    let style = if i == *sel {
                        self.theme.selected
                    } else {
                        Style::new()
                    };
                    buf.set_string(
                        inner.x,
                        inner.y + (i - off) as u16,
                        fit(
                            &format!("{mark} {}", self.period_label(*p)),
                            inner.width as usize,
                        ),
                        style,
                    );
                }
            }
            Popup::History {
                title,
                records,
                scroll,
            } => self.draw_history(area, buf, title, records, *scroll),
            Popup::Drafts { sel } => self.draw_drafts(area, buf, *sel),
            Popup::Login(l) => self.draw_login(area, buf, l),
            Popup::AddGroup(a) => self.draw_add_group(area, buf, a),
            Popup::Figures(e) => self.draw_figures(area, buf, e),
            Popup::Narrative(e) => self.draw_narrative(area, buf, e),
            Popup::Settings(e) => self.draw_settings(area, buf, e),
        }
    }

    /// The help text: every key of the live keymap, then the form's keys, the marks.
    pub fn help_lines(&self) -> Vec<Line<'static>> {
        let mut lines: Vec<Line> = self
            .keymap
            .help_rows(self.lang())
            .into_iter()
            .map(|(k, d)| {
                Line::from(vec![
                    Span::styled(fit(&k, 20), self.theme.accent),
                    Span::raw(d.to_string()),
                ])
            })
            .collect();
        let extra = [
            (
                "Esc, Ctrl+C",
                self.t(
                    "Đóng cửa sổ (không xóa gì; biểu mẫu đang sửa thành bản nháp)",
                    "Close a popup (never deletes; an edited form becomes a draft)",
                ),
            ),
            (
                "Ctrl+Z",
                self.t(
                    "Tạm dừng, trở về dòng lệnh (gõ fg để quay lại)",
                    "Suspend to the shell (type fg to come back)",
                ),
            ),
        ];
        for (k, d) in extra {
            lines.push(Line::from(vec![
                Span::styled(fit(k, 20), self.theme.accent),
                Span::raw(d.to_string()),
            ]));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            self.t("Trong biểu mẫu", "In the entry form").to_string(),
            self.theme.branch,
        )));
        for (k, d) in [
            (
                format!("Tab, {}", self.g().up_down),
                self.t("Chuyển ô", "Move between fields"),
            ),
            (
                "Space, ←→".to_string(),
                self.t(
                    "Đổi trạng thái bước, hình thức biểu quyết",
                    "Change a step's status or the vote form",
                ),
            ),
            (
                "x".to_string(),
                self.t("Bước không áp dụng", "Step not applicable"),
            ),
            (
                self.keymap.first(Action::Save),
                self.t(
                    "Lưu (ô có lỗi được đánh dấu)",
                    "Save (fields in error are marked)",
                ),
            ),
        ] {
            lines.push(Line::from(vec![
                Span::styled(fit(&k, 20), self.theme.accent),
                Span::raw(d.to_string()),
            ]));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            self.t("Ký hiệu", "Marks").to_string(),
            self.theme.branch,
        )));
        let g = self.g();
        for (m, vi, en) in [
            (g.done, "đã xong", "done"),
            (g.doing, "đang làm", "in progress"),
            (g.todo, "chưa làm", "to do"),
            (g.na, "không áp dụng", "not applicable"),
            (g.overdue, "quá hạn", "overdue"),
            (g.failed, "biểu quyết không đạt", "vote failed"),
            (g.draft, "có bản nháp chưa lưu", "has an unsaved draft"),
        ] {
            lines.push(Line::from(vec![
                Span::styled(fit(m, 20), self.theme.accent),
                Span::raw(self.t(vi, en).to_string()),
            ]));
        }
        lines
    }

    fn draw_help(&self, area: Rect, buf: &mut Buffer, scroll: usize) {
        let r = Self::popup_area(
            area,
            area.width.saturating_sub(4).min(96),
            area.height.saturating_sub(2),
        );
        let inner = self.frame(
            r,
            buf,
            format!(
                " {} ({} {}, Esc {}) ",
                self.t("Phím tắt", "Keys"),
                self.g().up_down,
                self.t("cuộn", "scroll"),
                self.t("đóng", "close")
            ),
        );
        let lines = self.help_lines();
        let n = lines.len();
        let h = inner.height as usize;
        // The last page ends with the last line, never with empty space.
        let scroll = scroll.min(n.saturating_sub(h));
        Paragraph::new(lines)
            .scroll((scroll as u16, 0))
            .render(inner, buf);
        // Lines are one row each (keys and descriptions fit or are cut by the frame).
        self.scroll_marks(r, buf, scroll, h, n);
    }

    fn draw_history(
        &self,
        area: Rect,
        buf: &mut Buffer,
        title: &str,
        records: &[crate::domain::audit::AuditRecord],
        scroll: usize,
    ) {
        let lang = self.lang();
        let r = Self::popup_area(
            area,
            area.width.saturating_sub(4),
            area.height.saturating_sub(2),
        );
        let inner = self.frame(
            r,
            buf,
            fit(
                &format!(" {} — {} ", self.t("Lịch sử", "History"), title),
                r.width.saturating_sub(2) as usize,
            ),
        );
        let mut lines: Vec<Line> = Vec::new();
        if records.is_empty() {
            lines.push(Line::from(
                self.t("Chưa có thay đổi nào.", "No changes yet."),
            ));
        }
        for rec in records.iter().skip(scroll) {
            let undoes = rec.undoes.map(|s| format!(" #{s}")).unwrap_or_default();
            lines.push(Line::from(vec![
                Span::styled(rec.at_local_string(), self.theme.accent),
                Span::raw(format!(
                    "  {}  {}{undoes}",
                    rec.actor.label(),
                    present::action_name(&rec.action, lang)
                )),
            ]));
            for c in &rec.changes {
                lines.push(Line::from(format!("    {}", present::change(c, lang))));
            }
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }

    fn draw_confirm_undo(&self, area: Rect, buf: &mut Buffer, plan: &UndoPlan) {
        let lang = self.lang();
        let rec = &plan.record;
        let mut lines = vec![
            Line::from(Span::styled(
                format!(
                    "{} · {} · {}",
                    if rec.group == WARD_GROUP {
                        self.group_name(WARD_GROUP)
                    } else {
                        plan.group_name.clone()
                    },
                    rec.item,
                    rec.period
                        .parse::<crate::domain::period::Period>()
                        .map(|p| self.period_label(p))
                        .unwrap_or_else(|_| rec.period.clone())
                ),
                self.theme.branch,
            )),
            Line::from(format!(
                "{} {} — {} {}",
                self.t("Thay đổi", "Change"),
                format_args!("#{}", rec.seq),
                rec.at_local_string(),
                present::action_name(&rec.action, lang)
            )),
        ];
        for c in &rec.changes {
            // What undo does is the change backwards.
            let back = crate::domain::audit::Change {
                field: c.field.clone(),
                old: c.new.clone(),
                new: c.old.clone(),
            };
            lines.push(Line::from(format!("  {}", present::change(&back, lang))));
        }
        lines.push(Line::from(""));
        let elsewhere = rec.group != self.sel.group;
        if elsewhere {
            lines.push(Line::from(Span::styled(
                self.t(
                    "Thay đổi này không thuộc tổ đang xem.",
                    "This change is not in the group on screen.",
                ),
                self.theme.warn,
            )));
        }
        lines.push(Line::from(self.t(
            "Nhấn c (có) để thực hiện, phím khác để thôi.",
            "Press y to go ahead, any other key to leave it.",
        )));
        let h = (lines.len() as u16 + 2).min(area.height);
        let r = Self::popup_area(area, 72, h);
        let title = if plan.redo {
            self.t("Làm lại thay đổi này?", "Redo this change?")
        } else {
            self.t("Hoàn tác thay đổi này?", "Undo this change?")
        };
        let inner = self.frame(r, buf, format!(" {title} "));
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .render(inner, buf);
    }

    fn draw_drafts(&self, area: Rect, buf: &mut Buffer, sel: usize) {
        let mut keys: Vec<_> = self.drafts.values().collect();
        keys.sort_by(|a, b| natural_cmp(&a.group_name, &b.group_name));
        let h = (self.drafts.len() as u16 + 6).min(area.height.saturating_sub(2));
        let r = Self::popup_area(area, 72, h);
        let inner = self.frame(
            r,
            buf,
            format!(
                " {} ",
                self.t(
                    "Bản nháp chưa lưu từ lần trước",
                    "Unsaved drafts from last time"
                )
            ),
        );
        let mut lines = vec![Line::from(self.t(
            "Enter: mở để lưu tiếp · d: bỏ bản nháp · Esc: để sau",
            "Enter: open to finish · d: discard · Esc: later",
        ))];
        for (i, (_, d)) in self.drafts.iter().enumerate() {
            let style = if i == sel {
                self.theme.selected
            } else {
                Style::new()
            };
            lines.push(Line::from(Span::styled(
                fit(
                    &format!(
                        "{} {} · {} · {}",
                        self.g().draft,
                        d.group_name,
                        d.item,
                        self.period_label(d.slot)
                    ),
                    inner.width as usize,
                ),
                style,
            )));
        }
        Paragraph::new(lines).render(inner, buf);
    }

    /// "Who is working?" on a shared PC.
    fn draw_login(&self, area: Rect, buf: &mut Buffer, l: &LoginPrompt) {
        let h = (l.members.len() as u16 + 7).min(area.height);
        let r = Self::popup_area(area, 60, h);
        let inner = self.frame(
            r,
            buf,
            format!(" {} ", self.t("Ai đang làm việc?", "Who is working?")),
        );
        let mut lines = vec![Line::from(format!(
            "{} ({}, Enter). {}",
            self.t("Chọn tên của bạn", "Pick your name"),
            self.g().up_down,
            self.t("Esc: chỉ xem.", "Esc: view only.")
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
        let pin_row = if l.pin.is_some() {
            lines.push(Line::from(""));
            lines.push(Line::from(""));
            Some(lines.len() - 1)
        } else {
            None
        };
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
        if let (Some(row), Some(pin)) = (pin_row, &l.pin) {
            let y = inner.y + row as u16;
            let label = format!("{}: ", self.t("Mã PIN", "PIN"));
            buf.set_string(inner.x, y, &label, Style::new());
            let dots = "*".repeat(pin.value().chars().count());
            let x = inner.x + width(&label) as u16;
            buf.set_string(x, y, &dots, self.theme.selected);
            self.draw_cursor(buf, x + dots.len() as u16, y);
        }
    }

    fn draw_add_group(&self, area: Rect, buf: &mut Buffer, a: &AddGroup) {
        let r = Self::popup_area(area, 70, 10);
        let inner = self.frame(
            r,
            buf,
            format!(" {} ", self.t("Thêm tổ dân phố", "Add a residential group")),
        );
        let labels = [
            self.t("Chi bộ", "Party branch"),
            self.t("Tên tổ", "Group name"),
            self.t("Số hộ", "Households"),
            self.t("Tổ trưởng", "Group leader"),
        ];
        let label_w = 16u16;
        for (i, label) in labels.iter().enumerate() {
            let y = inner.y + i as u16;
            let selected = i == a.sel;
            buf.set_string(
                inner.x,
                y,
                fit(
                    &format!("{} {label}", if selected { self.g().pointer } else { " " }),
                    label_w as usize,
                ),
                if selected {
                    self.theme.accent
                } else {
                    Style::new()
                },
            );
            self.draw_input(
                buf,
                Rect::new(inner.x + label_w, y, inner.width.saturating_sub(label_w), 1),
                &a.inputs[i],
                if selected {
                    self.theme.selected
                } else {
                    Style::new()
                },
                selected,
            );
        }
        let hint = self.t(
            "Tab: ô sau · Enter: thêm (chi bộ mới được tạo nếu chưa có) · Esc: thôi",
            "Tab: next · Enter: add (a new branch is created if needed) · Esc: cancel",
        );
        Paragraph::new(hint)
            .style(self.theme.dim)
            .wrap(Wrap { trim: true })
            .render(
                Rect::new(
                    inner.x,
                    inner.y + 5,
                    inner.width,
                    inner.height.saturating_sub(5),
                ),
                buf,
            );
    }

    pub fn draw_first_run(&self, area: Rect, buf: &mut Buffer, creating: Option<&CreateWard>) {
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
        let mut name_row = None;
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
                name_row = Some(lines.len());
                lines.push(Line::from(""));
                let (four, six) = if c.six {
                    ("( )", "(*)")
                } else {
                    ("(*)", "( )")
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
                lines.push(Line::from(self.t(
                    "  Sau đó thêm tổ dân phố bằng phím a, hoặc nhập danh sách: qcdc import groups TỆP",
                    "  Then add groups with the a key, or import a roster: qcdc import groups FILE",
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
        if let (Some(row), Some(c)) = (name_row, creating) {
            let y = inner.y + row as u16;
            let label = format!("  {}: ", self.t("Tên phường", "Ward name"));
            buf.set_string(inner.x, y, &label, Style::new());
            let x = inner.x + width(&label) as u16;
            self.draw_input(
                buf,
                Rect::new(x, y, inner.right().saturating_sub(x + 1), 1),
                &c.name,
                self.theme.selected,
                true,
            );
        }
    }
}

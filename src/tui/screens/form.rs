//! The entry form: its keys and its drawing. It opens over the panes and leaves the
//! status line and the key line visible; its body scrolls to keep the selected field
//! in view, and errors show at the field and in the form's own first line.

use crate::domain::date;
use crate::present::{fit, width};
use crate::service::EntryEdit;
use crate::tui::app::*;
use crate::tui::form::{EntryForm, Field, vote_form_label};
use crate::tui::keymap::Action;
use crate::tui::view::main_layout;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

impl App {
    /// A key in the open form. Esc and Ctrl+C close it; an edited form stays as a draft
    /// (kept on disk), so closing never throws anything away.
    #[must_use]
    pub fn form_key(&mut self, mut f: Box<EntryForm>, k: &KeyEvent) -> Option<Cmd> {
        let lang = self.lang();
        if k.code == KeyCode::Esc || ctrl(k, 'c') {
            if f.is_dirty(lang) {
                let d = f.to_draft();
                self.drafts.insert(d.key(), d);
                self.info(self.t(
                    "Đã đóng; bản nháp chưa lưu được giữ lại (mở lại mục để tiếp tục).",
                    "Closed; the unsaved draft is kept (open the entry again to continue).",
                ));
            } else {
                self.drafts
                    .remove(&(f.base.group, f.base.item.clone(), f.base.period));
            }
            self.drafts_dirty = true;
            return None;
        }
        if self.keymap.action(k) == Some(Action::Minutes) {
            // The minutes are filled in from what is stored: an edited form is saved
            // first, so the record never says what the database does not.
            if f.is_dirty(lang) {
                self.fail(self.t(
                    "Chưa lưu: lưu biểu mẫu (Ctrl+S) rồi ghi biên bản.",
                    "Not saved: save the form (Ctrl+S), then write the minutes.",
                ));
                self.popup = Some(Popup::Form(f));
                return None;
            }
            let (item, group, key) = (f.item.clone(), f.base.group, f.base.item.clone());
            self.popup = Some(Popup::Form(f));
            return self.ask_minutes(&item, group, key);
        }
        if self.keymap.action(k) == Some(Action::Save) || ctrl(k, 's') {
            f.tried = true;
            let (errs, entry) = f.validate(lang);
            if let Some(mut entry) = entry {
                let base_version = Some(
                    f.conflict
                        .as_ref()
                        .map(|c| c.version)
                        .unwrap_or(f.base.version),
                );
                entry.version = f.base.version;
                debug_assert_eq!(entry.group, self.sel.group);
                self.popup = Some(Popup::Form(f));
                return Some(Cmd::Save(EntryEdit {
                    entry,
                    base_version,
                }));
            }
            // Go to the first field in error, so the reason is on screen.
            if let Some(i) = errs
                .first()
                .and_then(|(fld, _)| f.fields.iter().position(|x| x == fld))
            {
                f.sel = i;
            }
            self.fail(format!(
                "{} ({} {})",
                self.t(
                    "Chưa lưu: hãy sửa các ô đánh dấu",
                    "Not saved: fix the fields marked"
                ),
                errs.len(),
                self.t("ô", "fields")
            ));
            self.popup = Some(Popup::Form(f));
            return None;
        }
        let field = f.selected();
        match k.code {
            KeyCode::Tab | KeyCode::Down | KeyCode::Enter => f.next(),
            KeyCode::BackTab | KeyCode::Up => f.prev(),
            _ if !field.is_text() => match k.code {
                KeyCode::Char(' ') | KeyCode::Right => f.cycle(false),
                KeyCode::Left => f.cycle(true),
                KeyCode::Char('x') => f.set_not_applicable(),
                _ => {}
            },
            _ => {
                if let Some(i) = f.edit_selected() {
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
                        _ => {}
                    }
                }
            }
        }
        self.drafts_dirty = true;
        self.popup = Some(Popup::Form(f));
        None
    }

    pub fn form_keys(&self) -> Vec<(String, String)> {
        vec![
            (
                format!("Tab/{}", self.g().up_down),
                self.t("chuyển ô", "move").into(),
            ),
            ("Space".into(), self.t("đổi", "change").into()),
            (
                self.keymap.first(Action::Save),
                self.t("lưu", "save").into(),
            ),
        ]
    }

    /// The form's area: over the panes and the detail line, under the header.
    pub fn form_area(&self, area: Rect) -> Rect {
        let work = main_layout(area, self.focus).work;
        let w = work.width.min(100);
        Rect::new(work.x + (work.width - w) / 2, work.y, w, work.height)
    }

    pub fn draw_form(&self, area: Rect, buf: &mut Buffer, f: &EntryForm) {
        let lang = self.lang();
        let r = self.form_area(area);
        Clear.render(r, buf);
        let title = format!(
            " {} · {} · {} ",
            f.item.code,
            f.group_name,
            self.period_label(f.base.period)
        );
        let block = self.block(fit(&title, r.width.saturating_sub(2) as usize), true);
        let inner = block.inner(r);
        block.render(r, buf);
        if inner.height < 3 || inner.width < 20 {
            return;
        }
        let w = inner.width as usize;
        // The head: any errors first (so no size can hide them), the title, the
        // citation; wrapped, and at most half the form.
        let mut head: Vec<(String, Style)> = Vec::new();
        let errs = f.shown_errors(lang);
        if !errs.is_empty() {
            head.push((
                format!(
                    "{} {} {} {}",
                    self.g().failed,
                    errs.len(),
                    self.t(
                        "ô có lỗi — chưa lưu được:",
                        "fields in error — cannot save:"
                    ),
                    errs.iter()
                        .map(|(fld, _)| fld.label(lang))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                self.theme.error,
            ));
        }
        head.push((f.item.title_in(lang.is_en()).to_string(), self.theme.branch));
        head.push((
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
        ));
        let head_h = (head
            .iter()
            .map(|(t, _)| crate::tui::view::wrapped_height(t, w))
            .sum::<usize>())
        .min(inner.height as usize / 2) as u16;
        let head: Vec<Line> = head
            .into_iter()
            .map(|(t, st)| Line::from(Span::styled(t, st)))
            .collect();
        Paragraph::new(head)
            .wrap(Wrap { trim: true })
            .render(Rect::new(inner.x, inner.y, inner.width, head_h), buf);

        // The body: one line per field, then the verdict, deadlines and any conflict;
        // scrolled so the selected field shows.
        // Labels whole where the width allows, leaving a value at least 14 wide.
        let longest = f
            .fields
            .iter()
            .map(|fld| width(&fld.label(lang)))
            .max()
            .unwrap_or(10);
        let label_w = (longest + 3).min(w.saturating_sub(14)).max(8);
        let room = w.saturating_sub(label_w + 1);
        // Dates and numbers are short: their errors stand beside them.
        let value_w = |fld: Field| -> u16 {
            match fld {
                Field::PostedFrom | Field::PostedTo | Field::MeetingDate => 12,
                Field::Households | Field::Present | Field::Agree => 8,
                _ => room.min(70),
            }
            .min(room) as u16
        };
        let body = Rect::new(
            inner.x,
            inner.y + head_h,
            inner.width,
            inner.height - head_h,
        );
        let mut lines: Vec<(Line, Option<Field>)> = Vec::new();
        for (i, field) in f.fields.iter().enumerate() {
            let selected = i == f.sel;
            let mut spans = vec![Span::styled(
                format!(
                    "{} ",
                    fit(
                        &format!(
                            "{} {}",
                            if selected { self.g().pointer } else { " " },
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
                    Span::styled(format!("[{}]", vote_form_label(f.vote_form, lang)), style)
                }
                Field::Removal => {
                    let style = if selected {
                        self.theme.selected
                    } else {
                        Style::new()
                    };
                    let v = if f.removal {
                        self.t("có — hạn bầu mới 60 ngày", "yes — new election in 60 days")
                    } else {
                        self.t("không — bầu", "no — an election")
                    };
                    Span::styled(format!("[{v}]"), style)
                }
                other => {
                    // Drawn below with the cursor and sideways scrolling; a placeholder
                    // here for an empty field.
                    let empty = f.input(*other).is_none_or(|i| i.value().is_empty());
                    let hint = if *other == Field::Households && f.default_total > 0 {
                        format!(
                            "({} {})",
                            f.default_total,
                            self.t("theo danh sách", "from the roster")
                        )
                    } else {
                        "…".to_string()
                    };
                    let vw = value_w(*other) as usize;
                    let shown = if empty && !selected {
                        hint
                    } else {
                        String::new()
                    };
                    // A hint may be wider than the field; it is only dim text.
                    let vw = vw.max(width(&shown).min(room));
                    Span::styled(fit(&shown, vw), self.theme.dim)
                }
            };
            spans.push(value);
            if let Some((_, e)) = errs.iter().find(|(k, _)| k == field) {
                spans.push(Span::styled(
                    format!(" {} {e}", self.g().failed),
                    self.theme.error,
                ));
            }
            lines.push((Line::from(spans), Some(*field)));
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
                        format!("{} {s}", self.g().arrow),
                        if v.passes {
                            self.theme.ok
                        } else {
                            self.theme.error
                        },
                    )
                }
                None => Span::styled(
                    format!(
                        "{} {}",
                        self.g().arrow,
                        if lang.is_en() {
                            f.item.vote.map(|r| r.describe_en()).unwrap_or("")
                        } else {
                            f.item.vote.map(|r| r.describe_vi()).unwrap_or("")
                        }
                    ),
                    self.theme.dim,
                ),
            };
            lines.push((Line::from(text), None));
        }
        if let (_, Some(e)) = f.validate(lang) {
            // Each with its code and whether it was recorded done or is late (issue
            // 13; `entry::is_late`, as on the agenda and in the report).
            let judged = self
                .data
                .as_ref()
                .map(|s| (e.completion(&f.item, s.ward.steps), s.report.today));
            for d in e.deadlines(&f.item) {
                let state = judged
                    .map(|(c, today)| {
                        crate::present::deadline_state(&d, c.is_complete(), today, lang)
                    })
                    .unwrap_or_default();
                let style = if d.done.is_some() {
                    self.theme.ok
                } else if state.is_empty() {
                    self.theme.dim
                } else {
                    self.theme.warn
                };
                lines.push((
                    Line::from(Span::styled(
                        format!(
                            "  {} {}: {} — {} ({}) [{}]{state}",
                            self.t("Hạn", "Due"),
                            date::format_vi(d.date),
                            if lang.is_en() { d.what_en } else { d.what_vi },
                            if lang.is_en() { d.rule_en } else { d.rule_vi },
                            d.article,
                            d.code.code()
                        ),
                        style,
                    )),
                    None,
                ));
            }
        }
        if let Some(c) = &f.conflict {
            lines.push((
                Line::from(Span::styled(
                    format!(
                        "{} {}. {}",
                        self.t(
                            "Người khác vừa sửa mục này (nay là phiên bản",
                            "Someone else changed this entry (now version"
                        ),
                        c.version,
                        self.t(
                            "Lưu lần nữa để ghi đè bằng nội dung của bạn.",
                            "Save again to replace it with yours."
                        )
                    ),
                    self.theme.warn,
                )),
                None,
            ));
        }
        let h = body.height as usize;
        let sel_line = lines
            .iter()
            .position(|(_, fld)| *fld == Some(f.selected()))
            .unwrap_or(0);
        let off = scroll_offset(sel_line, h);
        for (i, (line, field)) in lines.iter().enumerate().skip(off).take(h) {
            let y = body.y + (i - off) as u16;
            Paragraph::new(line.clone()).render(Rect::new(body.x, y, body.width, 1), buf);
            if let Some(fld) = field
                && let Some(input) = f.input(*fld)
            {
                let selected = *fld == f.selected();
                let empty = input.value().is_empty();
                if selected || !empty {
                    let style = if selected {
                        self.theme.selected
                    } else {
                        Style::new()
                    };
                    self.draw_input(
                        buf,
                        Rect::new(
                            body.x + label_w as u16,
                            y,
                            value_w(*fld).min(body.width.saturating_sub(label_w as u16)),
                            1,
                        ),
                        input,
                        style,
                        selected,
                    );
                }
            }
        }
        if off > 0 {
            buf.set_string(
                r.right().saturating_sub(4),
                r.y,
                format!(" {} ", self.g().more_above),
                self.theme.dim,
            );
        }
        if off + h < lines.len() {
            buf.set_string(
                r.right().saturating_sub(4),
                r.bottom() - 1,
                format!(" {} ", self.g().more_below),
                self.theme.dim,
            );
        }
    }
}
